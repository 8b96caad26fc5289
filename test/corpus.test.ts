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
import { corpusCases, CORPUS_DIR, diagnosticRangeProblems } from '../scripts/fuzzLib';
import { fixAll, lint } from '../server/src/service/lint';
import { PlanDocument } from '../server/src/service/plan';
import { renderMarkdown } from '../server/src/service/render';

/**
 * Invalid by the suite, accepted by the `yaml` package that migplan parses
 * with, and harmless for a plan: not reported, on purpose.
 */
const ACCEPTED: Record<string, string> = {
  // `%YAML 1.2` twice before `---`. The yaml package (2.9) keeps the last
  // directive without complaint; both say 1.2, so the document reads the same.
  SF5V: 'a repeated %YAML directive: the yaml package accepts it and nothing in the plan changes',
};

/**
 * Invalid by the suite, and migplan should say so but does not yet (see the
 * report of issue "Hostile input, faults and the preview's safety"): kept as
 * todo tests, which start passing once the service reports them.
 */
const NOT_YET_REPORTED: Record<string, string> = {
  // `%YAML 1.2` and nothing else. PlanDocument composes without forcing a
  // document, so the yaml package's "Missing directives-end indicator line"
  // (MISSING_CHAR) is never produced; the plan is only called empty (schema).
  '9MMA': 'a directive with no document: yaml reports MISSING_CHAR only when compose(tokens, true) forces the document',
};

interface Case {
  id: string;
  text: string;
  invalid: boolean;
}

const CASES: Case[] = corpusCases().map((dir) => ({
  id: path.relative(CORPUS_DIR, dir).split(path.sep).join('/'),
  text: fs.readFileSync(path.join(dir, 'in.yaml'), 'utf8'),
  invalid: fs.existsSync(path.join(dir, 'error')),
}));

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
        if (c.id in ACCEPTED || c.id in NOT_YET_REPORTED) continue;
        const { diagnostics } = lint(c.text);
        if (!diagnostics.some((d) => d.rule === 'yaml-syntax')) missing.push(`${c.id}: ${JSON.stringify(c.text)}`);
      }
    });
    t.diagnostic(`${invalid.length} invalid inputs, ${Object.keys(ACCEPTED).length} accepted on purpose, ${Object.keys(NOT_YET_REPORTED).length} not yet reported`);
    assert.deepEqual(missing, []);
  });

  it('the inputs accepted on purpose are invalid in the suite, still accepted, and still get a diagnostic', () => {
    for (const id of Object.keys(ACCEPTED)) {
      const c = CASES.find((x) => x.id === id);
      assert.ok(c?.invalid, `${id} is an invalid case of the suite`);
      const { diagnostics } = lint(c.text);
      assert.ok(!diagnostics.some((d) => d.rule === 'yaml-syntax'), `${id} now gets a yaml-syntax diagnostic: remove it from ACCEPTED`);
      assert.ok(diagnostics.length > 0, `${id} is not a plan, so it gets some diagnostic`);
    }
  });

  for (const [id, why] of Object.entries(NOT_YET_REPORTED)) {
    it(`${id} gets a yaml-syntax diagnostic (${why})`, { todo: 'not reported by the service yet' }, () => {
      const c = CASES.find((x) => x.id === id)!;
      assert.ok(c.invalid);
      assert.ok(lint(c.text).diagnostics.some((d) => d.rule === 'yaml-syntax'));
    });
  }
});
