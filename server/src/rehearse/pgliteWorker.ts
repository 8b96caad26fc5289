/**
 * The child process of the embedded rehearsal engine (pgliteEngine.ts): a new
 * in-memory PostgreSQL (PGlite, WASM) answering the parent over Node's IPC
 * channel. PGlite needs hundreds of MB and seconds to start, so it runs here
 * and never in the language server or the VS Code extension host.
 *
 * Protocol (the parent forks this file with `serialization: 'advanced'`, so
 * bigint, Buffer and Uint8Array values pass as they are):
 * - the child says `{kind: 'ready', serverVersion}` once PostgreSQL runs, or
 *   `{kind: 'failed', message}` and exits 1;
 * - the parent asks `{id, op, sql?, params?}`, one at a time or queued: `query`
 *   (one statement, with `$n` parameters; without parameters it goes by the
 *   simple protocol, several statements then answering with the last one),
 *   `exec` (no result), `target` (creates the schema `migplan_target` once and
 *   answers its name) and `close` (closes PGlite and exits 0, without an answer);
 * - the child answers `{kind: 'reply', id, result}` or
 *   `{kind: 'reply', id, error: {message, position?, code?, database}}`, where
 *   `position` is PostgreSQL's (characters, 1-based) and `database` says the
 *   error came from PostgreSQL (not from PGlite or the WASM runtime); while a
 *   `query` or `exec` runs, the notices it raises come as
 *   `{kind: 'notice', id, text}`.
 *
 * Values: as the server engine (pgEngine.ts) gives them — date, timestamp and
 * timestamptz as the text PostgreSQL prints (PGlite would make them JS Dates);
 * the other types as PGlite parses them (int8 a number or a bigint past 2^53,
 * numeric and time types text, json parsed, bytea a Uint8Array that the parent
 * turns into a Buffer).
 *
 * The child exits when the IPC channel closes (the parent exited, even on
 * SIGKILL), and ignores SIGINT and SIGHUP, which a terminal sends to the whole
 * process group: the parent decides when the engine ends.
 */
import { PGlite, messages, type Results } from '@electric-sql/pglite';
import type { QueryResult, Row } from './engine';

/** The second schema, for the target schema, made by the `target` request. */
const TARGET_SCHEMA = 'migplan_target';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params?: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'target' }
  | { id: number; op: 'close' };

export interface WorkerError {
  message: string;
  /** PostgreSQL's error position: characters (code points), 1-based, in the statement sent. */
  position?: number;
  /** PostgreSQL's SQLSTATE. */
  code?: string;
  /** Whether PostgreSQL refused the statement (else PGlite or its WASM runtime failed). */
  database: boolean;
}

export type WorkerMessage =
  | { kind: 'ready'; serverVersion: string }
  | { kind: 'failed'; message: string }
  | { kind: 'notice'; id: number; text: string }
  | { kind: 'reply'; id: number; result?: QueryResult | string; error?: WorkerError };

const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

function send(msg: WorkerMessage, then?: () => void): void {
  // The channel is gone when the parent exited: the 'disconnect' handler ends this process.
  if (process.connected && process.send) process.send(msg, undefined, undefined, () => then?.());
  else then?.();
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message || err.name : String(err);
  return msg.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function toWorkerError(err: unknown): WorkerError {
  if (err instanceof messages.DatabaseError) {
    const position = err.position ? Number(err.position) : NaN;
    return {
      message: err.message,
      position: Number.isInteger(position) && position > 0 ? position : undefined,
      code: err.code,
      database: true,
    };
  }
  return { message: oneLine(err), database: false };
}

function toResult(r: Results<Row> | undefined): QueryResult {
  const out: QueryResult = { rows: r?.rows ?? [], fields: (r?.fields ?? []).map((f) => f.name) };
  if (r?.command && DML.has(r.command) && r.affectedRows !== undefined) out.affectedRows = r.affectedRows;
  return out;
}

const asText = (s: string): string => s;

async function start(): Promise<{ db: PGlite; serverVersion: string }> {
  // PGlite's own parsers give JS Dates for these (and for their arrays, which use the same parsers).
  const db = await PGlite.create({ parsers: { 1082: asText, 1114: asText, 1184: asText } });
  await db.exec('SET search_path TO public');
  const r = await db.query<{ server_version: string }>('SHOW server_version');
  return { db, serverVersion: String(r.rows[0]?.server_version ?? '').trim().split(/\s+/)[0] };
}

function main(): void {
  if (!process.send) {
    console.error('pgliteWorker: run by the migplan rehearsal engine (child_process.fork), not directly');
    process.exit(2);
  }
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  process.on('disconnect', () => process.exit(0));

  const started = start();
  let targetMade = false;
  // One request at a time, in the order they came.
  let queue: Promise<unknown> = started;

  const handle = async (req: WorkerRequest): Promise<void> => {
    const onNotice = (n: { severity?: string; message?: string }): void => send({ kind: 'notice', id: req.id, text: `${n.severity ?? 'NOTICE'}: ${n.message ?? ''}` });
    try {
      const { db } = await started;
      switch (req.op) {
        case 'query': {
          let result: QueryResult;
          if (req.params && req.params.length > 0) {
            result = toResult(await db.query<Row>(req.sql, [...req.params], { onNotice }));
          } else {
            // The simple protocol, as `pg` does without parameters: several statements give one result each, the last one answers.
            const rs = await db.exec(req.sql, { onNotice });
            result = toResult(rs[rs.length - 1] as Results<Row> | undefined);
          }
          send({ kind: 'reply', id: req.id, result });
          return;
        }
        case 'exec':
          await db.exec(req.sql, { onNotice });
          send({ kind: 'reply', id: req.id });
          return;
        case 'target':
          if (!targetMade) {
            await db.exec(`CREATE SCHEMA ${TARGET_SCHEMA}`);
            targetMade = true;
          }
          send({ kind: 'reply', id: req.id, result: TARGET_SCHEMA });
          return;
        case 'close':
          // No answer: the parent waits for the exit.
          try {
            await db.close();
          } finally {
            process.exit(0);
          }
      }
    } catch (err) {
      send({ kind: 'reply', id: req.id, error: toWorkerError(err) });
    }
  };

  process.on('message', (req: WorkerRequest) => {
    queue = queue.then(
      () => handle(req),
      () => handle(req),
    );
  });

  started.then(
    ({ serverVersion }) => send({ kind: 'ready', serverVersion }),
    (err: unknown) => send({ kind: 'failed', message: oneLine(err) }, () => process.exit(1)),
  );
}

main();
