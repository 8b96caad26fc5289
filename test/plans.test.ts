/**
 * A corpus of realistic plans (test/plans/), written the way experienced
 * engineers write them, one per migration and technique: expand/contract
 * behind a flag, a key widening by swap, an online schema change tool, a
 * single-shape constraint change, a move to another database, a table merge,
 * a JSON column split, a type change, an index change, a table rename and
 * more. The sound ones lint clean. Each `*-mistakes` plan is a copy with
 * mistakes a reviewer would catch, each marked `# planted: <rule>` on the
 * line where it must be found; nothing else may be found in it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { evaluateChecklist } from '../server/src/service/rendering/checklist';
import { lint } from '../server/src/service/linting/lint';
import { ROOT, read } from './helpers';

const DIR = path.join(ROOT, 'test', 'plans');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.migplan.yaml')).sort();
const SOUND = FILES.filter((f) => !f.includes('-mistakes'));
const MISTAKES = FILES.filter((f) => f.includes('-mistakes'));

/** `line rule` for every `# planted: <rule>` marker (0-based lines). */
function planted(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/# planted: ([a-z-]+)/g)) out.push(`${i} ${m[1]}`);
  });
  return out.sort();
}

describe('the plan corpus', () => {
  it('has at least ten sound plans and eight with planted mistakes, each mistakes plan the copy of a sound one', () => {
    assert.ok(SOUND.length >= 10, SOUND.join(', '));
    assert.ok(MISTAKES.length >= 8, MISTAKES.join(', '));
    for (const m of MISTAKES) assert.ok(SOUND.includes(m.replace('-mistakes', '')), m);
  });

  for (const file of SOUND) {
    it(`lints clean, every checklist item passed: ${file}`, () => {
      const { plan, diagnostics } = lint(read(path.join(DIR, file)));
      assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.rule} ${d.message}`), []);
      assert.deepEqual(evaluateChecklist(plan, diagnostics).filter((r) => r.state !== 'passed' && r.state !== 'not-applicable').map((r) => r.item.id), []);
    });
  }

  for (const file of MISTAKES) {
    it(`finds each planted mistake on its line, and nothing else: ${file}`, () => {
      const text = read(path.join(DIR, file));
      const expected = planted(text);
      assert.ok(expected.length >= 2, 'a mistakes plan plants at least two mistakes');
      const found = [...new Set(lint(text).diagnostics.map((d) => `${d.range.start.line} ${d.rule}`))].sort();
      assert.deepEqual(found, expected);
    });
  }
});
