/**
 * "Migration Plan: Rehearse": the plan run phase by phase on a real
 * PostgreSQL, as `migplan rehearse` does, in a child process
 * (dist/rehearseChild.js, server/src/rehearse/child.ts) so that neither the
 * extension host nor the language server loads PostgreSQL's parser for it,
 * `pg`, or PGlite (which runs in the child's own child). Nothing here is
 * loaded before the command runs but this file.
 *
 * The rehearsal runs under a cancellable progress notification; cancelling
 * sends the child SIGTERM (it closes its engine: PGlite's worker ends, a
 * server's scratch schema is dropped), then SIGKILL if it has not exited.
 * Findings are diagnostics of their own collection (source `migplan
 * rehearse`, code the rule id), and the report is kept, per document, until
 * its text changes or it closes: the preview and the plan view show it
 * meanwhile (onDidChange).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import type { RehearseChildMessage, RehearseChildRequest } from '../../server/src/rehearse/childProtocol';
import type { Progress } from '../../server/src/rehearse/runner';
import { lastWords } from '../../server/src/rehearse/childOutput';
import { progressMessage, summaryMessage, type RehearsalRecord } from './rehearsalState';
import { isPlan } from './reveal';

export const REHEARSE_COMMAND = 'migplan.rehearse';
export const REHEARSE_COLLECTION = 'migplan-rehearse';
export const REHEARSE_SOURCE = 'migplan rehearse';

/** How long a cancelled child may take to close its engine before it is killed outright. */
const KILL_AFTER_MS = 10_000;
/** The last characters of the child's stderr kept, to explain a crash. */
const STDERR_TAIL = 4_000;

/** What the command resolves to (the integration tests await it). */
export interface RehearseOutcome {
  status: 'done' | 'cancelled' | 'error' | 'stale' | 'busy' | 'no-plan';
  /** The plan rehearsed (`Uri.toString()`). */
  uri?: string;
  /** With `done`: how many findings the rehearsal reported. */
  diagnostics?: number;
  /** With `error`: the one-line reason shown. */
  message?: string;
}

/** The last rehearsal of each open plan, for the preview and the plan view. */
export interface RehearsalStore {
  /** The last rehearsal of the document, while its text is the one rehearsed. */
  record(uri: vscode.Uri): RehearsalRecord | undefined;
  /** Fires with the document's `Uri.toString()` when its rehearsal was set or cleared. */
  readonly onDidChange: vscode.Event<string>;
}

type ChildOutcome = RehearseChildMessage | { type: 'cancelled' };

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export class RehearsalController implements RehearsalStore, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(REHEARSE_COLLECTION);
  private readonly records = new Map<string, RehearsalRecord>();
  /** The children running, by document. */
  private readonly running = new Map<string, ChildProcess>();
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.collection, this.changed];

  /**
   * @param childPath dist/rehearseChild.js
   * @param fallback the plan to rehearse when neither an argument nor the active editor names one (the plan view's, the preview's)
   */
  constructor(
    private readonly childPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly fallback: () => vscode.Uri | undefined = () => undefined,
    /** A rule's page, for the findings' code links (the packaged docs/rules/<id>.md). */
    private readonly docPage?: (rule: string) => vscode.Uri,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.clear(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
    );
  }

  record(uri: vscode.Uri): RehearsalRecord | undefined {
    return this.records.get(uri.toString());
  }

  /** Forgets the document's rehearsal (its diagnostics, its report). */
  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const had = this.records.delete(key);
    if (this.collection.has(uri)) this.collection.delete(uri);
    if (had) this.changed.fire(key);
  }

  /** The command: rehearses `arg` (the editor title passes the plan's uri), else the active plan, else the fallback. */
  async rehearse(arg?: unknown): Promise<RehearseOutcome> {
    const document = await this.documentFor(arg instanceof vscode.Uri ? arg : undefined);
    if (!document) {
      void vscode.window.showInformationMessage('Open a migration plan (*.migplan.yaml) to rehearse it.');
      return { status: 'no-plan' };
    }
    const key = document.uri.toString();
    const name = fileName(document.uri);
    if (this.running.has(key)) {
      void vscode.window.showInformationMessage(`A rehearsal of ${name} is already running.`);
      return { status: 'busy', uri: key };
    }
    const config = vscode.workspace.getConfiguration('migplan.rehearsal', document.uri);
    const database = (config.get<string>('database') ?? '').trim();
    const rows = config.get<number | null>('rows');
    const request: RehearseChildRequest = {
      text: document.getText(),
      ...(document.uri.scheme === 'file' ? { planPath: document.uri.fsPath } : {}),
      ...(typeof rows === 'number' ? { rows } : {}),
      ...(database !== '' ? { database } : {}),
    };
    const version = document.version;
    this.log.info(`Rehearsing ${document.uri.toString(true)} on ${database !== '' ? 'a PostgreSQL server' : 'PGlite'}${typeof rows === 'number' ? ` with ${rows} rows` : ''}`);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Rehearsing ${name}`, cancellable: true },
      (progress, token) => this.runChild(key, request, (p) => progress.report({ message: progressMessage(p) }), token),
    );
    switch (outcome.type) {
      case 'cancelled':
        this.log.info(`Rehearsal of ${name} cancelled`);
        return { status: 'cancelled', uri: key };
      case 'error':
        this.log.warn(`Rehearsal of ${name}: ${outcome.message}`);
        void vscode.window.showErrorMessage(`Rehearse ${name}: ${outcome.message}`);
        return { status: 'error', uri: key, message: outcome.message };
      case 'progress':
        // Never the last message (runChild resolves on a result, an error or the end), but the type allows it.
        return { status: 'error', uri: key, message: 'the rehearsal ended without a result' };
      case 'result':
        break;
    }
    if (document.isClosed || document.version !== version) {
      void vscode.window.showInformationMessage(`${name} changed while it was rehearsed: its findings no longer apply. Run Rehearse again.`);
      return { status: 'stale', uri: key };
    }
    const record: RehearsalRecord = { report: outcome.report, diagnostics: outcome.diagnostics, phases: outcome.phases };
    this.records.set(key, record);
    this.collection.set(
      document.uri,
      outcome.diagnostics.map((d) => {
        const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
        const diag = new vscode.Diagnostic(range, d.detail ? `${d.message}\n${d.detail}` : d.message, SEVERITY[d.severity] ?? vscode.DiagnosticSeverity.Warning);
        diag.source = REHEARSE_SOURCE;
        diag.code = this.docPage ? { value: d.rule, target: this.docPage(d.rule) } : d.rule;
        return diag;
      }),
    );
    this.changed.fire(key);
    const summary = summaryMessage(name, record);
    this.log.info(summary);
    void vscode.window.showInformationMessage(summary, 'Show Problems').then((choice) => {
      if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return { status: 'done', uri: key, diagnostics: outcome.diagnostics.length };
  }

  private async documentFor(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
    if (uri) return vscode.workspace.openTextDocument(uri);
    const active = vscode.window.activeTextEditor?.document;
    if (isPlan(active)) return active;
    const fallback = this.fallback();
    return fallback ? vscode.workspace.openTextDocument(fallback) : undefined;
  }

  /** Forks the child, sends it the request, and resolves with its last message, or `cancelled`. Never rejects. */
  private runChild(key: string, request: RehearseChildRequest, onProgress: (p: Progress) => void, token: vscode.CancellationToken): Promise<ChildOutcome> {
    return new Promise<ChildOutcome>((resolve) => {
      let settled = false;
      const settle = (o: ChildOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(o);
      };
      let child: ChildProcess;
      try {
        child = fork(this.childPath, [], {
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          execArgv: [], // not the extension host's flags (--inspect…)
          // In VS Code's runtime (Electron), the child must run as plain Node.
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        });
      } catch (err) {
        settle({ type: 'error', message: `cannot start the rehearsal: ${oneLine(err instanceof Error ? err.message : String(err))}` });
        return;
      }
      this.running.set(key, child);
      let cancelled = false;
      let killTimer: NodeJS.Timeout | undefined;
      let stderr = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => this.log.debug(`rehearsal: ${chunk.trimEnd()}`));
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL);
        this.log.debug(`rehearsal: ${chunk.trimEnd()}`);
      });
      child.on('message', (msg: RehearseChildMessage) => {
        if (msg.type === 'progress') {
          if (!cancelled) onProgress(msg);
          return;
        }
        if (!cancelled) settle(msg);
      });
      const cancel = token.onCancellationRequested(() => {
        if (settled || cancelled) return;
        cancelled = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      });
      child.on('error', (err) => {
        // Not started at all (no 'close' may follow), or a send failed (the 'close' that follows says why).
        if (child.pid === undefined) settle({ type: 'error', message: `cannot start the rehearsal: ${oneLine(err.message)}` });
      });
      child.on('close', (code, signal) => {
        clearTimeout(killTimer);
        cancel.dispose();
        if (this.running.get(key) === child) this.running.delete(key);
        if (cancelled) {
          settle({ type: 'cancelled' });
          return;
        }
        const words = lastWords(stderr);
        settle({ type: 'error', message: `the rehearsal process ended (${signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`}) without a result${words ? `: ${words}` : ''}` });
      });
      child.send(request, (err) => {
        if (err) this.log.warn(`could not send the plan to the rehearsal process: ${err.message}`);
      });
    });
  }

  dispose(): void {
    // A rehearsal still running ends as if cancelled (a server's scratch schema dropped).
    for (const child of this.running.values()) child.kill('SIGTERM');
    this.running.clear();
    for (const d of this.disposables) d.dispose();
  }
}
