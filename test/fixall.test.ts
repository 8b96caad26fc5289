/** Fix-all on a realistic half-written plan: what `migplan lint --fix` and the editor's fix-all do. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fixAll, lint } from '../server/src/service/lint';
import { ROOT, read, snapshot } from './helpers';

const DRAFT = path.join(ROOT, 'test', 'fixall', 'draft.migplan.yaml');

describe('fix-all', () => {
  const before = read(DRAFT);
  const result = fixAll(before);

  it('matches the reviewed snapshot', () => {
    assert.equal(result.text, snapshot(path.join(ROOT, 'test', 'fixall', 'draft.fixed.migplan.yaml'), result.text));
  });

  it('leaves only what needs a person: measurements and a value nobody can guess', () => {
    assert.deepEqual([...new Set(result.diagnostics.map((d) => d.rule))].sort(), ['backup-restore', 'baseline-latency', 'cutover-latency', 'duration-estimate', 'schema']);
    assert.ok(result.applied >= 20);
  });

  it('does not create problems of its own (shape fixes land before the fixes that depend on them)', () => {
    const rules = lint(result.text).diagnostics.map((d) => d.rule);
    assert.ok(!rules.includes('phase-order'), 'the inserted verification phase sits after the cutover');
    assert.ok(!rules.includes('yaml-syntax'));
  });

  it('keeps every line the user wrote that no fix was about', () => {
    const after = result.text.split('\n');
    for (const line of before.split('\n')) {
      if (/cutovr|2 hours|50000|looks bad|point_of_no_return/.test(line)) continue;
      assert.ok(after.includes(line), `lost: ${JSON.stringify(line)}`);
    }
  });

  it('is idempotent: fixing the fixed text changes nothing', () => {
    assert.equal(fixAll(result.text).text, result.text);
    assert.equal(fixAll(result.text).applied, 0);
  });
});

describe('fix-all never breaks the YAML', () => {
  // Shrunk inputs from the fuzzer: a flow root with a trailing comma, a tagged empty key, an explicit empty key.
  for (const text of ['{r,}', '! : b', '?\n: e #', '& : v', '{e,}\n']) {
    it(`keeps ${JSON.stringify(text)} readable`, () => {
      const before = lint(text).diagnostics.filter((d) => d.rule === 'yaml-syntax').length;
      const fixed = fixAll(text);
      const after = lint(fixed.text).diagnostics.filter((d) => d.rule === 'yaml-syntax').length;
      assert.ok(after <= before, `fix-all added YAML errors:\n${fixed.text}`);
      assert.equal(fixAll(fixed.text).text, fixed.text, 'a second fix-all changes nothing');
    });
  }
});
