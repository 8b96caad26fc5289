/**
 * Generates large plans from the examples: the example's header, then many
 * more phases (extra phases are `custom` copies of its dual-write phase,
 * inserted before cleanup, so a generated plan lints clean unless errors are
 * asked for).
 *
 * `generatePlan` starts from the prose example; `generateSqlPlan` from the
 * PostgreSQL one (`context.dialect: postgresql`, DDL in `sql:` and
 * `rollback_sql:`, the backfill's `upsert:`, check `query:` values), each
 * extra phase with SQL of its own that parses and names only tables and
 * columns that exist where it runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const EXAMPLE = path.join(EXAMPLES, 'split-user-name.migplan.yaml');
const SQL_EXAMPLE = path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml');

/** An example cut into its header, its phases (the dual-write phase apart) and what follows them. */
interface Parts {
  head: string;
  phases: string;
  tail: string;
  dualWrite: string;
}

function partsOf(example: string): Parts {
  const phasesAt = example.indexOf('\nphases:\n') + 1;
  const ponrAt = example.indexOf('\npoint_of_no_return:');
  const phases = example.slice(phasesAt, ponrAt + 1);
  return {
    head: example.slice(0, phasesAt),
    phases,
    tail: example.slice(ponrAt + 1),
    dualWrite: phases.slice(phases.indexOf('  - id: dual-write'), phases.indexOf('  - id: backfill')),
  };
}

/**
 * Adds `block(i)` phases (i = 1, 2, …), each counted as `per` lines (its size without a planted
 * mistake), until the plan has `targetLines` lines; they go between verification and cleanup.
 */
function grow(parts: Parts, targetLines: number, per: number, block: (i: number) => string): string {
  const { head, phases, tail } = parts;
  const extra: string[] = [];
  let lines = (head + phases + tail).split('\n').length;
  for (let i = 1; lines < targetLines; i++) {
    extra.push(block(i));
    lines += per;
  }
  // Custom phases go between verification and cleanup, where extra work usually sits.
  const cleanupAt = phases.indexOf('  - id: cleanup');
  return head + phases.slice(0, cleanupAt) + extra.join('') + phases.slice(cleanupAt) + tail;
}

/** The prose mistakes planted by both generators: a vague trigger, a missing exit, an unknown key. */
function proseMistake(block: string, kind: 0 | 1 | 2): string {
  if (kind === 0) return block.replace(/when: .*/, 'when: if something goes wrong');
  if (kind === 1) return block.replace(/ {4}exit:\n(?: {6}- .*\n)+/, '');
  return block.replace('    rollback:', '    rolback:');
}

export function generatePlan(targetLines: number, errors = 0): string {
  const parts = partsOf(fs.readFileSync(EXAMPLE, 'utf8'));
  return grow(parts, targetLines, parts.dualWrite.split('\n').length - 1, (i) => {
    const block = parts.dualWrite.replace('id: dual-write', `id: step-${i}`).replace('kind: dual-write', 'kind: custom');
    // Alternate a few kinds of mistakes: a vague trigger, a missing exit, an unknown key.
    return i <= errors ? proseMistake(block, (i % 3) as 0 | 1 | 2) : block;
  });
}

/** `text` with `from` replaced by `to`, which must occur in it (the example changed otherwise). */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`genplan: ${String(from)} not found in the dual-write phase of ${path.basename(SQL_EXAMPLE)}`);
  return out;
}

/**
 * A plan with `context.dialect: postgresql` from examples/split-user-name-postgres.migplan.yaml.
 * Extra phase `step-<i>` adds a column and checks it:
 *
 *     sql: ALTER TABLE users ADD COLUMN extra_<i> text;   (after SET lock_timeout)
 *     rollback_sql: ALTER TABLE users DROP COLUMN extra_<i>;
 *     query: SELECT count(*) AS bad_<i> FROM users WHERE extra_<i> IS NOT NULL   expect: bad_<i> = 0
 *
 * With `errors` > 0, the first `errors` extra phases each carry one mistake, in turn: a missing
 * exit, an unknown key, a vague trigger (as generatePlan's), a SQL syntax error (in rollback_sql),
 * a `CREATE INDEX` on users without CONCURRENTLY, and a check query naming a column that does
 * not exist.
 */
export function generateSqlPlan(targetLines: number, errors = 0): string {
  const parts = partsOf(fs.readFileSync(SQL_EXAMPLE, 'utf8'));
  let template = parts.dualWrite.replace('id: dual-write', 'id: step-<i>').replace('kind: dual-write', 'kind: custom');
  template = replaceOnce(template, /( {4}sql: \|\n {6}SET lock_timeout = '2s';\n)(?: {6}.*\n)+/, "$1      ALTER TABLE users ADD COLUMN extra_<i> text;\n");
  template = replaceOnce(template, /- name: .*\n( {8}query: \|\n)(?: {10}.*\n)+( {8}expect: ).*\n/, '- name: extra_<i> left empty\n$1          SELECT count(*) AS bad_<i> FROM users\n          WHERE extra_<i> IS NOT NULL\n$2bad_<i> = 0\n');
  template = replaceOnce(template, /( {4}rollback_sql: \|\n)(?: {6}.*\n)+/, '$1      ALTER TABLE users DROP COLUMN extra_<i>;\n');
  return grow(parts, targetLines, template.split('\n').length - 1, (i) => {
    const block = template.replaceAll('<i>', String(i));
    if (i > errors) return block;
    switch (i % 6) {
      case 1:
        return proseMistake(block, 1);
      case 2:
        return proseMistake(block, 2);
      case 3:
        return proseMistake(block, 0);
      case 4:
        return block.replace(`DROP COLUMN extra_${i};`, `DROP COLUMN extra_${i},;`);
      case 5:
        return block.replace(`ADD COLUMN extra_${i} text;\n`, `ADD COLUMN extra_${i} text;\n      CREATE INDEX users_extra_${i}_idx ON users (extra_${i});\n`);
      default:
        return block.replace(`WHERE extra_${i} IS NOT NULL`, `WHERE extar_${i} IS NOT NULL`);
    }
  });
}
