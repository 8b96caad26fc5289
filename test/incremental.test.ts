/**
 * Incremental re-parsing (fastReparse, PlanDocument's `previous`): after
 * every edit of long random edit sequences, the plan built from the previous
 * version's nodes must be the plan built from scratch, node for node (kind,
 * value, style and the whole [start, valueEnd, nodeEnd] range), with the same
 * plain data and the same diagnostics. The edits are the ones an author makes
 * (typing in a value, adding, deleting, duplicating or re-indenting lines and
 * phases, comments and blank lines, the trailing section) and ones that break
 * the YAML or leave the fast path, after which the next version starts over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import { Rng } from '../scripts/fuzzLib';
import { generatePlan } from '../scripts/genplan';
import { fastParse, fastReparse } from '../server/src/service/parsing/fastParse';
import { lint } from '../server/src/service/linting/lint';
import { PlanDocument } from '../server/src/service/parsing/plan';
import { EXAMPLES, read } from './helpers';

/** Everything migplan reads from a node tree, ranges whole. */
function shape(n: unknown): unknown {
  if (n === null || n === undefined) return n;
  if (isPair(n)) return { key: shape(n.key), value: shape(n.value) };
  if (isScalar(n)) return { scalar: Number.isNaN(n.value) ? 'NaN' : n.value, type: n.type, source: n.source, range: n.range };
  if (isMap(n)) return { map: n.items.map(shape), flow: n.flow ?? false, range: n.range };
  if (isSeq(n)) return { seq: n.items.map(shape), flow: n.flow ?? false, range: n.range };
  return { other: String(n) };
}

function docShape(doc: Document | undefined): unknown {
  return doc ? { contents: shape(doc.contents), range: doc.range } : undefined;
}

const lines = (text: string): string[] => text.split(/(?<=\n)/);

/** One random edit of a plan's text, as an author (or a bad paste) makes it. */
function edit(text: string, rng: Rng): string {
  const ls = lines(text);
  // Most edits of a long plan land in its phases.
  const phasesAt = ls.indexOf('phases:\n');
  const i = phasesAt >= 0 && rng.chance(0.8) ? phasesAt + 1 + rng.int(ls.length - phasesAt - 1) : rng.int(ls.length);
  const line = ls[i] ?? '';
  const body = line.replace(/\n$/, '');
  const eol = line.endsWith('\n') ? '\n' : '';
  const put = (k: number, replacement: string[]): string => [...ls.slice(0, k), ...replacement, ...ls.slice(k + 1)].join('');
  switch (rng.int(16)) {
    case 0:
    case 1:
    case 2: {
      // Typing or deleting inside a line.
      const at = rng.int(body.length + 1);
      const typed = rng.pick(['x', ' ', 'ab', '1', '0.5', ':', ' #', '-', "'", '"', '[', ']', ', ', '|', '>', '&a', '*a', 'é', '%']);
      return rng.chance(0.6) ? put(i, [body.slice(0, at) + typed + body.slice(at) + eol]) : put(i, [body.slice(0, at) + body.slice(at + rng.range(1, 4)) + eol]);
    }
    case 3:
      return put(i, []); // delete a line
    case 4:
      return put(i, [line, line.endsWith('\n') ? line : `\n${line}`]); // duplicate a line
    case 5:
      return put(i, [`  ${line}`]); // indent
    case 6:
      return put(i, [line.replace(/^ {1,2}/, '')]); // dedent
    case 7:
      return put(i, [line, rng.pick(['\n', '# note\n', '    # note\n', '  # note\n', '   \n', '      - added step\n', '    note: added\n'])]);
    case 8: {
      // Duplicate a whole phase (its dash line up to the next one).
      const start = ls.findIndex((l, k) => k >= i && /^ {2}- id:/.test(l));
      if (start < 0) return text;
      let end = start + 1;
      while (end < ls.length && !/^ {2}- /.test(ls[end]) && !/^\S/.test(ls[end])) end++;
      return [...ls.slice(0, end), ...ls.slice(start, end), ...ls.slice(end)].join('');
    }
    case 9: {
      // Delete a whole phase.
      const start = ls.findIndex((l, k) => k >= i && /^ {2}- id:/.test(l));
      if (start < 0) return text;
      let end = start + 1;
      while (end < ls.length && !/^ {2}- /.test(ls[end]) && !/^\S/.test(ls[end])) end++;
      return [...ls.slice(0, start), ...ls.slice(end)].join('');
    }
    case 10: {
      // Replace a value on a `key: value` line.
      const m = /^(\s*(?:- )?[a-z_]+: ).+$/.exec(body);
      return m ? put(i, [m[1] + rng.pick(['5000', 'true', '~', '"quoted"', "'single'", '[a, b]', '|', 'x # c', '24h', '']) + eol]) : text;
    }
    case 11:
      return text + rng.pick(['# trailing\n', 'extra: 1\n', '\n', '  - id: late\n    kind: cleanup\n']); // at the end
    case 12: {
      // A range of lines removed (a cut).
      const n = rng.range(2, 12);
      return [...ls.slice(0, i), ...ls.slice(i + n)].join('');
    }
    case 13: {
      // Lines moved elsewhere (cut and paste).
      const n = rng.range(1, 6);
      const cut = ls.slice(i, i + n);
      const rest = [...ls.slice(0, i), ...ls.slice(i + n)];
      const to = rng.int(rest.length + 1);
      return [...rest.slice(0, to), ...cut, ...rest.slice(to)].join('');
    }
    case 14:
      return put(i, [line.replace(/^(\s*)- /, '$1  ')]); // a dash removed
    default: {
      // A block scalar typed in.
      const m = /^(\s*)([a-z_]+): .+$/.exec(body);
      return m ? put(i, [`${m[1]}${m[2]}: |\n${m[1]}  line one\n${m[1]}  line two\n`]) : text;
    }
  }
}

/** Runs an edit sequence; returns how many versions reused the previous one's nodes. */
function run(start: string, seed: number, steps: number): { reused: number; fast: number } {
  const rng = new Rng(seed);
  let text = start;
  let prev = new PlanDocument(text);
  let reused = 0;
  let fast = 0;
  for (let step = 0; step < steps; step++) {
    let next = edit(text, rng);
    // Most edits that leave the fast path are undone at once, as a typo is: a text that has left
    // it leaves the incremental path too, until an edit brings it back.
    if ((rng.chance(0.8) && !fastParse(next)) || next.length > start.length * 2) next = rng.chance(0.9) ? text : start;
    const incremental = new PlanDocument(next, {}, { plan: prev });
    const scratch = new PlanDocument(next);
    const where = `seed ${seed}, step ${step}`;
    assert.deepEqual(docShape(incremental.doc), docShape(scratch.doc), `${where}: nodes differ`);
    assert.deepEqual(incremental.problems, scratch.problems, `${where}: problems differ`);
    assert.deepEqual(incremental.json, scratch.json, `${where}: plain data differs`);
    assert.deepEqual(lint(incremental).diagnostics, lint(scratch).diagnostics, `${where}: diagnostics differ`);
    if (incremental.generation > 0) reused++;
    if (scratch.doc && fastParse(next)) fast++;
    text = next;
    prev = incremental;
  }
  return { reused, fast };
}

describe('incremental re-parse', () => {
  it('gives the plan a full parse gives after every edit of long random edit sequences', () => {
    const example = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
    const plans = [example, generatePlan(400), generatePlan(400, 12)];
    let reused = 0;
    let fast = 0;
    let total = 0;
    plans.forEach((plan, k) => {
      for (let seed = 1; seed <= 4; seed++) {
        const r = run(plan, seed * 7919 + k, 200);
        reused += r.reused;
        fast += r.fast;
        total += 200;
      }
    });
    // The sequences must exercise the incremental path, not only the fallbacks.
    assert.ok(reused > fast * 0.5, `only ${reused} of ${total} versions (${fast} in the fast path) reused the previous one's nodes`);
  });

  it('re-parses only the phases an edit touched and moves the rest', () => {
    const before = generatePlan(400);
    const doc = fastParse(before)!;
    const phases = doc.get('phases', true) as unknown as { items: unknown[] };
    const firstPhase = phases.items[0];
    const lastPhase = phases.items[phases.items.length - 1];
    const at = before.indexOf('id: step-3');
    const after = `${before.slice(0, at)}id: step-three${before.slice(at + 'id: step-3'.length)}`;
    const change = fastReparse(doc, before, after);
    const edited = (fastParse(before)!.toJS() as { phases: Array<{ id: string }> }).phases.findIndex((p) => p.id === 'step-3');
    assert.deepEqual(change && { first: change.first, removed: change.removed, added: change.added.length }, { first: edited, removed: 1, added: 1 });
    assert.deepEqual(docShape(doc), docShape(fastParse(after)));
    // The phases before and after the edit are the same objects (only moved), the edited one is new.
    const items = (doc.get('phases', true) as unknown as { items: unknown[] }).items;
    assert.equal(items[0], firstPhase);
    assert.equal(items[items.length - 1], lastPhase);
  });

  it('leaves the document alone when a change reaches outside the phases', () => {
    const before = generatePlan(400);
    const doc = fastParse(before)!;
    const picture = JSON.stringify(docShape(doc));
    const cases = [
      before.replace('title: ', 'title: x'), // above the phases
      before.replace('phases:\n', 'phases:\n\n'), // between the key and its first item
      before.replace(/\npoint_of_no_return: .*/, '\npoint_of_no_return: step-2'), // after them
      before.replace('  - id: step-3', '    - id: step-3'), // a phase's dash moved
      before.replace('\npoint_of_no_return:', '\n   # deeper than the dashes\npoint_of_no_return:'), // a comment the fast path refuses
    ];
    for (const after of cases) {
      assert.notEqual(after, before);
      assert.equal(fastReparse(doc, before, after), undefined, after.slice(0, 40));
      assert.equal(JSON.stringify(docShape(doc)), picture);
    }
  });

  it('re-parses the last phase of a plan that ends with its phases', () => {
    const full = generatePlan(400);
    const before = full.slice(0, full.indexOf('\npoint_of_no_return:') + 1).replace(/\n+$/, '\n');
    const cases = [
      before.replace(/rollback: [^\n]*\n$/, 'rollback: changed\n'), // in the last phase
      `${before}  - id: more\n    kind: cleanup\n`, // a phase added at the end
      `${before}# the end\n`, // a comment after it
    ];
    for (const after of cases) {
      assert.notEqual(after, before);
      const doc = fastParse(before)!;
      assert.ok(fastReparse(doc, before, after), after.slice(-60));
      assert.deepEqual(docShape(doc), docShape(fastParse(after)));
    }
    // A comment the fast path refuses at the end (more indented than the root's keys, less than the dashes).
    const refused = `${before} # c\n`;
    assert.equal(fastParse(refused), undefined);
    assert.equal(fastReparse(fastParse(before)!, before, refused), undefined);
    // A key after the phases now: outside them.
    assert.equal(fastReparse(fastParse(before)!, before, `${before}extra: 1\n`), undefined);
  });

  it("makes a reused phase's reports again when what they depend on elsewhere changed", () => {
    /** Lints `before`, then `after` reusing its plan: the diagnostics must be a fresh lint's. */
    const check = (before: string, after: string, differs: (d: ReturnType<typeof lint>['diagnostics']) => unknown): void => {
      // Reports are kept from the first version that reuses nodes on: one that changes nothing here.
      const first = new PlanDocument(before, {}, { plan: new PlanDocument(before) });
      assert.equal(first.generation, 1);
      const old = lint(first).diagnostics;
      const next = new PlanDocument(after, {}, { plan: first });
      assert.equal(next.generation, 2, 'the edit is re-parsed in place');
      const fresh = lint(after).diagnostics;
      assert.deepEqual(lint(next).diagnostics, fresh);
      // The reports of the phase the edit left alone did change: reusing them unchanged would be wrong.
      assert.notDeepEqual(differs(old), differs(fresh));
    };
    // additive-first names the cleanup phase: renaming it changes what the dual-write phase's report says.
    const example = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
    const destructive = example.replace('      - Log a comparison of old and new values on every write\n', '      - DROP COLUMN legacy_name\n');
    check(destructive, destructive.replace('  - id: cleanup\n', '  - id: retire-old-column\n'), (ds) =>
      ds.filter((d) => d.rule === 'additive-first').map((d) => d.message),
    );
    // Fixes are written in the plan's layout, read from its first nested mapping: here in phase a.
    const layout = 'migplan: 1\ntitle: t\nowner: o\nphases:\n  - id: a\n    kind: custom\n    throttle:\n      max_replica_lag: 1s\n  - id: b\n    kind: custom\n';
    check(layout, layout.replace('      max_replica_lag', '        max_replica_lag'), (ds) => ds.filter((d) => d.rule === 'rollback-trigger').map((d) => d.data?.fix?.edits[0].newText));
  });

  it('takes over a previous plan once, and lets it go when it cannot', () => {
    let text = generatePlan(400);
    let plan = new PlanDocument(text);
    for (let k = 1; k <= 3; k++) {
      text = text.replace(/id: step-3[a-z]*/, `id: step-3${'x'.repeat(k)}`);
      const holder = { plan };
      const next = new PlanDocument(text, {}, holder);
      assert.equal(holder.plan, undefined, 'the holder lets the previous plan go');
      assert.equal(next.generation, k);
      // The consumed plan cannot hand its document over twice.
      assert.equal(plan.takeOver(text, false), undefined);
      plan = next;
    }
    // An edit outside the phases: parsed from scratch, and the holder is emptied all the same.
    const holder = { plan };
    const scratch = new PlanDocument(text.replace('title: ', 'title: x'), {}, holder);
    assert.equal(holder.plan, undefined);
    assert.equal(scratch.generation, 0);
  });

  it("keeps one text alive however many edits a model went through (re-parsed nodes' strings are copies)", () => {
    // 300 edits of a 1 MB plan: were each version's text kept by the nodes re-parsed from it, 300 MB.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let text = generatePlan(30_000);
    let plan = new PlanDocument(text);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let k = 0; k < 300; k++) {
      const at = text.indexOf('id: step-', Math.floor((text.length * ((k * 37) % 100)) / 100));
      // A long value typed in a phase: its string would be a slice of this version's text.
      text = `${text.slice(0, at)}id: step-with-a-long-name-${k}${text.slice(text.indexOf('\n', at))}`;
      plan = new PlanDocument(text, {}, { plan });
      assert.equal(plan.generation, k + 1);
    }
    gc();
    const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    assert.ok(grown < 30, `the heap grew by ${grown.toFixed(1)} MiB over 300 edits of a ${(text.length / 2 ** 20).toFixed(1)} MB plan`);
  });
});
