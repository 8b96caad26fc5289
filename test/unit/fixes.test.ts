import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Edits, Flow, applyRawEdits, commentRemovalIsLocal, keepsValues, styleOf } from '../../server/src/service/linting/fixes';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { findIgnoreComments } from '../../server/src/service/linting/suppress';

function edit(text: string, fn: (e: Edits, plan: PlanDocument) => ReturnType<Edits['insertEntry']>): string {
  const plan = new PlanDocument(text);
  return applyRawEdits(plan.text, [fn(new Edits(plan), plan)]);
}

describe('edit kit', () => {
  it('reads the file\'s indentation and sequence style', () => {
    assert.deepEqual(styleOf(new PlanDocument('a:\n    b: 1\nl:\n- x\n')), { eol: '\n', indent: 4, seqIndent: false });
    assert.deepEqual(styleOf(new PlanDocument('a:\r\n  b: 1\r\nl:\r\n  - x\r\n')), { eol: '\r\n', indent: 2, seqIndent: true });
  });

  it('inserts an entry at the end of a block map, after its nested content and keeping comments', () => {
    const text = 'p:\n  a: 1 # keep\n  b:\n    - x\n  # trailing comment\nq: 2\n';
    const out = edit(text, (e, plan) => e.insertEntry(plan.root!.get('p')!, 'c', ['y', 'z']));
    assert.equal(out, 'p:\n  a: 1 # keep\n  b:\n    - x\n  c:\n    - y\n    - z\n  # trailing comment\nq: 2\n');
  });

  it('inserts after a named sibling, or before one with the comments above it', () => {
    const text = 'a: 1\nb: 2\n# about c\nc: 3\n';
    assert.equal(edit(text, (e, p) => e.insertEntry(p.root!, 'x', 9, { after: ['a'] })), 'a: 1\nx: 9\nb: 2\n# about c\nc: 3\n');
    assert.equal(edit(text, (e, p) => e.insertEntry(p.root!, 'x', 9, { before: ['c'] })), 'a: 1\nb: 2\nx: 9\n# about c\nc: 3\n');
    assert.equal(edit(text, (e, p) => e.insertEntry(p.root!, 'x', 9, { after: ['nope'], before: ['nope'] })), 'a: 1\nb: 2\n# about c\nc: 3\nx: 9\n');
  });

  it('follows a non-indented sequence style and CRLF', () => {
    const text = 'p:\r\n    a: 1\r\nl:\r\n- x\r\n';
    assert.equal(edit(text, (e, p) => e.insertEntry(p.root!.get('p')!, 'steps', ['s'])), 'p:\r\n    a: 1\r\n    steps:\r\n    - s\r\nl:\r\n- x\r\n');
  });

  it('inserts into flow maps and sequences', () => {
    assert.equal(edit('t: {a: 1}\n', (e, p) => e.insertEntry(p.root!.get('t')!, 'b', 'x y')), 't: {a: 1, b: x y}\n');
    assert.equal(edit('r: [1, 2]\n', (e, p) => e.insertItem(p.root!.get('r')!, 3)), 'r: [1, 2, 3]\n');
    assert.equal(edit('r: [1, 2]\n', (e, p) => e.insertItem(p.root!.get('r')!, 0, 0)), 'r: [0, 1, 2]\n');
  });

  it('inserts a list item before another, keeping that item\'s comments with it', () => {
    const text = 'phases:\n  # first\n  - id: a\n    kind: custom\n';
    const out = edit(text, (e, p) => e.insertItem(p.root!.get('phases')!, { id: 'z', kind: 'dual-write' }, 0));
    assert.equal(out, 'phases:\n  - id: z\n    kind: dual-write\n  # first\n  - id: a\n    kind: custom\n');
    const end = edit(text, (e, p) => e.insertItem(p.root!.get('phases')!, { id: 'z', steps: ['s'] }));
    assert.equal(end, 'phases:\n  # first\n  - id: a\n    kind: custom\n  - id: z\n    steps:\n      - s\n');
  });

  it('replaces scalars and block collections with flow values, keeping trailing comments', () => {
    assert.equal(edit('soak: 12h # short\n', (e, p) => e.replaceValue(p.root!.get('soak')!, '24h')), 'soak: 24h # short\n');
    assert.equal(edit('ramp:\n  - 5\n  - 50\nx: 1\n', (e, p) => e.replaceValue(p.root!.get('ramp')!, new Flow([1, 10, 50, 100]))), 'ramp: [1, 10, 50, 100]\nx: 1\n');
    assert.equal(edit('owner: x\n', (e, p) => e.replaceValue(p.root!.get('owner')!, 'needs: quoting')), 'owner: "needs: quoting"\n');
  });

  it('removes a comment line, or only the trailing comment', () => {
    const text = 'a: 1\n# migplan-ignore x -- y\nb: 2 # note\n';
    const plan = new PlanDocument(text);
    const e = new Edits(plan);
    const own = text.indexOf('# migplan');
    assert.equal(applyRawEdits(text, [e.removeComment([own, text.indexOf('\nb:')])]), 'a: 1\nb: 2 # note\n');
    const trailing = text.indexOf('# note');
    assert.equal(applyRawEdits(text, [e.removeComment([trailing, text.length - 1])]), 'a: 1\n# migplan-ignore x -- y\nb: 2\n');
  });
});

describe('applying edits', () => {
  it('applies insertions at one offset in array order, as LSP does', () => {
    assert.equal(applyRawEdits('ab', [{ span: [1, 1], text: 'X' }, { span: [1, 1], text: 'Y' }]), 'aXYb');
  });

  it('reports a block collection\'s span without its trailing line break', () => {
    const plan = new PlanDocument('a:\n  - 1\n  - 2\nb: 1\n');
    assert.equal(plan.slice(plan.root!.get('a')!.span), '- 1\n  - 2');
  });
});

describe('edits that once broke YAML', () => {
  it('inserts into an aliased flow collection at its anchor, not into the alias token', () => {
    const out = edit('a: &x {id: q}\nphases:\n  - *x\n', (e, p) => e.insertEntry(p.phases[0].node, 'kind', 'custom'));
    assert.equal(out, 'a: &x {id: q, kind: custom}\nphases:\n  - *x\n');
    const seq = edit('r: &r [1]\ns: *r\n', (e, p) => e.insertItem(p.root!.get('s')!, 2));
    assert.equal(seq, 'r: &r [1, 2]\ns: *r\n');
  });

  it('quotes strings with flow indicators inside flow collections', () => {
    assert.equal(edit('x: {a: 1}\n', (e, p) => e.insertEntry(p.root!.get('x')!, 'b', 'p, q')), 'x: {a: 1, b: "p, q"}\n');
    assert.equal(edit('t: [a]\n', (e, p) => e.insertItem(p.root!.get('t')!, 'users, orders')), 't: [a, "users, orders"]\n');
    assert.equal(edit('x: 1\n', (e, p) => e.insertEntry(p.root!, 'tables', new Flow(['users, orders', 'x']))), 'x: 1\ntables: ["users, orders", x]\n');
  });
});

describe('inserting before the first key of a list item', () => {
  it('keeps the new entry in the same item', () => {
    const text = 'phases:\n  - id: a\n    kind: custom\n  - kind: cutover\n    steps: []\n';
    const out = edit(text, (e, p) => e.insertEntry(p.root!.get('phases')!.items()[1], 'id', 'b', { before: ['kind'] }));
    assert.equal(out, 'phases:\n  - id: a\n    kind: custom\n  - id: b\n    kind: cutover\n    steps: []\n');
    const block = edit(text, (e, p) => e.insertEntry(p.root!.get('phases')!.items()[1], 'entry', ['x'], { before: ['kind'] }));
    assert.equal(block, 'phases:\n  - id: a\n    kind: custom\n  - entry:\n      - x\n    kind: cutover\n    steps: []\n');
  });
});

describe('comments above the document\'s first key', () => {
  it('stay on top as the file\'s header when an entry is inserted before that key', () => {
    assert.equal(edit('# header\na: 1\n', (e, p) => e.insertEntry(p.root!, 'x', 9, { before: ['a'] })), '# header\nx: 9\na: 1\n');
    assert.equal(edit('a: 1\n# about b\nb: 2\n', (e, p) => e.insertEntry(p.root!, 'x', 9, { before: ['b'] })), 'a: 1\nx: 9\n# about b\nb: 2\n');
  });
});

describe('block scalar spans', () => {
  it('end at the last character of the scalar, not on the next line', () => {
    const plan = new PlanDocument('a: |\n  one\n  two\n\nb: 1\n');
    assert.equal(plan.slice(plan.root!.get('a')!.span), '|\n  one\n  two');
  });
});

describe('removing a comment, judged from the lines around it', () => {
  it('is called safe only where reading the plan again agrees, and decides most comments of sound plans', () => {
    let seed = 2026;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const indents = ['', ' ', '  ', '   ', '    ', '      ', '\t'];
    const bodies = ['k: v', 'k:', '- a', '- k: v', '-', 'k: |', 'k: >', 'k: |+', 'k: >-', 'text more', 'b', '- - a', '"q', 'q"', 'k: "a', 'k: [a,', 'b]', 'k: [a, b]', 'k: {a: 1}', 'k: a # c', '? k', ': v', 'k: &a v', 'k: *a', '---', 'k: |2', '- |', "k: 's", "s'"];
    let local = 0;
    let sound = 0;
    for (let n = 0; n < 20_000; n++) {
      const lines = Array.from({ length: 2 + rnd(6) }, () =>
        rnd(3) === 0 ? `${pick(indents)}# migplan-ignore x -- why` : rnd(6) === 0 ? '' : `${pick(indents)}${pick(bodies)}${rnd(8) === 0 ? ' # migplan-ignore y -- z' : ''}`,
      );
      const text = lines.join(pick(['\n', '\n', '\r\n'])) + (rnd(2) ? '\n' : '');
      const plan = new PlanDocument(text);
      const edits = new Edits(plan);
      for (const c of findIgnoreComments(plan)) {
        if (plan.doc && plan.doc.errors.length === 0) sound++;
        if (!commentRemovalIsLocal(plan, c.span)) continue;
        local++;
        assert.ok(keepsValues(plan, [edits.removeComment(c.span)]), `removing ${JSON.stringify(text.slice(c.span[0], c.span[1]))} from ${JSON.stringify(text)} changes a value`);
      }
    }
    assert.ok(local > sound / 2, `judged locally: ${local} of ${sound} comments in sound plans`);
  });
});
