/**
 * The catalog read from a real PostgreSQL (snapshotCatalog) and its
 * differences from the target schema's (diffCatalogs): the same DDL run in the
 * rehearsal's scratch schema and in the target schema compares equal, and
 * each kind of change gives exactly its one difference.
 *
 * Needs Debian's postgresql package: without it, every test fails with
 * cluster.ts's message saying what to install.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CatalogDifference, type DbCatalog, diffCatalogs, snapshotCatalog } from '../../server/src/rehearse/catalog';
import { openPostgres, type PostgresEngine } from '../../server/src/rehearse/pgEngine';
import { useCluster } from '../pgTest';

// A cluster that cannot start (no postgresql package) fails every test with its reason.
const url = useCluster();

/** The catalogs of `actualDdl` run in the rehearsal's schema and of `targetDdl` run in the target schema, on one engine. */
async function catalogs(
  actualDdl: string,
  targetDdl: string,
  then?: (engine: PostgresEngine) => Promise<void>,
): Promise<{ actual: DbCatalog; expected: DbCatalog; schemas: string[] }> {
  const engine = await openPostgres(url());
  try {
    const target = await engine.targetSchema();
    await engine.exec(actualDdl);
    await then?.(engine);
    await engine.query(`SET search_path TO ${target}`);
    try {
      await engine.exec(targetDdl);
    } finally {
      await engine.query(`SET search_path TO ${engine.schema}`);
    }
    return { actual: await snapshotCatalog(engine, engine.schema), expected: await snapshotCatalog(engine, target), schemas: [engine.schema, target] };
  } finally {
    await engine.close();
  }
}

async function diff(actualDdl: string, targetDdl: string, then?: (engine: PostgresEngine) => Promise<void>): Promise<CatalogDifference[]> {
  const { actual, expected } = await catalogs(actualDdl, targetDdl, then);
  return diffCatalogs(actual, expected);
}

const USERS = `
CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  status text NOT NULL DEFAULT 'active',
  created_at timestamptz NOT NULL DEFAULT now()
);`;

const ORDERS = `
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  amount numeric(10,2) NOT NULL CHECK (amount > 0),
  note text
);
CREATE INDEX ON orders (user_id);
CREATE UNIQUE INDEX orders_note_lower ON orders (lower(note)) WHERE note IS NOT NULL;`;

const TRIGGER = `
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();`;

const ALL = USERS + ORDERS + TRIGGER;

describe('snapshotCatalog', () => {
  it('reads columns, indexes, constraints, triggers and sequences, without the schema name', async () => {
    const { actual, expected, schemas } = await catalogs(ALL, ALL);
    // The target schema is not on search_path: the deparsers qualify its names, which are removed.
    for (const c of [actual, expected]) assert.ok(!schemas.some((s) => JSON.stringify({ ...c, schema: '' }).includes(s)), JSON.stringify(c));
    assert.deepEqual({ ...expected, schema: actual.schema }, actual);
    assert.equal(expected.schema, schemas[1]);
    assert.deepEqual(actual.sequences, ['orders_id_seq', 'users_id_seq']);
    assert.deepEqual(
      actual.tables.map((t) => t.name),
      ['orders', 'users'],
    );
    const [orders, users] = actual.tables;
    assert.deepEqual(users.columns, [
      { name: 'id', type: 'integer', notNull: true, default: "nextval('users_id_seq'::regclass)" },
      { name: 'email', type: 'text', notNull: true },
      { name: 'name', type: 'text', notNull: false },
      { name: 'status', type: 'text', notNull: true, default: "'active'::text" },
      { name: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
    ]);
    assert.deepEqual(orders.columns, [
      { name: 'id', type: 'bigint', notNull: true, identity: 'always' },
      { name: 'user_id', type: 'integer', notNull: true },
      { name: 'amount', type: 'numeric(10,2)', notNull: true },
      { name: 'note', type: 'text', notNull: false },
    ]);
    assert.deepEqual(orders.indexes, [
      {
        name: 'orders_note_lower',
        definition: 'CREATE UNIQUE INDEX orders_note_lower ON orders USING btree (lower(note)) WHERE (note IS NOT NULL)',
        unique: true,
        primary: false,
        valid: true,
      },
      { name: 'orders_pkey', definition: 'CREATE UNIQUE INDEX orders_pkey ON orders USING btree (id)', unique: true, primary: true, valid: true, constraint: 'orders_pkey' },
      { name: 'orders_user_id_idx', definition: 'CREATE INDEX orders_user_id_idx ON orders USING btree (user_id)', unique: false, primary: false, valid: true },
    ]);
    assert.deepEqual(orders.constraints, [
      { name: 'orders_amount_check', type: 'c', definition: 'CHECK ((amount > (0)::numeric))', validated: true },
      { name: 'orders_pkey', type: 'p', definition: 'PRIMARY KEY (id)', validated: true },
      { name: 'orders_user_id_fkey', type: 'f', definition: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE', validated: true },
    ]);
    assert.deepEqual(users.triggers, [{ name: 'users_touch', definition: 'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()' }]);
    assert.deepEqual(
      users.constraints.map((c) => [c.name, c.type]),
      [
        ['users_email_key', 'u'],
        ['users_pkey', 'p'],
      ],
    );
  });
});

describe('diffCatalogs', () => {
  it('finds no difference between the same DDL in the two schemas', async () => {
    assert.deepEqual(await diff(ALL, ALL), []);
  });

  it('ignores the column order and the names PostgreSQL generated', async () => {
    const actual = `
      CREATE TABLE users (id serial PRIMARY KEY, name text, email text NOT NULL);
      ALTER TABLE users ADD CONSTRAINT users_email_uniq UNIQUE (email);
      ALTER TABLE users ADD COLUMN nick text;
      ALTER TABLE users ADD CONSTRAINT nick_check CHECK (nick <> '');
      ALTER TABLE users RENAME COLUMN nick TO handle;
      CREATE INDEX idx_users_name ON users (name);`;
    const target = `
      CREATE TABLE users (email text NOT NULL UNIQUE, handle text CHECK (handle <> ''), id serial PRIMARY KEY, name text);
      CREATE INDEX ON users (name);`;
    assert.deepEqual(await diff(actual, target), []);
  });

  it('reports a table the target has and the database lacks, and one it has in excess', async () => {
    assert.deepEqual(await diff(`${USERS} CREATE TABLE audit (id int);`, USERS + ORDERS), [
      { kind: 'table', table: 'audit', problem: 'extra', message: 'table audit exists here but not in the target schema' },
      { kind: 'table', table: 'orders', problem: 'missing', message: 'table orders is in the target schema but not here' },
    ]);
  });

  it('reports a missing column', async () => {
    assert.deepEqual(await diff(USERS, `${USERS} ALTER TABLE users ADD COLUMN phone varchar(20) NOT NULL DEFAULT '';`), [
      {
        kind: 'column',
        table: 'users',
        name: 'phone',
        problem: 'missing',
        expected: "character varying(20) NOT NULL DEFAULT ''::character varying",
        message: "users.phone is in the target schema (character varying(20) NOT NULL DEFAULT ''::character varying) but not here",
      },
    ]);
  });

  it('reports an extra column', async () => {
    assert.deepEqual(await diff(USERS, USERS.replace('  name text,\n', '')), [
      { kind: 'column', table: 'users', name: 'name', problem: 'extra', actual: 'text', message: 'users.name exists here but not in the target schema' },
    ]);
  });

  it('reports a type change', async () => {
    assert.deepEqual(await diff(USERS, `${USERS} ALTER TABLE users ALTER COLUMN id TYPE bigint;`), [
      { kind: 'column', table: 'users', name: 'id', problem: 'different', expected: 'bigint', actual: 'integer', message: 'users.id is integer here; the target says bigint' },
    ]);
  });

  it('reports a nullability change', async () => {
    assert.deepEqual(await diff(`${USERS} ALTER TABLE users RENAME name TO first_name;`, `${USERS} ALTER TABLE users RENAME name TO first_name; ALTER TABLE users ALTER first_name SET NOT NULL;`), [
      {
        kind: 'column',
        table: 'users',
        name: 'first_name',
        problem: 'different',
        expected: 'NOT NULL',
        actual: 'nullable',
        message: 'users.first_name is nullable here; the target says NOT NULL',
      },
    ]);
  });

  it('reports a default that differs, and one that is missing', async () => {
    const target = `${USERS} ALTER TABLE users ALTER status SET DEFAULT 'new'; ALTER TABLE users ALTER name SET DEFAULT '';`;
    assert.deepEqual(await diff(USERS, target), [
      { kind: 'column', table: 'users', name: 'name', problem: 'different', expected: "''::text", message: "users.name has no default here; the target says ''::text" },
      {
        kind: 'column',
        table: 'users',
        name: 'status',
        problem: 'different',
        expected: "'new'::text",
        actual: "'active'::text",
        message: "users.status has default 'active'::text here; the target says 'new'::text",
      },
    ]);
  });

  it('reports an index whose columns differ', async () => {
    const base = USERS + ORDERS;
    const actual = `${base} CREATE INDEX orders_user_recent ON orders (user_id);`;
    const target = `${base} CREATE INDEX orders_user_recent ON orders (user_id, id DESC);`;
    assert.deepEqual(await diff(actual, target), [
      {
        kind: 'index',
        table: 'orders',
        name: 'orders_user_recent',
        problem: 'different',
        expected: 'CREATE INDEX orders_user_recent ON orders USING btree (user_id, id DESC)',
        actual: 'CREATE INDEX orders_user_recent ON orders USING btree (user_id)',
        message:
          'index orders_user_recent on orders is CREATE INDEX orders_user_recent ON orders USING btree (user_id) here; the target says CREATE INDEX orders_user_recent ON orders USING btree (user_id, id DESC)',
      },
    ]);
  });

  it('reports an index the target names whose name differs here', async () => {
    assert.deepEqual(await diff(`${USERS} CREATE INDEX ON users (name);`, `${USERS} CREATE INDEX users_by_name ON users (name);`), [
      { kind: 'index', table: 'users', name: 'users_by_name', problem: 'different', expected: 'users_by_name', actual: 'users_name_idx', message: 'index users_by_name on users is named users_name_idx here' },
    ]);
  });

  it('reports a constraint the target names whose name differs here', async () => {
    const actual = `${USERS} ALTER TABLE users ADD CHECK (name <> '');`;
    const target = `${USERS} ALTER TABLE users ADD CONSTRAINT name_not_blank CHECK (name <> '');`;
    assert.deepEqual(await diff(actual, target), [
      {
        kind: 'constraint',
        table: 'users',
        name: 'name_not_blank',
        problem: 'different',
        expected: 'name_not_blank',
        actual: 'users_name_check',
        message: 'check constraint name_not_blank on users is named users_name_check here',
      },
    ]);
  });

  it('reports an index a failed CREATE INDEX CONCURRENTLY left INVALID', async () => {
    const target = `${USERS} CREATE UNIQUE INDEX users_name_uniq ON users (name);`;
    const failing = async (e: PostgresEngine): Promise<void> => {
      await e.query("INSERT INTO users (email, name) VALUES ('a@x', 'same'), ('b@x', 'same')");
      await assert.rejects(e.query('CREATE UNIQUE INDEX CONCURRENTLY users_name_uniq ON users (name)'), /could not create unique index/);
    };
    assert.deepEqual(await diff(USERS, target, failing), [
      {
        kind: 'index',
        table: 'users',
        name: 'users_name_uniq',
        problem: 'different',
        expected: 'valid',
        actual: 'INVALID',
        message: 'index users_name_uniq on users is INVALID here (a CREATE INDEX CONCURRENTLY that failed leaves one); the target has it valid',
      },
    ]);
  });

  it('reports a missing constraint', async () => {
    assert.deepEqual(await diff(USERS, `${USERS} ALTER TABLE users ADD CONSTRAINT name_not_blank CHECK (name <> '');`), [
      {
        kind: 'constraint',
        table: 'users',
        name: 'name_not_blank',
        problem: 'missing',
        expected: "CHECK ((name <> ''::text))",
        message: "check constraint name_not_blank on users is in the target schema but not here: CHECK ((name <> ''::text))",
      },
    ]);
  });

  it('reports a check that is NOT VALID here and validated in the target', async () => {
    const check = (valid: string): string => `${USERS} ALTER TABLE users ADD CONSTRAINT email_at CHECK (email LIKE '%@%')${valid};`;
    assert.deepEqual(await diff(check(' NOT VALID'), check('')), [
      {
        kind: 'constraint',
        table: 'users',
        name: 'email_at',
        problem: 'different',
        expected: "CHECK ((email ~~ '%@%'::text))",
        actual: "CHECK ((email ~~ '%@%'::text)) NOT VALID",
        message: 'check constraint email_at on users is NOT VALID here; the target has it validated',
      },
    ]);
  });

  it('reports a foreign key whose ON DELETE differs', async () => {
    assert.deepEqual(await diff(USERS + ORDERS, USERS + ORDERS.replace('ON DELETE CASCADE', 'ON DELETE RESTRICT')), [
      {
        kind: 'constraint',
        table: 'orders',
        name: 'orders_user_id_fkey',
        problem: 'different',
        expected: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE RESTRICT',
        actual: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
        message:
          'foreign key orders_user_id_fkey on orders is FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE here; the target says FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE RESTRICT',
      },
    ]);
  });

  it('reports a missing trigger', async () => {
    assert.deepEqual(await diff(`${USERS} CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;`, USERS + TRIGGER), [
      {
        kind: 'trigger',
        table: 'users',
        name: 'users_touch',
        problem: 'missing',
        expected: 'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()',
        message: 'trigger users_touch on users is in the target schema but not here: CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()',
      },
    ]);
  });

  it('sorts the differences by table, kind, name and problem', async () => {
    const actual = `${USERS} ALTER TABLE users ADD COLUMN z int, ADD COLUMN a int; CREATE TABLE b (x int); CREATE TABLE zz (x int);`;
    const target = `${USERS} ALTER TABLE users DROP COLUMN email; CREATE INDEX ON users (name); CREATE TABLE a (x int);`;
    const messages = (await diff(actual, target)).map((d) => d.message);
    assert.deepEqual(messages, [
      'table a is in the target schema but not here',
      'table b exists here but not in the target schema',
      'users.a exists here but not in the target schema',
      'users.email exists here but not in the target schema',
      'users.z exists here but not in the target schema',
      'unique constraint users_email_key on users exists here but not in the target schema: UNIQUE (email)',
      'index users_name_idx on users is in the target schema but not here: CREATE INDEX users_name_idx ON users USING btree (name)',
      'table zz exists here but not in the target schema',
    ]);
  });
});
