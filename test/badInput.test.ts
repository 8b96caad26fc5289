/**
 * Bad input of every kind ends in diagnostics, never an exception. (Speed is
 * the benchmark's business; each test here has a generous timeout only to
 * catch a hang.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixAll, lint } from '../server/src/service/linting/lint';
import type { Diagnostic } from '../server/src/service/types';
import { EXAMPLES, read } from './helpers';

const EXAMPLE = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
const opts = { timeout: 20_000 };

function check(text: string): Diagnostic[] {
  const { plan, diagnostics } = lint(text);
  for (const d of diagnostics) {
    assert.ok(d.range.start.line >= 0 && d.range.start.line < plan.lines.lineCount, `${d.rule}: start line out of range`);
    assert.ok(d.range.end.line < plan.lines.lineCount, `${d.rule}: end line out of range`);
    assert.ok(d.range.start.line < d.range.end.line || d.range.start.character <= d.range.end.character, `${d.rule}: inverted range`);
    assert.ok(d.message.length > 0);
  }
  return diagnostics;
}

function rules(diags: Diagnostic[]): string[] {
  return [...new Set(diags.map((d) => d.rule))].sort();
}

describe('bad input', () => {
  it('an empty file gets one schema diagnostic', opts, () => {
    for (const text of ['', '\n\n', '# only a comment\n', '\uFEFF']) {
      const d = check(text);
      assert.deepEqual(d.map((x) => x.rule), ['schema'], JSON.stringify(text));
      assert.deepEqual(d[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    }
  });

  it('a top-level list or scalar gets one schema diagnostic on its first line', opts, () => {
    for (const text of ['- id: backfill\n  kind: backfill\n', 'just a sentence\n', '42\n', '"quoted"\n']) {
      const d = check(text);
      assert.deepEqual(d.map((x) => x.rule), ['schema'], text);
      assert.equal(d[0].range.start.line, 0);
      assert.equal(d[0].range.end.line, 0);
    }
  });

  it('a 10 MB plan gets one diagnostic instead of an analysis', opts, () => {
    const big = EXAMPLE + '# padding\n'.repeat(1_100_000);
    assert.ok(big.length > 10_000_000);
    const d = check(big);
    assert.equal(d.length, 1);
    assert.equal(d[0].rule, 'yaml-syntax');
    assert.match(d[0].message, /over the 5\.0 MiB limit/);
    assert.deepEqual(check(EXAMPLE + '# padding\n'.repeat(1000)), [], 'a plan under the limit is analysed');
  });

  it('binary bytes and the replacement characters of invalid UTF-8 give diagnostics', opts, () => {
    const binary = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
    assert.ok(check(binary).length > 0);
    assert.ok(check('title: caf\uFFFD\n\u0000\u0001\u0002: x\n').length > 0);
    assert.ok(check(EXAMPLE.slice(0, 500) + '\u0000\u0007' + EXAMPLE.slice(500)).length > 0);
  });

  it('tabs for indentation are a yaml-syntax error at the tab', opts, () => {
    const d = check('migplan: 1\ncontext:\n\tengine: x\n');
    assert.deepEqual(rules(d), ['yaml-syntax']);
    assert.equal(d[0].range.start.line, 2);
    assert.match(d[0].message, /Tabs/);
  });

  it('duplicate keys are reported at the second key, and the rules still run', opts, () => {
    const text = EXAMPLE.replace('owner: data-platform team (Dana Ortiz)\n', 'owner: data-platform team (Dana Ortiz)\nowner: someone else\n');
    const d = check(text);
    assert.deepEqual(d.map((x) => x.rule), ['yaml-syntax']);
    assert.equal(d[0].range.start.line, 4);
    assert.match(d[0].message, /Duplicate key/);
    const alsoRules = check(text.replace('    soak: 24h\n', ''));
    assert.deepEqual(rules(alsoRules), ['cutover-soak', 'yaml-syntax']);
  });

  it('a second document, a custom tag and a merge key are reported', opts, () => {
    assert.deepEqual(rules(check(EXAMPLE + '---\nmigplan: 1\n')), ['yaml-syntax']);
    assert.deepEqual(rules(check(EXAMPLE.replace('title: Split', 'title: !secret Split'))), ['yaml-syntax']);
    const merge = check(EXAMPLE.replace('  engine: PostgreSQL', '  <<: {a: 1}\n  engine: PostgreSQL'));
    assert.deepEqual(rules(merge), ['schema']);
  });

  it('a mapping used as a key is reported as an unknown key, with no runtime warning printed', opts, () => {
    // The yaml package prints a warning (to the editor's output, or the CLI's stderr) when it turns such a key into plain data.
    const warnings: unknown[] = [];
    const emit = process.emitWarning;
    process.emitWarning = ((w: unknown) => void warnings.push(w)) as typeof process.emitWarning;
    try {
      const diags = check(`${EXAMPLE}? [a, b]\n: 1\n`);
      assert.ok(diags.some((d) => d.rule === 'schema' && d.message.startsWith("Unknown key '[ a, b ]'")));
    } finally {
      process.emitWarning = emit;
    }
    assert.deepEqual(warnings, []);
  });

  it('an alias bomb is cut off with one diagnostic', opts, () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 20; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const d = check(text);
    assert.ok(d.some((x) => x.rule === 'yaml-syntax' && /Aliases expand to too many nodes/.test(x.message)));
    // A bomb inside an otherwise valid plan: still one alias diagnostic, and no crash in the rules.
    const inPlan = check(EXAMPLE.replace('summary: >', `bomb:\n${text.split('\n').filter(Boolean).map((l) => '  ' + l).join('\n')}\nsummary: >`));
    assert.equal(inPlan.filter((x) => /Aliases expand/.test(x.message)).length, 1);
  });

  it('deep nesting does not overflow the stack, and gives a bounded number of clear diagnostics', opts, () => {
    for (const text of ['a: ' + '['.repeat(50_000), 'a: ' + '['.repeat(5000) + ']'.repeat(5000), Array.from({ length: 3000 }, (_, i) => ' '.repeat(i) + '- ').join('\n') + 'x', '{'.repeat(100_000)]) {
      const d = check(text);
      assert.ok(d.length > 0 && d.length <= 25, `${d.length} diagnostics`);
      for (const x of d) assert.doesNotMatch(x.message, /call stack/);
    }
    // Flow brackets, indented block sequences, compact ones on one line (a fuzzer finding), and the two mixed.
    for (const text of ['a: ' + '['.repeat(50_000), Array.from({ length: 3000 }, (_, i) => ' '.repeat(i) + '- ').join('\n') + 'x', 'deep:\n  ' + '- '.repeat(2000) + 'x\n', 'a:\n' + ' '.repeat(150) + '- [' + '['.repeat(100) + '\n']) {
      // Refused before parsing, with the same single diagnostic every time (yaml's own stack errors vary between runs).
      const first = check(text);
      assert.equal(first.length, 1);
      assert.match(first[0].message, /nested more than 200 levels deep/);
      assert.deepEqual(check(text), first);
    }
    assert.deepEqual(check('a: "' + '['.repeat(5000) + '"\n').filter((x) => x.rule === 'yaml-syntax'), [], 'brackets inside quotes are text');
    // Brackets in a block scalar's text or inside a plain scalar are text too (fuzzer findings:
    // the pre-scan counted them, the fast path did not, and the two disagreed).
    for (const text of ['y: >\n ' + '['.repeat(300) + '\n', 'a: |\n  ' + '{'.repeat(300) + '\n  more\nb: 1\n', 'a: x' + '['.repeat(300) + '\n']) {
      assert.deepEqual(check(text).filter((x) => /nested/.test(x.message)), [], JSON.stringify(text.slice(0, 20)));
    }
    // An apostrophe inside a plain scalar does not open a quote that would hide a deep flow collection below it.
    const hidden = check("a: it's\nb: " + '['.repeat(5000) + '\n');
    assert.equal(hidden.length, 1);
    assert.match(hidden[0].message, /nested more than 200 levels deep/);
    // A quote left open does not hide what follows on a less indented line: yaml ends the
    // scalar there and reads the flow collection (past the stack, differently each run).
    const unclosed = 'foo: "bar\ndeep: ' + '{a: '.repeat(1200) + '\n';
    const first = check(unclosed);
    assert.ok(first.some((x) => /nested more than 200 levels deep/.test(x.message)), JSON.stringify(first.map((x) => x.message)));
    assert.deepEqual(check(unclosed), first);
    const flood = check('x: ]\n'.repeat(100));
    assert.equal(flood.length, 25);
    assert.ok(flood.some((x) => /\d+ more YAML errors after it/.test(x.detail ?? '')));
  });

  it('fix-all on hostile input never throws and never loses text', opts, () => {
    for (const text of ['', '- a', 'phases: [', 'phases:\n  - 1\n  - id: x\n    kind: backfill\n', EXAMPLE.slice(0, 1234)]) {
      const r = fixAll(text);
      assert.equal(typeof r.text, 'string');
    }
  });
});
