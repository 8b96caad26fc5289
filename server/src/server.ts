/**
 * The migplan language server: a thin LSP adapter over the language service.
 * Node IPC from the VS Code client, or `--stdio` for other editors.
 *
 * Each document version is parsed and linted once; diagnostics, code actions,
 * hover, completion, symbols, the tree view and the preview all read that one
 * analysis. Validation is coalesced (a burst of changes is linted once, for
 * the newest version) instead of waiting a fixed delay.
 */
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FoldingRangeKind,
  InsertTextFormat,
  ProposedFeatures,
  ResponseError,
  SymbolKind,
  TextDocumentEdit,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeActionParams,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type InitializeResult,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ConfigError, findConfigFile, loadConfigFile, mergeConfigs, todayFromEnv, validateConfig } from './config';
import {
  PLAN_CHANGED_NOTIFICATION,
  PLAN_TREE_REQUEST,
  RENDER_REQUEST,
  SERVER_INFO_REQUEST,
  MEMORY_REQUEST,
  type MemoryResult,
  type PlanTreeNode,
  type PlanTreeResult,
  type PlanUriParams,
  type RenderResultMessage,
  type ServerInfoResult,
} from './protocol';
import { complete, definition, documentSymbols, foldingRanges, hover, planTree, references } from './service/features';
import type { ServiceSymbol } from './service/features/types';
import { fixAll, fixEdits, fixKeepsYaml, lint, UNIGNORABLE } from './service/lint';
import { ignoreCommentEdit } from './service/fixes';
import { loadSqlParser, onSqlParserLoaded } from './service/sql/parser';
import type { SqlFiles } from './service/sql/sqlValues';
import { nodeSqlFiles } from './sqlFiles';
import { PlanDocument } from './service/plan';
import { renderPlan } from './service/render';
import { ruleDocUrl } from './service/ruleDocs';
import { RULES_BY_ID } from './service/rules';
import type { Diagnostic, LintConfig, Range, Span } from './service/types';
import { warmUp as runWarmUp } from './warmUp';

/** One analysed version of a document. */
interface Analysis {
  version: number;
  /** The text analysed: a version number alone can repeat (a second didOpen, a change batch that failed half-way). */
  text: string;
  plan: PlanDocument;
  diagnostics: Diagnostic[];
  config: LintConfig;
}

/** Editor settings under `migplan` that the server reads. */
interface Settings {
  rules?: unknown;
  maxFileSize?: unknown;
}

/** Set by the bundler (scripts/build.mjs). */
declare const MIGPLAN_VERSION: string | undefined;
const VERSION = typeof MIGPLAN_VERSION === 'string' ? MIGPLAN_VERSION : '0.0.0-dev';

const NO_RULE_ACTIONS = new Set([...UNIGNORABLE, 'ignore-reason', 'unused-ignore']);
const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.migplan`;

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

/** How the server process was started, as far as it matters to serverInfo. */
export interface LaunchInfo {
  /** What became of the bundle's V8 code cache (bin/load-bundle.js). */
  codeCache?: string;
}

export function startServer(connection: Connection, launch: LaunchInfo = {}): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, Analysis>();
  const pending = new Set<string>();
  const rcCache = new Map<string, { file?: string; config?: LintConfig; error?: string }>();
  const reportedConfigErrors = new Set<string>();
  let settings: Settings = {};
  let canPullConfiguration = false;
  let canWatchFiles = false;
  let versionedEdits = false;
  /** The VS Code client contributes the same snippets itself; offering ours too would list each twice. */
  let clientSnippets = false;
  /** Set by `shutdown`: from then on requests fail, as the protocol says, and nothing is validated. */
  let shutDown = false;

  const log = (message: string): void => connection.console.log(message);

  /** After `shutdown` a request fails with InvalidRequest, as the protocol says. */
  function refuseAfterShutdown(what: string): void {
    if (shutDown) throw new ResponseError(ErrorCodes.InvalidRequest, `migplan: the server is shutting down (${what} after shutdown)`);
  }

  /** Runs a handler; a failure is logged and answered with `fallback`, never thrown. After `shutdown`, requests fail. */
  function guard<T>(what: string, fallback: T, fn: () => T): T {
    if (shutDown && what === 'validation') return fallback;
    refuseAfterShutdown(what);
    try {
      return fn();
    } catch (err) {
      connection.console.error(`migplan: ${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return fallback;
    }
  }

  // ---------------------------------------------------------------- configuration

  function rcFor(uri: string): LintConfig | undefined {
    if (!uri.startsWith('file:')) return undefined;
    let dir: string;
    try {
      dir = path.dirname(fileURLToPath(uri));
    } catch {
      return undefined;
    }
    let entry = rcCache.get(dir);
    if (!entry) {
      entry = {};
      try {
        entry.file = findConfigFile(dir);
        if (entry.file) entry.config = loadConfigFile(entry.file);
      } catch (err) {
        entry.error = err instanceof ConfigError ? err.message : String(err);
      }
      rcCache.set(dir, entry);
    }
    if (entry.error && !reportedConfigErrors.has(entry.error)) {
      reportedConfigErrors.add(entry.error);
      void connection.window.showWarningMessage(`migplan: ${entry.error}. Using the default rule settings.`);
    }
    return entry.config;
  }

  function settingsConfig(): LintConfig | undefined {
    if (settings.rules === undefined || settings.rules === null) return undefined;
    try {
      return validateConfig({ rules: settings.rules }, 'setting migplan.rules');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!reportedConfigErrors.has(message)) {
        reportedConfigErrors.add(message);
        void connection.window.showWarningMessage(`migplan: ${message}`);
      }
      return undefined;
    }
  }

  /** `.migplanrc.json` first, then the editor's `migplan.rules` on top (the user's own setting wins). */
  function configFor(uri: string): LintConfig {
    // MIGPLAN_TODAY pins the day dates are judged against (tests, reproducible runs).
    return mergeConfigs(rcFor(uri), settingsConfig(), todayFromEnv());
  }

  function maxLength(): number | undefined {
    const mb = settings.maxFileSize;
    return typeof mb === 'number' && mb > 0 ? Math.round(mb * 1024 * 1024) : undefined;
  }

  async function pullSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    try {
      const value: unknown = await connection.workspace.getConfiguration('migplan');
      settings = value && typeof value === 'object' ? (value as Settings) : {};
    } catch (err) {
      log(`migplan: could not read settings: ${String(err)}`);
    }
  }

  // ---------------------------------------------------------------- analysis

  /** The analysis of a document's current version (computed once per version). */
  function analysisOf(doc: TextDocument): Analysis {
    const text = doc.getText();
    let cached = analyses.get(doc.uri);
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
    analyses.delete(doc.uri);
    const config = configFor(doc.uri);
    // A document's first analysis builds its model on a heap that has yet to hold it: room to grow
    // there. Later versions replace a model of about the same size, and the heap already has room for
    // one; letting it grow then would only keep the garbage of the previous version around for longer.
    const { plan, diagnostics } = roomToGrow(first ? text.length : 0, () => {
      const plan = new PlanDocument(text, { maxLength: maxLength() }, previous);
      return { plan, diagnostics: lint(plan, { config, files: sqlFilesFor(doc.uri) }).diagnostics };
    });
    const analysis: Analysis = { version: doc.version, text, plan, diagnostics, config };
    analyses.set(doc.uri, analysis);
    return analysis;
  }

  function toLsp(a: Analysis, d: Diagnostic, uri: string): LspDiagnostic {
    const out: LspDiagnostic = {
      range: clientRange(a, d.range),
      severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
      code: d.rule,
      source: 'migplan',
      message: d.message,
    };
    if (RULES_BY_ID.has(d.rule)) out.codeDescription = { href: ruleDocUrl(d.rule) };
    // A related place in a SQL file the plan names is in that file (its own positions: no byte-order mark moved).
    if (d.related?.length) out.relatedInformation = d.related.map((r) => ({ location: r.file ? { uri: pathToFileURL(r.file).href, range: r.range } : { uri, range: clientRange(a, r.range) }, message: r.message }));
    if (d.data) out.data = d.data;
    return out;
  }

  function validate(uri: string): void {
    pending.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    guard('validation', undefined, () => {
      const a = analysisOf(doc);
      void connection.sendDiagnostics({ uri, version: a.version, diagnostics: a.diagnostics.map((d) => toLsp(a, d, uri)) });
      void connection.sendNotification(PLAN_CHANGED_NOTIFICATION, { uri, version: a.version });
    });
  }

  /**
   * Coalesces: however many changes arrive in one burst, the newest version is linted once.
   * The connection handles one queued message per event-loop turn, so validation waits for a
   * turn in which the document did not change (the queued changes are through), not just one turn.
   */
  function schedule(uri: string): void {
    if (pending.has(uri)) return;
    pending.add(uri);
    const settle = (seen: number | undefined): void => {
      setImmediate(() => {
        if (!pending.has(uri)) return;
        const version = documents.get(uri)?.version;
        if (version !== undefined && version !== seen) settle(version);
        else validate(uri);
      });
    };
    settle(undefined);
  }

  function revalidateAll(): void {
    analyses.clear();
    for (const doc of documents.all()) schedule(doc.uri);
  }

  // ---------------------------------------------------------------- helpers

  /*
   * The service reads a text without its byte-order mark (its positions do not count it, as the
   * spec says); a client that keeps the mark in the document counts it as the first character of
   * line 0. Every position crossing between the two is moved by it, here and only here.
   */

  /** How a plan's `{file: path}` SQL values are read: from disk for a plan saved on disk; not at all otherwise. */
  function sqlFilesFor(uri: string): SqlFiles {
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

  /** A service range as the client counts it. */
  function clientRange(a: Analysis, r: Range): Range {
    if (!a.plan.bom || (r.start.line !== 0 && r.end.line !== 0)) return r;
    const move = (p: Range['start']): Range['start'] => (p.line === 0 ? { line: 0, character: p.character + 1 } : p);
    return { start: move(r.start), end: move(r.end) };
  }

  /** A client position as the service counts it. */
  function servicePosition(a: Analysis, p: { line: number; character: number }): { line: number; character: number } {
    return a.plan.bom && p.line === 0 ? { line: 0, character: Math.max(0, p.character - 1) } : p;
  }

  function spanRange(a: Analysis, span: Span): Range {
    return clientRange(a, a.plan.lines.rangeOf(span));
  }

  function offsetOf(a: Analysis, position: { line: number; character: number }): number {
    return a.plan.lines.offsetAt(servicePosition(a, position));
  }

  function sameRange(x: Range, y: Range): boolean {
    return x.start.line === y.start.line && x.start.character === y.start.character && x.end.line === y.end.line && x.end.character === y.end.character;
  }

  function workspaceEdit(doc: TextDocument, edits: LspTextEdit[]): WorkspaceEdit {
    if (versionedEdits) return { documentChanges: [TextDocumentEdit.create({ uri: doc.uri, version: doc.version }, edits)] };
    return { changes: { [doc.uri]: edits } };
  }

  /** The one edit turning the document's text `before` into `after`: the differing middle (offsets of the document's own text). */
  function diffEdit(doc: TextDocument, before: string, after: string): LspTextEdit | undefined {
    if (before === after) return undefined;
    let start = 0;
    while (start < before.length && start < after.length && before.charCodeAt(start) === after.charCodeAt(start)) start++;
    let endB = before.length;
    let endA = after.length;
    while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
      endB--;
      endA--;
    }
    return { range: { start: doc.positionAt(start), end: doc.positionAt(endB) }, newText: after.slice(start, endA) };
  }

  /**
   * `# migplan-ignore <rule> -- …` above the block node the diagnostic starts in; none where a
   * comment line cannot go without changing a value (see ignoreCommentEdit).
   */
  function ignoreAction(doc: TextDocument, a: Analysis, d: Diagnostic, lsp: LspDiagnostic): CodeAction | undefined {
    // The reason is a placeholder, which silences nothing until the author writes why (ignore-reason says so).
    const edit = ignoreCommentEdit(a.plan, d.rule, a.plan.lines.offsetAt(d.range.start), 'TODO: why this does not apply here');
    if (!edit) return undefined;
    const action = CodeAction.create(`Ignore ${d.rule} for this node (then write why)`, workspaceEdit(doc, [{ range: spanRange(a, edit.span), newText: edit.text }]), CodeActionKind.QuickFix);
    action.diagnostics = [lsp];
    return action;
  }

  // ---------------------------------------------------------------- lifecycle

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    canPullConfiguration = caps.workspace?.configuration === true;
    canWatchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    versionedEdits = caps.workspace?.workspaceEdit?.documentChanges === true;
    const init = params.initializationOptions as { settings?: Settings; contributesSnippets?: boolean } | undefined;
    if (init?.settings) settings = init.settings;
    clientSnippets = init?.contributesSnippets === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, FIX_ALL_KIND] },
        completionProvider: { triggerCharacters: [':', ' ', '-'] },
        hoverProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        definitionProvider: true,
        referencesProvider: true,
      },
      serverInfo: { name: 'migplan-language-server' },
    };
  });

  // PostgreSQL's parser loads in the background: until it has, the SQL rules are silent, and the
  // plans are linted again once it is ready. Requests are answered all along.
  void loadSqlParser();
  onSqlParserLoaded(() => {
    if (!shutDown) revalidateAll();
  });

  connection.onShutdown(() => {
    shutDown = true;
    pending.clear();
  });

  connection.onInitialized(() => {
    if (canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/.migplanrc.json' }] });
    }
    void pullSettings().then(revalidateAll);
  });

  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as { migplan?: Settings } | undefined)?.migplan;
    if (!canPullConfiguration && pushed) settings = pushed;
    reportedConfigErrors.clear();
    void pullSettings().then(revalidateAll);
  });

  connection.onDidChangeWatchedFiles(() => {
    rcCache.clear();
    reportedConfigErrors.clear();
    revalidateAll();
  });

  documents.onDidOpen((e) => schedule(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    analyses.delete(e.document.uri);
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  // ---------------------------------------------------------------- features

  connection.onCodeAction((params: CodeActionParams) =>
    guard('code actions', [] as CodeAction[], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const a = analysisOf(doc);
      const only = params.context.only;
      const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k === FIX_ALL_KIND || k === CodeActionKind.Source) ?? false;
      const actions: CodeAction[] = [];
      if (wantsFixAll) {
        const fixed = fixAll(doc.getText(), { config: a.config, maxLength: maxLength() });
        const edit = diffEdit(doc, doc.getText(), fixed.text);
        if (edit) actions.push(CodeAction.create('Fix all migplan problems', workspaceEdit(doc, [edit]), FIX_ALL_KIND));
        else if (fixed.blockedByYaml) {
          const blocked = CodeAction.create('Fix all migplan problems', FIX_ALL_KIND);
          blocked.disabled = { reason: 'The plan has YAML errors; fix those first.' };
          actions.push(blocked);
        }
        if (only && only.every((k) => k.startsWith(CodeActionKind.Source))) return actions;
      }
      if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k) || k.startsWith(CodeActionKind.QuickFix))) return actions;
      // Fixes come from this server's own analysis, matched by rule and range: never trust echoed data.
      for (const lsp of params.context.diagnostics) {
        if (lsp.source !== 'migplan') continue;
        // Exact range first; else the same rule on the same line (some clients echo columns in bytes, not UTF-16).
        const d =
          a.diagnostics.find((x) => x.rule === lsp.code && sameRange(clientRange(a, x.range), lsp.range)) ??
          a.diagnostics.find((x) => x.rule === lsp.code && x.range.start.line === lsp.range.start.line);
        if (!d) continue;
        const fix = d.data?.fix;
        // A quick fix is offered only when applying it keeps the YAML as sound as it is.
        if (fix && fixKeepsYaml(a.plan, fixEdits(a.plan, d))) {
          const action = CodeAction.create(fix.title, workspaceEdit(doc, fix.edits.map((e) => ({ range: clientRange(a, e.range), newText: e.newText }))), CodeActionKind.QuickFix);
          action.diagnostics = [lsp];
          if (fix.preferred) action.isPreferred = true;
          actions.push(action);
        }
        const ignore = NO_RULE_ACTIONS.has(d.rule) ? undefined : ignoreAction(doc, a, d, lsp);
        if (ignore) actions.push(ignore);
      }
      return actions;
    }),
  );

  connection.onCompletion((params) =>
    guard('completion', [] as CompletionItem[], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const a = analysisOf(doc);
      return complete(a.plan, offsetOf(a, params.position), { snippets: !clientSnippets }).map((c): CompletionItem => {
        const item: CompletionItem = {
          label: c.label,
          kind: c.kind === 'property' ? CompletionItemKind.Property : c.kind === 'value' ? CompletionItemKind.Value : CompletionItemKind.Snippet,
          insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
        };
        if (c.replace) item.textEdit = { range: spanRange(a, c.replace), newText: c.insertText };
        else item.insertText = c.insertText;
        if (c.detail) item.detail = c.detail;
        if (c.documentation) item.documentation = { kind: 'markdown', value: c.documentation };
        if (c.sortText) item.sortText = c.sortText;
        return item;
      });
    }),
  );

  connection.onHover((params) =>
    guard('hover', null, () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return null;
      const a = analysisOf(doc);
      const h = hover(a.plan, offsetOf(a, params.position), a.diagnostics);
      return h ? { contents: { kind: 'markdown' as const, value: h.contents }, range: spanRange(a, h.span) } : null;
    }),
  );

  const SYMBOL_KINDS: Record<ServiceSymbol['kind'], SymbolKind> = {
    section: SymbolKind.Namespace,
    phase: SymbolKind.Class,
    list: SymbolKind.Array,
    item: SymbolKind.Field,
    field: SymbolKind.Property,
  };

  function toSymbol(a: Analysis, s: ServiceSymbol): DocumentSymbol {
    const range = spanRange(a, s.span);
    const selection = spanRange(a, s.selectionSpan);
    const sym: DocumentSymbol = { name: s.name || '(unnamed)', kind: SYMBOL_KINDS[s.kind], range, selectionRange: selection, children: s.children.map((c) => toSymbol(a, c)) };
    if (s.detail) sym.detail = s.detail;
    return sym;
  }

  connection.onDocumentSymbol((params) =>
    guard('document symbols', [] as DocumentSymbol[], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const a = analysisOf(doc);
      return documentSymbols(a.plan).map((s) => toSymbol(a, s));
    }),
  );

  connection.onFoldingRanges((params) =>
    guard('folding ranges', [], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      return foldingRanges(analysisOf(doc).plan).map((f) => ({ startLine: f.startLine, endLine: f.endLine, ...(f.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : f.kind === 'region' ? { kind: FoldingRangeKind.Region } : {}) }));
    }),
  );

  connection.onDefinition((params) =>
    guard('definition', null, () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return null;
      const a = analysisOf(doc);
      const span = definition(a.plan, offsetOf(a, params.position));
      return span ? { uri: doc.uri, range: spanRange(a, span) } : null;
    }),
  );

  connection.onReferences((params) =>
    guard('references', [], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const a = analysisOf(doc);
      return references(a.plan, offsetOf(a, params.position), params.context.includeDeclaration).map((span) => ({ uri: doc.uri, range: spanRange(a, span) }));
    }),
  );

  connection.onRequest(PLAN_TREE_REQUEST, (params: PlanUriParams): PlanTreeResult | null =>
    guard('plan tree', null, () => {
      const doc = documents.get(params.uri);
      if (!doc) return null;
      const a = analysisOf(doc);
      const convert = (n: ReturnType<typeof planTree>['nodes'][number]): PlanTreeNode => {
        const { span, children, ...rest } = n;
        const out: PlanTreeNode = { ...rest };
        if (span) out.range = spanRange(a, span);
        if (children) out.children = children.map(convert);
        return out;
      };
      return { uri: doc.uri, version: a.version, nodes: planTree(a.plan, a.diagnostics, a.config).nodes.map(convert) };
    }),
  );

  connection.onRequest(RENDER_REQUEST, (params: PlanUriParams): RenderResultMessage | null =>
    guard('render', null, () => {
      const doc = documents.get(params.uri);
      if (!doc) return null;
      const a = analysisOf(doc);
      const r = renderPlan(a.plan, a.diagnostics, a.config);
      const items = a.plan.root?.get('phases')?.items() ?? [];
      const headings = r.phaseHeadings.flatMap((h) => {
        const item = items[h.index];
        if (!item) return [];
        const start = item.dashOffset ?? item.span[0];
        return [{ markdownLine: h.line, anchor: h.anchor, range: spanRange(a, [start, item.span[1]]) }];
      });
      return { uri: doc.uri, version: a.version, markdown: r.markdown, headings };
    }),
  );

  connection.onRequest(SERVER_INFO_REQUEST, (): ServerInfoResult => {
    refuseAfterShutdown('server info');
    return { pid: process.pid, version: VERSION, execArgv: process.execArgv, codeCache: launch.codeCache ?? 'not used' };
  });
  connection.onRequest(MEMORY_REQUEST, (): MemoryResult => {
    refuseAfterShutdown('memory');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, collected: gc !== undefined };
  });

  documents.listen(connection);
  connection.listen();
}

/** Entry point: the transport comes from the command line (`--stdio`, `--node-ipc`, `--socket=N`). */
export function main(launch: LaunchInfo = {}): void {
  const connection = createConnection(ProposedFeatures.all);
  // Nothing may write to stdout in --stdio mode: route console output to the client's log.
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.info = console.log;
  console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
  process.on('uncaughtException', (err) => connection.console.error(`migplan: uncaught ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => connection.console.error(`migplan: unhandled rejection ${String(err)}`));
  startServer(connection, launch);
}

/** A short in-memory session, run before the code cache is written (see warmUp.ts). */
export function warmUp(plan: string): Promise<void> {
  return runWarmUp(startServer, plan);
}

if (require.main === module) main();
