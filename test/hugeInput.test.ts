/**
 * Long plans and long values, up to the 5 MiB limit, stay fast: nothing runs
 * on a value's whole length per candidate ("did you mean"), and nothing
 * grows quadratically with the plan (ignore comments against diagnostics and
 * scalars, the tree's problem counts, the slow path a YAML anchor sends a
 * plan down). Growth is checked by timing a size and four times that size
 * (best of a few runs, so that a loaded machine does not fail it): linear
 * work grows about four times, the quadratic work these tests guard against
 * sixteen. Each test also has a generous absolute bound.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it, type TestContext } from 'node:test';
import { visit, type Node as YNode } from 'yaml';
import { isFastDocument } from '../server/src/service/parsing/fastParse';
import { planTree } from '../server/src/service/features/planTree';
import { countStartingIn, itemSpan } from '../server/src/service/features/shared';
import { lint, severityOf, UNIGNORABLE } from '../server/src/service/linting/lint';
import { placeholderWhy } from '../server/src/service/linting/placeholders';
import { nestingBeyond, PHASE_KINDS, PlanDocument } from '../server/src/service/parsing/plan';
import { RULES_BY_ID } from '../server/src/service/rules';
import { suggest } from '../server/src/service/rules/schema';
import { findIgnoreComments, type IgnoreComment } from '../server/src/service/linting/suppress';
import type { Span } from '../server/src/service/types';
import { EXAMPLES, read } from './helpers';

const EXAMPLE = read(path.join(EXAMPLES, 'split-user-name.migplan.yaml'));
const opts = { timeout: 120_000 };

/** The best of `runs` timings of `fn`, in milliseconds. */
function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/**
 * The best timings of `small` and `large`, run in turn `runs` times (in turn,
 * so that a burst of load elsewhere does not fall on one size only).
 */
function bestOfEach(runs: number, small: () => void, large: () => void): [number, number] {
  let s = Infinity;
  let l = Infinity;
  for (let i = 0; i < runs; i++) {
    s = Math.min(s, bestOf(1, small));
    l = Math.min(l, bestOf(1, large));
  }
  return [s, l];
}

/**
 * Fails when the large run took more than `limit` times the small one (4x the
 * input: linear is about 4, a little more with the collector's work on a
 * larger heap; quadratic 16). Says the timings either way.
 */
function assertGrowth(t: TestContext, what: string, small: number, large: number, limit = 8): void {
  const ratio = large / Math.max(small, 1);
  const said = `${what}: ${small.toFixed(0)} ms at n, ${large.toFixed(0)} ms at 4n (x${ratio.toFixed(1)}; linear is about x4, quadratic x16)`;
  t.diagnostic(said);
  assert.ok(ratio < limit, said);
}

/**
 * The example with its phases repeated to `size` characters (phase ids repeat,
 * kinds go round out of order: plenty of diagnostics), optionally with one
 * anchor and one alias, which the fast path refuses (the yaml package parses it).
 */
function repeatedPlan(size: number, anchor: boolean): string {
  const from = EXAMPLE.indexOf('\nphases:\n') + '\nphases:\n'.length;
  const to = EXAMPLE.indexOf('\npoint_of_no_return:') + 1;
  const head = EXAMPLE.slice(0, from);
  const phases = EXAMPLE.slice(from, to);
  const tail = EXAMPLE.slice(to);
  const parts = [head];
  for (let n = head.length + tail.length; n < size; n += phases.length) parts.push(phases);
  parts.push(tail);
  let text = parts.join('');
  if (anchor) {
    text = text.replace('    kind: dual-write\n    entry:\n', '    kind: dual-write\n    entry: &criteria\n');
    text = text.replace('    kind: backfill\n    entry:\n      - Dual-write exit criteria met\n', '    kind: backfill\n    entry: *criteria\n');
  }
  return text;
}

/** A deterministic pseudo-random source. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

// ------------------------------------------------------------ did you mean

/** The edit distance "did you mean" is defined by: optimal string alignment, the whole matrix. */
function referenceDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** `suggest` as specified, with no cut-off: the closest candidate within the allowed distance, else one that is an affix. */
function referenceSuggest(input: string, candidates: readonly string[]): string | undefined {
  const normalize = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  const affix = (a: string, b: string): boolean => a.length >= 4 && b.length >= 4 && (a.startsWith(b) || b.startsWith(a) || a.endsWith(b) || b.endsWith(a));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    let score: number;
    if (normalize(c) === normalize(input)) score = 0;
    else {
      const d = referenceDistance(input.toLowerCase(), c.toLowerCase());
      const longest = Math.max(input.length, c.length);
      const max = longest <= 4 ? 1 : longest <= 8 ? 2 : 3;
      if (d <= max) score = d;
      else if (affix(normalize(input), normalize(c))) score = max + 1;
      else continue;
    }
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

describe('huge input: did you mean', () => {
  it('suggests what the full edit distance suggests, for inputs of any shape up to the cut-off', opts, () => {
    const rnd = random(18);
    const alphabet = 'abcdA-_ ';
    const keys = ['entry', 'steps', 'exit', 'checks', 'triggers', 'rollback', 'batch_size', 'entry_criteria', 'shadow_reads', ...PHASE_KINDS];
    const mutate = (s: string): string => {
      let t = s;
      for (let k = rnd(5); k > 0; k--) {
        const i = rnd(t.length + 1);
        const c = alphabet[rnd(alphabet.length)];
        const op = rnd(4);
        if (op === 0) t = t.slice(0, i) + c + t.slice(i);
        else if (op === 1) t = t.slice(0, i) + t.slice(i + 1);
        else if (op === 2) t = t.slice(0, i) + c + t.slice(i + 1);
        else if (i + 1 < t.length) t = t.slice(0, i) + t[i + 1] + t[i] + t.slice(i + 2);
      }
      return t;
    };
    let suggested = 0;
    for (let n = 0; n < 20_000; n++) {
      const candidates = n % 2 === 0 ? keys : Array.from({ length: 1 + rnd(5) }, () => Array.from({ length: rnd(14) }, () => alphabet[rnd(4)]).join(''));
      const input = mutate(candidates[rnd(candidates.length)]);
      const expected = referenceSuggest(input, candidates);
      if (expected !== undefined) suggested++;
      assert.equal(suggest(input, candidates), expected, `${JSON.stringify(input)} among ${JSON.stringify(candidates)}`);
    }
    assert.ok(suggested > 5_000, 'the inputs were close enough to be suggested for');
  });

  it('suggests nothing for an input longer than 64 characters, without reading it', opts, () => {
    assert.equal(suggest(`cutover${'x'.repeat(58)}`, PHASE_KINDS), undefined);
    assert.equal(suggest('cutovr', PHASE_KINDS), 'cutover');
    // Before the cut-off, each call filled a matrix of (length + 1) rows per candidate: seconds and gigabytes.
    const huge = 'x'.repeat(4 * 1024 * 1024);
    const ms = bestOf(1, () => {
      for (let i = 0; i < 20; i++) assert.equal(suggest(huge, PHASE_KINDS), undefined);
    });
    assert.ok(ms < 1_000, `20 suggestions for a 4 MiB input took ${ms.toFixed(0)} ms`);
  });

  it('lints a plan whose phase kind is a 4 MiB value in well under 5 s', opts, () => {
    const text = EXAMPLE.replace('    kind: cutover\n', `    kind: ${'x'.repeat(4 * 1024 * 1024)}\n`);
    let kindProblem = false;
    const ms = bestOf(1, () => {
      kindProblem = lint(text).diagnostics.some((d) => d.rule === 'schema' && d.message.includes('is not a phase kind'));
    });
    assert.ok(kindProblem, 'the kind is still reported');
    assert.ok(ms < 5_000, `took ${ms.toFixed(0)} ms`);
  });
});

// ------------------------------------------------------------ ignore comments

/**
 * A plan of about `size` characters with vague rollback triggers and an
 * ignore comment above (almost) every key and item: used ones, unused ones,
 * ones without a reason.
 */
function commentedPlan(size: number): { text: string; comments: number } {
  const rules = ['rollback-trigger', 'duplicate-id', 'placeholder', 'schema', 'no-such-rule', 'cutover-soak', 'phase-order', 'rollback-trigger'];
  const commented = (plan: string): { text: string; comments: number } => {
    const out: string[] = [];
    let k = 0;
    for (const line of plan.replace(/when: .*/g, 'when: if it looks bad').split('\n')) {
      const m = /^( +)(- |\w+:)/.exec(line);
      if (m) {
        k++;
        const reason = k % 7 === 0 ? '' : k % 11 === 0 ? ' -- TODO' : ' -- agreed with the SRE team';
        out.push(`${m[1]}# migplan-ignore ${rules[k % rules.length]}${reason}`);
      }
      out.push(line);
    }
    return { text: out.join('\n'), comments: k };
  };
  // The comments about double a plan's length: start from a plan that size over what they add.
  const sample = repeatedPlan(100_000, false);
  return commented(repeatedPlan((size * sample.length) / commented(sample).text.length, false));
}

/**
 * What the comments should leave of the diagnostics, worked out one comment
 * against every diagnostic (as the rules state it): `found` are the
 * diagnostics with no comment applied, as [rule, start offset, range key].
 */
function expectedAfterComments(plan: PlanDocument, found: ReadonlyArray<readonly [string, number, string]>, comments: readonly IgnoreComment[]): string[] {
  const silenced = new Set<number>();
  const extra: string[] = [];
  const key = (rule: string, span: Span): string => {
    const r = plan.lines.rangeOf(span);
    return `${rule} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  };
  for (const c of comments) {
    if (!c.reason || placeholderWhy(c.reason, 'text') !== undefined) {
      extra.push(key('ignore-reason', c.span));
      continue;
    }
    if (UNIGNORABLE.has(c.rule)) {
      extra.push(key('unused-ignore', c.span));
      continue;
    }
    const known = RULES_BY_ID.has(c.rule);
    let used = false;
    found.forEach(([rule, start], i) => {
      if (known && c.target && rule === c.rule && start >= c.target[0] && start < c.target[1] && rule !== 'unused-ignore' && rule !== 'ignore-reason') {
        silenced.add(i);
        used = true;
      }
    });
    if (!used && !(known && severityOf(c.rule, undefined) === 'off')) extra.push(key('unused-ignore', c.span));
  }
  return [...found.filter((_, i) => !silenced.has(i)).map(([, , k]) => k), ...extra].sort();
}

/** findIgnoreComments as specified: each occurrence of the marker read on its own, against every scalar. */
function referenceComments(plan: PlanDocument): IgnoreComment[] {
  const { text, lines } = plan;
  const scalars: Span[] = [];
  const starts = new Map<number, number>();
  if (plan.doc) {
    visit(plan.doc, {
      Scalar(_, node) {
        if (node.range && node.range[1] > node.range[0]) scalars.push([node.range[0], node.range[1]]);
      },
      Pair(_, pair) {
        const k = pair.key as YNode | null;
        const v = pair.value as YNode | null;
        const s = k?.range?.[0];
        const e = v?.range?.[1] ?? k?.range?.[1];
        if (s !== undefined && e !== undefined) starts.set(s, Math.max(e, starts.get(s) ?? e));
      },
      Seq(_, seq) {
        for (const item of seq.items) {
          const r = (item as YNode | null)?.range;
          if (r) starts.set(r[0], Math.max(r[1], starts.get(r[0]) ?? r[1]));
        }
      },
    });
  }
  const targetOn = (line: number): Span | undefined => {
    const t = lines.lineText(line);
    const first = t.search(/\S/);
    if (first < 0) return undefined;
    const begin = lines.lineStart(line) + first;
    let end = starts.get(begin);
    let i = first;
    while (end === undefined && t[i] === '-' && /[ \t]/.test(t[i + 1] ?? '')) {
      i++;
      while (t[i] === ' ' || t[i] === '\t') i++;
      end = starts.get(lines.lineStart(line) + i);
    }
    return [begin, end ?? lines.lineEnd(line)];
  };
  const out: IgnoreComment[] = [];
  for (let at = text.indexOf('migplan-ignore'); at !== -1; at = text.indexOf('migplan-ignore', at + 14)) {
    const line = lines.lineOf(at);
    const lineText = lines.lineText(line);
    const hash = lineText.lastIndexOf('#', at - lines.lineStart(line));
    if (hash < 0 || (hash > 0 && !/[ \t]/.test(lineText[hash - 1]))) continue;
    const hashOffset = lines.lineStart(line) + hash;
    if (scalars.some(([s, e]) => hashOffset >= s && hashOffset < e)) continue;
    const m = /#\s*migplan-ignore\b[ \t]*([^\s#]*)(?:[ \t]+--[ \t]*(.*?)|[ \t]+(?!--)(\S.*?))?[ \t]*$/.exec(lineText.slice(hash));
    if (!m) continue;
    const comment: IgnoreComment = { span: [hashOffset, lines.lineEnd(line)], rule: m[1] ?? '' };
    const reason = m[2]?.trim();
    if (reason) comment.reason = reason;
    const loose = m[3]?.trim();
    if (loose) comment.loose = loose;
    let target: number | undefined = line;
    if (lineText.slice(0, hash).trim() === '') {
      target = undefined;
      for (let l = line + 1; l < lines.lineCount && target === undefined; l++) {
        const t = lines.lineText(l).trim();
        if (t !== '' && !t.startsWith('#')) target = l;
      }
    }
    if (target !== undefined) comment.target = targetOn(target);
    out.push(comment);
  }
  return out;
}

describe('huge input: ignore comments', () => {
  it('silence exactly what one comment against every diagnostic would', opts, () => {
    const { text } = commentedPlan(200_000);
    const { plan, diagnostics } = lint(text);
    // The same text with the marker misspelt (same length, same offsets): every diagnostic, none silenced.
    const bare = lint(text.replaceAll('migplan-ignore', 'migplan-ignorX'));
    const found = bare.diagnostics.map((d) => [d.rule, bare.plan.lines.offsetAt(d.range.start), `${d.rule} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`] as const);
    const comments = findIgnoreComments(plan);
    const expected = expectedAfterComments(plan, found, comments);
    const actual = diagnostics.map((d) => `${d.rule} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).sort();
    assert.deepEqual(actual, expected);
    const rules = new Set(diagnostics.map((d) => d.rule));
    for (const r of ['unused-ignore', 'ignore-reason', 'rollback-trigger', 'duplicate-id']) assert.ok(rules.has(r), `has ${r}`);
    assert.ok(found.length - diagnostics.filter((d) => d.rule !== 'unused-ignore' && d.rule !== 'ignore-reason').length > 50, 'some diagnostics were silenced');
  });

  it('are found as one occurrence at a time against every scalar would find them, however they share lines', opts, () => {
    const rnd = random(20);
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const frags = ['# migplan-ignore', ' # migplan-ignore ', 'migplan-ignore', '#', ' ', '\t', ' --', ' -- ', '-- ', 'cutover-soak', 'a', ':', '-', '\u2028', '\u00a0', 'migplan-ignore-x', '#migplan-ignore', '|'];
    let comments = 0;
    for (let n = 0; n < 4_000; n++) {
      const lines = Array.from({ length: 1 + rnd(4) }, () => pick(['', '  ', 'k: v ', 'title: "a # migplan-ignore x -- y" ', '- ']) + pick(['#', '# ', ' # migplan-ignore ', '']) + Array.from({ length: 1 + rnd(10) }, () => pick(frags)).join(''));
      const text = `a: 1\n${lines.join(pick(['\n', '\r\n', '\r']))}${rnd(2) ? '\nb:\n  - c: 2\n' : ''}`;
      const plan = new PlanDocument(text);
      const expected = referenceComments(plan);
      comments += expected.length;
      assert.deepEqual(findIgnoreComments(plan), expected, JSON.stringify(text));
    }
    assert.ok(comments > 1_000, `only ${comments} comments were found`);
  });

  it('take time linear in the plan: n and 4n comments, and over 44,000 comments in a 4.5 MB plan under 5 s', opts, (t) => {
    const small = commentedPlan(1_125_000);
    const large = commentedPlan(4_500_000);
    assert.ok(large.comments > 44_000, `${large.comments} comments`);
    assert.ok(large.text.length > 4_400_000 && large.text.length < 4_600_000, `${large.text.length} characters`);
    // Under the size limit, and read: the comments are checked against the rules' findings.
    const rules = new Set(lint(large.text).diagnostics.map((d) => d.rule));
    assert.ok(!rules.has('yaml-syntax') && rules.has('rollback-trigger'), [...rules].join(' '));
    const [tSmall, tLarge] = bestOfEach(3, () => lint(small.text), () => lint(large.text));
    // One comment against every scalar and every diagnostic grew x20 and more here.
    assertGrowth(t, `lint with ${small.comments} and ${large.comments} ignore comments`, tSmall, tLarge, 11);
    assert.ok(tLarge < 5_000, `lint with ${large.comments} ignore comments took ${tLarge.toFixed(0)} ms`);
  });

  it('take time linear in a line that holds many of them', opts, () => {
    const k = 8_000;
    const shapes = {
      'comments on one line': `a: 1\nb: 2 ${'# migplan-ignore cutover-soak -- r '.repeat(k)}\n`,
      'markers in one comment': `a: 1\nb: 2 # migplan-ignore cutover-soak -- ${'migplan-ignore '.repeat(k)}\n`,
      'stacked comments': `a: 1\n${'# migplan-ignore cutover-soak -- r\n'.repeat(k)}b: 2\n`,
    };
    for (const [shape, text] of Object.entries(shapes)) {
      const plan = new PlanDocument(text);
      let found = 0;
      const ms = bestOf(1, () => (found = findIgnoreComments(plan).length));
      assert.ok(found >= k, `${shape}: ${found} comments`);
      // Each used to read the rest of its line (or the lines below it) again: seconds at 8,000.
      assert.ok(ms < 1_000, `${shape}: ${ms.toFixed(0)} ms`);
    }
  });
});

// ------------------------------------------------------------ long plans, one anchor

describe('huge input: a long plan', () => {
  it('gets its tree in time linear in the plan (problem counts per node)', opts, (t) => {
    // Placeholders everywhere: a diagnostic or two per phase on top of those of the repeated example.
    const plan = (size: number): { p: PlanDocument; d: ReturnType<typeof lint>['diagnostics'] } => {
      const r = lint(repeatedPlan(size, false).replace(/rollback: .*/g, 'rollback: TODO'));
      return { p: r.plan, d: r.diagnostics };
    };
    const small = plan(1_200_000);
    const large = plan(4_800_000);
    assert.ok(large.d.length > 10_000, `${large.d.length} diagnostics`);
    const [tSmall, tLarge] = bestOfEach(3, () => planTree(small.p, small.d), () => planTree(large.p, large.d));
    // Each node's count read every diagnostic: x10 and more here.
    assertGrowth(t, 'planTree', tSmall, tLarge);
    assert.ok(tLarge < 5_000, `planTree took ${tLarge.toFixed(0)} ms`);
    // Each phase's count is that of the diagnostics starting in it (shared.ts's count, one phase at a time).
    const tree = planTree(small.p, small.d);
    const starts = small.d.map((d) => small.p.lines.offsetAt(d.range.start));
    const phases = small.p.root!.get('phases')!.items();
    assert.equal(tree.nodes.length, phases.length + 1);
    phases.forEach((phase, i) => assert.equal(tree.nodes[i].problems ?? 0, countStartingIn(starts, itemSpan(small.p, phase)), `phase #${i + 1}`));
    assert.ok(tree.nodes.some((n) => (n.problems ?? 0) > 0));
  });

  it('with one anchor (the slow path) lints and gets its tree in time linear in the plan; a 4.9 MB one in seconds', opts, (t) => {
    const small = repeatedPlan(1_200_000, true);
    const large = repeatedPlan(4_900_000, true);
    let lintSmall = Infinity;
    let treeSmall = Infinity;
    let lintLarge = Infinity;
    let treeLarge = Infinity;
    for (let i = 0; i < 2; i++) {
      for (const [text, isLarge] of [
        [small, false],
        [large, true],
      ] as const) {
        let at = performance.now();
        const { plan, diagnostics } = lint(text);
        const tLint = performance.now() - at;
        at = performance.now();
        planTree(plan, diagnostics);
        const tTree = performance.now() - at;
        assert.ok(diagnostics.length > 0);
        assert.ok(plan.doc && !isFastDocument(plan.doc), 'the yaml package parsed it');
        if (isLarge) {
          lintLarge = Math.min(lintLarge, tLint);
          treeLarge = Math.min(treeLarge, tTree);
        } else {
          lintSmall = Math.min(lintSmall, tLint);
          treeSmall = Math.min(treeSmall, tTree);
        }
      }
    }
    // 4.9 / 1.2: a little more than four times the input.
    assertGrowth(t, 'lint, slow path', lintSmall, lintLarge, 9);
    assertGrowth(t, 'planTree, slow path', treeSmall, treeLarge, 9);
    // Most of it is the yaml package's parse (the fast path refuses anchors): 2-3 s here, twice that
    // on a loaded machine. The bound only catches a blow-up; the growth above is the real check.
    assert.ok(lintLarge + treeLarge < 15_000, `lint ${lintLarge.toFixed(0)} ms, tree ${treeLarge.toFixed(0)} ms`);
  });

  it('with many aliases, resolves each in constant time: 4x the aliases in the same plan take about the same time', opts, (t) => {
    const withAliases = (count: number): string => {
      let n = 0;
      const text = repeatedPlan(1_200_000, true).replace(/ {4}rollback: [^\n]*/g, (m) => (n++ < count ? '    rollback: *criteria' : m));
      assert.ok(n > count, 'enough phases to alias');
      return text;
    };
    const few = withAliases(100);
    const many = withAliases(400);
    const [a, b] = bestOfEach(2, () => lint(few), () => lint(many));
    // The plan is the same size: linear work grows little; resolving each alias by a walk of the
    // whole document (the yaml package's Alias.resolve) grows with the aliases, four times.
    assertGrowth(t, 'lint, 100 then 400 aliases', a, b, 2);
  });

  it('on the slow path, reads a long line of anchors before block scalar headers in linear time', opts, () => {
    // `a: &b: &b: ... |`: the block header test used to backtrack over the rest of the line from each `:`.
    const line = `k: ${'&a: '.repeat(40_000)}x`;
    const ms = bestOf(1, () => nestingBeyond(`${line}\n`, 200));
    assert.ok(ms < 1_000, `${ms.toFixed(0)} ms`);
    // A header starts block scalar text, which is not nesting however deep it is indented.
    const HEADER = /(?:^|[:?-])[ \t]+(?:[&!]\S*[ \t]+)*[|>][1-9+-]{0,2}$|^[ \t]*[|>][1-9+-]{0,2}$/;
    const rnd = random(19);
    const alphabet = [' ', ' ', '\t', ':', '-', '?', '&', '!', '|', '>', '1', '+', 'a', '\u00a0', 'x:', '&a', '!t'];
    let headers = 0;
    for (let n = 0; n < 20_000; n++) {
      const candidate = `k${Array.from({ length: rnd(10) }, () => alphabet[rnd(alphabet.length)]).join('')}`;
      const isHeader = HEADER.test(candidate.trimEnd());
      if (isHeader) headers++;
      assert.equal(nestingBeyond(`${candidate}\n${' '.repeat(300)}text\n`, 200) === undefined, isHeader, JSON.stringify(candidate));
    }
    assert.ok(headers > 50, `${headers} headers`);
  });
});
