/**
 * The migplan language server: a thin LSP adapter over the language service.
 * Node IPC from the VS Code client, or `--stdio` for other editors.
 *
 * The adapter is a file per concern under lsp/: the session (documents,
 * analyses, settings, positions), diagnostics, code actions, the language
 * features, and migplan's own requests. This file wires them to a connection.
 */
import { CodeActionKind, ProposedFeatures, TextDocumentSyncKind, createConnection, type Connection, type InitializeResult } from 'vscode-languageserver/node';
import { FIX_ALL_KIND, SERVER_COMMANDS, registerCodeActions } from './lsp/codeActions';
import { registerCustomRequests } from './lsp/customRequests';
import { registerDiagnostics } from './lsp/diagnostics';
import { registerLanguageFeatures } from './lsp/languageFeatures';
import { Session, type Settings } from './lsp/session';
import { warmUp as runWarmUp } from './warmUp';

export { LARGE_TEXT, roomToGrow } from './lsp/session';

/** Set by the bundler (scripts/build.mjs). */
declare const MIGPLAN_VERSION: string | undefined;
const VERSION = typeof MIGPLAN_VERSION === 'string' ? MIGPLAN_VERSION : '0.0.0-dev';

/** How the server process was started, as far as it matters to serverInfo. */
export interface LaunchInfo {
  /** What became of the bundle's V8 code cache (bin/load-bundle.js). */
  codeCache?: string;
}

export function startServer(connection: Connection, launch: LaunchInfo = {}): void {
  const session = new Session(connection);

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    session.canPullConfiguration = caps.workspace?.configuration === true;
    session.canWatchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    session.versionedEdits = caps.workspace?.workspaceEdit?.documentChanges === true;
    const init = params.initializationOptions as { settings?: Settings; contributesSnippets?: boolean } | undefined;
    if (init?.settings) session.settings = init.settings;
    session.clientSnippets = init?.contributesSnippets === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, FIX_ALL_KIND] },
        executeCommandProvider: { commands: [...SERVER_COMMANDS] },
        completionProvider: { triggerCharacters: [':', ' ', '-'] },
        hoverProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
      },
      serverInfo: { name: 'migplan-language-server' },
    };
  });

  registerDiagnostics(session);
  registerCodeActions(session);
  registerLanguageFeatures(session);
  registerCustomRequests(session, { version: VERSION, ...(launch.codeCache !== undefined ? { codeCache: launch.codeCache } : {}) });

  session.documents.listen(connection);
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
