/**
 * The complete SQL example lints clean with every rule of the catalog on, and
 * each of the mistakes the SQL layer exists for, planted in it, is reported by
 * its rule on the very character it is about.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { lint } from '../../server/src/service/linting/lint';
import { RULES } from '../../server/src/service/rules';
import { loadSqlParser, sqlParserState } from '../../server/src/service/sql/parser';
import { EXAMPLES } from '../helpers';

const EXAMPLE = fs.readFileSync(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'), 'utf8');

/** The example with `from` replaced by `to` (which must occur exactly once). */
function planted(from: string, to: string): string {
  assert.equal(EXAMPLE.split(from).length, 2, `'${from}' occurs once in the example`);
  return EXAMPLE.replace(from, to);
}

/** 1-based line:column of the first occurrence of `needle` after `after`. */
function at(text: string, needle: string, after = ''): string {
  const i = text.indexOf(needle, after ? text.indexOf(after) : 0);
  assert.ok(i >= 0, needle);
  const lines = text.slice(0, i).split('\n');
  return `${lines.length}:${lines[lines.length - 1].length + 1}`;
}

function found(text: string, rule: string): string[] {
  return lint(text)
    .diagnostics.filter((d) => d.rule === rule)
    .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}`);
}

describe('the SQL example', () => {
  before(async () => {
    await loadSqlParser();
    assert.equal(sqlParserState().state, 'ready');
  });

  it('lints clean with every rule on', () => {
    const { diagnostics } = lint(EXAMPLE);
    assert.deepEqual(diagnostics.map((d) => `${d.rule} ${d.range.start.line + 1}: ${d.message}`), []);
    assert.ok(RULES.some((r) => r.meta.id === 'sql-unknown-name'));
  });

  it('reports a syntax error at the token PostgreSQL stops at', () => {
    const text = planted('ADD COLUMN first_name text, ADD COLUMN', 'ADD COLUMN first_name text ADD COLUMN');
    assert.deepEqual(found(text, 'sql-syntax'), [at(text, 'ADD COLUMN last_name')]);
    // And only it: the columns that statement would have made are not reported missing wherever they are used.
    assert.deepEqual(lint(text).diagnostics.map((d) => d.rule), ['sql-syntax']);
  });

  it('reports an unknown column in a check query on the column', () => {
    const text = planted('SELECT count(*) AS rows_left FROM users WHERE first_name IS NULL', 'SELECT count(*) AS rows_left FROM users WHERE frist_name IS NULL');
    assert.deepEqual(found(text, 'sql-unknown-name'), [at(text, 'frist_name')]);
  });

  it('reports a column a check reads before the phase that creates it', () => {
    const text = planted("SET lock_timeout = '2s';\n      ALTER TABLE users ADD COLUMN first_name text, ADD COLUMN last_name text;", "SET lock_timeout = '2s';\n      ALTER TABLE users ADD COLUMN first_name text;");
    const got = found(text, 'sql-unknown-name');
    // The check of the dual-write phase, and the application's writes, which run after that phase's SQL.
    assert.ok(got.includes(at(text, 'last_name', 'divergent rows')), got.join(' '));
    assert.ok(got.includes(at(text, 'last_name', 'writes:')), got.join(' '));
  });

  it('reports an upsert that is not a restartable batch at its WHERE', () => {
    const text = planted('   WHERE id >= $1 AND id < $2\n         AND first_name IS NULL', '   WHERE first_name IS NULL');
    assert.deepEqual(found(text, 'sql-upsert'), [at(text, 'WHERE first_name IS NULL', 'upsert:')]);
  });

  it('reports CREATE INDEX without CONCURRENTLY on a listed table at CREATE INDEX', () => {
    const text = planted('CREATE INDEX CONCURRENTLY users_last_first_idx', 'CREATE INDEX users_last_first_idx');
    assert.deepEqual(found(text, 'sql-blocking'), [at(text, 'CREATE INDEX users_last_first_idx', 'id: cutover')]);
  });

  it('reports a DROP COLUMN before the point of no return at the statement', () => {
    const text = planted("SET lock_timeout = '2s';\n      ALTER TABLE users ADD COLUMN first_name text, ADD COLUMN last_name text;", "SET lock_timeout = '2s';\n      ALTER TABLE users ADD COLUMN first_name text, ADD COLUMN last_name text;\n      ALTER TABLE users DROP COLUMN name;");
    const got = found(text, 'sql-irreversible');
    assert.equal(got.length, 1);
    assert.equal(got[0], at(text, 'DROP COLUMN name', 'id: dual-write'));
  });
});
