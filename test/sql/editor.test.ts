/**
 * The editor inside SQL values: completion of the tables and columns that
 * exist at that point of the plan, hover on a name showing its definition
 * there, and go to definition to the statement that created it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { complete, hover } from '../../server/src/service/features';
import { lint } from '../../server/src/service/linting/lint';
import type { PlanDocument } from '../../server/src/service/parsing/plan';
import { sqlDefinition } from '../../server/src/service/features/sql';
import { loadSqlParser } from '../../server/src/service/sql/parser';
import { EXAMPLES } from '../helpers';

const EXAMPLE = fs.readFileSync(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'), 'utf8');

/** The plan, and the offset just after `marker` (searched after `after`). */
function at(text: string, marker: string, after = ''): { plan: PlanDocument; offset: number } {
  const from = after ? text.indexOf(after) : 0;
  assert.ok(from >= 0, after);
  const i = text.indexOf(marker, from);
  assert.ok(i >= 0, marker);
  return { plan: lint(text).plan, offset: i + marker.length };
}

function labels(text: string, marker: string, after = ''): string[] {
  const { plan, offset } = at(text, marker, after);
  return complete(plan, offset).map((c) => c.label);
}

describe('SQL in the editor', () => {
  before(async () => {
    await loadSqlParser();
  });

  describe('completion', () => {
    it('offers the columns a check query can read at its phase', () => {
      const backfill = labels(EXAMPLE, 'FROM users WHERE ', 'name: rows left');
      for (const c of ['id', 'name', 'email', 'first_name', 'last_name']) assert.ok(backfill.includes(c), `${c} in ${backfill.join(', ')}`);
      assert.ok(!backfill.includes('total_cents'), 'columns of a table the query does not name come after, not here');
    });

    it('does not offer a column before the phase that adds it, nor after the one that drops it', () => {
      const text = EXAMPLE.replace('    sql: |\n      SET lock_timeout', '    checks_before:\n    sql: |\n      SET lock_timeout');
      // The seed runs on the current schema: no first_name yet.
      const seed = labels(EXAMPLE, 'INSERT INTO users (id, name, email, created_at)\n    SELECT ', 'seed:');
      assert.ok(seed.includes('name') && !seed.includes('first_name'), seed.join(', '));
      // Cleanup drops name: its check sees first_name and no name.
      const cleanup = labels(EXAMPLE, 'SELECT ', 'id: cleanup');
      assert.ok(cleanup.includes('first_name') && !cleanup.includes('name'), cleanup.join(', '));
      assert.ok(text.length > 0);
    });

    it('completes a word being typed in SQL that does not parse yet, replacing the word', () => {
      const text = EXAMPLE.replace('SELECT count(*) AS rows_left FROM users WHERE first_name IS NULL OR last_name IS NULL', 'SELECT count(*) AS rows_left FROM users WHERE las');
      const { plan, offset } = at(text, 'WHERE las');
      const items = complete(plan, offset);
      const last = items.find((c) => c.label === 'last_name');
      assert.ok(last, items.map((c) => c.label).join(', '));
      assert.deepEqual(last.replace, [offset - 3, offset]);
      assert.match(last.detail ?? '', /users\.last_name text/);
    });

    it('offers the columns of an alias after `alias.`, and tables after FROM', () => {
      const text = EXAMPLE.replace('SELECT count(*) AS rows_left FROM users WHERE first_name IS NULL OR last_name IS NULL', 'SELECT count(*) AS n FROM orders o WHERE o.');
      const cols = labels(text, 'WHERE o.');
      assert.deepEqual([...cols].sort(), ['id', 'total_cents', 'user_id']);
      const text2 = EXAMPLE.replace('SELECT count(*) AS rows_left FROM users WHERE first_name IS NULL OR last_name IS NULL', 'SELECT count(*) AS n FROM ');
      const { plan, offset } = at(text2, 'AS n FROM ');
      const items = complete(plan, offset).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
      assert.deepEqual(items.slice(0, 2).map((c) => c.label).sort(), ['orders', 'users']);
    });

    it('offers YAML keys, not SQL, outside SQL values', () => {
      const items = labels(EXAMPLE, '\n    ', 'id: backfill');
      assert.ok(!items.includes('first_name'));
    });
  });

  describe('hover', () => {
    it('shows a column as it is at that point of the plan, and where it was added', () => {
      const { plan, offset } = at(EXAMPLE, 'WHERE first_nam', 'name: rows left');
      const h = hover(plan, offset, []);
      assert.ok(h);
      assert.match(h.contents, /column users\.first_name/);
      assert.match(h.contents, /first_name text/);
      assert.match(h.contents, /added in phase 'dual-write'/);
      assert.equal(plan.text.slice(h.span[0], h.span[1]), 'first_name');
    });

    it('shows a table with its columns there: after cleanup, without the dropped column', () => {
      const early = hover(...(Object.values(at(EXAMPLE, 'FROM use', 'name: rows left')) as [PlanDocument, number]), []);
      assert.ok(early);
      assert.match(early.contents, /table users/);
      assert.match(early.contents, /\bname text NOT NULL/);
      const text = EXAMPLE.replace(
        "SELECT count(*) AS columns_named_name_on_users FROM information_schema.columns\n          WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'name'",
        'SELECT count(*) AS columns_named_name_on_users FROM users WHERE first_name IS NULL',
      );
      assert.notEqual(text, EXAMPLE);
      const late = at(text, 'FROM use', 'id: cleanup');
      const h = hover(late.plan, late.offset, []);
      assert.ok(h);
      assert.match(h.contents, /first_name text NOT NULL/);
      assert.doesNotMatch(h.contents, /\bname text/);
    });
  });

  describe('go to definition', () => {
    it('goes from a column in the upsert to the ADD COLUMN that created it', () => {
      const { plan, offset } = at(EXAMPLE, 'SET first_na', 'upsert:');
      const loc = sqlDefinition(plan, offset);
      assert.ok(loc && 'span' in loc);
      assert.equal(plan.text.slice(loc.span[0], loc.span[1]), 'first_name');
      const line = plan.text.slice(0, loc.span[0]).split('\n').length;
      assert.match(plan.text.split('\n')[line - 1], /ALTER TABLE users ADD COLUMN first_name text/);
    });

    it('goes from a table to its CREATE TABLE in the current schema', () => {
      const { plan, offset } = at(EXAMPLE, 'FROM use', 'name: rows left');
      const loc = sqlDefinition(plan, offset);
      assert.ok(loc && 'span' in loc);
      const line = plan.text.slice(0, loc.span[0]).split('\n').length;
      assert.equal(plan.text.split('\n')[line - 1].trim(), 'CREATE TABLE users (');
      assert.ok(line < EXAMPLE.split('\n').findIndex((l) => l.includes('target_schema')), 'in the current schema');
    });
  });
});
