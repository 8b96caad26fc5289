/**
 * The rehearsal as a child process of the VS Code extension ("Migration Plan:
 * Rehearse"), bundled as dist/rehearseChild.js. The extension forks it for
 * one rehearsal, so that neither the extension host nor the language server
 * ever loads PGlite, PostgreSQL's parser for the run, or `pg`: PGlite itself
 * runs one level further down, in pgliteWorker.js (pgliteEngine.ts).
 *
 * Protocol (Node's IPC channel, JSON; childProtocol.ts):
 * - the parent sends one RehearseChildRequest `{planPath?, text, rows?, database?}`;
 * - the child lints the text as `migplan rehearse` does (the parser loaded
 *   first, `.migplanrc.json` above the plan, `{file: path}` SQL beside it),
 *   refuses a plan it cannot rehearse, opens the engine (PGlite, or a scratch
 *   schema on the server of `database`), and sends `{type: 'progress', ...}`
 *   while the rehearsal runs;
 * - it ends with one `{type: 'result', diagnostics, report, phases}` or
 *   `{type: 'error', message}` (one line), closes the engine, and exits.
 *
 * Cancelling is killing it: SIGTERM (or SIGINT) closes what is open (on a
 * server, pgEngine.ts drops the scratch schemas; PGlite's worker is killed)
 * and exits 143 (130). If the parent goes away, the child does the same. A
 * SIGKILL cannot be caught: PGlite's worker then still exits by itself, when
 * its IPC channel to this process closes.
 */
import * as path from 'node:path';
import { ConfigError, findConfigFile, loadConfigFile, mergeConfigs, todayFromEnv } from '../config';
import { itemSpan } from '../service/features/shared';
import { lint } from '../service/linting/lint';
import { loadSqlParser, sqlParserState } from '../service/sql/parser';
import type { LintConfig } from '../service/types';
import { nodeSqlFiles } from '../sqlFiles';
import type { RehearseChildMessage, RehearseChildPhase, RehearseChildRequest } from './childProtocol';
import type { Engine } from './engine';
import { dropStaleRehearsalSchemas, openPostgres } from './pgEngine';
import { openPglite } from './pgliteEngine';
import { findingDiagnostics, openFailure, rehearsalRefusal, rehearse, RehearsalRefused } from './runner';

/** Rows the request may ask for (as `migplan rehearse --rows`). */
const MAX_ROWS = 100_000_000;
/** How long closing PGlite may take after a signal before the process exits anyway. */
const SIGNAL_CLOSE_MS = 3_000;

/** A refusal or failure, said in one line. */
class Refused extends Error {}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function messageOf(err: unknown): string {
  return oneLine(err instanceof Error ? err.message || err.name : String(err));
}

/** Checks the request's shape; throws Refused saying what is wrong. */
export function asRequest(value: unknown): RehearseChildRequest {
  const o = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  if (!o || typeof o.text !== 'string') throw new Refused('the rehearsal was asked without a plan text');
  if (o.planPath !== undefined && (typeof o.planPath !== 'string' || !path.isAbsolute(o.planPath))) throw new Refused('planPath must be an absolute path');
  if (o.rows !== undefined && (typeof o.rows !== 'number' || !Number.isInteger(o.rows) || o.rows < 1 || o.rows > MAX_ROWS)) {
    throw new Refused(`rows must be a whole number from 1 to ${MAX_ROWS}, not ${JSON.stringify(o.rows)}`);
  }
  if (o.database !== undefined && typeof o.database !== 'string') throw new Refused('database must be a PostgreSQL URL');
  const database = typeof o.database === 'string' && o.database.trim() !== '' ? o.database.trim() : undefined;
  return {
    text: o.text,
    ...(o.planPath !== undefined ? { planPath: o.planPath } : {}),
    ...(o.rows !== undefined ? { rows: o.rows } : {}),
    ...(database !== undefined ? { database } : {}),
  };
}

function configFor(planPath: string | undefined): LintConfig {
  const day = todayFromEnv();
  if (planPath === undefined) return day;
  const found = findConfigFile(path.dirname(planPath));
  return found ? mergeConfigs(loadConfigFile(found), day) : day;
}

/** The process's state, for the signal handler. */
let engine: Engine | undefined;
let finished = false;

function post(msg: RehearseChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) {
      resolve();
      return;
    }
    process.send(msg, undefined, undefined, () => resolve());
  });
}

/** Runs the rehearsal the request asks for; resolves to the last message. */
export async function run(req: RehearseChildRequest, onProgress: (msg: RehearseChildMessage) => void): Promise<RehearseChildMessage> {
  await loadSqlParser();
  const parser = sqlParserState();
  if (parser.state !== 'ready') throw new Refused(`PostgreSQL's parser did not load${parser.failure ? `: ${parser.failure}` : ''}`);
  const shown = req.planPath !== undefined ? path.basename(req.planPath) : 'the plan';
  const files = req.planPath !== undefined ? nodeSqlFiles(req.planPath) : undefined;
  const linted = lint(req.text, { config: configFor(req.planPath), ...(files ? { files } : {}) });
  const plan = linted.plan;
  const refused = rehearsalRefusal(linted, shown, req.database !== undefined, files);
  if (refused) throw new Refused(refused.message);
  let opened: Engine;
  try {
    opened = req.database === undefined ? await openPglite() : await openPostgres(req.database);
    engine = opened;
  } catch (err) {
    throw new Refused(openFailure(req.database, err));
  }
  try {
    if (req.database !== undefined) {
      // As `migplan rehearse --database`: the scratch schemas of rehearsals whose process was killed outright.
      const dropped = await dropStaleRehearsalSchemas(req.database, 0).catch(() => []);
      if (dropped.length > 0) onProgress({ type: 'progress', step: `dropped ${dropped.length} scratch schema${dropped.length === 1 ? '' : 's'} left by an interrupted rehearsal` });
    }
    const result = await rehearse(plan, opened, {
      ...(files ? { files } : {}),
      ...(req.rows !== undefined ? { rows: req.rows } : {}),
      onProgress: (p) => onProgress({ type: 'progress', ...p }),
    });
    const diagnostics = findingDiagnostics(plan, result.findings);
    const phases: RehearseChildPhase[] = plan.phases.map((p) => ({ id: p.id ?? `#${p.index + 1}`, range: plan.lines.rangeOf(itemSpan(plan, p.node)) }));
    return { type: 'result', diagnostics, report: result.report, phases };
  } finally {
    await opened.close();
    engine = undefined;
  }
}

/**
 * SIGTERM, SIGINT, or the parent gone: on a server, pgEngine's own handlers
 * (installed while its engine is open) drop the scratch schemas and exit;
 * otherwise this one closes PGlite (its worker is killed when a statement runs)
 * and exits.
 */
function onSignal(signal: 'SIGTERM' | 'SIGINT'): void {
  const code = signal === 'SIGTERM' ? 143 : 130;
  if (process.listenerCount(signal) > 1) return; // pgEngine's handler closes the server engine and exits
  const e = engine;
  if (!e) process.exit(code); // an engine being opened: pgliteEngine kills its worker on exit
  setTimeout(() => process.exit(code), SIGNAL_CLOSE_MS).unref();
  void e.close().finally(() => process.exit(code));
}

function main(): void {
  if (!process.send) {
    console.error('rehearseChild: run by the migplan VS Code extension (child_process.fork), not directly');
    process.exit(2);
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('disconnect', () => {
    // The parent went away: end as if cancelled (pgEngine's handler too, when it listens).
    if (!finished) process.kill(process.pid, 'SIGTERM');
  });
  process.once('message', (msg: unknown) => {
    void (async () => {
      let last: RehearseChildMessage;
      try {
        last = await run(asRequest(msg), (m) => void post(m));
      } catch (err) {
        last = { type: 'error', message: err instanceof Refused || err instanceof ConfigError || err instanceof RehearsalRefused ? messageOf(err) : `the rehearsal failed: ${messageOf(err)}` };
      }
      finished = true;
      await post(last);
      process.exit(0);
    })();
  });
}

if (require.main === module) main();
