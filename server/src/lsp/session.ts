/**
 * What every part of the LSP adapter shares: the open documents and their
 * analyses, the client's capabilities and settings, the configuration files,
 * and the conversions between the service's positions and the client's.
 *
 * Each document version is parsed and linted once; diagnostics, code actions,
 * hover, completion, symbols, the tree view and the preview all read that one
 * analysis.
 */
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, ResponseError, TextDocumentEdit, TextDocuments, type Connection, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ConfigError, findConfigFile, loadConfigFile, mergeConfigs, todayFromEnv, validateConfig } from '../config';
import { lint } from '../service/linting/lint';
import { PlanDocument } from '../service/parsing/plan';
import type { SqlFiles } from '../service/sql/sqlValues';
import type { Diagnostic, LintConfig, Range, Span } from '../service/types';
import { nodeSqlFiles } from '../sqlFiles';

/** One analysed version of a document. */
export interface Analysis {
  version: number;
  /** The text analysed: a version number alone can repeat (a second didOpen, a change batch that failed half-way). */
  text: string;
  plan: PlanDocument;
  diagnostics: Diagnostic[];
  config: LintConfig;
}

/** Editor settings under `migplan` that the server reads. */
export interface Settings {
  rules?: unknown;
  maxFileSize?: unknown;
}

/** The heap growth the process was started with (SERVER_NODE_OPTIONS), if any. */
const HEAP_GROWING_PERCENT = /^--heap-growing-percent=(\d+)$/.exec(process.execArgv.find((a) => a.startsWith('--heap-growing-percent=')) ?? '')?.[1];

/** Texts from this length (about 8,000 plan lines) are analysed with room for the heap to grow. */
export const LARGE_TEXT = 256 * 1024;

/**
 * Runs the analysis of a text of `length` characters. The server's heap grows
 * 20% past what is live before the next full collection, which keeps it small
 * while plans are small; building the model of a long plan on a small heap
 * would then take a dozen full collections as the heap grows (a fifth of a
 * 100,000-line plan's first lint). For long texts the heap may double
 * meanwhile; the next full collection after it sizes the heap by the 20% again.
 */
export function roomToGrow<T>(length: number, analyse: () => T, started = HEAP_GROWING_PERCENT, setFlags = v8.setFlagsFromString): T {
  if (started === undefined || length < LARGE_TEXT) return analyse();
  setFlags('--heap-growing-percent=100');
  try {
    return analyse();
  } finally {
    setFlags(`--heap-growing-percent=${started}`);
  }
}

export class Session {
  readonly documents = new TextDocuments(TextDocument);
  private readonly analyses = new Map<string, Analysis>();
  private readonly rcCache = new Map<string, { file?: string; config?: LintConfig; error?: string }>();
  private readonly reportedConfigErrors = new Set<string>();
  settings: Settings = {};
  canPullConfiguration = false;
  canWatchFiles = false;
  versionedEdits = false;
  /** The VS Code client contributes the same snippets itself; offering ours too would list each twice. */
  clientSnippets = false;
  /** Set by `shutdown`: from then on requests fail, as the protocol says, and nothing is validated. */
  shutDown = false;

  constructor(readonly connection: Connection) {}

  log(message: string): void {
    this.connection.console.log(message);
  }

  /** After `shutdown` a request fails with InvalidRequest, as the protocol says. */
  refuseAfterShutdown(what: string): void {
    if (this.shutDown) throw new ResponseError(ErrorCodes.InvalidRequest, `migplan: the server is shutting down (${what} after shutdown)`);
  }

  /** Runs a handler; a failure is logged and answered with `fallback`, never thrown. After `shutdown`, requests fail. */
  guard<T>(what: string, fallback: T, fn: () => T): T {
    if (this.shutDown && what === 'validation') return fallback;
    this.refuseAfterShutdown(what);
    try {
      return fn();
    } catch (err) {
      this.connection.console.error(`migplan: ${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return fallback;
    }
  }

  /** The open document and its current analysis, for a request about `uri`. */
  analysed(uri: string): { doc: TextDocument; a: Analysis } | undefined {
    const doc = this.documents.get(uri);
    return doc ? { doc, a: this.analysisOf(doc) } : undefined;
  }

  // ---------------------------------------------------------------- configuration

  private rcFor(uri: string): LintConfig | undefined {
    if (!uri.startsWith('file:')) return undefined;
    let dir: string;
    try {
      dir = path.dirname(fileURLToPath(uri));
    } catch {
      return undefined;
    }
    let entry = this.rcCache.get(dir);
    if (!entry) {
      entry = {};
      try {
        entry.file = findConfigFile(dir);
        if (entry.file) entry.config = loadConfigFile(entry.file);
      } catch (err) {
        entry.error = err instanceof ConfigError ? err.message : String(err);
      }
      this.rcCache.set(dir, entry);
    }
    if (entry.error) this.warnOnce(`${entry.error}. Using the default rule settings.`, entry.error);
    return entry.config;
  }

  private warnOnce(message: string, key = message): void {
    if (this.reportedConfigErrors.has(key)) return;
    this.reportedConfigErrors.add(key);
    void this.connection.window.showWarningMessage(`migplan: ${message}`);
  }

  private settingsConfig(): LintConfig | undefined {
    if (this.settings.rules === undefined || this.settings.rules === null) return undefined;
    try {
      return validateConfig({ rules: this.settings.rules }, 'setting migplan.rules');
    } catch (err) {
      this.warnOnce(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  /** `.migplanrc.json` first, then the editor's `migplan.rules` on top (the user's own setting wins). */
  configFor(uri: string): LintConfig {
    // MIGPLAN_TODAY pins the day dates are judged against (tests, reproducible runs).
    return mergeConfigs(this.rcFor(uri), this.settingsConfig(), todayFromEnv());
  }

  /** Configuration files changed on disk, or settings did: read them again, and warn again about what is still wrong. */
  forgetConfig(files: boolean): void {
    if (files) this.rcCache.clear();
    this.reportedConfigErrors.clear();
  }

  maxLength(): number | undefined {
    const mb = this.settings.maxFileSize;
    return typeof mb === 'number' && mb > 0 ? Math.round(mb * 1024 * 1024) : undefined;
  }

  async pullSettings(): Promise<void> {
    if (!this.canPullConfiguration) return;
    try {
      const value: unknown = await this.connection.workspace.getConfiguration('migplan');
      this.settings = value && typeof value === 'object' ? (value as Settings) : {};
    } catch (err) {
      this.log(`migplan: could not read settings: ${String(err)}`);
    }
  }

  // ---------------------------------------------------------------- analysis

  /** The analysis of a document's current version (computed once per version). */
  analysisOf(doc: TextDocument): Analysis {
    const text = doc.getText();
    let cached = this.analyses.get(doc.uri);
    if (cached && cached.version === doc.version && cached.text === text) return cached;
    const first = cached === undefined;
    // The next version's plan reuses the nodes of the previous one where the text did not change.
    // It takes the previous plan out of this holder, so that a model it cannot reuse goes before
    // the next is built (two models of a long plan at once double the peak memory): no other
    // reference to it may stay, not even this function's own, which V8 would otherwise keep alive
    // until the function returns (measured: 30,000 lines, 136 -> 121 MiB).
    const previous = { plan: cached?.plan };
    // eslint-disable-next-line no-useless-assignment -- dropping the reference is the point
    cached = undefined;
    this.analyses.delete(doc.uri);
    const config = this.configFor(doc.uri);
    // A document's first analysis builds its model on a heap that has yet to hold it: room to grow
    // there. Later versions replace a model of about the same size, and the heap already has room for
    // one; letting it grow then would only keep the garbage of the previous version around for longer.
    const { plan, diagnostics } = roomToGrow(first ? text.length : 0, () => {
      const plan = new PlanDocument(text, { maxLength: this.maxLength() }, previous);
      return { plan, diagnostics: lint(plan, { config, files: this.sqlFilesFor(doc.uri) }).diagnostics };
    });
    const analysis: Analysis = { version: doc.version, text, plan, diagnostics, config };
    this.analyses.set(doc.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.analyses.delete(uri);
  }

  forgetAll(): void {
    this.analyses.clear();
  }

  /** How a plan's `{file: path}` SQL values are read: from disk for a plan saved on disk; not at all otherwise. */
  sqlFilesFor(uri: string): SqlFiles {
    if (uri.startsWith('file:')) {
      try {
        return nodeSqlFiles(fileURLToPath(uri));
      } catch {
        // A malformed file URI: like an unsaved plan.
      }
    }
    const why = { error: 'cannot be read for a plan that is not a file on disk' };
    return { resolve: () => why, read: () => why };
  }

  // ---------------------------------------------------------------- positions

  /*
   * The service reads a text without its byte-order mark (its positions do not count it, as the
   * spec says); a client that keeps the mark in the document counts it as the first character of
   * line 0. Every position crossing between the two is moved by it, here and only here.
   */

  /** A service range as the client counts it. */
  clientRange(a: Analysis, r: Range): Range {
    if (!a.plan.bom || (r.start.line !== 0 && r.end.line !== 0)) return r;
    const move = (p: Range['start']): Range['start'] => (p.line === 0 ? { line: 0, character: p.character + 1 } : p);
    return { start: move(r.start), end: move(r.end) };
  }

  /** A client position as the service counts it. */
  servicePosition(a: Analysis, p: { line: number; character: number }): { line: number; character: number } {
    return a.plan.bom && p.line === 0 ? { line: 0, character: Math.max(0, p.character - 1) } : p;
  }

  spanRange(a: Analysis, span: Span): Range {
    return this.clientRange(a, a.plan.lines.rangeOf(span));
  }

  offsetOf(a: Analysis, position: { line: number; character: number }): number {
    return a.plan.lines.offsetAt(this.servicePosition(a, position));
  }

  workspaceEdit(doc: TextDocument, edits: LspTextEdit[]): WorkspaceEdit {
    if (this.versionedEdits) return { documentChanges: [TextDocumentEdit.create({ uri: doc.uri, version: doc.version }, edits)] };
    return { changes: { [doc.uri]: edits } };
  }
}
