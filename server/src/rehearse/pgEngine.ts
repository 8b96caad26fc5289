/**
 * The rehearsal engine on a PostgreSQL server given by URL (`migplan rehearse
 * --database URL`): one `pg` connection, and everything inside a scratch schema
 * `migplan_rehearsal_<12 hex>` made for the rehearsal, first and alone on
 * `search_path`, dropped by `close()`. A second scratch schema
 * (`…_target`) holds the target schema for the catalog comparison.
 *
 * Left-behind schemas: while an engine is open, SIGINT, SIGTERM and SIGHUP close
 * every open engine and then exit (130, 143, 129). A SIGKILL cannot be caught,
 * so each scratch schema carries a comment with its creation time
 * (`migplan rehearsal <ISO time> pid <pid>`), and its session holds an advisory
 * lock named after it for as long as it is open: `dropStaleRehearsalSchemas`
 * drops the old ones whose lock is free (their session is gone).
 *
 * Values (the `pg` driver's text parsers, set on this connection only, and
 * chosen to match the PGlite engine): int2/int4/oid/float4/float8 are numbers;
 * int8 is a number, or a bigint past 2^53; numeric is text; date, time, timetz,
 * timestamp, timestamptz and interval are text as the server prints them (its
 * DateStyle and TimeZone), never a JS Date; json/jsonb are parsed; bool is a
 * boolean; bytea is a Buffer; arrays are arrays of the same.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { codePointToUtf16, loadSqlParser, parseSql } from '../service/sql/parser';
import { EngineError, type Engine, type QueryResult, type Row } from './engine';

export interface PostgresEngine extends Engine {
  readonly kind: 'postgres';
  /** The scratch schema the rehearsal runs in (first and alone on `search_path`). */
  readonly schema: string;
  /** Creates (once) the second scratch schema, `<schema>_target`, and returns its name; `search_path` is left as it is. */
  targetSchema(): Promise<string>;
}

export interface OpenPostgresOptions {
  /** PostgreSQL's notices and warnings raised by the rehearsal's statements, as `SEVERITY: message` (e.g. `NOTICE: table "t" does not exist, skipping`). */
  onNotice?: (msg: string) => void;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() waits for the scratch schemas to be dropped before it gives up on them. */
const CLOSE_TIMEOUT_MS = 15_000;
const SCHEMA_PREFIX = 'migplan_rehearsal_';
const SCHEMA_NAME = /^migplan_rehearsal_([0-9a-f]{12})(_target)?$/;
const COMMENT = /^migplan rehearsal (\S+) pid \d+$/;
/** First key of the advisory locks that mark a scratch schema as in use ('migp'); the second is the schema's first 8 hex digits. */
const LOCK_CLASS = 0x6d696770;

/** The URL without its password (in the user part, or as a `password` parameter), to name it in messages. */
export function describeUrl(url: string): string {
  let s = url.trim();
  // scheme://user:password@host… → scheme://user@host… (the user part ends at the authority's last `@`).
  s = s.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon >= 0 ? userinfo.slice(0, colon) : userinfo}@`;
  });
  s = s.replace(/([?&])(ssl)?password=[^&#]*(&?)/gi, (_m, sep: string, _ssl: string | undefined, next: string) => (next ? sep : ''));
  return s.replace(/[?&]$/, '');
}

/** One line of an error, whatever it is (a connection error can be an AggregateError with no message of its own). */
function oneLine(err: unknown): string {
  let msg: string;
  if (err instanceof AggregateError && !err.message) msg = err.errors.map((e) => oneLine(e)).join('; ');
  else if (err instanceof Error) msg = err.message || (err as NodeJS.ErrnoException).code || err.name;
  else msg = String(err);
  return msg.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A connected client, or an Error of one line naming the URL (without its password). */
async function connect(url: string): Promise<pg.Client> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'migplan rehearse' });
  } catch (err) {
    throw new Error(`cannot read the database URL ${describeUrl(url)}: ${oneLine(err)}`, { cause: err });
  }
  // A connection that breaks later (the server restarts, the backend is terminated) is an 'error'
  // event: without a listener it would end the process. The query that was running rejects anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    void client.end().catch(() => undefined);
    const refused = err instanceof pg.DatabaseError; // the server answered: a wrong password, no such database…
    throw new Error(`${refused ? 'cannot connect to' : 'cannot reach'} ${describeUrl(url)}: ${oneLine(err)}`, { cause: err });
  }
  return client;
}

function lockKeys(hex: string): [number, number] {
  return [LOCK_CLASS, parseInt(hex.slice(0, 8), 16) | 0];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

// ---------------------------------------------------------------------------
// Values: the same JavaScript types the PGlite engine gives.

const OID = {
  int8: 20,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  textArray: 1009,
  int8Array: 1016,
  numericArray: 1231,
  dateArray: 1182,
  timeArray: 1183,
  timestampArray: 1115,
  timestamptzArray: 1185,
  intervalArray: 1187,
  timetzArray: 1270,
  // Arrays of catalog types (current_schemas(), array_agg(attname), contype…), which pg-types leaves as text.
  charArray: 1002,
  nameArray: 1003,
  regclassArray: 2210,
  regtypeArray: 2211,
} as const;

function int8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function mapDeep(v: unknown, f: (s: string) => unknown): unknown {
  if (Array.isArray(v)) return v.map((e) => mapDeep(e, f));
  return typeof v === 'string' ? f(v) : v;
}

/** pg-types' enum of type oids lists no array types: any oid goes. */
type TypeId = Parameters<pg.Client['setTypeParser']>[0];

function setParsers(client: pg.Client): void {
  const set = (oid: number, parse: (s: string) => unknown): void => client.setTypeParser(oid as TypeId, 'text', parse);
  const text = (s: string): string => s;
  const textArray = client.getTypeParser(OID.textArray as TypeId, 'text') as (s: string) => unknown;
  set(OID.int8, int8);
  for (const oid of [OID.date, OID.time, OID.timestamp, OID.timestamptz, OID.interval, OID.timetz]) set(oid, text);
  const textArrays = [OID.dateArray, OID.timeArray, OID.timestampArray, OID.timestamptzArray, OID.intervalArray, OID.timetzArray, OID.numericArray];
  for (const oid of [...textArrays, OID.charArray, OID.nameArray, OID.regclassArray, OID.regtypeArray]) set(oid, textArray);
  set(OID.int8Array, (s) => mapDeep(textArray(s), int8));
}

// ---------------------------------------------------------------------------
// Interruption: one set of signal handlers for all open engines.

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type Signal = keyof typeof EXIT_CODES;
const openEngines = new Set<{ close(): Promise<void> }>();
let exiting = false;

function onSignal(signal: Signal): void {
  const code = EXIT_CODES[signal];
  // A second signal while the engines close: stop waiting.
  if (exiting) process.exit(code);
  exiting = true;
  setTimeout(() => process.exit(code), CLOSE_TIMEOUT_MS + 2_000);
  void Promise.allSettled([...openEngines].map((e) => e.close())).then(() => process.exit(code));
}

const handlers = new Map<Signal, () => void>();

/** What a statement gives while the process exits on a signal: nothing, ever. */
function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

function track(engine: { close(): Promise<void> }): void {
  openEngines.add(engine);
  if (handlers.size > 0) return;
  for (const signal of Object.keys(EXIT_CODES) as Signal[]) {
    const h = (): void => onSignal(signal);
    handlers.set(signal, h);
    process.on(signal, h);
  }
}

function untrack(engine: { close(): Promise<void> }): void {
  openEngines.delete(engine);
  // While exiting, the handlers stay until the exit: a second signal then exits at once.
  if (openEngines.size > 0 || exiting) return;
  for (const [signal, h] of handlers) process.removeListener(signal, h);
  handlers.clear();
}

// ---------------------------------------------------------------------------

/**
 * Connects to `url` and makes the scratch schema. Rejects with an Error of one
 * line naming the URL (without its password) when the server cannot be
 * reached, refuses the connection, or does not let the user create a schema.
 */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PostgresEngine> {
  const client = await connect(url);
  setParsers(client);
  let quiet = true; // no notices from the engine's own statements
  client.on('notice', (n) => {
    if (!quiet && options.onNotice) options.onNotice(`${n.severity ?? 'NOTICE'}: ${n.message ?? ''}`);
  });
  const q = (s: string): string => client.escapeIdentifier(s);
  const comment = (): string => client.escapeLiteral(`migplan rehearsal ${new Date().toISOString()} pid ${process.pid}`);

  let schema = '';
  let target: string | undefined;
  let targetMade: Promise<string> | undefined;
  let broken = false;
  let busy = 0;
  let backendPid = 0;
  let closing: Promise<void> | undefined;
  client.on('error', () => {
    broken = true;
  });
  client.on('end', () => {
    broken = true;
  });

  const dropSchemas = async (): Promise<void> => {
    const names = [schema, target].filter((s): s is string => !!s).map(q).join(', ');
    if (!names) return;
    if (!broken && busy === 0) {
      if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK');
      await client.query(`DROP SCHEMA IF EXISTS ${names} CASCADE`);
      return;
    }
    // A statement is still running (the rehearsal was interrupted), or the connection broke:
    // from a second connection, end the first one's session (its transaction rolls back), then drop.
    const other = await connect(url);
    try {
      if (!broken && backendPid) await other.query('SELECT pg_terminate_backend($1)', [backendPid]);
      await other.query(`DROP SCHEMA IF EXISTS ${names} CASCADE`);
    } finally {
      await other.end().catch(() => undefined);
    }
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      quiet = true;
      try {
        await withTimeout(dropSchemas(), CLOSE_TIMEOUT_MS);
      } catch {
        // Best effort: dropStaleRehearsalSchemas removes what is left.
      }
      try {
        await withTimeout(client.end(), 2_000);
      } catch {
        // already ended, or the server does not answer
      }
      untrack(handle);
    })();
    return closing;
  };
  const handle = { close };
  track(handle);

  try {
    backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    let hex = '';
    for (let attempt = 0; ; attempt++) {
      hex = randomBytes(6).toString('hex');
      const [k1, k2] = lockKeys(hex);
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [k1, k2]);
      if (r.rows[0].ok) break;
      if (attempt >= 5) throw new Error('no free advisory lock for a scratch schema');
    }
    // Named before it exists: a close() from now on (a signal) drops it if it was made.
    schema = `${SCHEMA_PREFIX}${hex}`;
    // One simple query: one implicit transaction, so the schema never exists without its comment.
    await client.query(`CREATE SCHEMA ${q(schema)}; COMMENT ON SCHEMA ${q(schema)} IS ${comment()}`);
    await client.query(`SET search_path TO ${q(schema)}`);
  } catch (err) {
    await close();
    throw new Error(`cannot create a scratch schema in ${describeUrl(url)}: ${oneLine(err)}`, { cause: err });
  }
  let serverVersion: string;
  try {
    const r = await client.query<{ server_version: string }>('SHOW server_version');
    // Debian's builds add their package version: `17.4 (Debian 17.4-1.pgdg120+2)` → `17.4`.
    serverVersion = r.rows[0].server_version.trim().split(/\s+/)[0];
  } catch (err) {
    await close();
    throw new Error(`cannot read the server version of ${describeUrl(url)}: ${oneLine(err)}`, { cause: err });
  }
  quiet = false;

  /** Runs one query string; a position PostgreSQL gives (characters, 1-based) becomes a 1-based UTF-16 position in `positionIn`, shifted by `offset`. */
  const run = async (text: string, params: readonly unknown[] | undefined, positionIn: string, offset: number): Promise<QueryResult> => {
    if (exiting) return never();
    if (closing) throw new Error('the rehearsal engine is closed');
    busy++;
    let result: unknown;
    try {
      result = await client.query({ text, values: params ? [...params] : undefined });
    } catch (err) {
      // Interrupted by a signal: the process exits (130, 143) once the schemas are dropped. The
      // statement that was running must not settle meanwhile, or the caller's error path (an error
      // exit, an unhandled rejection) could end the process first, with another code.
      if (exiting) return never();
      if (err instanceof pg.DatabaseError && !closing) {
        const cp = err.position ? Number(err.position) : NaN;
        const position = Number.isInteger(cp) && cp > 0 ? offset + codePointToUtf16(positionIn, cp - 1) + 1 : undefined;
        throw new EngineError(err.message, position, err.code);
      }
      if (closing) throw new Error('the rehearsal engine was closed while a statement ran', { cause: err });
      throw new Error(`lost the connection to ${describeUrl(url)}: ${oneLine(err)}`, { cause: err });
    } finally {
      busy--;
    }
    if (exiting) return never();
    // Several statements in one string (no parameters) give one result each: the last one answers.
    const results = (Array.isArray(result) ? result : [result]) as pg.QueryResult<Row>[];
    const last = results[results.length - 1];
    const out: QueryResult = { rows: last?.rows ?? [], fields: (last?.fields ?? []).map((f) => f.name) };
    if (last && last.rowCount !== null && ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(last.command)) out.affectedRows = last.rowCount;
    return out;
  };

  const engine: PostgresEngine = {
    kind: 'postgres',
    serverVersion,
    schema,
    query: (sql, params) => run(sql, params, sql, 0),
    async exec(sql) {
      // One statement at a time, each committing on its own (as psql runs a script): several statements
      // in one query string would run as one transaction, where CREATE INDEX CONCURRENTLY is refused.
      await loadSqlParser();
      const parse = parseSql(sql);
      if (!parse || parse.error || parse.statements.length <= 1) {
        // No parser, a syntax error (the server then reports it, and runs nothing), or one statement.
        await run(sql, undefined, sql, 0);
        return;
      }
      for (const st of parse.statements) {
        const text = sql.slice(st.start, st.end);
        await run(text, undefined, text, st.start);
      }
    },
    targetSchema() {
      if (closing) return Promise.reject(new Error('the rehearsal engine is closed'));
      targetMade ??= (async () => {
        const name = `${schema}_target`;
        target = name; // dropped by close() from now on, if it gets made
        busy++;
        try {
          await client.query(`CREATE SCHEMA ${q(name)}; COMMENT ON SCHEMA ${q(name)} IS ${comment()}`);
        } catch (err) {
          targetMade = undefined;
          throw new Error(`cannot create the target schema in ${describeUrl(url)}: ${oneLine(err)}`, { cause: err });
        } finally {
          busy--;
        }
        return name;
      })();
      return targetMade;
    },
    close,
  };
  return engine;
}

/**
 * Drops the scratch schemas (`migplan_rehearsal_*`) that rehearsals left on the
 * server at `url` (a process killed with SIGKILL, a lost connection) and that
 * were made more than `olderThanMs` ago: those whose comment says when they were
 * made and whose session has ended (its advisory lock is free), so a rehearsal
 * still running is never touched. Returns the names dropped. Rejects, with one
 * line naming the URL, only when the server cannot be reached; a schema that
 * cannot be dropped (another owner) is left.
 */
export async function dropStaleRehearsalSchemas(url: string, olderThanMs: number): Promise<string[]> {
  const client = await connect(url);
  const dropped: string[] = [];
  try {
    const { rows } = await client.query<{ name: string; comment: string | null }>(
      "SELECT nspname AS name, obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname LIKE 'migplan\\_rehearsal\\_%' ORDER BY nspname",
    );
    const now = Date.now();
    for (const { name, comment } of rows) {
      const m = SCHEMA_NAME.exec(name);
      const c = COMMENT.exec(comment ?? '');
      if (!m || !c) continue;
      const made = Date.parse(c[1]);
      if (!Number.isFinite(made) || now - made <= olderThanMs) continue;
      const [k1, k2] = lockKeys(m[1]);
      try {
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [k1, k2]);
        if (!r.rows[0].ok) continue; // its rehearsal is still open
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(name)} CASCADE`);
          dropped.push(name);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, $2)', [k1, k2]);
        }
      } catch {
        // Not ours to drop (another owner), or it went meanwhile: leave it.
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return dropped;
}
