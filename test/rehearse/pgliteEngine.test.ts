/**
 * The embedded rehearsal engine (openPglite): PGlite in a child process, with
 * the server engine's value conventions, autocommit per statement, error
 * positions in UTF-16, the target schema, and a child that ends with close()
 * or, killed, rejects what was waiting for it.
 *
 * PGlite takes several seconds to start: the two engines the tests use start
 * together in the `before` hook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../server/src/rehearse/engine';
import { openPglite, type PgliteEngine } from '../../server/src/rehearse/pgliteEngine';
import { isAlive } from '../helpers';

let engine: PgliteEngine | undefined;
/** A second engine, for close(). */
let spare: PgliteEngine | undefined;
const notices: string[] = [];

before(
  async () => {
    [engine, spare] = await Promise.all([openPglite({ onNotice: (m) => notices.push(m) }), openPglite()]);
  },
  { timeout: 150_000 },
);

after(async () => {
  await Promise.all([engine?.close(), spare?.close()]);
});

function db(): PgliteEngine {
  if (!engine) throw new Error('no engine: its start failed (see the before hook)');
  return engine;
}

/** Asserts `p` rejects with an EngineError of SQLSTATE `code` positioned (1-based) at `at`'s first character in `text`. */
async function rejectsAt(p: Promise<unknown>, code: string, text: string, at: string): Promise<void> {
  const err = await p.then(
    () => assert.fail('the statement should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EngineError, `an EngineError, not ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.position, text.indexOf(at) + 1, `${err.message}: position ${err.position}`);
}

describe('openPglite', () => {
  it('starts PostgreSQL in a child process, in public', () => {
    const e = db();
    assert.equal(e.kind, 'pglite');
    assert.equal(e.schema, 'public');
    assert.match(e.serverVersion, /^\d+(\.\d+)*$/);
    assert.notEqual(e.pid, process.pid);
    assert.ok(isAlive(e.pid));
    // PGlite itself never loads in this process.
    assert.deepEqual(
      Object.keys(require.cache).filter((f) => f.includes('@electric-sql')),
      [],
    );
  });

  it('binds parameters', async () => {
    const r = await db().query('SELECT $1::int + $2::int AS sum, $3::text AS t, $4::int8 AS big', [2, 3, 'é😀', 9007199254740993n]);
    assert.deepEqual(r.rows, [{ sum: 5, t: 'é😀', big: 9007199254740993n }]);
    assert.deepEqual(r.fields, ['sum', 't', 'big']);
  });

  it('runs a script statement by statement, each committing on its own', async () => {
    await db().exec(`
      CREATE TABLE items (id int8 PRIMARY KEY, price numeric(10, 2));
      INSERT INTO items VALUES (1, 1.5), (2, 2.25);
      CREATE INDEX CONCURRENTLY items_price ON items (price);
    `);
    const r = await db().query('SELECT count(*)::int AS n FROM items');
    assert.deepEqual(r.rows, [{ n: 2 }]);
    const idx = await db().query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1");
    assert.deepEqual(
      idx.rows.map((x) => x.indexname),
      ['items_pkey', 'items_price'],
    );
  });

  it('reports the rows a DML statement changed, and only then', async () => {
    const ins = await db().query('INSERT INTO items VALUES ($1, $2), ($3, $4)', [3, '3.00', 4, '4.00']);
    assert.equal(ins.affectedRows, 2);
    const upd = await db().query('UPDATE items SET price = price + 1 WHERE id > 2');
    assert.equal(upd.affectedRows, 2);
    const sel = await db().query('SELECT * FROM items');
    assert.equal(sel.affectedRows, undefined);
    await db().query('DELETE FROM items WHERE id > 2');
  });

  it('runs CREATE INDEX CONCURRENTLY through query(), and refuses it in a transaction block', async () => {
    await db().query('CREATE INDEX CONCURRENTLY items_id_price ON items (id, price)');
    await db().query('BEGIN');
    const sql = 'CREATE INDEX CONCURRENTLY items_x ON items (price)';
    await assert.rejects(db().query(sql), (e: unknown) => e instanceof EngineError && e.code === '25001');
    await db().query('ROLLBACK');
    const r = await db().query("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname IN ('items_id_price', 'items_x')");
    assert.deepEqual(r.rows, [{ n: 1 }]);
  });

  it('gives values as the server engine does', async () => {
    const r = await db().query(`SELECT
      1::int2 AS i2, 2::int4 AS i4, 3::oid AS o, 1.5::float4 AS f4, 2.5::float8 AS f8,
      42::int8 AS small8, 9223372036854775807::int8 AS big8,
      1.10::numeric AS num,
      DATE '2024-02-29' AS d, TIME '12:34:56' AS t, TIMETZ '12:34:56+02' AS ttz,
      TIMESTAMP '2024-02-29 12:34:56.5' AS ts, TIMESTAMPTZ '2024-02-29 12:34:56+00' AS tstz,
      INTERVAL '1 day 2 hours' AS iv,
      '{"a": [1, "x"]}'::jsonb AS jb, '{"b": null}'::json AS j,
      true AS yes, '\\x00ff10'::bytea AS bin,
      ARRAY[1, 9223372036854775807]::int8[] AS arr8, ARRAY[1.5, 2]::numeric[] AS arrnum,
      ARRAY[TIMESTAMPTZ '2024-01-01 00:00:00+00'] AS arrts, ARRAY[DATE '2024-01-02'] AS arrd,
      ARRAY['\\x01'::bytea] AS arrbin, ARRAY[[1, 2], [3, 4]] AS arr2, NULL::text AS nothing`);
    const row = r.rows[0];
    assert.deepEqual(
      { ...row, bin: undefined, arrbin: undefined },
      {
        i2: 1,
        i4: 2,
        o: 3,
        f4: 1.5,
        f8: 2.5,
        small8: 42,
        big8: 9223372036854775807n,
        num: '1.10',
        d: '2024-02-29',
        t: '12:34:56',
        ttz: '12:34:56+02',
        ts: '2024-02-29 12:34:56.5',
        tstz: '2024-02-29 12:34:56+00',
        iv: '1 day 02:00:00',
        jb: { a: [1, 'x'] },
        j: { b: null },
        yes: true,
        bin: undefined,
        arr8: [1, 9223372036854775807n],
        arrnum: ['1.5', '2'],
        arrts: ['2024-01-01 00:00:00+00'],
        arrd: ['2024-01-02'],
        arrbin: undefined,
        arr2: [
          [1, 2],
          [3, 4],
        ],
        nothing: null,
      },
    );
    assert.ok(Buffer.isBuffer(row.bin), 'bytea is a Buffer');
    assert.deepEqual([...(row.bin as Buffer)], [0, 255, 16]);
    const arrbin = row.arrbin as unknown[];
    assert.ok(Buffer.isBuffer(arrbin[0]), 'bytea[] is an array of Buffers');
    assert.deepEqual([...(arrbin[0] as Buffer)], [1]);
  });

  it('refuses a statement with an EngineError giving its SQLSTATE and its UTF-16 position', async () => {
    const plain = 'SELECT id FROM nowhere';
    await rejectsAt(db().query(plain), '42P01', plain, 'nowhere');
    // Characters before the error that take two UTF-16 units (😀) or two bytes (é).
    const wide = "SELECT 'é😀😀' AS x, missing_column FROM items";
    await rejectsAt(db().query(wide), '42703', wide, 'missing_column');
    await rejectsAt(db().query(`${wide} WHERE id = $1`, [1]), '42703', wide, 'missing_column');
    // In a script, the position counts from the script's start.
    const script = "CREATE TABLE ok_1 (a int);\nSELECT 'ü😀' AS y, nope FROM ok_1;\nCREATE TABLE ok_2 (a int);";
    await rejectsAt(db().exec(script), '42703', script, 'nope');
    const made = await db().query("SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class WHERE relname IN ('ok_1', 'ok_2')");
    assert.deepEqual(made.rows, [{ t: 'ok_1' }], 'the statements before the error ran, those after did not');
    // A syntax error: nothing runs.
    const bad = 'CREATE TABLE ok_3 (a int); SELEC 1;';
    await rejectsAt(db().exec(bad), '42601', bad, 'SELEC');
  });

  it('passes PostgreSQL notices to onNotice', async () => {
    notices.length = 0;
    await db().query('DROP TABLE IF EXISTS not_there');
    await db().exec("DO $$ BEGIN RAISE WARNING 'careful: %', 'ü'; END $$");
    assert.deepEqual(notices, ['NOTICE: table "not_there" does not exist, skipping', 'WARNING: careful: ü']);
  });

  it('creates the target schema once, leaving search_path', async () => {
    const [a, b] = await Promise.all([db().targetSchema(), db().targetSchema()]);
    assert.equal(a, 'migplan_target');
    assert.equal(b, a);
    assert.equal(await db().targetSchema(), a);
    const ns = await db().query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [a]);
    assert.deepEqual(ns.rows, [{ n: 1 }]);
    const sp = await db().query('SHOW search_path');
    assert.deepEqual(sp.rows, [{ search_path: 'public' }]);
    await db().exec(`CREATE TABLE ${a}.items (id int); CREATE TABLE only_public (id int)`);
    const where = await db().query("SELECT relnamespace::regnamespace::text AS s FROM pg_class WHERE relname = 'only_public'");
    assert.deepEqual(where.rows, [{ s: 'public' }]);
  });

  it('close() ends the child process, and is safe to call twice', async () => {
    const e = spare;
    if (!e) throw new Error('no spare engine: its start failed (see the before hook)');
    assert.ok(isAlive(e.pid));
    await e.close();
    await e.close();
    assert.equal(isAlive(e.pid), false, `process ${e.pid} still runs`);
    await assert.rejects(e.query('SELECT 1'), /closed/);
    await assert.rejects(e.targetSchema(), /closed/);
  });

  it('rejects the pending statements of a killed child, and those after, with a clear error', async () => {
    const e = db();
    const sleeping = e.query('SELECT pg_sleep(60)');
    const queued = e.query('SELECT 1');
    process.kill(e.pid, 'SIGKILL');
    const stopped = /^Error: the embedded PostgreSQL \(PGlite\) stopped \(killed by SIGKILL\)/;
    await assert.rejects(sleeping, stopped);
    await assert.rejects(queued, stopped);
    await assert.rejects(e.query('SELECT 1'), stopped);
    await assert.rejects(e.exec('SELECT 1; SELECT 2'), stopped);
    await e.close();
    await e.close();
    assert.equal(isAlive(e.pid), false);
  });

  it('gives up on a start that takes too long, with one line', async () => {
    await assert.rejects(openPglite({ startTimeoutMs: 50 }), /^Error: cannot start the embedded PostgreSQL \(PGlite\): it did not start within 50 ms$/);
  });
});
