/**
 * The public yaml-test-suite (test/data/yaml-test-suite: 402 inputs, 94 of
 * them invalid YAML) through the language service: lint, fix-all and the
 * Markdown renderer never throw, every range stays inside the document, and
 * every invalid input gets a yaml-syntax diagnostic.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CORPUS_DIR, diagnosticRangeProblems, loadCorpus } from '../scripts/fuzzLib';
import { fixAll, lint } from '../server/src/service/linting/lint';
import { PlanDocument } from '../server/src/service/parsing/plan';
import { renderMarkdown } from '../server/src/service/rendering/render';

const CASES = loadCorpus();

/**
 * The yaml package reports a collection used as a mapping key with
 * process.emitWarning (printed on stderr): counted, not printed, while the
 * corpus runs.
 */
function countingWarnings<T>(fn: () => T): { value: T; warnings: number } {
  const original = process.emitWarning;
  let warnings = 0;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]): void => {
    if (/Keys with collection values/.test(typeof w === 'string' ? w : w.message)) warnings++;
    else (original as (w: string | Error, ...r: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try {
    return { value: fn(), warnings };
  } finally {
    process.emitWarning = original;
  }
}

describe('yaml-test-suite corpus through the language service', { timeout: 120_000 }, () => {
  it('has every case of the suite', () => {
    assert.equal(CASES.length, 402);
    assert.equal(CASES.filter((c) => c.invalid).length, 94);
    assert.ok(fs.existsSync(path.join(CORPUS_DIR, 'LICENSE')));
  });

  it('lint, fix-all and render never throw, and every range is inside the document', (t) => {
    const problems: string[] = [];
    let diagnostics = 0;
    let fixed = 0;
    const { warnings } = countingWarnings(() => {
      for (const c of CASES) {
        const at = (what: string, err: unknown): string => `${c.id}: ${what} threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        try {
          const { plan, diagnostics: ds } = lint(c.text);
          diagnostics += ds.length;
          for (const p of diagnosticRangeProblems(plan.lines, ds)) problems.push(`${c.id}: ${p}`);
          for (const d of ds) if (/failed internally/.test(d.message)) problems.push(`${c.id}: ${d.message}`);
          try {
            const md = renderMarkdown(plan, ds);
            if (!md.endsWith('\n')) problems.push(`${c.id}: the Markdown does not end with a newline`);
          } catch (err) {
            problems.push(at('renderMarkdown', err));
          }
        } catch (err) {
          problems.push(at('lint', err));
        }
        try {
          const r = fixAll(c.text);
          if (r.applied > 0) fixed++;
          const out = new PlanDocument(r.text);
          for (const p of diagnosticRangeProblems(out.lines, r.diagnostics)) problems.push(`${c.id}: after fix-all: ${p}`);
        } catch (err) {
          problems.push(at('fixAll', err));
        }
      }
    });
    t.diagnostic(`${CASES.length} inputs, ${diagnostics} diagnostics, fix-all changed ${fixed}, ${warnings} process warnings from yaml`);
    assert.deepEqual(problems, []);
  });

  it('every input the suite calls invalid gets a yaml-syntax diagnostic', (t) => {
    const missing: string[] = [];
    const invalid = CASES.filter((c) => c.invalid);
    countingWarnings(() => {
      for (const c of invalid) {
        const { diagnostics } = lint(c.text);
        if (!diagnostics.some((d) => d.rule === 'yaml-syntax')) missing.push(`${c.id}: ${JSON.stringify(c.text)}`);
      }
    });
    t.diagnostic(`${invalid.length} invalid inputs`);
    assert.deepEqual(missing, []);
  });

  it('reports the two invalid inputs the yaml package accepts: a repeated %YAML directive and a directive with no document', () => {
    for (const id of ['SF5V', '9MMA']) {
      const c = CASES.find((x) => x.id === id);
      assert.ok(c?.invalid, `${id} is an invalid case of the suite`);
      const first = lint(c.text).diagnostics.filter((d) => d.rule === 'yaml-syntax');
      assert.equal(first.length, 1, `${id}: ${JSON.stringify(first)}`);
    }
    assert.deepEqual(lint('%YAML 1.2\n---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n').diagnostics.filter((d) => /%YAML directive/.test(d.message)), [], 'one directive per document is fine');
  });
});
