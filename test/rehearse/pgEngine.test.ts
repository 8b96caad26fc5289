/**
 * The rehearsal engine on a real PostgreSQL server (openPostgres): values,
 * scripts, errors and their positions, autocommit, the scratch schemas and
 * their removal — by close(), by a signal, and by dropStaleRehearsalSchemas
 * after a session that ended without closing.
 *
 * Needs Debian's postgresql package: without it, every test fails with
 * cluster.ts's message saying what to install.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { EngineError } from '../../server/src/rehearse/engine';
import { dropStaleRehearsalSchemas, openPostgres, type PostgresEngine } from '../../server/src/rehearse/pgEngine';
import { type Cluster, startCluster } from '../../scripts/pgCluster';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENGINE_JS = path.join(ROOT, 'out', 'server', 'src', 'rehearse', 'pgEngine.js');

let cluster: Cluster | undefined;
let startError: unknown;
let admin: pg.Client | undefined;
let tmp = '';

// A cluster that cannot start (no postgresql package) fails every test with its reason, as a
// failure rather than the cancellation a failed hook gives.
before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-pgengine-'));
  try {
    cluster = await startCluster();
    admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
  } catch (err) {
    startError = err;
  }
});

after(async () => {
  await admin?.end().catch(() => undefined);
  await cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function url(): string {
  if (!cluster) throw startError instanceof Error ? startError : new Error(`no PostgreSQL cluster: ${String(startError)}`);
  return cluster.url;
}

/** A connection of the test's own, outside any engine. */
function adminClient(): pg.Client {
  url();
  return admin!;
}

/** The scratch schemas on the server now. */
async function scratchSchemas(): Promise<string[]> {
  const r = await adminClient().query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'migplan\\_rehearsal\\_%' ORDER BY nspname");
  return r.rows.map((x) => x.name);
}

async function withEngine<T>(f: (e: PostgresEngine) => Promise<T>): Promise<T> {
  const engine = await openPostgres(url());
  try {
    return await f(engine);
  } finally {
    await engine.close();
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error, `not an Error: ${String(err)}`);
    return err;
  }
  assert.fail('did not reject');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('openPostgres: statements', () => {
  it('binds parameters and gives values as documented', async () => {
    await withEngine(async (e) => {
      await e.query("SET TimeZone TO 'UTC'");
      const r = await e.query(
        `SELECT $1::int AS i, $2::text AS t, $3::int AS nul, 3::int2 AS s, 2.5::float8 AS f8, 1.5::float4 AS f4, 26::oid AS o,
          42::int8 AS small8, 9007199254740993::int8 AS big8, 12.50::numeric(6,2) AS n,
          DATE '2024-01-02' AS d, TIME '03:04:05' AS tm, TIMESTAMP '2024-01-02 03:04:05' AS ts,
          TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tstz, INTERVAL '1 day 2 hours' AS iv,
          '{"a":[1,2]}'::json AS j, '{"b":true}'::jsonb AS jb, true AS b, '\\x01ff'::bytea AS by,
          ARRAY[1, 9007199254740993]::int8[] AS a8, ARRAY[DATE '2024-01-02'] AS ad, ARRAY[1.50]::numeric[] AS an,
          ARRAY['x', 'y'] AS at, ARRAY[1, 2] AS ai, ARRAY['a'::name] AS an2, ARRAY['p'::"char"] AS ac, ARRAY['pg_class'::regclass] AS arc`,
        [7, 'héllo 😀', null],
      );
      assert.deepEqual(r.fields, ['i', 't', 'nul', 's', 'f8', 'f4', 'o', 'small8', 'big8', 'n', 'd', 'tm', 'ts', 'tstz', 'iv', 'j', 'jb', 'b', 'by', 'a8', 'ad', 'an', 'at', 'ai', 'an2', 'ac', 'arc']);
      assert.equal(r.affectedRows, undefined);
      assert.deepEqual(r.rows, [
        {
          i: 7,
          t: 'héllo 😀',
          nul: null,
          s: 3,
          f8: 2.5,
          f4: 1.5,
          o: 26,
          small8: 42,
          big8: 9007199254740993n,
          n: '12.50',
          d: '2024-01-02',
          tm: '03:04:05',
          ts: '2024-01-02 03:04:05',
          tstz: '2024-01-02 01:04:05+00',
          iv: '1 day 02:00:00',
          j: { a: [1, 2] },
          jb: { b: true },
          b: true,
          by: Buffer.from([0x01, 0xff]),
          a8: [1, 9007199254740993n],
          ad: ['2024-01-02'],
          an: ['1.50'],
          at: ['x', 'y'],
          ai: [1, 2],
          an2: ['a'],
          ac: ['p'],
          arc: ['pg_class'],
        },
      ]);
    });
  });

  it('reports the rows a DML statement changed', async () => {
    await withEngine(async (e) => {
      assert.equal((await e.query('CREATE TABLE t (id int PRIMARY KEY, v text)')).affectedRows, undefined);
      assert.equal((await e.query('INSERT INTO t SELECT g, $1 FROM generate_series(1, 5) g', ['x'])).affectedRows, 5);
      assert.equal((await e.query('UPDATE t SET v = $1 WHERE id > $2', ['y', 3])).affectedRows, 2);
      assert.equal((await e.query('DELETE FROM t WHERE id = 1')).affectedRows, 1);
      const r = await e.query('SELECT id, v FROM t ORDER BY id');
      assert.deepEqual(r.rows, [
        { id: 2, v: 'x' },
        { id: 3, v: 'x' },
        { id: 4, v: 'y' },
        { id: 5, v: 'y' },
      ]);
    });
  });

  it('runs a script of several statements, each committing on its own', async () => {
    const notices: string[] = [];
    const engine = await openPostgres(url(), { onNotice: (m) => notices.push(m) });
    try {
      await engine.exec(`
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items VALUES (1, 'a'), (2, 'b');
        -- refused inside a transaction block: runs only if each statement commits on its own
        CREATE INDEX CONCURRENTLY items_name ON items (name);
        UPDATE items SET name = 'c' WHERE id = 2;
        DROP TABLE IF EXISTS nothing_here;
      `);
      assert.deepEqual((await engine.query('SELECT id, name FROM items ORDER BY id')).rows, [
        { id: 1, name: 'a' },
        { id: 2, name: 'c' },
      ]);
      const idx = await engine.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name'::regclass");
      assert.deepEqual(idx.rows, [{ indisvalid: true }]);
      assert.deepEqual(notices, ['NOTICE: table "nothing_here" does not exist, skipping']);
    } finally {
      await engine.close();
    }
  });

  it('runs CREATE INDEX CONCURRENTLY given to query() (autocommit)', async () => {
    await withEngine(async (e) => {
      await e.query('CREATE TABLE big (id int, v text)');
      await e.query("INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 1000) g");
      await e.query('CREATE INDEX CONCURRENTLY big_v ON big (v)');
      const r = await e.query('SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = $1::regclass', ['big_v']);
      assert.deepEqual(r.rows, [{ indisvalid: true, indisready: true }]);
    });
  });

  it('rejects a refused statement with an EngineError: message, SQLSTATE and UTF-16 position', async () => {
    await withEngine(async (e) => {
      // 😀 is one character to PostgreSQL and two UTF-16 code units; é is one of each but two UTF-8 bytes.
      const sql = "SELECT 'é😀😀' AS a,\n  nosuch_column AS b";
      const err = await rejection(e.query(sql));
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.message, 'column "nosuch_column" does not exist');
      assert.equal(err.code, '42703');
      assert.equal(err.position, sql.indexOf('nosuch_column') + 1);

      const syntax = await rejection(e.query("SELECT '😀' AS x FORM y"));
      assert.ok(syntax instanceof EngineError);
      assert.equal(syntax.code, '42601');
      assert.equal(syntax.position, "SELECT '😀' AS x FORM y".indexOf('FORM') + 1);

      // No position from the server (a runtime error): none given.
      const div = await rejection(e.query('SELECT 1 / $1::int', [0]));
      assert.ok(div instanceof EngineError);
      assert.equal(div.code, '22012');
      assert.equal(div.position, undefined);

      // The engine goes on after an error.
      assert.deepEqual((await e.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    });
  });

  it("gives an error's position in the whole script, after the statements before it committed", async () => {
    await withEngine(async (e) => {
      const script = "CREATE TABLE first_one (x int);\n-- ü 😀\nINSERT INTO first_one VALUES (1);\nSELECT '😀' AS a, missing_col FROM first_one;\nCREATE TABLE never_made (x int);";
      const err = await rejection(e.exec(script));
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.code, '42703');
      assert.equal(err.position, script.indexOf('missing_col') + 1);
      assert.deepEqual((await e.query('SELECT x FROM first_one')).rows, [{ x: 1 }]);
      assert.deepEqual((await e.query("SELECT to_regclass('never_made') IS NULL AS absent")).rows, [{ absent: true }]);

      // A syntax error anywhere: the server runs nothing, and says where.
      const bad = "CREATE TABLE not_made (x int);\nSELECT 'é😀' AS a FORM first_one;";
      const syntax = await rejection(e.exec(bad));
      assert.ok(syntax instanceof EngineError, String(syntax));
      assert.equal(syntax.code, '42601');
      assert.equal(syntax.position, bad.indexOf('FORM') + 1);
      assert.deepEqual((await e.query("SELECT to_regclass('not_made') IS NULL AS absent")).rows, [{ absent: true }]);
    });
  });
});

describe('openPostgres: scratch schemas', () => {
  it('runs in its own schema, first on search_path, and drops it (and the target schema) on close()', async () => {
    const engine = await openPostgres(url());
    let closed = false;
    try {
      assert.match(engine.schema, /^migplan_rehearsal_[0-9a-f]{12}$/);
      assert.equal(engine.kind, 'postgres');
      assert.match(engine.serverVersion, /^\d+(\.\d+)?$/);
      assert.ok((await scratchSchemas()).includes(engine.schema));
      assert.deepEqual((await engine.query('SELECT current_schemas(false) AS s')).rows, [{ s: [engine.schema] }]);
      await engine.query('CREATE TABLE mine (x int)');
      const where = await adminClient().query<{ nspname: string }>("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'mine'");
      assert.deepEqual(
        where.rows.map((r) => r.nspname),
        [engine.schema],
      );

      const target = await engine.targetSchema();
      assert.equal(target, `${engine.schema}_target`);
      assert.equal(await engine.targetSchema(), target);
      assert.ok((await scratchSchemas()).includes(target));
      // search_path is left as it was.
      assert.deepEqual((await engine.query('SELECT current_schemas(false) AS s')).rows, [{ s: [engine.schema] }]);

      await engine.close();
      closed = true;
      const left = await scratchSchemas();
      assert.ok(!left.includes(engine.schema) && !left.includes(target), left.join(', '));
      await engine.close(); // twice: no harm
      await assert.rejects(engine.query('SELECT 1'), /closed/);
      await assert.rejects(engine.targetSchema(), /closed/);
    } finally {
      if (!closed) await engine.close();
    }
  });

  it('rejects an unreachable URL at once, with one line naming it without its password', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'nosrv-'));
    for (const [given, shown] of [
      [`postgresql://postgres:s3cret@/rehearse?host=${empty}&port=5432`, `postgresql://postgres@/rehearse?host=${empty}&port=5432`],
      [`postgresql:///rehearse?host=${empty}&password=s3cret&port=5433`, `postgresql:///rehearse?host=${empty}&port=5433`],
    ]) {
      const t0 = Date.now();
      const err = await rejection(openPostgres(given));
      assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
      assert.ok(!/[\r\n]/.test(err.message), err.message);
      assert.ok(!err.message.includes('s3cret'), err.message);
      assert.ok(err.message.includes(shown), err.message);
      assert.match(err.message, /^cannot reach /);
    }
  });
});

describe('dropStaleRehearsalSchemas', () => {
  it('drops the schemas of a session that is gone and leaves an open one alone', { timeout: 30_000 }, async () => {
    const gone = await openPostgres(url());
    const open = await openPostgres(url());
    try {
      const goneTarget = await gone.targetSchema();
      const openTarget = await open.targetSchema();
      const pid = (await gone.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await adminClient().query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 0; ; i++) {
        const r = await adminClient().query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
        if (r.rowCount === 0) break;
        assert.ok(i < 200, 'the terminated backend did not end');
        await sleep(25);
      }
      await sleep(5); // older than 0 ms

      // Not old enough: left.
      assert.deepEqual(await dropStaleRehearsalSchemas(url(), 3_600_000), []);
      const dropped = await dropStaleRehearsalSchemas(url(), 0);
      assert.deepEqual(dropped, [gone.schema, goneTarget]);
      const left = await scratchSchemas();
      assert.ok(!left.includes(gone.schema) && !left.includes(goneTarget), left.join(', '));
      assert.ok(left.includes(open.schema) && left.includes(openTarget), left.join(', '));
      // The open engine still works in its schema.
      await open.query('CREATE TABLE still_here (x int)');
      assert.deepEqual((await open.query('SELECT count(*)::int AS n FROM still_here')).rows, [{ n: 0 }]);
    } finally {
      await gone.close(); // its connection is gone: close() still settles
      await open.close();
    }
    assert.deepEqual(await scratchSchemas(), []);
  });

  it('rejects with one line naming the URL when the server cannot be reached', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'nosrv-'));
    const err = await rejection(dropStaleRehearsalSchemas(`postgresql://postgres:s3cret@/rehearse?host=${empty}`, 0));
    assert.ok(!/[\r\n]/.test(err.message) && !err.message.includes('s3cret'), err.message);
    assert.ok(err.message.includes(`postgresql://postgres@/rehearse?host=${empty}`), err.message);
  });
});

describe('a process interrupted with an engine open', () => {
  /** A node process that opens an engine (and its target schema), prints the schema's name, then waits. */
  function child(): ChildProcess {
    const script = path.join(tmp, 'hold.js');
    fs.writeFileSync(
      script,
      `const { openPostgres } = require(${JSON.stringify(ENGINE_JS)});
openPostgres(process.argv[2]).then(
  async (e) => {
    await e.targetSchema();
    process.stdout.write(e.schema + '\\n');
    setInterval(() => undefined, 60_000);
  },
  (err) => {
    console.error(err.message);
    process.exit(2);
  },
);
`,
    );
    return spawn(process.execPath, [script, url()], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  function firstLine(p: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      p.once('exit', (code, signal) => reject(new Error(`the child exited (${code ?? signal}) before printing its schema: ${err}`)));
    });
  }

  function exit(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve({ code: p.exitCode, signal: p.signalCode });
    return new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
  }

  it('drops its scratch schemas on SIGINT, then exits 130', { timeout: 30_000 }, async () => {
    const p = child();
    try {
      const schema = await firstLine(p);
      assert.match(schema, /^migplan_rehearsal_[0-9a-f]{12}$/);
      assert.deepEqual(await scratchSchemas(), [schema, `${schema}_target`]);
      const exited = exit(p);
      p.kill('SIGINT');
      assert.deepEqual(await exited, { code: 130, signal: null });
      assert.deepEqual(await scratchSchemas(), []);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('leaves its schemas on SIGKILL, for dropStaleRehearsalSchemas to remove', { timeout: 30_000 }, async () => {
    const p = child();
    try {
      const schema = await firstLine(p);
      const exited = exit(p);
      p.kill('SIGKILL');
      assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
      assert.deepEqual(await scratchSchemas(), [schema, `${schema}_target`]);
      // The server ends the session once it sees the connection closed: until then the schemas are in use.
      let dropped: string[] = [];
      for (let i = 0; dropped.length === 0; i++) {
        assert.ok(i < 200, 'the killed process\'s session did not end');
        await sleep(25);
        dropped = await dropStaleRehearsalSchemas(url(), 0);
      }
      assert.deepEqual(dropped, [schema, `${schema}_target`]);
      assert.deepEqual(await scratchSchemas(), []);
    } finally {
      p.kill('SIGKILL');
    }
  });
});
