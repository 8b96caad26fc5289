/**
 * Rename a phase id: from the id or from point_of_no_return, the id and the
 * point of no return change together; quoting is kept; names the format
 * does not allow, or that another phase has, are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { references } from '../../server/src/service/features/navigation';
import { prepareRename, rename, type RenameEdit } from '../../server/src/service/features/rename';
import { lint } from '../../server/src/service/linting/lint';
import { EXAMPLE_TEXT, offsetOf, parse } from './helpers';

/** The text with the edits applied (they do not overlap). */
function apply(text: string, edits: readonly RenameEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span[0] - a.span[0])) out = out.slice(0, e.span[0]) + e.newText + out.slice(e.span[1]);
  return out;
}

/** Renames at `offset` and returns the new text (fails on a refusal or nothing to rename). */
function renamed(text: string, offset: number, newName: string): string {
  const r = rename(parse(text), offset, newName);
  assert.ok(Array.isArray(r), `expected edits, got ${JSON.stringify(r)}`);
  return apply(text, r);
}

function refusal(text: string, offset: number, newName: string): string {
  const r = rename(parse(text), offset, newName);
  assert.ok(r && !Array.isArray(r), `expected a refusal, got ${JSON.stringify(r)}`);
  return r.error;
}

describe('rename', () => {
  const plan = parse(EXAMPLE_TEXT);
  const ponrValue = offsetOf(EXAMPLE_TEXT, 'point_of_no_return: cleanup', 'point_of_no_return: '.length);
  const cleanupId = offsetOf(EXAMPLE_TEXT, '  - id: cleanup', '  - id: '.length);

  it('prepares on the id and on the point of no return, from anywhere in the value', () => {
    for (const delta of [0, 3, 'cleanup'.length]) {
      assert.deepEqual(prepareRename(plan, cleanupId + delta), { span: [cleanupId, cleanupId + 7], placeholder: 'cleanup' });
      assert.deepEqual(prepareRename(plan, ponrValue + delta), { span: [ponrValue, ponrValue + 7], placeholder: 'cleanup' });
    }
  });

  it('renames the id and the point of no return, from either end, and nothing else', () => {
    const expected = EXAMPLE_TEXT.replace('  - id: cleanup', '  - id: drop-old').replace('point_of_no_return: cleanup', 'point_of_no_return: drop-old');
    assert.equal(renamed(EXAMPLE_TEXT, cleanupId + 2, 'drop-old'), expected);
    assert.equal(renamed(EXAMPLE_TEXT, ponrValue, 'drop-old'), expected);
    // The edits are exactly the references (the kind `cleanup` and other text stay).
    const edits = rename(plan, cleanupId, 'drop-old') as RenameEdit[];
    assert.deepEqual(edits.map((e) => e.span), references(plan, cleanupId, true));
    assert.ok(renamed(EXAMPLE_TEXT, cleanupId, 'drop-old').includes('kind: cleanup'));
  });

  it('renames a phase nothing refers to alone; the renamed plan lints as before', () => {
    const at = offsetOf(EXAMPLE_TEXT, '  - id: backfill', 8);
    const after = renamed(EXAMPLE_TEXT, at, 'copy-names');
    assert.equal(after, EXAMPLE_TEXT.replace('  - id: backfill', '  - id: copy-names'));
    const codes = (t: string) => lint(t).diagnostics.map((d) => `${d.rule} ${d.range.start.line}`);
    assert.deepEqual(codes(renamed(EXAMPLE_TEXT, ponrValue, 'retire-name')), codes(EXAMPLE_TEXT));
  });

  it('works with CRLF line breaks', () => {
    const text = 'migplan: 1\r\nphases:\r\n  - id: cut\r\n    kind: cutover\r\n  - id: clean\r\n    kind: cleanup\r\npoint_of_no_return: clean\r\n';
    const at = offsetOf(text, 'id: clean', 4);
    assert.deepEqual(prepareRename(parse(text), at + 5), { span: [at, at + 5], placeholder: 'clean' });
    assert.equal(renamed(text, at, 'drop'), text.replace('id: clean', 'id: drop').replace('return: clean', 'return: drop'));
  });

  it('keeps quotes: single, double, and plain stays plain', () => {
    const text = "phases:\n  - id: 'clean'\n    kind: cleanup\npoint_of_no_return: \"clean\"\n";
    const at = offsetOf(text, "'clean'");
    assert.deepEqual(prepareRename(parse(text), at), { span: [at + 1, at + 6], placeholder: 'clean' });
    assert.equal(renamed(text, at + 3, 'drop'), "phases:\n  - id: 'drop'\n    kind: cleanup\npoint_of_no_return: \"drop\"\n");
    assert.equal(renamed(text, offsetOf(text, '"clean"', 7), 'drop'), "phases:\n  - id: 'drop'\n    kind: cleanup\npoint_of_no_return: \"drop\"\n");
  });

  it('quotes a new name that would not read as a string when plain', () => {
    const text = "phases:\n  - id: a\n    kind: cleanup\npoint_of_no_return: 'a'\n";
    for (const name of ['123', '1e5', '0x1f', '0o17', 'null', 'true', 'false']) {
      const after = renamed(text, offsetOf(text, 'id: a', 4), name);
      assert.equal(after, `phases:\n  - id: "${name}"\n    kind: cleanup\npoint_of_no_return: '${name}'\n`, name);
      const p = parse(after);
      assert.equal(p.phases[0].id, name);
      assert.equal(p.root?.get('point_of_no_return')?.str(), name);
    }
    // Strings that need no quotes stay plain: a date stays a string in the core schema.
    assert.equal(renamed(text, offsetOf(text, 'id: a', 4), '2026-11-03'), "phases:\n  - id: 2026-11-03\n    kind: cleanup\npoint_of_no_return: '2026-11-03'\n");
    assert.equal(renamed(text, offsetOf(text, 'id: a', 4), '1-2'), "phases:\n  - id: 1-2\n    kind: cleanup\npoint_of_no_return: '1-2'\n");
  });

  it('works on flow-style phases', () => {
    const text = 'phases: [{id: cut, kind: cutover}, {id: "clean", kind: cleanup}]\npoint_of_no_return: clean\n';
    assert.equal(renamed(text, offsetOf(text, 'clean', 1), 'drop'), 'phases: [{id: cut, kind: cutover}, {id: "drop", kind: cleanup}]\npoint_of_no_return: drop\n');
    const block = 'phases:\n  - {id: clean, kind: cleanup}\npoint_of_no_return: clean\n';
    assert.equal(renamed(block, offsetOf(block, 'return: clean', 8), 'drop'), 'phases:\n  - {id: drop, kind: cleanup}\npoint_of_no_return: drop\n');
  });

  it('refuses a name the format does not allow', () => {
    for (const name of ['Clean', 'drop old', '-drop', 'drop_old', '', ' drop', 'a:b', 'x'.repeat(60) + '!']) {
      assert.match(refusal(EXAMPLE_TEXT, cleanupId, name), /is not a valid phase id: use lowercase letters, digits and hyphens/, name);
    }
  });

  it("refuses another phase's id, and renaming to the same id changes nothing", () => {
    assert.equal(refusal(EXAMPLE_TEXT, cleanupId, 'backfill'), "Another phase already has the id 'backfill' (phase 2). Phase ids must be unique.");
    assert.match(refusal(EXAMPLE_TEXT, ponrValue, 'cutover'), /already has the id 'cutover'/);
    assert.deepEqual(rename(plan, cleanupId, 'cleanup'), []);
  });

  it('with duplicate ids: a later duplicate alone; the first goes with the point of no return', () => {
    const text = 'phases:\n  - id: a\n    kind: custom\n  - id: a\n    kind: cleanup\npoint_of_no_return: a\n';
    const first = offsetOf(text, 'id: a', 4);
    const second = text.indexOf('id: a', first) + 4;
    assert.equal(renamed(text, second, 'b'), 'phases:\n  - id: a\n    kind: custom\n  - id: b\n    kind: cleanup\npoint_of_no_return: a\n');
    assert.equal(renamed(text, first, 'b'), 'phases:\n  - id: b\n    kind: custom\n  - id: a\n    kind: cleanup\npoint_of_no_return: b\n');
    assert.equal(renamed(text, offsetOf(text, 'return: a', 8), 'b'), 'phases:\n  - id: b\n    kind: custom\n  - id: a\n    kind: cleanup\npoint_of_no_return: b\n');
    // The other duplicate keeps `a`, so renaming to `a` is refused... after a rename it is free.
    assert.match(refusal(renamed(text, second, 'b'), offsetOf(text, 'id: a', 4), 'b'), /already has the id 'b'/);
  });

  it('refuses a point of no return that names no phase, and ids written with escapes', () => {
    const dangling = 'phases:\n  - id: a\n    kind: cleanup\npoint_of_no_return: nowhere\n';
    const p = prepareRename(parse(dangling), offsetOf(dangling, 'nowhere'));
    assert.ok(p && 'error' in p && /No phase has the id 'nowhere'/.test(p.error));
    const escaped = 'phases:\n  - id: "cle\\x61n"\n    kind: cleanup\npoint_of_no_return: clean\n';
    const e = prepareRename(parse(escaped), offsetOf(escaped, 'return: clean', 8));
    assert.ok(e && 'error' in e && /on line 2 is written in a form rename does not rewrite/.test(e.error), JSON.stringify(e));
  });

  it('has nothing to rename elsewhere: keys, comments, other values, kinds', () => {
    const text = '# plan\nmigplan: 1\nphases:\n  - id: clean # the last\n    kind: cleanup\n    steps: [clean]\npoint_of_no_return: clean\n';
    const p = parse(text);
    for (const at of [0, 3, offsetOf(text, 'migplan'), offsetOf(text, 'id: clean'), offsetOf(text, 'the last'), offsetOf(text, 'kind: cleanup', 7), offsetOf(text, '[clean]', 2), offsetOf(text, 'point_of_no_return'), text.length]) {
      assert.equal(prepareRename(p, at), undefined, `at ${at}: ${JSON.stringify(text.slice(at, at + 10))}`);
      assert.equal(rename(p, at, 'drop'), undefined);
    }
  });

  it('does not follow aliases, and does not crash on broken YAML or odd shapes', () => {
    const alias = 'phases:\n  - id: &c clean\n    kind: cleanup\npoint_of_no_return: *c\n';
    assert.equal(renamed(alias, offsetOf(alias, 'clean'), 'drop'), alias.replace('&c clean', '&c drop'));
    assert.equal(prepareRename(parse(alias), offsetOf(alias, '*c', 1)), undefined);
    const broken = 'phases:\n  - id: clean\n    kind: [cleanup\npoint_of_no_return: clean\n';
    const texts = ['', 'a: [', '- x\n', 'point_of_no_return:\n', 'phases: 3\npoint_of_no_return: a\n', 'phases:\n  - id:\n  - id: 3\npoint_of_no_return: 3\n', broken, "phases:\n  - id: 'a\n"];
    for (const t of texts) {
      const q = parse(t);
      for (let o = 0; o <= t.length; o++) {
        assert.doesNotThrow(() => prepareRename(q, o));
        assert.doesNotThrow(() => rename(q, o, 'new-id'));
        assert.doesNotThrow(() => rename(q, o, 'Bad Id'));
      }
    }
    // Where the broken plan still has the id and the reference, rename edits only those scalars.
    const r = rename(parse(broken), offsetOf(broken, 'id: clean', 4), 'drop');
    if (Array.isArray(r)) for (const e of r) assert.equal(broken.slice(e.span[0], e.span[1]), 'clean');
  });
});
