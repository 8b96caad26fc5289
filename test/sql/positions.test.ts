/**
 * SQL syntax errors land at their exact line and column in the plan, through
 * every way YAML can write a string, and in the files `{file: path}` names.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { applyRawEdits } from '../../server/src/service/linting/fixes';
import { fixEdits, lint } from '../../server/src/service/linting/lint';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { loadSqlParser, parseSql, byteToUtf16, codePointToUtf16 } from '../../server/src/service/sql/parser';
import type { SqlFiles } from '../../server/src/service/sql/sqlValues';

/** A plan with the dialect and one phase whose `sql` is written as `value` (lines after the key, indented by 4). */
function planWith(value: string): string {
  return `migplan: 1\ntitle: t\nowner: o (Ann Lee)\ncontext:\n  dialect: postgresql\nphases:\n  - id: expand\n    kind: dual-write\n    sql: ${value}\n`;
}

/** The 1-based line:column of each sql-syntax diagnostic, and the text there. */
function found(text: string, files?: SqlFiles): Array<{ at: string; here: string; related?: string }> {
  const { plan, diagnostics } = lint(text, files ? { files } : {});
  return diagnostics
    .filter((d) => d.rule === 'sql-syntax')
    .map((d) => {
      const s = plan.lines.offsetAt(d.range.start);
      const e = plan.lines.offsetAt(d.range.end);
      const r = d.related?.[0];
      return { at: `${d.range.start.line + 1}:${d.range.start.character + 1}`, here: plan.text.slice(s, e), ...(r?.file ? { related: `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}` } : {}) };
    });
}

describe('SQL syntax errors at their place', () => {
  before(async () => {
    await loadSqlParser();
  });

  it('in a literal block, at the token PostgreSQL stops at', () => {
    const text = planWith('|\n      SET lock_timeout = \'2s\';\n      ALTER TABLE users ADD COLUMN first_name txet xx;\n');
    assert.deepEqual(found(text), [{ at: '11:52', here: 'xx' }]);
  });

  it('in a literal block with CRLF line breaks', () => {
    const text = planWith('|\n      SELECT 1;\n      SELEC 2;\n').replace(/\n/g, '\r\n');
    assert.deepEqual(found(text), [{ at: '11:7', here: 'SELEC' }]);
  });

  it('in a folded block (the line break folded into a space)', () => {
    const text = planWith('>\n      SELECT 1;\n      SELEC 2;\n');
    assert.deepEqual(found(text), [{ at: '11:7', here: 'SELEC' }]);
  });

  it('in a plain scalar over two lines', () => {
    const text = planWith('SELECT 1;\n      SELEC 2\n');
    assert.deepEqual(found(text), [{ at: '10:7', here: 'SELEC' }]);
  });

  it("in a single-quoted scalar with '' escapes", () => {
    const text = planWith("'SELECT ''it''''s'' AS a; SELEC 2'");
    assert.deepEqual(found(text), [{ at: '9:36', here: 'SELEC' }]);
  });

  it('in a double-quoted scalar with escapes (\\", \\n, \\x41, \\u00e9, an escaped line break)', () => {
    const text = planWith('"SELECT \\"a\\x41\\u00e9\\" FROM t;\\n  \\\n      SELEC 2"');
    assert.deepEqual(found(text), [{ at: '10:7', here: 'SELEC' }]);
  });

  it('after characters outside the BMP (PostgreSQL counts code points, the editor UTF-16 units)', () => {
    const text = planWith("|\n      SELECT '😀😀' AS a;\n      SELEC 2;\n");
    assert.deepEqual(found(text), [{ at: '11:7', here: 'SELEC' }]);
  });

  it('in a file the plan names: at the file value, with the place in the file as a related location', () => {
    const text = planWith('{file: sql/expand.sql}');
    const files: SqlFiles = { resolve: (w) => ({ absolute: `/repo/plans/${w}` }), read: (p) => (p === '/repo/plans/sql/expand.sql' ? { text: '-- expand\nSELECT 1;\n  SELEC 2;\n' } : { error: 'does not exist' }) };
    assert.deepEqual(found(text, files), [{ at: '9:17', here: 'sql/expand.sql', related: '/repo/plans/sql/expand.sql:3:3' }]);
  });

  it('a file that is missing, or outside the repository, at the file value', () => {
    const files: SqlFiles = { resolve: (w) => (w.startsWith('..') ? { error: 'is outside the repository (/repo)' } : { absolute: `/repo/plans/${w}` }), read: () => ({ error: 'does not exist' }) };
    const missing = lint(planWith('{file: nope.sql}'), { files }).diagnostics.filter((d) => d.rule === 'sql-syntax');
    assert.match(missing[0].message, /names 'nope\.sql', which cannot be read/);
    assert.match(missing[0].detail ?? '', /does not exist/);
    const outside = lint(planWith('{file: ../../etc/passwd}'), { files }).diagnostics.filter((d) => d.rule === 'sql-syntax');
    assert.match(outside[0].detail ?? '', /outside the repository/);
  });

  it('nothing without the dialect: the SQL keys are the schema\'s to report', () => {
    const text = planWith('SELEC 1').replace('  dialect: postgresql\n', '  engine: PostgreSQL 15\n');
    const ds = lint(text).diagnostics;
    assert.deepEqual(ds.filter((d) => d.rule === 'sql-syntax'), []);
    assert.ok(ds.some((d) => d.rule === 'schema' && /only with `context\.dialect: postgresql`/.test(d.message)));
  });

  it('maps byte offsets and code points to UTF-16', () => {
    const s = "é😀a";
    const f = byteToUtf16(s);
    assert.deepEqual([0, 2, 6, 7].map(f), [0, 1, 3, 4]);
    assert.deepEqual([0, 1, 2, 3].map((cp) => codePointToUtf16(s, cp)), [0, 1, 3, 4]);
    assert.equal(parseSql('SELECT 1'), parseSql('SELECT 1'), 'parses are cached by text');
  });

  // Found by reading: positions in a file were counted by LF only, so a file with CR line breaks had every place on its line 0, past its end.
  it('in a file with CR line breaks only, the related location is on the line the editor shows', () => {
    const text = planWith('{file: sql/drop.sql}').replace('  dialect: postgresql\n', '  dialect: postgresql\n  data_volume:\n    - table: users\n      rows: 48000000\n');
    const files: SqlFiles = { resolve: (w) => ({ absolute: `/repo/plans/${w}` }), read: () => ({ text: '-- drop it\rSELECT 1;\rDROP TABLE users;\r' }) };
    const related = lint(text, { files }).diagnostics.flatMap((d) => (d.related ?? []).filter((r) => r.file).map((r) => `${d.rule} ${r.range.start.line}:${r.range.start.character}-${r.range.end.line}:${r.range.end.character}`));
    assert.ok(related.length > 0, 'sql-irreversible reports the DROP TABLE in the file');
    for (const r of related) assert.match(r, / 2:\d+-2:\d+$/);
    for (const r of related) assert.ok(Number(/-2:(\d+)$/.exec(r)![1]) <= 'DROP TABLE users;'.length, r);
  });

  // Fuzz (--kinds sql): the lock_timeout fix wrote `'2s'` into a single-quoted scalar as it is, ending the scalar.
  it('a fix inserting SQL writes it as the scalar does: quotes doubled in a single-quoted scalar, escaped in a double-quoted one', () => {
    const fixed = (value: string): string | undefined => {
      const text = planWith(value).replace('  dialect: postgresql\n', '  dialect: postgresql\n  data_volume:\n    - table: users\n      rows: 48000000\n');
      const { plan, diagnostics } = lint(text);
      const d = diagnostics.find((x) => x.rule === 'sql-lock-timeout');
      assert.ok(d, `sql-lock-timeout reports ${value}`);
      if (!d.data?.fix) return undefined;
      const after = new PlanDocument(applyRawEdits(plan.text, fixEdits(plan, d)));
      assert.deepEqual(after.problems, [], `the fixed ${value} is sound YAML`);
      return after.root?.get('phases')?.items()[0].get('sql')?.str();
    };
    const sql = "ALTER TABLE users ADD COLUMN note text DEFAULT 'n/a'";
    assert.equal(fixed(`'${sql.replace(/'/g, "''")}'`), `SET lock_timeout = '2s'; ${sql}`);
    assert.equal(fixed(JSON.stringify(sql)), `SET lock_timeout = '2s'; ${sql}`);
    assert.equal(fixed(sql), `SET lock_timeout = '2s'; ${sql}`);
    assert.equal(fixed(`|\n      ${sql}\n`), `SET lock_timeout = '2s';\n${sql}\n`);
  });
});
