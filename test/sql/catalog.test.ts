/**
 * The catalog: the schema at each point of a plan, built from parsed DDL
 * without a database, and its differences from another catalog.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as pg from 'libpg-query';
import { parse as parseYaml } from 'yaml';
import {
  type ApplyNote,
  Catalog,
  catalogDiff,
  catalogOf,
  constraintDefinition,
  defaultText,
  exprText,
  indexDefinition,
  makeObjectName,
  typeText,
} from '../../server/src/service/sql/catalog';
import { ROOT } from '../helpers';

interface RawStmt {
  stmt: unknown;
  stmt_location?: number;
  stmt_len?: number;
}

function parse(sql: string): RawStmt[] {
  return (pg.parseSync(sql) as { stmts: RawStmt[] }).stmts;
}

/** A catalog of `ddl`, asserting it applied without a note. */
function build(ddl: string): Catalog {
  const { catalog, notes } = catalogOf(parse(ddl), 'ddl');
  assert.deepEqual(notes, []);
  return catalog;
}

/** Applies `sql` to the catalog; returns the notes. */
function run(catalog: Catalog, sql: string): ApplyNote[] {
  const notes: ApplyNote[] = [];
  for (const s of parse(sql)) notes.push(...catalog.apply(s.stmt, { source: 'sql', location: s.stmt_location ?? 0 }));
  return notes;
}

function columns(catalog: Catalog, table: string): string[] {
  const t = catalog.tables.get(table);
  assert.ok(t, `table ${table}`);
  return [...t.columns.values()].map((c) => `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}`);
}

function constraintNames(catalog: Catalog, table: string): string[] {
  return catalog.constraintsOf(table).map((c) => c.name).sort();
}

function indexNames(catalog: Catalog, table?: string): string[] {
  return [...catalog.indexes.values()].filter((i) => !table || i.table === table).map((i) => i.name).sort();
}

/** The expression of `SELECT <expr>` as the AST. */
function expr(text: string): unknown {
  const s = parse(`SELECT ${text}`)[0].stmt as { SelectStmt: { targetList: Array<{ ResTarget: { val: unknown } }> } };
  return s.SelectStmt.targetList[0].ResTarget.val;
}

/** The TypeName of `CREATE TABLE t (c <type>)`. */
function typeName(text: string): unknown {
  const s = parse(`CREATE TABLE t (c ${text})`)[0].stmt as { CreateStmt: { tableElts: Array<{ ColumnDef: { typeName: unknown } }> } };
  return s.CreateStmt.tableElts[0].ColumnDef.typeName;
}

interface PlanSql {
  current: string;
  target: string;
  phases: Array<{ id: string; sql?: string }>;
}

function planSql(file: string): PlanSql {
  const plan = parseYaml(fs.readFileSync(file, 'utf8')) as {
    context: { current_schema: string; target_schema: string };
    phases: Array<{ id: string; sql?: string }>;
  };
  return { current: plan.context.current_schema, target: plan.context.target_schema, phases: plan.phases };
}

const EXAMPLE = path.join(ROOT, 'examples', 'split-user-name-postgres.migplan.yaml');

describe('catalog', () => {
  before(async () => {
    await pg.loadModule();
  });

  describe('the example plan', () => {
    for (const file of [EXAMPLE]) {
      it(`reaches the target schema after cleanup (${path.basename(file)})`, () => {
        const plan = planSql(file);
        const current = catalogOf(parse(plan.current), 'current_schema');
        assert.deepEqual(current.notes, []);
        const target = catalogOf(parse(plan.target), 'target_schema');
        assert.deepEqual(target.notes, []);

        // before the plan: the change itself
        const before = catalogDiff(current.catalog, target.catalog).map((d) => `${d.kind} ${d.table}.${d.name}`).sort();
        assert.deepEqual(before, [
          'extra-column users.name',
          'extra-index users.users_name_idx',
          'missing-column users.first_name',
          'missing-column users.last_name',
          'missing-index users.users_last_first_idx',
        ]);

        const catalog = current.catalog.clone();
        for (const phase of plan.phases) {
          if (phase.sql) assert.deepEqual(run(catalog, phase.sql), [], phase.id);
          if (phase.id === 'dual-write') {
            assert.deepEqual(columns(catalog, 'users').slice(-2), ['first_name text', 'last_name text']);
          }
        }
        assert.deepEqual(catalogDiff(catalog, target.catalog), []);
        // the clone left the current schema alone
        assert.ok(current.catalog.tables.get('users')!.columns.has('name'));
        assert.ok(!current.catalog.tables.get('users')!.columns.has('first_name'));
      });
    }

    it('models the current schema as PostgreSQL would', () => {
      const { catalog } = catalogOf(parse(planSql(EXAMPLE).current), 'current_schema');
      assert.deepEqual(columns(catalog, 'users'), [
        'id bigint NOT NULL',
        'name text NOT NULL',
        'email text NOT NULL',
        'created_at timestamp with time zone NOT NULL DEFAULT now()',
      ]);
      assert.deepEqual(constraintNames(catalog, 'users'), ['users_email_key', 'users_pkey']);
      assert.deepEqual(constraintNames(catalog, 'orders'), ['orders_pkey', 'orders_user_id_fkey']);
      const fk = catalog.constraint('orders', 'orders_user_id_fkey')!;
      assert.deepEqual(fk.references, { table: 'users', columns: ['id'] });
      assert.equal(constraintDefinition(fk), 'FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT');
      assert.deepEqual(indexNames(catalog), ['orders_pkey', 'users_email_key', 'users_name_idx', 'users_pkey']);
      assert.equal(catalog.indexes.get('users_pkey')!.constraint, 'users_pkey');
      assert.equal(indexDefinition(catalog.indexes.get('users_name_idx')!), 'ON users USING btree (name)');
      // origins point at the defining nodes
      const text = planSql(EXAMPLE).current;
      const bytes = Buffer.from(text);
      const at = (o: { location: number } | undefined): string => bytes.subarray(o!.location, o!.location + 12).toString();
      assert.ok(at(catalog.tables.get('orders')!.origin).startsWith('orders ('));
      assert.ok(at(catalog.tables.get('users')!.columns.get('created_at')!.origin).startsWith('created_at'));
      assert.equal(catalog.tables.get('users')!.origin!.source, 'current_schema');
    });

    it('follows the cleanup phase step by step', () => {
      const plan = planSql(EXAMPLE);
      const { catalog } = catalogOf(parse(plan.current), 'current_schema');
      for (const phase of plan.phases.slice(0, 3)) if (phase.sql) run(catalog, phase.sql);
      const cleanup = parse(plan.phases.find((p) => p.id === 'cleanup')!.sql!);
      const step = (i: number): ApplyNote[] => catalog.apply(cleanup[i].stmt, { source: 'cleanup', location: cleanup[i].stmt_location ?? 0 });
      assert.deepEqual(step(0), []); // SET
      assert.deepEqual(step(1), []);
      const c = catalog.constraint('users', 'users_first_name_not_null')!;
      assert.equal(c.kind, 'check');
      assert.equal(c.validated, false);
      assert.equal(c.notNullOf, 'first_name');
      assert.equal(constraintDefinition(c), 'CHECK (first_name IS NOT NULL) NOT VALID');
      step(2);
      assert.equal(catalog.constraint('users', 'users_first_name_not_null')!.validated, true);
      assert.equal(catalog.constraint('users', 'users_last_name_not_null')!.validated, false);
      step(3);
      step(4);
      assert.equal(catalog.tables.get('users')!.columns.get('first_name')!.notNull, true);
      step(5);
      assert.equal(catalog.constraint('users', 'users_first_name_not_null'), undefined);
      step(6);
      assert.equal(catalog.indexes.get('users_name_idx'), undefined);
      step(7);
      assert.ok(!catalog.tables.get('users')!.columns.has('name'));
    });
  });

  describe('statements', () => {
    const base = `
      CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text);
      CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, note text);
      CREATE INDEX orders_note_idx ON orders (note);`;

    it('CREATE TABLE: columns, column and table constraints', () => {
      const c = build(`CREATE TABLE public.t (
        a integer NOT NULL,
        b varchar(10) NULL DEFAULT 'x',
        c int CHECK (c > 0) REFERENCES t (a),
        d text UNIQUE,
        PRIMARY KEY (a),
        CONSTRAINT t_bd UNIQUE (b, d),
        CHECK (a > c),
        FOREIGN KEY (c, d) REFERENCES t (a, d)
      )`);
      assert.deepEqual(columns(c, 't'), [
        'a integer NOT NULL',
        "b character varying(10) DEFAULT 'x'",
        'c integer',
        'd text',
      ]);
      assert.deepEqual(constraintNames(c, 't'), ['t_bd', 't_c_check', 't_c_d_fkey', 't_c_fkey', 't_check', 't_d_key', 't_pkey']);
      assert.deepEqual(c.constraint('t', 't_bd')!.columns, ['b', 'd']);
      assert.deepEqual(c.constraint('t', 't_c_fkey')!.references, { table: 't', columns: ['a'] });
      assert.equal(c.constraint('t', 't_check')!.expression, 'a > c');
      assert.deepEqual(c.constraint('t', 't_check')!.columns, ['a', 'c']);
      assert.deepEqual(indexNames(c), ['t_bd', 't_d_key', 't_pkey']);
    });

    it('CREATE TABLE: a PRIMARY KEY makes its columns NOT NULL; IF NOT EXISTS; an existing name', () => {
      const c = build('CREATE TABLE t (a int, b int, PRIMARY KEY (a, b))');
      assert.deepEqual(columns(c, 't'), ['a integer NOT NULL', 'b integer NOT NULL']);
      assert.deepEqual(run(c, 'CREATE TABLE IF NOT EXISTS t (x int)'), []);
      const notes = run(c, 'CREATE TABLE t (x int)');
      assert.deepEqual(notes.map((n) => n.kind), ['already-exists']);
      assert.deepEqual(columns(c, 't'), ['a integer NOT NULL', 'b integer NOT NULL']);
    });

    it('CREATE TABLE: serial and identity columns, schemas, LIKE, INHERITS', () => {
      const c = build(`
        CREATE TABLE s.items (id serial PRIMARY KEY, big bigserial, n int GENERATED ALWAYS AS IDENTITY);
        CREATE TABLE copy (LIKE s.items);
        CREATE TABLE copy2 (LIKE s.items INCLUDING DEFAULTS);
        CREATE TABLE child (extra text) INHERITS (copy);`);
      assert.deepEqual(columns(c, 's.items'), [
        "id integer NOT NULL DEFAULT nextval('s.items_id_seq'::regclass)",
        "big bigint NOT NULL DEFAULT nextval('s.items_big_seq'::regclass)",
        'n integer NOT NULL',
      ]);
      assert.equal(c.tables.get('s.items')!.columns.get('n')!.identity, 'always');
      assert.equal(c.relations.get('s.items_id_seq')!.kind, 'sequence');
      assert.deepEqual(indexNames(c), ['s.items_pkey']);
      assert.equal(c.constraint('s.items', 'items_pkey')!.index, 's.items_pkey');
      assert.deepEqual(columns(c, 'copy'), ['id integer NOT NULL', 'big bigint NOT NULL', 'n integer NOT NULL']);
      assert.equal(columns(c, 'copy2')[0], "id integer NOT NULL DEFAULT nextval('s.items_id_seq'::regclass)");
      assert.deepEqual(columns(c, 'child'), ['id integer NOT NULL', 'big bigint NOT NULL', 'n integer NOT NULL', 'extra text']);
      const notes = run(c, 'CREATE TABLE copy3 (LIKE s.items INCLUDING ALL)');
      assert.deepEqual(notes.map((n) => n.kind), ['not-modelled']);
    });

    it('CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS], with generated names', () => {
      const c = build(base);
      assert.deepEqual(run(c, `
        CREATE UNIQUE INDEX CONCURRENTLY users_lower_email ON users (lower(email));
        CREATE INDEX ON users (name);
        CREATE INDEX ON users (name);
        CREATE INDEX ON users (name, email) INCLUDE (id) WHERE name IS NOT NULL;
        CREATE INDEX ON users ((id + 1));
        CREATE INDEX IF NOT EXISTS users_lower_email ON users (email);`), []);
      assert.deepEqual(indexNames(c, 'users'), [
        'users_email_key', 'users_expr_idx', 'users_lower_email', 'users_name_email_id_idx', 'users_name_idx', 'users_name_idx1', 'users_pkey',
      ]);
      const lower = c.indexes.get('users_lower_email')!;
      assert.deepEqual(lower.columns, ['lower(email)']);
      assert.equal(lower.unique, true);
      const partial = c.indexes.get('users_name_email_id_idx')!;
      assert.deepEqual(partial.columns, ['name', 'email']);
      assert.deepEqual(partial.include, ['id']);
      assert.equal(indexDefinition(partial), 'ON users USING btree (name, email) INCLUDE (id) WHERE name IS NOT NULL');
      assert.deepEqual(run(c, 'CREATE INDEX users_name_idx ON users (email)').map((n) => n.kind), ['already-exists']);
      assert.deepEqual(run(c, 'CREATE INDEX ON nope (a)').map((n) => n.kind), ['unknown-table']);
      assert.deepEqual(run(c, 'CREATE INDEX ON users (nope)').map((n) => n.kind), ['unknown-column']);
    });

    it('DROP INDEX [CONCURRENTLY] [IF EXISTS]', () => {
      const c = build(base);
      assert.deepEqual(run(c, 'DROP INDEX CONCURRENTLY orders_note_idx; DROP INDEX IF EXISTS orders_note_idx'), []);
      assert.deepEqual(indexNames(c, 'orders'), ['orders_pkey']);
      assert.deepEqual(run(c, 'DROP INDEX orders_note_idx').map((n) => n.kind), ['unknown-index']);
      // a constraint's index goes with the constraint only
      assert.deepEqual(run(c, 'DROP INDEX users_email_key').map((n) => n.kind), ['has-dependents']);
      assert.ok(c.indexes.has('users_email_key'));
    });

    it('DROP TABLE [IF EXISTS]: its indexes and constraints go; referencing foreign keys need CASCADE', () => {
      const c = build(base);
      const notes = run(c, 'DROP TABLE users');
      assert.deepEqual(notes.map((n) => n.kind), ['has-dependents']);
      assert.match(notes[0].message, /orders_user_id_fkey/);
      assert.ok(c.tables.has('users'));
      assert.deepEqual(run(c, 'DROP TABLE IF EXISTS nope, users CASCADE'), []);
      assert.ok(!c.tables.has('users'));
      assert.deepEqual(indexNames(c), ['orders_note_idx', 'orders_pkey']);
      assert.deepEqual(constraintNames(c, 'orders'), ['orders_pkey']);
      assert.deepEqual(constraintNames(c, 'users'), []);
      assert.deepEqual(run(c, 'DROP TABLE orders'), []);
      assert.equal(c.indexes.size + c.constraints.size + c.tables.size, 0);
      assert.deepEqual(run(c, 'DROP TABLE orders').map((n) => n.kind), ['unknown-table']);
    });

    it('ALTER TABLE ADD COLUMN [IF NOT EXISTS], DROP COLUMN [IF EXISTS]', () => {
      const c = build(base);
      assert.deepEqual(run(c, `ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0 CHECK (age >= 0),
                                 ADD COLUMN IF NOT EXISTS name text, ADD nick text UNIQUE`), []);
      assert.deepEqual(columns(c, 'users').slice(-2), ['age integer NOT NULL DEFAULT 0', 'nick text']);
      assert.ok(c.constraint('users', 'users_age_check'));
      assert.ok(c.constraint('users', 'users_nick_key'));
      assert.deepEqual(run(c, 'ALTER TABLE users ADD COLUMN name text').map((n) => n.kind), ['already-exists']);
      // dropping a column drops the indexes and constraints on it
      assert.deepEqual(run(c, 'ALTER TABLE users DROP COLUMN nick, DROP COLUMN age, DROP COLUMN IF EXISTS nope'), []);
      assert.equal(c.constraint('users', 'users_age_check'), undefined);
      assert.equal(c.constraint('users', 'users_nick_key'), undefined);
      assert.ok(!c.indexes.has('users_nick_key'));
      assert.deepEqual(run(c, 'ALTER TABLE users DROP COLUMN nope').map((n) => n.kind), ['unknown-column']);
      // a column another table's foreign key references needs CASCADE
      assert.deepEqual(run(c, 'ALTER TABLE users DROP COLUMN id').map((n) => n.kind), ['has-dependents']);
      assert.deepEqual(run(c, 'ALTER TABLE users DROP COLUMN id CASCADE'), []);
      assert.equal(c.constraint('orders', 'orders_user_id_fkey'), undefined);
      assert.equal(c.constraint('users', 'users_pkey'), undefined);
      assert.deepEqual(run(c, 'ALTER TABLE orders DROP COLUMN note'), []);
      assert.ok(!c.indexes.has('orders_note_idx'));
      assert.deepEqual(run(c, 'ALTER TABLE IF EXISTS nope DROP COLUMN a'), []);
      assert.deepEqual(run(c, 'ALTER TABLE nope DROP COLUMN a').map((n) => n.kind), ['unknown-table']);
    });

    it('ALTER COLUMN TYPE, SET/DROP NOT NULL, SET/DROP DEFAULT', () => {
      const c = build(base);
      assert.deepEqual(run(c, `ALTER TABLE users ALTER COLUMN name TYPE varchar(64), ALTER name SET NOT NULL,
                                 ALTER COLUMN name SET DEFAULT 'anon', ALTER COLUMN email DROP NOT NULL`), []);
      assert.deepEqual(columns(c, 'users').slice(1), ['email text', "name character varying(64) NOT NULL DEFAULT 'anon'"]);
      assert.deepEqual(run(c, 'ALTER TABLE users ALTER COLUMN name DROP DEFAULT, ALTER COLUMN name DROP NOT NULL, ALTER COLUMN name TYPE text USING name::text'), []);
      assert.deepEqual(columns(c, 'users')[2], 'name text');
      assert.deepEqual(run(c, 'ALTER TABLE users ALTER COLUMN id DROP NOT NULL').map((n) => n.kind), ['has-dependents']);
      assert.deepEqual(run(c, 'ALTER TABLE users ALTER COLUMN nope SET NOT NULL').map((n) => n.kind), ['unknown-column']);
    });

    it('ADD CONSTRAINT … NOT VALID, VALIDATE CONSTRAINT, DROP CONSTRAINT', () => {
      const c = build(base);
      assert.deepEqual(run(c, `ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;
                               ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
                               ALTER TABLE users ADD CHECK (length(name) > 1), ADD UNIQUE (name, email)`), []);
      const check = c.constraint('users', 'name_nn')!;
      assert.equal(check.validated, false);
      assert.equal(check.notNullOf, 'name');
      const fk = c.constraint('orders', 'orders_user_id_fkey1')!;
      assert.equal(fk.validated, false);
      assert.ok(c.constraint('users', 'users_name_check'));
      assert.ok(c.constraint('users', 'users_name_email_key'));
      assert.ok(c.indexes.has('users_name_email_key'));
      assert.deepEqual(run(c, 'ALTER TABLE users VALIDATE CONSTRAINT name_nn; ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey1'), []);
      assert.equal(check.validated, true);
      assert.equal(fk.validated, true);
      assert.equal(c.constraint('users', 'users_name_check')!.notNullOf, undefined);
      assert.deepEqual(run(c, 'ALTER TABLE users DROP CONSTRAINT name_nn, DROP CONSTRAINT users_name_email_key, DROP CONSTRAINT IF EXISTS nope'), []);
      assert.equal(c.constraint('users', 'name_nn'), undefined);
      assert.ok(!c.indexes.has('users_name_email_key'));
      assert.deepEqual(run(c, 'ALTER TABLE users DROP CONSTRAINT nope').map((n) => n.kind), ['unknown-constraint']);
      assert.deepEqual(run(c, 'ALTER TABLE users VALIDATE CONSTRAINT nope').map((n) => n.kind), ['unknown-constraint']);
      // the primary key a foreign key references needs CASCADE
      assert.deepEqual(run(c, 'ALTER TABLE users DROP CONSTRAINT users_pkey').map((n) => n.kind), ['has-dependents']);
      assert.deepEqual(run(c, 'ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE'), []);
      assert.deepEqual(constraintNames(c, 'orders'), ['orders_pkey']);
      // its NOT NULL stays (PostgreSQL 17)
      assert.equal(c.tables.get('users')!.columns.get('id')!.notNull, true);
      assert.deepEqual(run(c, 'ALTER TABLE users ADD CONSTRAINT name_nn CHECK (nope IS NOT NULL)').map((n) => n.kind), ['unknown-column']);
    });

    it('PRIMARY KEY / UNIQUE USING INDEX', () => {
      const c = build('CREATE TABLE t (a int, b int)');
      assert.deepEqual(run(c, `CREATE UNIQUE INDEX CONCURRENTLY t_a_new ON t (a);
                               CREATE UNIQUE INDEX CONCURRENTLY t_b_new ON t (b);
                               ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a_new,
                                             ADD UNIQUE USING INDEX t_b_new`), []);
      assert.deepEqual(indexNames(c), ['t_b_new', 't_pkey']);
      assert.deepEqual(constraintNames(c, 't'), ['t_b_new', 't_pkey']);
      assert.equal(c.indexes.get('t_pkey')!.constraint, 't_pkey');
      assert.deepEqual(columns(c, 't'), ['a integer NOT NULL', 'b integer']);
      assert.deepEqual(run(c, 'ALTER TABLE t ADD UNIQUE USING INDEX nope').map((n) => n.kind), ['unknown-index']);
    });

    it('RENAME COLUMN, RENAME CONSTRAINT, RENAME TO, ALTER INDEX RENAME', () => {
      const c = build(`${base}
        ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL);
        CREATE INDEX users_lower_name ON users (lower(name)) WHERE name <> '';`);
      assert.deepEqual(run(c, 'ALTER TABLE users RENAME COLUMN name TO full_name'), []);
      assert.deepEqual(columns(c, 'users'), ['id bigint NOT NULL', 'email text NOT NULL', 'full_name text']);
      const nn = c.constraint('users', 'name_nn')!;
      assert.equal(nn.notNullOf, 'full_name');
      assert.equal(nn.expression, 'full_name IS NOT NULL');
      assert.equal(indexDefinition(c.indexes.get('users_lower_name')!), "ON users USING btree ((lower(full_name))) WHERE full_name <> ''");
      assert.deepEqual(run(c, 'ALTER TABLE users RENAME id TO user_id'), []);
      assert.deepEqual(c.constraint('orders', 'orders_user_id_fkey')!.references, { table: 'users', columns: ['user_id'] });
      assert.deepEqual(c.constraint('users', 'users_pkey')!.columns, ['user_id']);
      assert.deepEqual(run(c, 'ALTER TABLE users RENAME CONSTRAINT name_nn TO full_name_nn; ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_uq'), []);
      assert.ok(c.constraint('users', 'full_name_nn'));
      assert.equal(c.indexes.get('users_email_uq')!.constraint, 'users_email_uq');
      assert.deepEqual(run(c, 'ALTER TABLE users RENAME TO people'), []);
      assert.ok(c.tables.has('people') && !c.tables.has('users'));
      assert.deepEqual(constraintNames(c, 'people'), ['full_name_nn', 'users_email_uq', 'users_pkey']);
      assert.equal(c.constraint('orders', 'orders_user_id_fkey')!.references!.table, 'people');
      assert.equal(c.indexes.get('users_pkey')!.table, 'people');
      assert.deepEqual(run(c, 'ALTER INDEX users_pkey RENAME TO people_pkey; ALTER INDEX orders_note_idx RENAME TO orders_note'), []);
      assert.equal(c.constraint('people', 'people_pkey')!.index, 'people_pkey');
      assert.ok(c.indexes.has('orders_note'));
      // the names of a later statement follow
      assert.deepEqual(run(c, 'ALTER TABLE people DROP CONSTRAINT people_pkey CASCADE; DROP INDEX orders_note'), []);
      assert.deepEqual(run(c, 'ALTER TABLE people RENAME COLUMN nope TO x').map((n) => n.kind), ['unknown-column']);
      assert.deepEqual(run(c, 'ALTER TABLE people RENAME COLUMN email TO full_name').map((n) => n.kind), ['already-exists']);
      assert.deepEqual(run(c, 'ALTER TABLE people RENAME TO orders').map((n) => n.kind), ['already-exists']);
    });

    it('views, sequences and CREATE TABLE AS are relations without modelled columns', () => {
      const c = build(`${base}
        CREATE VIEW active AS SELECT id, email AS mail FROM users;
        CREATE SEQUENCE counter;
        CREATE TABLE snapshot AS SELECT * FROM users;
        CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM orders;`);
      assert.deepEqual(c.relations.get('active'), { name: 'active', kind: 'view', columns: ['id', 'mail'], origin: c.relations.get('active')!.origin });
      assert.equal(c.relations.get('counter')!.kind, 'sequence');
      assert.equal(c.relations.get('snapshot')!.columns, undefined);
      assert.deepEqual(c.relations.get('mv')!.columns, ['count']);
      assert.deepEqual(run(c, 'DROP VIEW active; DROP SEQUENCE IF EXISTS counter; DROP TABLE snapshot; DROP MATERIALIZED VIEW mv'), []);
      assert.equal(c.relations.size, 0);
      assert.deepEqual(run(c, 'DROP VIEW active').map((n) => n.kind), ['unknown-table']);
    });

    it('leaves the structure alone for SET, transactions, DML, functions and triggers', () => {
      const c = build(base);
      const before = JSON.stringify([...c.tables.keys(), ...c.indexes.keys(), ...c.constraints.keys()]);
      const quiet = run(c, `SET lock_timeout = '2s'; BEGIN; INSERT INTO users (id, email) VALUES (1, 'a');
        UPDATE users SET name = 'x'; DELETE FROM orders; SELECT 1; COMMIT; TRUNCATE orders; VACUUM ANALYZE users; RESET lock_timeout`);
      assert.deepEqual(quiet, []);
      const notes = run(c, `CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();
        COMMENT ON TABLE users IS 'people'; DROP FUNCTION f;
        ALTER TABLE users OWNER TO admin, ENABLE TRIGGER t`);
      assert.deepEqual(notes.map((n) => n.kind), ['ignored', 'ignored', 'ignored', 'ignored']);
      const unmodelled = run(c, `DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$; ALTER TABLE orders ATTACH PARTITION p FOR VALUES IN (1)`);
      assert.deepEqual(unmodelled.map((n) => n.kind), ['not-modelled', 'not-modelled']);
      assert.equal(JSON.stringify([...c.tables.keys(), ...c.indexes.keys(), ...c.constraints.keys()]), before);
    });

    it('notes carry the source and the byte offset of what they are about', () => {
      const c = build(base);
      const sql = "SELECT 'ü';\nALTER TABLE nope ADD COLUMN a int";
      const notes = run(c, sql);
      assert.equal(notes.length, 1);
      assert.equal(notes[0].source, 'sql');
      assert.equal(notes[0].name, 'nope');
      assert.equal(Buffer.from(sql).subarray(notes[0].location, notes[0].location + 4).toString(), 'nope');
    });

    it('clone is independent of the original', () => {
      const c = build(base);
      const copy = c.clone();
      run(copy, `ALTER TABLE users ADD COLUMN x int, ALTER COLUMN name SET NOT NULL, DROP CONSTRAINT users_email_key;
                 ALTER TABLE orders RENAME COLUMN note TO remark; ALTER TABLE users RENAME TO people`);
      assert.deepEqual(columns(c, 'users'), ['id bigint NOT NULL', 'email text NOT NULL', 'name text']);
      assert.deepEqual(constraintNames(c, 'users'), ['users_email_key', 'users_pkey']);
      assert.deepEqual(c.indexes.get('orders_note_idx')!.columns, ['note']);
      assert.equal(c.constraint('orders', 'orders_user_id_fkey')!.references!.table, 'users');
      assert.deepEqual(catalogDiff(c, build(base)), []);
    });
  });

  describe('generated names', () => {
    it('follow PostgreSQL: _pkey, _key, _check, _fkey, _idx, _excl, _seq, with a number on a clash', () => {
      const c = build(`
        CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, first_name text CHECK (first_name <> ''),
                            a int, b int, UNIQUE (email), CHECK (a > b), CHECK (a > 0), CHECK (a < 100),
                            EXCLUDE USING btree (b WITH =));
        CREATE TABLE orders (id int UNIQUE, user_id int REFERENCES users (id), CONSTRAINT orders_pk PRIMARY KEY (id));
        ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;
        ALTER TABLE users ADD UNIQUE (email);
        CREATE INDEX ON orders (user_id);
        CREATE INDEX ON orders (user_id);
        CREATE INDEX ON orders (lower(user_id::text), user_id);`);
      assert.deepEqual(constraintNames(c, 'users'), [
        'users_a_check', 'users_a_check1', 'users_b_excl', 'users_check', 'users_email_key', 'users_email_key1', 'users_first_name_check', 'users_pkey',
      ]);
      assert.deepEqual(constraintNames(c, 'orders'), ['orders_pk', 'orders_user_id_fkey', 'orders_user_id_fkey1']);
      assert.deepEqual(indexNames(c, 'orders'), ['orders_lower_user_id_idx', 'orders_pk', 'orders_user_id_idx', 'orders_user_id_idx1']);
      // one CREATE TABLE makes one index of a definition (the UNIQUE on orders.id is the primary key's);
      // an unnamed one takes the name of a later duplicate, a named one keeps its own
      const merged = build('CREATE TABLE t (a int UNIQUE, b int PRIMARY KEY UNIQUE, UNIQUE (a), CONSTRAINT t_a_uq UNIQUE (a))');
      assert.deepEqual(constraintNames(merged, 't'), ['t_a_uq', 't_pkey']);
      const named = build('CREATE TABLE t (a int, CONSTRAINT first UNIQUE (a), CONSTRAINT second UNIQUE (a), UNIQUE (a))');
      assert.deepEqual(constraintNames(named, 't'), ['first']);
      // so that a later statement finds them
      assert.deepEqual(run(c, `ALTER TABLE users DROP CONSTRAINT users_email_key, DROP CONSTRAINT users_first_name_check, DROP CONSTRAINT users_check;
                               ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey; DROP INDEX orders_user_id_idx1`), []);
    });

    it('shorten both parts evenly to 63 bytes, and avoid names of other relations', () => {
      assert.equal(makeObjectName('a'.repeat(40), 'b'.repeat(30), 'key'), `${'a'.repeat(29)}_${'b'.repeat(29)}_key`);
      assert.equal(makeObjectName('t'.repeat(70), undefined, 'pkey'), `${'t'.repeat(58)}_pkey`);
      // a multi-byte character is not cut
      assert.equal(Buffer.byteLength(makeObjectName('é'.repeat(40), 'x', 'idx')), 62);
      const long = 'a_table_with_a_rather_long_name_for_the_sake_of_this_test';
      const c = build(`CREATE TABLE ${long} (a_long_column_name_too int UNIQUE); CREATE TABLE t_a_idx (x int)`);
      // 57 + 22 bytes do not fit in 63 - 5: the longer part gives way (and keeps its trailing `_`)
      assert.deepEqual(constraintNames(c, long), [`${long.slice(0, 36)}_a_long_column_name_too_key`]);
      assert.equal(Buffer.byteLength(constraintNames(c, long)[0]), 63);
      run(c, 'CREATE TABLE t (a int); CREATE INDEX ON t (a)');
      assert.deepEqual(indexNames(c, 't'), ['t_a_idx1']);
    });
  });

  describe('types and defaults', () => {
    it('normalize type names to PostgreSQL display forms', () => {
      const cases: Array<[string, string]> = [
        ['int', 'integer'], ['integer', 'integer'], ['int4', 'integer'], ['pg_catalog.int4', 'integer'],
        ['bigint', 'bigint'], ['int8', 'bigint'], ['smallint', 'smallint'], ['int2', 'smallint'],
        ['text', 'text'], ['varchar(64)', 'character varying(64)'], ['character varying(64)', 'character varying(64)'],
        ['varchar', 'character varying'], ['char(3)', 'character(3)'], ['char', 'character(1)'],
        ['timestamptz', 'timestamp with time zone'], ['timestamp with time zone', 'timestamp with time zone'],
        ['timestamp(3) with time zone', 'timestamp(3) with time zone'], ['timestamp', 'timestamp without time zone'],
        ['time', 'time without time zone'], ['timetz', 'time with time zone'],
        ['boolean', 'boolean'], ['bool', 'boolean'], ['numeric(10,2)', 'numeric(10,2)'], ['decimal(10,2)', 'numeric(10,2)'],
        ['numeric(10)', 'numeric(10,0)'], ['numeric', 'numeric'], ['real', 'real'], ['float', 'double precision'],
        ['double precision', 'double precision'], ['float8', 'double precision'], ['int[]', 'integer[]'], ['text[][]', 'text[]'],
        ['varchar(20)[]', 'character varying(20)[]'], ['interval', 'interval'], ['interval day to second', 'interval day to second'],
        ['uuid', 'uuid'], ['jsonb', 'jsonb'], ['bit varying(5)', 'bit varying(5)'], ['public.citext', 'citext'],
        ['myschema.mytype', 'myschema.mytype'], ['"MyType"', '"MyType"'],
      ];
      for (const [input, expected] of cases) assert.equal(typeText(typeName(input)), expected, input);
      assert.equal(typeText(typeName('int')), typeText(typeName('int4')));
    });

    it('normalize defaults: NULL is none, a constant loses a cast to its own type, nextval is one form', () => {
      assert.equal(defaultText(expr('NULL')), undefined);
      assert.equal(defaultText(expr('NULL::text'), 'text'), undefined);
      assert.equal(defaultText(expr("'x'::text"), 'text'), "'x'");
      assert.equal(defaultText(expr("'x'"), 'text'), "'x'");
      assert.equal(defaultText(expr("'x'::character varying"), 'character varying(10)'), "'x'");
      assert.equal(defaultText(expr("'2'::integer"), 'bigint'), "'2'::integer");
      assert.equal(defaultText(expr("nextval('s')")), "nextval('s'::regclass)");
      assert.equal(defaultText(expr("nextval('public.s'::regclass)")), "nextval('s'::regclass)");
      assert.equal(defaultText(expr('now()')), 'now()');
      assert.equal(defaultText(expr('pg_catalog.now()')), 'now()');
      assert.equal(defaultText(expr('CURRENT_TIMESTAMP')), 'CURRENT_TIMESTAMP');
      assert.equal(defaultText(expr('0')), '0');
      assert.equal(defaultText(expr('-1')), '-1');
      // how PostgreSQL shows a negative default
      assert.equal(defaultText(expr("'-1'::integer"), 'integer'), '-1');
      assert.equal(defaultText(expr("'2.50'"), 'numeric(10,2)'), '2.50');
      assert.equal(defaultText(expr('1.5')), '1.5');
      assert.equal(defaultText(expr('false')), 'false');
      assert.equal(defaultText(expr("'{}'::jsonb"), 'jsonb'), "'{}'");
      assert.equal(defaultText(expr('gen_random_uuid()')), 'gen_random_uuid()');
    });

    it('print expressions deterministically', () => {
      const same = (a: string, b: string): void => assert.equal(exprText(expr(a)), exprText(expr(b)), `${a} / ${b}`);
      same('(a > 0)', 'a>0');
      same('a > 0 AND (b IS NOT NULL)', '(a > 0) and b is not null');
      assert.equal(exprText(expr('a > 0 AND b IS NOT NULL OR NOT c')), '((a > 0) AND (b IS NOT NULL)) OR (NOT c)');
      assert.equal(exprText(expr("a IN (1, 2) AND b BETWEEN 1 AND 2 AND c LIKE 'x%'")), "(a IN (1, 2)) AND (b BETWEEN 1 AND 2) AND (c LIKE 'x%')");
      assert.equal(exprText(expr("CASE WHEN a THEN 'y' ELSE 'n' END")), "CASE WHEN a THEN 'y' ELSE 'n' END");
      assert.equal(exprText(expr("coalesce(a, 'x')::text")), "COALESCE(a, 'x')::text");
      assert.equal(exprText(expr('u.id IS DISTINCT FROM nullif(b, 0)')), 'u.id IS DISTINCT FROM NULLIF(b, 0)');
      assert.equal(exprText(expr('count(*) FILTER (WHERE x > 1)')), 'count(*) FILTER (WHERE x > 1)');
      assert.equal(exprText(expr('"Weird Col" + 1')), '"Weird Col" + 1');
      assert.equal(exprText(expr('ARRAY[1, 2]')), 'ARRAY[1, 2]');
      assert.equal(exprText(expr("'it''s'")), "'it''s'");
      assert.equal(exprText(expr('$1')), '$1');
      // no printer for it: a stable JSON form, the same however it was spaced
      same('(SELECT 1)', '( SELECT   1 )');
    });
  });

  describe('catalogDiff', () => {
    const target = `
      CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text DEFAULT 'x', CHECK (length(email) > 3));
      CREATE INDEX users_name_idx ON users (name);
      CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));`;

    it('finds nothing between equal catalogs, however they were written', () => {
      const a = build(`
        CREATE TABLE public.users (id int8 NOT NULL, email text NOT NULL, name text DEFAULT 'x'::text);
        ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
        ALTER TABLE ONLY public.users ADD CONSTRAINT users_email_key UNIQUE (email);
        ALTER TABLE public.users ADD CONSTRAINT users_email_check CHECK ((length(email) > 3));
        CREATE INDEX users_name_idx ON public.users USING btree (name);
        CREATE TABLE public.orders (id bigint NOT NULL, user_id bigint);
        ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
        ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);`);
      assert.deepEqual(catalogDiff(a, build(target)), []);
    });

    it('names each kind of difference, with the target origin for missing or different things and the actual one for extra things', () => {
      const t = build(target);
      const a = build(`
        CREATE TABLE users (id integer PRIMARY KEY, email text, name text DEFAULT 'y', extra int, CHECK (length(email) > 4));
        CREATE INDEX users_name_lower ON users (lower(name));
        CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
        ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
        CREATE TABLE leftovers (x int);`);
      const diff = catalogDiff(a, t);
      const summary = diff.map((d) => `${[d.kind, d.table, d.name, d.expected].filter((x) => x !== undefined).join(' ')} | ${d.actual ?? ''}`.trim());
      assert.deepEqual(summary.sort(), [
        'column-default users name \'x\' | \'y\'',
        'column-null users email NOT NULL | NULL',
        'column-type users id bigint | integer',
        'constraint-definition orders orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) | FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
        'constraint-definition users users_email_check CHECK (length(email) > 3) | CHECK (length(email) > 4)',
        'extra-column users extra | integer',
        'extra-index users users_name_lower | ON users USING btree ((lower(name)))',
        'extra-table leftovers leftovers |',
        'missing-constraint users users_email_key UNIQUE (email) |',
        'missing-index users users_name_idx ON users USING btree (name) |',
      ]);
      const missingIndex = diff.find((d) => d.kind === 'missing-index')!;
      assert.equal(missingIndex.origin?.source, 'ddl');
      const extra = diff.find((d) => d.kind === 'extra-column')!;
      assert.ok(extra.origin && extra.origin.location > 0);
      assert.deepEqual(catalogDiff(t, a).filter((d) => d.kind === 'missing-table').map((d) => d.table), ['leftovers']);
    });

    it('reports an index or constraint of the same definition under another name as one *-definition difference', () => {
      const a = build(`${target.replace('users_name_idx', 'users_by_name')}
        ALTER TABLE users RENAME CONSTRAINT users_email_check TO email_len;`);
      const diff = catalogDiff(a, build(target));
      assert.deepEqual(diff.map((d) => [d.kind, d.name, d.expected, d.actual]), [
        ['index-definition', 'users_name_idx', 'users_name_idx ON users USING btree (name)', 'users_by_name ON users USING btree (name)'],
        ['constraint-definition', 'users_email_check', 'users_email_check CHECK (length(email) > 3)', 'email_len CHECK (length(email) > 3)'],
      ]);
      // the same name with another definition
      const b = build(target.replace('users_name_idx ON users (name)', 'users_name_idx ON users (name, email)'));
      assert.deepEqual(catalogDiff(b, build(target)).map((d) => `${d.kind} ${d.expected} | ${d.actual}`), [
        'index-definition ON users USING btree (name) | ON users USING btree (name, email)',
      ]);
    });
  });
});
