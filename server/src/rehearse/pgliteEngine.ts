/**
 * The embedded rehearsal engine (`migplan rehearse` without `--database`): a
 * new in-memory PostgreSQL (PGlite, WASM) in a child process
 * (pgliteWorker.ts), as PGlite needs hundreds of MB and seconds to start.
 * Nothing here loads PGlite: this module only forks the worker and talks to it
 * over Node's IPC channel, so it may be bundled anywhere.
 *
 * The worker is `pgliteWorker.js` beside this file: out/server/src/rehearse/
 * when run from tsc's output (the tests), dist/ in the esbuild bundles, where
 * scripts/build.mjs puts the worker's bundle and PGlite's files (pglite.wasm,
 * initdb.wasm, pglite.data).
 *
 * The rehearsal runs in `public`, first and alone on `search_path`; the target
 * schema goes in `migplan_target`. Values are those of the server engine
 * (pgEngine.ts): int2/int4/oid/float4/float8 numbers; int8 a number, or a
 * bigint past 2^53; numeric text; date, time, timetz, timestamp, timestamptz
 * and interval text as PostgreSQL prints them (PGlite's TimeZone is UTC and
 * its DateStyle ISO, MDY), never a JS Date; json/jsonb parsed; bool a boolean;
 * bytea a Buffer; arrays arrays of the same.
 *
 * The child ends with close(), when it does not start in time, and when this
 * process exits (an 'exit' handler kills it; if this process is killed
 * outright, the child sees its IPC channel close and exits by itself).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { codePointToUtf16, loadSqlParser, parseSql } from '../service/sql/parser';
import { EngineError, type Engine, type QueryResult } from './engine';
import { lastWords } from './childOutput';
import type { WorkerError, WorkerMessage, WorkerRequest } from './pgliteWorker';

export interface PgliteEngine extends Engine {
  readonly kind: 'pglite';
  /** The child process running PGlite. */
  readonly pid: number;
}

export interface OpenPgliteOptions {
  /** PostgreSQL's notices and warnings raised by the rehearsal's statements, as `SEVERITY: message` (e.g. `NOTICE: table "t" does not exist, skipping`). */
  onNotice?: (msg: string) => void;
  /** How long the child may take to start PostgreSQL (default 60 s; it takes several seconds). */
  startTimeoutMs?: number;
}

const START_TIMEOUT_MS = 60_000;
/** How long close() waits for the child to close PGlite and exit before it kills it. */
const CLOSE_TIMEOUT_MS = 5_000;
const NAME = 'the embedded PostgreSQL (PGlite)';
/** The last characters of the child's stderr kept, to explain a crash. */
const STDERR_TAIL = 4_000;

/** The worker's file: beside this module (tsc's out/ or the dist/ bundles). */
export function pgliteWorkerPath(): string {
  return join(__dirname, 'pgliteWorker.js');
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

/** Uint8Arrays (bytea, as PGlite gives it) become Buffers, in arrays too, as the server engine gives them. */
function buffers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(buffers);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

// ---------------------------------------------------------------------------
// The children still running, killed when this process exits.

const children = new Set<ChildProcess>();
let exitHook = false;

function killChildren(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function track(child: ChildProcess): void {
  children.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killChildren);
  }
}

function untrack(child: ChildProcess): void {
  children.delete(child);
  if (children.size === 0 && exitHook) {
    exitHook = false;
    process.removeListener('exit', killChildren);
  }
}

// ---------------------------------------------------------------------------

interface Pending {
  resolve(v: QueryResult | string | undefined): void;
  reject(err: Error): void;
}

/**
 * Starts PostgreSQL in a child process. Rejects with an Error of one line when
 * the worker is missing, the child cannot start PostgreSQL, dies while
 * starting, or does not start within `startTimeoutMs`.
 */
export async function openPglite(options: OpenPgliteOptions = {}): Promise<PgliteEngine> {
  const worker = pgliteWorkerPath();
  if (!existsSync(worker)) throw new Error(`cannot start ${NAME}: its worker ${worker} is missing`);

  let child: ChildProcess;
  try {
    child = fork(worker, [], {
      serialization: 'advanced', // bigint, Buffer and Uint8Array pass as they are
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [], // not the parent's flags (--inspect, --test…)
      // In VS Code's runtime (Electron), the child must run as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
  } catch (err) {
    throw new Error(`cannot start ${NAME}: ${oneLine(err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
  track(child);

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });

  const pending = new Map<number, Pending>();
  let nextId = 1;
  /** Why the child is gone, once it is: the message of the errors of the statements that were running or come later. */
  let gone: string | undefined;
  let closing: Promise<void> | undefined;
  let exited = false;
  let onExit: () => void = () => undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    onExit = resolve;
  });

  // Idle, the child does not keep this process alive (its 'exit' handler then kills the child).
  const holdLoop = (hold: boolean): void => {
    if (exited) return;
    const handles = [child, child.channel, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[];
    for (const h of handles) (hold ? h?.ref : h?.unref)?.call(h);
  };

  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) holdLoop(false);
    return p;
  };

  const failAll = (message: string): void => {
    const all = [...pending.values()];
    pending.clear();
    for (const p of all) p.reject(new Error(message));
  };

  let startResolve: (serverVersion: string) => void = () => undefined;
  let startReject: (err: Error) => void = () => undefined;
  const started = new Promise<string>((resolve, reject) => {
    startResolve = resolve;
    startReject = reject;
  });

  child.on('message', (msg: WorkerMessage) => {
    switch (msg.kind) {
      case 'ready':
        startResolve(msg.serverVersion);
        return;
      case 'failed':
        startReject(new Error(`cannot start ${NAME}: ${oneLine(msg.message)}`));
        return;
      case 'notice':
        if (options.onNotice && !closing) options.onNotice(msg.text);
        return;
      case 'reply': {
        const p = settle(msg.id);
        if (!p) return;
        if (msg.error) p.reject(toError(msg.error));
        else p.resolve(msg.result);
        return;
      }
    }
  });

  const ended = (why: string): void => {
    if (exited) return;
    exited = true;
    untrack(child);
    const words = lastWords(stderr);
    gone = closing ? 'the rehearsal engine was closed while a statement ran' : `${NAME} stopped (${why})${words ? `: ${words}` : ''}`;
    startReject(new Error(`cannot start ${NAME}: the process ended (${why})${words ? `: ${words}` : ''}`));
    failAll(gone);
    onExit();
  };
  child.on('exit', (code, signal) => ended(describeExit(code, signal)));
  // The child could not be started at all (no 'exit' follows), or a message could not be sent.
  child.on('error', (err) => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) return; // a send failed: its request rejects on its own
    ended(oneLine(err.message));
  });

  const timeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  const timer = setTimeout(() => {
    startReject(new Error(`cannot start ${NAME}: it did not start within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`));
  }, timeoutMs);

  let serverVersion: string;
  try {
    serverVersion = await started;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  holdLoop(false);

  const request = (req: WorkerRequest): Promise<QueryResult | string | undefined> => {
    if (closing) return Promise.reject(new Error('the rehearsal engine is closed'));
    if (gone) return Promise.reject(new Error(gone));
    return new Promise((resolve, reject) => {
      pending.set(req.id, { resolve, reject });
      holdLoop(true);
      child.send(req, (err) => {
        if (!err) return;
        const p = settle(req.id);
        p?.reject(new Error(gone ?? `${NAME} stopped: ${oneLine(err.message)}`));
      });
    });
  };

  /** Runs one query string; a position PostgreSQL gives (characters, 1-based) becomes a 1-based UTF-16 position in `text`, shifted by `offset`. */
  const run = async (op: 'query' | 'exec', text: string, params: readonly unknown[] | undefined, offset: number): Promise<QueryResult> => {
    const id = nextId++;
    const req: WorkerRequest = op === 'query' ? { id, op, sql: text, params: params ? [...params] : undefined } : { id, op, sql: text };
    let result: QueryResult | string | undefined;
    try {
      result = await request(req);
    } catch (err) {
      if (err instanceof EngineError && err.position !== undefined) {
        throw new EngineError(err.message, offset + codePointToUtf16(text, err.position - 1) + 1, err.code);
      }
      throw err;
    }
    if (typeof result !== 'object') return { rows: [], fields: [] };
    for (const row of result.rows) for (const k of Object.keys(row)) row[k] = buffers(row[k]);
    return result;
  };

  let targetMade: Promise<string> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (!exited) {
        if (pending.size > 0) {
          // A statement is running: PGlite runs it to its end before reading another message, and the database is in memory.
          child.kill('SIGKILL');
        } else {
          child.send({ id: nextId++, op: 'close' } satisfies WorkerRequest, () => undefined);
        }
        holdLoop(true);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exitedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
        clearTimeout(timer);
        if (!exited) {
          child.kill('SIGKILL');
          await exitedPromise;
        }
      }
    })();
    return closing;
  };

  return {
    kind: 'pglite',
    pid: child.pid ?? 0,
    serverVersion,
    schema: 'public',
    query: (sql, params) => run('query', sql, params, 0),
    async exec(sql) {
      // One statement at a time, each committing on its own (as psql runs a script): several statements
      // in one query string would run as one transaction, where CREATE INDEX CONCURRENTLY is refused.
      await loadSqlParser();
      const parse = parseSql(sql);
      if (!parse || parse.error || parse.statements.length <= 1) {
        // No parser, a syntax error (PostgreSQL then reports it, and runs nothing), or one statement.
        await run('exec', sql, undefined, 0);
        return;
      }
      for (const st of parse.statements) await run('exec', sql.slice(st.start, st.end), undefined, st.start);
    },
    targetSchema() {
      if (closing) return Promise.reject(new Error('the rehearsal engine is closed'));
      targetMade ??= (async () => {
        try {
          return String(await request({ id: nextId++, op: 'target' }));
        } catch (err) {
          targetMade = undefined;
          throw new Error(`cannot create the target schema in ${NAME}: ${oneLine(err instanceof Error ? err.message : String(err))}`, { cause: err });
        }
      })();
      return targetMade;
    },
    close,
  };
}

function toError(e: WorkerError): Error {
  if (e.database) return new EngineError(e.message, e.position, e.code);
  return new Error(`${NAME} failed: ${oneLine(e.message)}`);
}
