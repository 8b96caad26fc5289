/**
 * Completion: keys (per phase kind, minus those present), values (enums,
 * booleans, phase ids, examples), snippets (phases, checks, triggers,
 * consumers, a whole plan) that expand to valid YAML, and robustness on
 * half-typed text at every offset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as path from 'node:path';
import { complete, completeUnsafe, TRIGGER_SUGGEST, type PlanCompletion } from '../../server/src/service/features/completion';
import { escapeSnippet, templateToSnippet } from '../../server/src/service/features/snippets';
import type { ServiceCompletion } from '../../server/src/service/features/types';
import { lint } from '../../server/src/service/linting/lint';
import { PHASE_KINDS } from '../../server/src/service/parsing/plan';
import { PLAN_SCHEMA, type JsonSchema } from '../../server/src/service/parsing/schemaValidator';
import { EXAMPLES, read } from '../helpers';
import { applyCompletion, cursor, DRAFT_TEXT, EXAMPLE_TEXT, expandSnippet, insertAt, labels, parse, tabstops } from './helpers';

function completeAt(text: string, offset: number): PlanCompletion[] {
  return completeUnsafe(parse(text), offset);
}

function completeMarked(marked: string): PlanCompletion[] {
  const { text, offset } = cursor(marked);
  return completeAt(text, offset);
}

const PHASE_PROPS = (PLAN_SCHEMA.properties!.phases as JsonSchema).items!.properties!;

/** Lints a text and returns the diagnostics of the given rules. */
function problems(text: string, rules = ['yaml-syntax', 'schema']): string[] {
  return lint(text).diagnostics.filter((d) => rules.includes(d.rule)).map((d) => `${d.rule} ${d.range.start.line + 1}: ${d.message}`);
}

describe('completion: keys', () => {
  it('inside a cutover phase lists only the keys the phase lacks, cutover keys among them', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT.replace('    soak: 24h\n', ''), '    latency_budget: 10%\n', '    |\n');
    const list = completeAt(text, offset);
    assert.deepEqual(labels(list), ['title', 'mode', 'soak']);
    const soak = list.find((c) => c.label === 'soak')!;
    assert.equal(soak.kind, 'property');
    assert.equal(soak.insertText, 'soak: ${1:24h}');
    assert.equal(soak.snippet, true);
    assert.equal(soak.detail, (PHASE_PROPS.soak as JsonSchema).description);
    assert.equal(soak.documentation, (PHASE_PROPS.soak as JsonSchema).markdownDescription);
    assert.deepEqual(soak.replace, [offset, offset]);
  });

  it('does not offer soak when the cutover phase has it', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT, '    latency_budget: 10%\n', '    |\n');
    assert.deepEqual(labels(completeAt(text, offset)), ['title', 'mode']);
  });

  it('offers the keys of the phase kind only: backfill keys in a backfill, none of cutover or cleanup', () => {
    const list = completeMarked('phases:\n  - id: a\n    kind: backfill\n    |\n');
    assert.deepEqual(labels(list), ['title', 'entry', 'steps', 'exit', 'batch_size', 'throttle', 'idempotent', 'upsert', 'resume', 'checks', 'triggers', 'rollback']);
  });

  it('reads the kind below the cursor too, and a quoted kind', () => {
    const list = completeMarked('phases:\n  - id: a\n    |\n    kind: "verification"\n');
    assert.deepEqual(labels(list), ['title', 'entry', 'steps', 'exit', 'sign_off', 'checks', 'triggers', 'rollback']);
  });

  it('offers every phase key when the kind is missing or unknown (the SQL keys with a dialect only)', () => {
    const sqlKeys = ['sql', 'rollback_sql', 'key'];
    const all = Object.keys(PHASE_PROPS).filter((k) => k !== 'id' && !sqlKeys.includes(k));
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    |\n')), all);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    kind: cutovr\n    |\n')), all.filter((k) => k !== 'kind'));
    const withSql = labels(completeMarked('context:\n  dialect: postgresql\nphases:\n  - id: a\n    |\n'));
    for (const k of sqlKeys) assert.ok(withSql.includes(k), `${k} with the dialect`);
    assert.ok(labels(completeMarked('context:\n  dialect: postgresql\n|\n')).includes('rehearsal'));
    assert.ok(!labels(completeMarked('title: t\n|\n')).includes('rehearsal'));
  });

  it('replaces the partial word and keeps the typed prefix out of the filter', () => {
    const { text, offset } = cursor('phases:\n  - id: a\n    kind: cutover\n    so|\n');
    const list = completeAt(text, offset);
    const soak = list.find((c) => c.label === 'soak')!;
    assert.deepEqual(soak.replace, [offset - 2, offset]);
    assert.equal(applyCompletion(text, offset, soak), 'phases:\n  - id: a\n    kind: cutover\n    soak: 24h\n');
  });

  it('renames a key in place (only the key is inserted when a colon follows)', () => {
    const { text, offset } = cursor('phases:\n  - id: a\n    kind: cutover\n    so|ka: 24h\n');
    const soak = completeAt(text, offset).find((c) => c.label === 'soak')!;
    assert.equal(soak.insertText, 'soak');
    assert.equal(applyCompletion(text, offset, soak), 'phases:\n  - id: a\n    kind: cutover\n    soak: 24h\n');
  });

  it('lists the top-level keys not yet written', () => {
    const list = completeMarked('migplan: 1\ntitle: x\n|\nphases: []\n');
    assert.deepEqual(labels(list), ['owner', 'summary', 'context', 'consumers', 'assessment', 'point_of_no_return']);
  });

  it('lists nested keys: context, throttle, data_volume items, consumers, checks', () => {
    assert.deepEqual(labels(completeMarked('context:\n  engine: x\n  |\n')), ['dialect', 'current_schema', 'target_schema', 'changes', 'single_shape', 'data_volume', 'downtime', 'rollback_requirements']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    kind: backfill\n    throttle:\n      |\n')), ['max_replica_lag']);
    assert.deepEqual(labels(completeMarked('context:\n  data_volume:\n    - table: users\n      |\n')), ['rows', 'size', 'growth']);
    assert.deepEqual(labels(completeMarked('consumers:\n  - name: a\n    kind: job\n    |\n')), ['access', 'tables', 'migration_path']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    checks:\n      - name: x\n        |\n')), ['query', 'expect']);
  });

  it('reads lists written without indentation', () => {
    assert.deepEqual(labels(completeMarked('phases:\n- id: a\n  kind: cleanup\n  |\n')), ['title', 'entry', 'steps', 'exit', 'grace_period', 'checks', 'triggers', 'rollback']);
    const entry = completeMarked('phases:\n- id: a\n  kind: cleanup\n  |\n').find((c) => c.label === 'entry')!;
    assert.equal(entry.insertText, 'entry:\n- $0');
  });

  it('inserts lists and maps as blocks in the plan style, relative to the line', () => {
    const withoutThrottle = EXAMPLE_TEXT.replace('    throttle:\n      max_replica_lag: 5s\n', '');
    const withoutChecks = withoutThrottle.replace('    checks:\n      - name: row count\n        expect: count(new) = count(old)\n      - name: random spot check\n        query: SELECT ... FROM users TABLESAMPLE SYSTEM_ROWS(1000)\n        expect: mismatched_rows = 0\n', '');
    assert.notEqual(withoutChecks, withoutThrottle);
    const { text, offset } = insertAt(withoutChecks, '    resume: Restart from the last committed id recorded in backfill_progress\n', '    |\n');
    const list = completeAt(text, offset);
    assert.equal(list.find((c) => c.label === 'throttle')!.insertText, 'throttle:\n  $0');
    assert.equal(list.find((c) => c.label === 'checks')!.insertText, 'checks:\n  - $0');
    assert.equal(list.find((c) => c.label === 'idempotent'), undefined);
    // On a `- ` line the base is the line's indentation, not the key's column.
    const item = completeMarked('phases:\n  - |\n');
    assert.equal(item.find((c) => c.label === 'entry')!.insertText, 'entry:\n    - $0');
    assert.equal(item.find((c) => c.label === 'throttle')!.insertText, 'throttle:\n    $0');
  });

  it('offers enum keys as choices and booleans as true/false', () => {
    const list = completeMarked('phases:\n  - id: a\n    |\n');
    assert.equal(list.find((c) => c.label === 'kind')!.insertText, `kind: \${1|${PHASE_KINDS.join(',')}|}`);
    assert.equal(list.find((c) => c.label === 'shadow_reads')!.insertText, 'shadow_reads: ${1|true,false|}');
    assert.equal(list.find((c) => c.label === 'ramp')!.insertText, 'ramp: ${1:[1, 10, 50, 100]}');
    assert.equal(list.find((c) => c.label === 'rollback')!.insertText, 'rollback: ');
  });

  it('offers the phase ids as choices for point_of_no_return', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT.replace('point_of_no_return: cleanup\n', ''), 'This is past the point of no return.\n\n', '|');
    const ponr = completeAt(text, offset).find((c) => c.label === 'point_of_no_return')!;
    assert.equal(ponr.insertText, 'point_of_no_return: ${1|dual-write,backfill,cutover,verification,cleanup|}');
  });
});

describe('completion: values', () => {
  it('after `kind: ` in a phase lists the six kinds', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT.replace('    kind: cutover\n', '    kind: \n'), '  - id: cutover\n    kind: ', '|');
    const list = completeAt(text, offset);
    assert.deepEqual(labels(list), [...PHASE_KINDS]);
    assert.ok(list.every((c) => c.kind === 'value' && !c.snippet && c.replace![0] === offset));
    assert.match(list.find((c) => c.label === 'cutover')!.documentation!, /`soak`/);
  });

  it('replaces the partly typed value, and adds the space after a bare colon', () => {
    const { text, offset } = cursor('phases:\n  - id: a\n    kind: cut|\n');
    const cut = completeAt(text, offset).find((c) => c.label === 'cutover')!;
    assert.deepEqual(cut.replace, [offset - 3, offset]);
    assert.equal(applyCompletion(text, offset, cut), 'phases:\n  - id: a\n    kind: cutover\n');
    const bare = cursor('phases:\n  - id: a\n    kind:|\n');
    const b = completeAt(bare.text, bare.offset).find((c) => c.label === 'backfill')!;
    assert.equal(applyCompletion(bare.text, bare.offset, b), 'phases:\n  - id: a\n    kind: backfill\n');
  });

  it('after `point_of_no_return: ` lists the phase ids, cleanup first', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT.replace('point_of_no_return: cleanup', 'point_of_no_return: '), 'point_of_no_return: ', '|');
    const list = completeAt(text, offset);
    assert.deepEqual(labels(list), ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup']);
    const sorted = [...list].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
    assert.equal(sorted[0].label, 'cleanup');
  });

  it('reads phase ids from the lines when the YAML is broken', () => {
    const list = completeMarked('phases:\n  - id: first\n    kind: [\n  - id: second\npoint_of_no_return: |\n');
    assert.deepEqual(labels(list), ['first', 'second']);
  });

  it('lists enums of the assessment and consumers, booleans, and examples of value forms', () => {
    assert.deepEqual(labels(completeMarked('assessment:\n  duration_estimate:\n    basis: |\n')), ['production', 'production-replica', 'staging', 'guess']);
    assert.deepEqual(labels(completeMarked('consumers:\n  - name: a\n    access: |\n')), ['read', 'write', 'read-write']);
    assert.equal(labels(completeMarked('consumers:\n  - name: a\n    kind: |\n')).length, 11);
    assert.deepEqual(labels(completeMarked('context:\n  changes:\n    - kind: |\n')).slice(0, 3), ['add-column', 'rename-column', 'drop-column']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    idempotent: |\n')), ['true', 'false']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    soak: |\n')), ['24h']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    latency_budget: |\n')), ['10%']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: a\n    grace_period: |\n')), ['2 releases', '14d']);
    assert.deepEqual(labels(completeMarked('context:\n  data_volume:\n    - table: a\n      size: |\n')), ['21GiB']);
    assert.deepEqual(labels(completeMarked('migplan: |\n')), ['1']);
  });

  it('offers a fresh id after the phase kind', () => {
    assert.deepEqual(labels(completeMarked('phases:\n  - id: |\n    kind: cutover\n')), ['cutover']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: cutover\n    kind: cutover\n  - id: cu|\n    kind: cutover\n')), ['cutover-2']);
    assert.deepEqual(labels(completeMarked('phases:\n  - id: |\n')), []);
  });

  it('offers the plan\'s tables for a consumer\'s tables item', () => {
    assert.deepEqual(labels(completeMarked('context:\n  changes:\n    - kind: drop-column\n      table: orders\nconsumers:\n  - name: a\n    tables:\n      - |\n')), ['orders']);
  });

  it('offers the plan\'s tables for a `table` value', () => {
    const list = completeMarked('context:\n  changes:\n    - kind: drop-column\n      table: |\n  data_volume:\n    - table: orders\n    - table: users\n');
    assert.deepEqual(labels(list), ['orders', 'users']);
  });
});

describe('completion: snippets', () => {
  function phaseSnippetsAt(text: string, offset: number): ServiceCompletion[] {
    return completeAt(text, offset).filter((c) => c.kind === 'snippet');
  }

  it('on a new item under phases: a whole phase of each kind, with a fresh id, that parses and passes the schema', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT, 'This is past the point of no return.\n', '\n  - |\n');
    const snippets = phaseSnippetsAt(text, offset);
    assert.deepEqual(labels(snippets), PHASE_KINDS.map((k) => `phase: ${k}`));
    for (const s of snippets) {
      const kind = s.label.slice('phase: '.length);
      assert.equal(s.snippet, true);
      assert.deepEqual(tabstops(s.insertText).slice(0, 2), [1, 2], s.label);
      const result = applyCompletion(text, offset, s);
      assert.deepEqual(problems(result), [], `${s.label}:\n${result}`);
      const plan = lint(result).plan;
      assert.equal(plan.phases.length, 6);
      const added = plan.phases[5];
      assert.equal(added.kind, kind);
      // A fresh id: the example already has a phase named after each kind but custom.
      assert.equal(added.id, kind === 'custom' ? 'custom' : `${kind}-2`);
      assert.deepEqual(lint(result).diagnostics.filter((d) => d.range.start.line >= 195 && ['phase-criteria', 'integrity-check', 'rollback-trigger', 'rollback-procedure', 'backfill-idempotent', 'cutover-ramp', 'verification-sign-off'].includes(d.rule)), []);
    }
  });

  it('names the plan owner in the verification sign-off placeholder (who signs off is the author\'s call), escaped for the snippet', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT.replace('owner: data-platform team (Dana Ortiz)', 'owner: "Dana $HOME {x} \\\\ back"'), 'This is past the point of no return.\n', '\n  - |\n');
    const v = phaseSnippetsAt(text, offset).find((c) => c.label === 'phase: verification')!;
    assert.match(v.insertText, /sign_off: .*Dana \\\$HOME \{x\\\}/);
    const result = applyCompletion(text, offset, v);
    const { plan, diagnostics } = lint(result);
    assert.equal(plan.phases[5].node.get('sign_off')?.str(), "TODO: the data owner who signs off (the plan's owner is Dana $HOME {x} \\ back)");
    assert.ok(diagnostics.some((d) => d.rule === 'placeholder' && d.message.startsWith('`sign_off` of phase')));
  });

  it('on an empty line under phases: the same snippets, with their dash', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT, 'This is past the point of no return.\n', '\n  |\n');
    const list = completeAt(text, offset);
    assert.deepEqual(labels(list), PHASE_KINDS.map((k) => `phase: ${k}`));
    const backfill = list.find((c) => c.label === 'phase: backfill')!;
    assert.ok(backfill.insertText.startsWith('- id: ${1:backfill-2}\n  kind: backfill\n'), backfill.insertText);
    const result = applyCompletion(text, offset, backfill);
    assert.deepEqual(problems(result), []);
    assert.equal(lint(result).plan.phases[5].kind, 'backfill');
  });

  it('in a plan without phases yet, and in the plan style without list indentation', () => {
    const { text, offset } = cursor('migplan: 1\ntitle: t\nowner: o\nphases:\n- |\n');
    const cutover = completeAt(text, offset).find((c) => c.label === 'phase: cutover')!;
    assert.ok(cutover.insertText.startsWith('id: ${1:cutover}\n  kind: cutover\n  entry:\n  - '), cutover.insertText);
    const result = applyCompletion(text, offset, cutover);
    assert.deepEqual(problems(result), []);
    assert.equal(lint(result).plan.phases[0].node.get('ramp')?.items().length, 4);
  });

  it('under checks: the recommended check of the phase kind', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT, '        expect: mismatched_rows = 0\n', '      - |\n');
    const list = completeAt(text, offset);
    const check = list.find((c) => c.kind === 'snippet')!;
    assert.equal([...list].sort((a, b) => a.sortText!.localeCompare(b.sortText!))[0], check, 'the snippet comes first on a new item');
    assert.equal(check.label, 'check: rows left');
    assert.equal(check.insertText, 'name: ${1:rows left}\n  expect: ${2:rows_left = 0}');
    assert.deepEqual(labels(list, 'property'), ['name', 'query', 'expect']);
    const result = applyCompletion(text, offset, check);
    assert.deepEqual(problems(result, ['yaml-syntax', 'schema', 'integrity-check']), []);
    assert.equal(lint(result).plan.phases[1].node.get('checks')?.items().length, 3);
  });

  it('under triggers (no dash typed): the recommended trigger of the phase kind', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT, '      - when: p99_latency > 110% of baseline for 10m\n        action: Set the flag back to 0%\n', '      |\n');
    const list = completeAt(text, offset);
    assert.deepEqual(labels(list), ['trigger: read_error_rate > 0.1% for 5m']);
    const result = applyCompletion(text, offset, list[0]);
    assert.deepEqual(problems(result, ['yaml-syntax', 'schema', 'rollback-trigger']), []);
    assert.equal(lint(result).plan.phases[2].node.get('triggers')?.items().length, 3);
  });

  it('under consumers: a consumer stub with choices for kind and access', () => {
    const { text, offset } = insertAt(DRAFT_TEXT, '    tables: [orders]\n', '  - |\n');
    const consumer = completeAt(text, offset).find((c) => c.kind === 'snippet')!;
    assert.equal(consumer.label, 'consumer');
    // What the consumer is and how it reads are the author's to say: tabbed past, they stay placeholders.
    assert.match(consumer.insertText, /^name: \$\{1:TODO_orders_consumer\}\n {2}kind: \$\{2\|TODO,service,job,/);
    assert.match(consumer.insertText, /access: \$\{3\|TODO,read,write,read-write\|\}/);
    const result = applyCompletion(text, offset, consumer);
    const messages = (t: string): string[] => problems(t).map((m) => m.replace(/^(\S+) \d+: /, '$1 '));
    const before = new Set(messages(text));
    assert.deepEqual(messages(result).filter((m) => !before.has(m)), [], 'the stub adds no problem of the schema or the YAML');
    const added = lint(result).plan.root!.get('consumers')!.items()[1];
    assert.deepEqual(added.get('tables')?.strings(), ['orders']);
    assert.equal(added.get('kind')?.str(), 'TODO');
    const reported = lint(result).diagnostics.filter((d) => d.rule === 'placeholder' && d.range.start.line >= 16).map((d) => d.message);
    assert.ok(reported.some((m) => m.startsWith('`kind` of consumer #2')) && reported.some((m) => m.startsWith('`access` of consumer #2')), reported.join('\n'));
  });

  it('in an empty document: a whole plan whose only findings, its placeholders left as they are, are those placeholders', () => {
    for (const empty of ['', '\n', '# my plan\n\n']) {
      const offset = empty.length;
      const list = completeAt(empty, offset);
      const plan = list.find((c) => c.label === 'plan')!;
      assert.equal(plan.kind, 'snippet');
      assert.ok(labels(list, 'property').includes('phases'));
      const result = applyCompletion(empty, offset, plan);
      const { diagnostics } = lint(result);
      assert.deepEqual([...new Set(diagnostics.map((d) => d.rule))], ['placeholder'], result);
      // One finding per placeholder line: exactly what is left to write.
      const todoLines = result.split('\n').map((l, i) => (/TODO/.test(l) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(diagnostics.map((d) => d.range.start.line), todoLines);
    }
    assert.equal(labels(completeAt('title: x\n', 9)).includes('plan'), false);
  });

  it('writes valid snippet syntax: literal $, } and \\ escaped, TODOs as placeholders, names mirrored', () => {
    assert.equal(escapeSnippet('a $1 } \\ b'), 'a \\$1 \\} \\\\ b');
    const s = templateToSnippet('a: "TODO: x: y"\nb: TODO_table\nc: [TODO_table]\nd: $5 }\ne: |\n  TODO: free text\n');
    // The defaults keep their TODO: tabbed past, a placeholder stays one, and lint reports it.
    assert.equal(s, 'a: "${1:TODO: x: y}"\nb: ${2:TODO_table}\nc: [${2}]\nd: \\$5 \\}\ne: |\n  ${3:TODO: free text}\n');
    assert.equal(expandSnippet(s), 'a: "TODO: x: y"\nb: TODO_table\nc: [TODO_table]\nd: $5 }\ne: |\n  TODO: free text\n');
  });
});

describe('completion: no completions where none make sense', () => {
  it('in comments, block scalars, lists of strings, flow collections, after a bare dash', () => {
    assert.deepEqual(completeMarked('# a comment |\nmigplan: 1\n'), []);
    assert.deepEqual(completeMarked('migplan: 1 # note |\n'), []);
    assert.deepEqual(completeMarked('summary: |\n  some text\n  |\n'), []);
    assert.deepEqual(completeMarked('summary: >\n  some text\n  mo|\n'), []);
    assert.deepEqual(completeMarked('phases:\n  - id: a\n    steps:\n      - |\n'), []);
    assert.deepEqual(completeMarked('phases:\n  - id: a\n    ramp: [1, |]\n'), []);
    assert.deepEqual(completeMarked('phases:\n  -|\n'), []);
    assert.deepEqual(completeMarked('phases:\n  - id: a\n    title: some words |\n'), []);
    assert.deepEqual(completeMarked('|  migplan: 1\n'), []);
  });

  it('for unknown keys', () => {
    assert.deepEqual(completeMarked('nonsense:\n  |\n'), []);
    assert.deepEqual(completeMarked('nonsense: |\n'), []);
  });
});

describe('completion: robustness', () => {
  /** Checks one result list for sanity. */
  function checkSane(text: string, offset: number, list: ServiceCompletion[], where: string): void {
    if (text[offset - 1] === '\r' && text[offset] === '\n') return; // not a position: inside a line break
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const nl = text.slice(offset).search(/\r?\n/);
    const lineEnd = nl < 0 ? text.length : offset + nl;
    const labelsSeen = new Set<string>();
    for (const c of list) {
      assert.ok(c.label.length > 0, where);
      assert.ok(!labelsSeen.has(c.label), `${where}: duplicate ${c.label}`);
      labelsSeen.add(c.label);
      if (c.replace) {
        assert.ok(c.replace[0] <= offset && offset <= c.replace[1], `${where}: replace ${c.replace} misses the cursor`);
        assert.ok(c.replace[0] >= lineStart && c.replace[1] <= lineEnd, `${where}: replace ${c.replace} leaves the line`);
      }
      if (c.snippet) assert.doesNotThrow(() => expandSnippet(c.insertText), `${where}: ${c.label}`);
    }
  }

  it('never throws on truncations of the examples, at the end and just before it', () => {
    let calls = 0;
    for (const source of [EXAMPLE_TEXT, DRAFT_TEXT]) {
      // Cuts 1 to 5 characters apart (each cut is a parse); at the cut and a few characters before it.
      for (let cut = 0; cut <= source.length; cut += 1 + (cut % 5)) {
        const text = source.slice(0, cut);
        const plan = parse(text);
        for (const offset of new Set([cut, Math.max(0, cut - 1), Math.max(0, cut - 4)])) {
          const list = completeUnsafe(plan, offset);
          calls++;
          checkSane(text, offset, list, `cut ${cut} offset ${offset}`);
        }
      }
    }
    assert.ok(calls > 1000);
  });

  it('never throws at any offset of the examples, with CRLF line breaks, or with lines cut out', () => {
    for (const source of [EXAMPLE_TEXT, DRAFT_TEXT, EXAMPLE_TEXT.replace(/\n/g, '\r\n')]) {
      const plan = parse(source);
      for (let offset = 0; offset <= source.length; offset++) checkSane(source, offset, completeUnsafe(plan, offset), `offset ${offset}`);
    }
    // Pseudo-random damage: lines dropped, characters cut from lines.
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const lines = EXAMPLE_TEXT.split('\n');
    for (let round = 0; round < 60; round++) {
      const damaged = lines.filter(() => rand(6) !== 0).map((l) => (rand(5) === 0 ? l.slice(0, rand(l.length + 1)) : l)).join('\n');
      const plan = parse(damaged);
      for (let offset = 0; offset <= damaged.length; offset += 1 + rand(9)) checkSane(damaged, offset, completeUnsafe(plan, offset), `round ${round} offset ${offset}`);
    }
  });

  it('works with CRLF line breaks', () => {
    const { text, offset } = insertAt(EXAMPLE_TEXT.replace('    soak: 24h\n', '').replace(/\n/g, '\r\n'), '    latency_budget: 10%\r\n', '    |\r\n');
    assert.deepEqual(labels(completeAt(text, offset)), ['title', 'mode', 'soak']);
  });

  it('is fast on a large plan (no re-parse, no whole-text scans per line)', () => {
    const phases = EXAMPLE_TEXT.slice(EXAMPLE_TEXT.indexOf('  - id: dual-write'), EXAMPLE_TEXT.indexOf('point_of_no_return'));
    let big = EXAMPLE_TEXT.slice(0, EXAMPLE_TEXT.indexOf('point_of_no_return'));
    for (let i = 0; i < 25; i++) big += phases.replace(/- id: ([a-z-]+)/g, `- id: $1-${i}`);
    const { text, offset } = insertAt(big, '    latency_budget: 10%\n', '    |\n');
    const plan = parse(text);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) completeUnsafe(plan, offset);
    completeUnsafe(plan, text.length);
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / 21;
    assert.ok(ms < 25, `${ms.toFixed(1)} ms per completion on ${text.split('\n').length} lines`);
  });

  it('complete() swallows internal errors; bad offsets are clamped', () => {
    const plan = parse(EXAMPLE_TEXT);
    assert.doesNotThrow(() => complete(plan, -5));
    assert.doesNotThrow(() => complete(plan, EXAMPLE_TEXT.length + 100));
  });
});

describe('completion options', () => {
  it('leaves out snippets for clients that contribute their own, keeping keys', () => {
    const text = 'migplan: 1\ntitle: t\nowner: o\nphases:\n  - ';
    const plan = lint(text).plan;
    const all = complete(plan, text.length);
    const noSnippets = complete(plan, text.length, { snippets: false });
    assert.ok(all.some((c) => c.kind === 'snippet'));
    assert.ok(!noSnippets.some((c) => c.kind === 'snippet'));
    assert.deepEqual(noSnippets, all.filter((c) => c.kind !== 'snippet'));
  });
});

describe('completion: in their place', () => {
  const SQL_TEXT = read(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'));

  /** Accepts a completion as VS Code does; the cursor goes where the snippet's `$0` is (else after the insertion). */
  function accept(text: string, offset: number, c: ServiceCompletion): { text: string; offset: number } {
    const mark = '\u0001';
    const marked = c.snippet && c.insertText.includes('$0') ? { ...c, insertText: c.insertText.replace('$0', mark) } : { ...c, insertText: c.insertText + mark };
    return cursor(applyCompletion(text, offset, marked).replace(mark, '|').replace(/\|(?=[^|]*\|)/g, '|'));
  }

  const snippetLabels = (list: readonly ServiceCompletion[]): string[] => labels(list, 'snippet');

  it('re-opens the suggestions after the keys that start a list of maps (phases, checks, triggers, consumers, changes, data_volume), and only after those', () => {
    const top = completeMarked('migplan: 1\ntitle: t\n|\n');
    const withCommand = (list: PlanCompletion[]): string[] => list.filter((c) => c.command !== undefined).map((c) => c.label);
    assert.deepEqual(withCommand(top), ['consumers', 'phases']);
    for (const c of top.filter((x) => x.command)) assert.deepEqual(c.command, { command: 'editor.action.triggerSuggest', title: 'Suggest' });
    assert.deepEqual(TRIGGER_SUGGEST, { command: 'editor.action.triggerSuggest', title: 'Suggest' });
    assert.deepEqual(withCommand(completeMarked('phases:\n  - id: a\n    kind: backfill\n    |\n')), ['checks', 'triggers']);
    assert.deepEqual(withCommand(completeMarked('context:\n  engine: x\n  |\n')), ['changes', 'data_volume']);
    // A key renamed in place (a colon follows) inserts the key only: nothing to suggest after it.
    assert.deepEqual(withCommand(completeMarked('migplan: 1\nphas|:\n')), []);
    // Values and snippets never carry it.
    assert.deepEqual(withCommand(completeMarked('phases:\n  - id: a\n    kind: |\n')), []);
  });

  for (const [name, marked, key, expected] of [
    ['phases', 'migplan: 1\ntitle: t\n|\n', 'phases', PHASE_KINDS.map((k) => `phase: ${k}`)],
    ['consumers', 'migplan: 1\ntitle: t\ncontext:\n  changes:\n    - kind: drop-column\n      table: orders\n|\n', 'consumers', ['consumer']],
    ['checks', 'phases:\n  - id: a\n    kind: backfill\n    |\n', 'checks', ['check: rows left']],
    ['triggers', 'phases:\n  - id: a\n    kind: cutover\n    |\n', 'triggers', ['trigger: read_error_rate > 0.1% for 5m']],
    ['phases (no list indentation)', 'migplan: 1\ntitle: t\nowner: o\nconsumers:\n- name: a\n  kind: job\n|\n', 'phases', PHASE_KINDS.map((k) => `phase: ${k}`)],
  ] as const) {
    it(`accepting \`${name}\` leaves the cursor at \`- \`, where the whole ${key === 'phases' ? 'phases' : key.slice(0, -1)} is offered first`, () => {
      const { text, offset } = cursor(marked);
      const keyItem = completeAt(text, offset).find((c) => c.label === key)!;
      assert.deepEqual(keyItem.command, TRIGGER_SUGGEST);
      const after = accept(text, offset, keyItem);
      assert.match(after.text.slice(0, after.offset), /\n *- $/);
      const list = completeAt(after.text, after.offset);
      assert.deepEqual(snippetLabels(list), [...expected]);
      const first = [...list].sort((a, b) => a.sortText!.localeCompare(b.sortText!))[0];
      assert.equal(first.kind, 'snippet', 'the whole item comes first');
      // The item's own keys follow (a phase's id, kind...; a check's name, expect...).
      assert.ok(labels(list, 'property').length > 0);
      // Accepted, the whole item is YAML the schema accepts where it is.
      const done = applyCompletion(after.text, after.offset, list.find((c) => c.kind === 'snippet')!);
      assert.deepEqual(problems(done).filter((p) => !/The plan has no /.test(p)), [], done);
    });
  }

  it('offers the SQL check beside the recommended one in a plan with a SQL dialect, and pastes it as a valid check', () => {
    const { text, offset } = insertAt(SQL_TEXT, '    checks:\n', '      - |\n');
    const list = completeAt(text, offset);
    assert.deepEqual(snippetLabels(list), ['check: divergent rows', 'check: SQL query']);
    const sqlCheck = list.find((c) => c.label === 'check: SQL query')!;
    assert.equal(sqlCheck.insertText, 'name: "${1:TODO: what must hold}"\n  query: SELECT count(*) AS ${2:violating_rows} FROM ${3:TODO_table} WHERE ${4:TODO_condition}\n  expect: ${2} = 0');
    const result = applyCompletion(text, offset, sqlCheck);
    assert.deepEqual(problems(result), []);
    assert.equal(lint(result).plan.phases[0].node.get('checks')?.items().length, 2);
    // Without a dialect: the recommended check only.
    assert.deepEqual(snippetLabels(completeMarked('phases:\n  - id: a\n    kind: backfill\n    checks:\n      - |\n')), ['check: rows left']);
  });

  it('offers exactly one whole plan in an empty file (blank, whitespace or comments only), also as its first word is typed', () => {
    for (const marked of ['|', '|\n', '\n\n|', '   |', '# my plan\n|', '# my plan\n\n|\n# more\n', '|\n# below\n', 'pl|', '# a plan\nmigp|', '  mi|\n']) {
      const { text, offset } = cursor(marked);
      const list = completeAt(text, offset);
      assert.deepEqual(snippetLabels(list), ['plan'], JSON.stringify(marked));
      const plan = list.find((c) => c.label === 'plan')!;
      // It starts at the line's start, replacing the word typed.
      const result = applyCompletion(text, offset, plan);
      assert.match(result, /^(?:[ \t]*(?:#[^\n]*)?\n)*migplan: 1\n/, JSON.stringify(marked));
      assert.deepEqual(problems(result), [], JSON.stringify(marked));
    }
  });

  it('offers no whole plan in a plan that has anything in it, nor in a comment', () => {
    for (const marked of ['migplan: 1\n|', 'migplan: 1\n\n|\n', '|\nmigplan: 1\n', 'title: t\npl|', '# a comment |\n', 'x: |\n']) {
      assert.deepEqual(snippetLabels(completeMarked(marked)), [], JSON.stringify(marked));
    }
  });

  it('offers no phase, check, trigger or consumer snippet at the top level of a plan', () => {
    for (const marked of ['migplan: 1\ntitle: t\n|\n', 'migplan: 1\nti|\n', 'migplan: 1\nphases:\n  - id: a\n|\n', 'migplan: 1\nphases:\n  - id: a\n    kind: cutover\n    checks:\n      - name: x\n|']) {
      assert.deepEqual(snippetLabels(completeMarked(marked)), [], JSON.stringify(marked));
    }
    const { text, offset } = insertAt(EXAMPLE_TEXT, 'point_of_no_return: cleanup\n', '|');
    assert.deepEqual(snippetLabels(completeAt(text, offset)), []);
  });

  it('offers each snippet only in its list, on a new line at any indentation of the examples', () => {
    // What the list is, read independently: the nearest line above that is less indented than the item's dash,
    // or, for a `- `, a `key:` line at its column (a list need not be indented under its key).
    const opener = (lines: string[], at: number, col: number, dash: boolean): string | undefined => {
      for (let i = at - 1; i >= 0; i--) {
        const l = lines[i];
        if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
        const indent = l.length - l.trimStart().length;
        if (indent < col || (dash && indent === col && !l.trimStart().startsWith('- '))) return /^\s*(?:- )?([a-z_]+):\s*$/.exec(l)?.[1];
      }
      return undefined;
    };
    const expectedFor = (key: string | undefined): RegExp | undefined =>
      key === 'phases' ? /^phase: / : key === 'checks' ? /^check: / : key === 'triggers' ? /^trigger: / : key === 'consumers' ? /^consumer$/ : undefined;
    let offered = 0;
    for (const source of [EXAMPLE_TEXT, DRAFT_TEXT, SQL_TEXT]) {
      const lines = source.split('\n');
      for (let at = 1; at < lines.length; at++) {
        for (const col of [0, 2, 4, 6, 8]) {
          for (const dash of ['', '- ']) {
            const text = [...lines.slice(0, at), ' '.repeat(col) + dash, ...lines.slice(at)].join('\n');
            const offset = lines.slice(0, at).join('\n').length + 1 + col + dash.length;
            const got = snippetLabels(completeAt(text, offset));
            const where = `line ${at + 1} col ${col} ${JSON.stringify(dash)}`;
            assert.ok(!got.includes('plan'), `${where}: a whole plan`);
            if (got.length === 0) continue;
            offered++;
            const want = expectedFor(opener(lines, at, col, dash !== ''));
            assert.ok(want, `${where}: ${got.join(', ')} outside a list of phases, checks, triggers or consumers`);
            assert.ok(got.every((l) => want.test(l)), `${where}: ${got.join(', ')}`);
          }
        }
      }
    }
    assert.ok(offered > 20, `${offered} places offered snippets`);
  });
});
