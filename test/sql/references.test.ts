/**
 * Which tables and columns a statement uses, and which of them do not exist
 * at that point of the plan — at the right byte offsets, and with no false
 * alarms on realistic SQL.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as pg from 'libpg-query';
import { parse as parseYaml } from 'yaml';
import { Catalog, catalogOf } from '../../server/src/service/sql/catalog';
import { type NameUse, nameUses, unknownNames } from '../../server/src/service/sql/references';
import { ROOT } from '../helpers';

interface RawStmt {
  stmt: unknown;
  stmt_location?: number;
  stmt_len?: number;
}

function parse(sql: string): RawStmt[] {
  return (pg.parseSync(sql) as { stmts: RawStmt[] }).stmts;
}

function catalog(ddl: string): Catalog {
  const { catalog: c, notes } = catalogOf(parse(ddl), 'ddl');
  assert.deepEqual(notes, []);
  return c;
}

const SCHEMA = `
  CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE,
                      first_name text, last_name text, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total_cents bigint NOT NULL,
                       status text, created_at timestamptz);
  CREATE TABLE order_items (order_id bigint REFERENCES orders, sku text, qty int);
  CREATE VIEW big_orders AS SELECT id, total_cents FROM orders WHERE total_cents > 10000;
  CREATE VIEW all_users AS SELECT * FROM users;
  CREATE SEQUENCE invoice_no;`;

/** The text at a use's location: `length` bytes, or the name's. */
function at(sql: string, u: { location: number; length?: number; name: string }): string {
  return Buffer.from(sql).subarray(u.location, u.location + (u.length ?? Buffer.byteLength(u.name))).toString();
}

/** Every unknown name of every statement of `sql`, as `kind name@text-at-location`. */
function unknown(sql: string, c: Catalog): string[] {
  const out: string[] = [];
  for (const s of parse(sql)) {
    for (const u of unknownNames(s, c, { sql })) out.push(`${u.kind} ${u.table ? `${u.table}.` : ''}${u.name}@${at(sql, u)}`);
  }
  return out;
}

/** The uses of the only statement of `sql`, as `kind [table.]name` (+ flags). */
function uses(sql: string, options: { catalog?: Catalog } = {}): string[] {
  const [s] = parse(sql);
  return nameUses(s, { sql, ...options }).map((u: NameUse) => {
    let text = `${u.kind} ${u.table ? `${u.table}.` : ''}${u.name}`;
    if (!u.used) text += ' (new)';
    if (u.write) text += ' (write)';
    if (u.ifExists) text += ' (if exists)';
    return text;
  });
}

interface Plan {
  context: { current_schema: string };
  rehearsal: { seed: string; writes: string };
  phases: Array<{ id: string; sql?: string; rollback_sql?: string; upsert?: string; checks?: Array<{ name: string; query?: string }> }>;
}

const FIXTURE = path.join(ROOT, 'examples', 'split-user-name-postgres.migplan.yaml');

describe('references', () => {
  before(async () => {
    await pg.loadModule();
  });

  describe('the example plan', () => {
    const plan = (): Plan => parseYaml(fs.readFileSync(FIXTURE, 'utf8')) as Plan;

    it('uses no name that does not exist at its point of the plan', () => {
      const p = plan();
      const c = catalogOf(parse(p.context.current_schema), 'current_schema').catalog;
      const checked: string[] = [];
      const check = (what: string, sql: string | undefined, cat: Catalog): void => {
        if (!sql) return;
        assert.deepEqual(unknown(sql, cat), [], what);
        checked.push(what);
      };
      check('seed', p.rehearsal.seed, c);
      for (const phase of p.phases) {
        const beforePhase = c.clone();
        // each statement against the state the statements before it left
        for (const s of phase.sql ? parse(phase.sql) : []) {
          assert.deepEqual(unknownNames(s, c, { sql: phase.sql }), [], `${phase.id} sql`);
          c.apply(s.stmt, { source: phase.id, location: s.stmt_location ?? 0 });
        }
        if (phase.sql) checked.push(`${phase.id} sql`);
        check(`${phase.id} rollback_sql`, phase.rollback_sql, c.clone());
        check(`${phase.id} upsert`, phase.upsert, c);
        for (const k of phase.checks ?? []) check(`${phase.id} check ${k.name}`, k.query, c);
        if (phase.id !== 'cleanup') check(`writes after ${phase.id}`, p.rehearsal.writes, c);
        // the phase's rollback returns to where it started
        if (phase.rollback_sql && phase.sql) {
          const back = c.clone();
          for (const s of parse(phase.rollback_sql)) back.apply(s.stmt, { source: 'rollback', location: s.stmt_location ?? 0 });
          assert.deepEqual([...back.tables.get('users')!.columns.keys()], [...beforePhase.tables.get('users')!.columns.keys()]);
        }
      }
      assert.deepEqual(checked, [
        'seed',
        'dual-write sql', 'dual-write rollback_sql', 'dual-write check divergent rows', 'writes after dual-write',
        'backfill rollback_sql', 'backfill upsert', 'backfill check rows left', 'backfill check split matches name', 'writes after backfill',
        'cutover sql', 'cutover rollback_sql', 'writes after cutover',
        'verification check checksums', 'writes after verification',
        'cleanup sql', 'cleanup check old column gone',
      ]);
    });

    it('finds the new columns unknown before the phase that adds them, at their offsets', () => {
      const p = plan();
      const current = catalogOf(parse(p.context.current_schema), 'current_schema').catalog;
      const query = p.phases[0].checks![0].query!;
      assert.deepEqual(unknown(query, current), [
        'column users.first_name@first_name',
        'column users.first_name@first_name',
        'column users.last_name@last_name',
      ]);
      // and `name` after cleanup dropped it
      const after = current.clone();
      for (const phase of p.phases) for (const s of phase.sql ? parse(phase.sql) : []) after.apply(s.stmt, { source: phase.id, location: 0 });
      assert.deepEqual(unknown(p.phases[1].upsert!, after), ['column users.name@name', 'column users.name@name', 'column users.name@name']);
      assert.deepEqual(unknown(p.rehearsal.writes, after), ['column users.name@name', 'column users.name@name']);
    });

    it('reads the checks the way PostgreSQL would', () => {
      const p = plan();
      assert.deepEqual(uses(p.phases[0].checks![0].query!), [
        'table users', 'column users.first_name', 'column users.name', 'column users.first_name', 'column users.last_name',
      ]);
      assert.deepEqual(uses(p.phases[3].checks![0].query!), [
        'column users.name', 'column users.first_name', 'column users.last_name', 'table users',
      ]);
      assert.deepEqual(uses(p.phases[4].checks![0].query!), ['table information_schema.columns']);
      assert.deepEqual(uses(p.phases[1].upsert!), [
        'table users (write)', 'column users.first_name (write)', 'column users.name', 'column users.last_name (write)',
        'column users.name', 'column users.name', 'column users.id', 'column users.id', 'column users.first_name',
      ]);
    });
  });

  describe('realistic queries', () => {
    const c = (): Catalog => catalog(SCHEMA);
    const clean: Array<[string, string]> = [
      ['join with aliases', `SELECT u.id, u.email, o.total_cents, i.sku
        FROM users AS u JOIN orders o ON o.user_id = u.id LEFT JOIN order_items i ON i.order_id = o.id
        WHERE o.status = 'paid' AND u.created_at > now() - interval '1 day'`],
      ['unqualified columns of several tables', 'SELECT email, total_cents, sku FROM users, orders, order_items WHERE user_id = 1'],
      ['USING and NATURAL', 'SELECT id, u.name FROM users u JOIN orders o USING (id) NATURAL JOIN order_items'],
      ['aggregates, FILTER, GROUP BY and ORDER BY output names', `SELECT u.id AS uid, count(*) FILTER (WHERE o.status = 'paid') AS paid,
        sum(o.total_cents) total FROM users u LEFT JOIN orders o ON o.user_id = u.id
        GROUP BY uid HAVING count(*) > 1 ORDER BY paid DESC, total, 1`],
      ['count(*) AS n … ORDER BY n', 'SELECT count(*) AS n, status FROM orders GROUP BY status ORDER BY n'],
      ['implicit output names', 'SELECT max(total_cents), status FROM orders GROUP BY status ORDER BY max'],
      ['CTEs', `WITH recent AS (SELECT id, user_id AS uid FROM orders WHERE created_at > now() - interval '7 days'),
             spenders (who, n) AS (SELECT uid, count(*) FROM recent GROUP BY uid)
        SELECT u.email, s.n, recent.id FROM spenders s JOIN users u ON u.id = s.who JOIN recent ON recent.uid = u.id`],
      ['recursive CTE', 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r'],
      ['correlated subqueries', `SELECT id, (SELECT count(*) FROM orders o WHERE o.user_id = users.id) AS orders
        FROM users WHERE EXISTS (SELECT 1 FROM orders WHERE user_id = users.id AND name <> '')
        AND id IN (SELECT user_id FROM orders) AND email = ANY (SELECT email FROM users)`],
      ['subquery in FROM and LATERAL', `SELECT t.uid, t.n, l.last FROM (SELECT user_id AS uid, count(*) AS n FROM orders GROUP BY user_id) t,
        LATERAL (SELECT max(created_at) AS last FROM orders WHERE user_id = t.uid) l`],
      ['functions, VALUES and whole rows in FROM', `SELECT g, g.g, v.a, x FROM generate_series(1, 10) AS g, (VALUES (1, 'a')) AS v (a, b),
        unnest(ARRAY[1, 2]) x, users u WHERE u IS NOT NULL AND v.b IS NULL`],
      ['window functions', 'SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at) FROM orders WINDOW w AS (ORDER BY id)'],
      ['UNION with ORDER BY', 'SELECT id, email FROM users UNION ALL SELECT id, status FROM orders ORDER BY email'],
      ['system columns and catalogs', `SELECT ctid, xmin, tableoid FROM users;`],
      ['the catalogs', `SELECT c.relname, a.attname FROM pg_catalog.pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.relname IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public')`],
      ['a view and a sequence', "SELECT id, total_cents, nextval('invoice_no') FROM big_orders"],
      ['INSERT … SELECT … ON CONFLICT … DO UPDATE with excluded', `INSERT INTO users AS u (id, name, email)
        SELECT g, 'user ' || g, 'u' || g || '@x' FROM generate_series(1, $1) AS g
        ON CONFLICT (id) WHERE id > 0 DO UPDATE SET name = excluded.name, email = EXCLUDED.email || u.email
        WHERE u.name IS DISTINCT FROM excluded.name RETURNING u.id`],
      ['INSERT … VALUES … ON CONFLICT ON CONSTRAINT', "INSERT INTO orders VALUES (1, 2, 3, DEFAULT) ON CONFLICT ON CONSTRAINT orders_pkey DO NOTHING"],
      ['UPDATE … FROM', `UPDATE orders o SET status = 'vip', total_cents = o.total_cents + 1
        FROM users u WHERE u.id = o.user_id AND u.email LIKE '%@corp' RETURNING o.id, u.email`],
      ['UPDATE with a multi-column SET', 'UPDATE users SET (first_name, last_name) = (SELECT split_part(name, \' \', 1), split_part(name, \' \', 2)) WHERE id = $1'],
      ['DELETE … USING', "DELETE FROM order_items USING orders WHERE orders.id = order_items.order_id AND orders.status = 'void'"],
      ['data-modifying CTE', 'WITH gone AS (DELETE FROM orders WHERE status = \'void\' RETURNING id, user_id) SELECT count(*), gone.user_id FROM gone GROUP BY 2'],
      ['MERGE', `MERGE INTO users t USING (SELECT user_id, max(status) AS s FROM orders GROUP BY user_id) src ON t.id = src.user_id
        WHEN MATCHED THEN UPDATE SET name = src.s WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (src.user_id, src.s, '')`],
      ['schema-qualified', 'SELECT public.users.id, users.email FROM public.users'],
      ['COPY and TRUNCATE and VACUUM', 'COPY users (id, email) TO STDOUT; TRUNCATE order_items; VACUUM (ANALYZE) orders (status)'],
      ['DDL on existing names', `ALTER TABLE users ADD COLUMN nick text, ADD CONSTRAINT nick_len CHECK (length(nick) < 20) NOT VALID,
        ALTER COLUMN first_name SET NOT NULL, DROP COLUMN last_name;
        CREATE INDEX CONCURRENTLY ON orders (user_id, lower(status)) INCLUDE (total_cents) WHERE status IS NOT NULL;
        ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
        CREATE TABLE refunds (id int PRIMARY KEY, order_id bigint REFERENCES orders, amount int CHECK (amount > 0),
                              parent int REFERENCES refunds (id), UNIQUE (order_id, amount));
        ALTER TABLE users RENAME COLUMN email TO mail; ALTER TABLE orders RENAME TO purchases;
        DROP TABLE IF EXISTS nothing_here; ALTER TABLE IF EXISTS nothing_here DROP COLUMN x; ALTER TABLE users DROP COLUMN IF EXISTS nope`],
    ];
    for (const [what, sql] of clean) {
      it(`finds no unknown name: ${what}`, () => {
        assert.deepEqual(unknown(sql, c()), []);
      });
    }

    it('resolves columns through aliases, excluded and the single table in FROM', () => {
      assert.deepEqual(uses('SELECT u.id, o.total_cents, status FROM users u JOIN orders o ON o.user_id = u.id'), [
        'column users.id', 'column orders.total_cents', 'column status', 'table users', 'table orders', 'column orders.user_id', 'column users.id',
      ]);
      // with the catalog, an unqualified column of a join is resolved too
      assert.deepEqual(uses('SELECT status, email FROM users u JOIN orders o ON o.user_id = u.id', { catalog: c() }).slice(0, 2), [
        'column orders.status', 'column users.email',
      ]);
      assert.deepEqual(uses('INSERT INTO users AS u (id, email) VALUES (1, $1) ON CONFLICT (email) DO UPDATE SET email = excluded.email'), [
        'table users (write)', 'column users.id (write)', 'column users.email (write)', 'column users.email', 'column users.email (write)', 'column users.email',
      ]);
      // CTE, subquery and function columns are not table columns; the CTE's own body is
      assert.deepEqual(uses('WITH x AS (SELECT id FROM users) SELECT x.id, g FROM x, generate_series(1, 2) g'), ['column users.id', 'table users']);
    });

    it('marks what a statement creates or writes', () => {
      assert.deepEqual(uses('CREATE TABLE t (a int REFERENCES users (id), b int CHECK (b > a))'), [
        'table t (new) (write)', 'column t.a (new) (write)', 'table users', 'column users.id', 'column t.b (new) (write)', 'column t.b', 'column t.a',
      ]);
      assert.deepEqual(uses('ALTER TABLE users ADD COLUMN c int, DROP COLUMN name, ALTER COLUMN email TYPE varchar(100)'), [
        'table users', 'column users.c (new) (write)', 'column users.name (write)', 'column users.email (write)',
      ]);
      assert.deepEqual(uses('ALTER TABLE users RENAME COLUMN name TO full_name'), ['table users', 'column users.name (write)', 'column users.full_name (new) (write)']);
      assert.deepEqual(uses('ALTER TABLE s.users RENAME TO people'), ['table s.users', 'table s.people (new) (write)']);
      assert.deepEqual(uses('DROP TABLE IF EXISTS a, s.b'), ['table a (write) (if exists)', 'table s.b (write) (if exists)']);
      assert.deepEqual(uses('ALTER TABLE t ADD CONSTRAINT c CHECK (x IS NOT NULL) NOT VALID'), ['table t', 'column t.x']);
      assert.deepEqual(uses('ALTER TABLE t ADD FOREIGN KEY (a, b) REFERENCES u (x, y)'), ['table t', 'column t.a', 'column t.b', 'table u', 'column u.x', 'column u.y']);
      assert.deepEqual(uses('CREATE INDEX ON t (a, b)'), ['table t', 'column t.a', 'column t.b']);
    });
  });

  describe('planted unknown names', () => {
    const c = (): Catalog => catalog(SCHEMA);

    it('are found, at their byte offsets', () => {
      const sql = `SELECT u.id, u.emial, o.total, nme
        FROM users u JOIN ordres o ON o.user_id = u.id JOIN orders o2 ON o2.user_id = u.id
        WHERE o2.stauts = 'x' AND zz.id = 1`;
      // `o.total` and `nme` could be columns of ordres, which is not known: not reported
      assert.deepEqual(unknown(sql, c()), [
        'column users.emial@emial',
        'table ordres@ordres',
        'column orders.stauts@stauts',
        'table zz@zz',
      ]);
      const found = unknownNames(parse(sql)[0], c(), { sql });
      assert.equal(found.find((u) => u.name === 'emial')!.reason, 'column emial does not exist in table users');
      assert.deepEqual(unknown('SELECT nme FROM users, orders', c()), ['column nme@nme']);
      assert.equal(unknownNames(parse('SELECT nme FROM users, orders')[0], c()).at(0)?.reason, 'column nme does not exist in any of table users, table orders');
      assert.equal(found.find((u) => u.name === 'zz')!.reason, 'missing FROM-clause entry for zz');
    });

    it('after multi-byte characters', () => {
      const sql = "SELECT '👩‍💻 naïve' AS label, -- çà et là\n nämé, \"Émail\" FROM users /* ✓ */ WHERE ünknown_col > 0";
      const found = unknownNames(parse(sql)[0], c(), { sql });
      assert.deepEqual(found.map((u) => [u.name, at(sql, u)]), [['nämé', 'nämé'], ['Émail', '"Émail"'], ['ünknown_col', 'ünknown_col']]);
      // byte offsets, not UTF-16 ones
      assert.equal(found[0].location, Buffer.from(sql).indexOf('nämé'));
      assert.notEqual(found[0].location, sql.indexOf('nämé'));
    });

    it('in INSERT columns, ON CONFLICT, excluded, UPDATE … FROM, DELETE … USING and CTEs', () => {
      const sql = `INSERT INTO users (id, emal) SELECT id, email FROM users_old ON CONFLICT (idd) DO UPDATE SET name = excluded.nam;
        UPDATE orders o SET statuz = 'x' FROM users u WHERE u.id = o.usr_id;
        DELETE FROM orders USING users WHERE users.idx = orders.user_id;
        WITH x AS (SELECT id FROM users) SELECT x.name FROM x;
        UPDATE orders SET total_cents = 0 WHERE NOT EXISTS (SELECT 1 FROM order_items WHERE order_id = orders.id AND quantity > 0)`;
      assert.deepEqual(unknown(sql, c()), [
        'column users.emal@emal', 'table users_old@users_old', 'column users.idd@idd', 'column users.nam@nam',
        'column orders.statuz@statuz', 'column orders.usr_id@usr_id',
        'column users.idx@idx',
        'column name@name',
        'column order_items.quantity@quantity',
      ]);
    });

    it('in DDL: dropped, altered, indexed, constrained and referenced columns; tables', () => {
      const sql = `ALTER TABLE users DROP COLUMN nam, ALTER COLUMN "Email" SET NOT NULL, ADD CONSTRAINT c CHECK (frist_name IS NOT NULL);
        CREATE INDEX ON orders (user_id, lower(stat)) INCLUDE (totl);
        ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (uid);
        CREATE TABLE t (a int REFERENCES userz (id), b int CHECK (c > 0), UNIQUE (a, d));
        DROP TABLE orders, nope;
        ALTER TABLE users RENAME COLUMN nmae TO name2;
        TRUNCATE gone;`;
      assert.deepEqual(unknown(sql, c()), [
        'column users.nam@nam', 'column users.Email@"Email"', 'column users.frist_name@frist_name',
        'column orders.stat@stat', 'column orders.totl@totl',
        'column users.uid@uid',
        'table userz@userz', 'column t.c@c', 'column t.d@d',
        'table nope@nope',
        'column users.nmae@nmae',
        'table gone@gone',
      ]);
    });

    it('stay silent where resolution is ambiguous or impossible', () => {
      const cat = c();
      for (const sql of [
        'SELECT id FROM users JOIN orders ON true', // ambiguous: PostgreSQL's error, not ours to guess
        'SELECT anything FROM users, some_view_we_do_not_know', // an unknown table hides its columns
        'SELECT x.whatever FROM (SELECT * FROM users) x', // * of a subquery
        'SELECT f.anything FROM my_function() f', // function output columns
        'SELECT whatever FROM all_users a JOIN users u ON true', // a could have it
        'SELECT u.a FROM users u(a, b)', // renamed columns
        'SELECT anything FROM json_to_record($1) AS r(anything int)',
      ]) {
        const names = unknown(sql, cat).filter((n) => !n.startsWith('table some_view') && !n.startsWith('table my_function'));
        assert.deepEqual(names, [], sql);
      }
      assert.deepEqual(unknown('SELECT anything FROM users, some_view_we_do_not_know', cat), ['table some_view_we_do_not_know@some_view_we_do_not_know']);
      // a view whose columns are known is checked
      assert.deepEqual(unknown('SELECT b.id, b.status FROM big_orders b', cat), ['column big_orders.status@status']);
    });

    it('locate names the parser gives no location for, in the second statement of a text', () => {
      const sql = 'DROP TABLE IF EXISTS orders;\n  DROP TABLE "Ünknown", public.gone CASCADE;\nALTER TABLE users DROP COLUMN\n  -- the old one\n  "nämé"';
      const stmts = parse(sql);
      const found = stmts.flatMap((s) => unknownNames(s, c(), { sql }));
      assert.deepEqual(found.map((u) => [u.name, at(sql, u)]), [['Ünknown', '"Ünknown"'], ['gone', 'public.gone'], ['nämé', '"nämé"']]);
      // without the text: the statement's (or the relation's) location stands in
      const blind = stmts.flatMap((s) => unknownNames(s, c()));
      assert.deepEqual(blind.map((u) => [u.name, u.location]), [
        ['Ünknown', stmts[1].stmt_location],
        ['gone', stmts[1].stmt_location],
        ['nämé', Buffer.from(sql).indexOf('users')],
      ]);
    });

    it('follow the catalog of the point in the plan', () => {
      const cat = c();
      const sql = 'SELECT nick FROM users';
      assert.deepEqual(unknown(sql, cat), ['column users.nick@nick']);
      for (const s of parse('ALTER TABLE users ADD COLUMN nick text')) cat.apply(s.stmt, { source: 'phase', location: 0 });
      assert.deepEqual(unknown(sql, cat), []);
      for (const s of parse('ALTER TABLE users RENAME TO people')) cat.apply(s.stmt, { source: 'phase', location: 0 });
      assert.deepEqual(unknown(sql, cat), ['table users@users']);
      // a column added earlier in the same ALTER TABLE is there for its constraints
      assert.deepEqual(unknown('ALTER TABLE people ADD COLUMN x int, ADD CONSTRAINT x_pos CHECK (x > 0)', cat), []);
    });
  });
});
