/**
 * The VS Code client of migplan: starts the language server (dist/server.js
 * over Node IPC) and registers the tree view, the preview and the commands.
 * Everything else lives in the server or in the files imported here.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions, State } from 'vscode-languageclient/node';
import { SERVER_INFO_REQUEST, SERVER_NODE_OPTIONS, type ServerInfoResult } from '../../server/src/protocol';
import { exportMarkdown, newPlan } from './commands';
import { ClientPlanServer } from './planServer';
import { PlanTreeProvider, type PlanTreeRow } from './planTree';
import { PREVIEW_VIEW_TYPE, PlanPreview, type PreviewSnapshot } from './preview';
import { REHEARSE_COMMAND, RehearsalController } from './rehearse';
import { REVEAL_RANGE_COMMAND, revealRange } from './reveal';
import { RuleDocs } from './ruleDocs';
import { PlanStatusItem, type PlanStatusText } from './statusBar';
import { registerWalkthrough } from './walkthrough';

/** What `activate` returns: used by the integration tests (and by nothing else). */
export interface MigplanApi {
  /** Resolves when the language server is running. */
  ready(): Promise<void>;
  /** The Migration Plan view's rows (depth-first) and the plan they belong to. */
  treeItems(): { uri: string | undefined; rows: PlanTreeRow[] };
  /** The open preview's content, if a preview is open. */
  preview(): PreviewSnapshot | undefined;
  /** How long activation took, in milliseconds. */
  readonly activationMs: number;
  /** The running language server's process id and version (waits while it starts or restarts). */
  serverInfo(): Promise<ServerInfoResult>;
  /** What the status bar item shows for the active plan; undefined while hidden. */
  status(): PlanStatusText | undefined;
}

/**
 * The plan a command was given by a menu: editor title buttons pass the active editor's
 * resource, which for the preview is the webview's own (not a plan): those are ignored.
 */
function planArg(uri: unknown): vscode.Uri | undefined {
  if (!(uri instanceof vscode.Uri)) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open?.languageId === 'migplan' || /\.migplan\.ya?ml$/i.test(uri.path) ? uri : undefined;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): MigplanApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Migration Plan', { log: true });
  context.subscriptions.push(log);

  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS, '--nolazy', '--inspect=6009'] } },
  };
  const ruleDocs = new RuleDocs(context.extensionUri, context.extensionMode !== vscode.ExtensionMode.Development);
  context.subscriptions.push(ruleDocs);
  const clientOptions: LanguageClientOptions = {
    // Files and new plans; vscode-vfs is the virtual file system of GitHub/Azure Repos (virtual workspaces).
    documentSelector: [
      { scheme: 'file', language: 'migplan' },
      { scheme: 'untitled', language: 'migplan' },
      { scheme: 'vscode-vfs', language: 'migplan' },
    ],
    synchronize: { configurationSection: 'migplan' },
    outputChannel: log,
    middleware: ruleDocs.middleware(),
  };
  // The id 'migplan' makes the client read the `migplan.trace.server` setting.
  const languageClient = new LanguageClient('migplan', 'Migration Plan', serverOptions, clientOptions);
  client = languageClient;
  const server = new ClientPlanServer(languageClient, log);
  context.subscriptions.push(
    server,
    languageClient.onDidChangeState((e) => {
      if (e.newState === State.Running) server.notifyStarted();
    }),
  );

  // The rehearsal runs in a child process (dist/rehearseChild.js): nothing of it is loaded here.
  let fallbackPlan: () => vscode.Uri | undefined = () => undefined;
  const rehearsals = new RehearsalController(context.asAbsolutePath('dist/rehearseChild.js'), log, () => fallbackPlan(), (rule) => ruleDocs.pageOf(rule));
  const tree = new PlanTreeProvider(server, rehearsals);
  const treeView = vscode.window.createTreeView('migplan.phases', { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(treeView);
  const preview = new PlanPreview(context.extensionUri, server, log, rehearsals);
  fallbackPlan = () => tree.uri ?? preview.shownUri;
  const status = new PlanStatusItem(tree);
  context.subscriptions.push(
    rehearsals,
    status,
    tree,
    treeView,
    preview,
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => preview.revive(panel, state),
    }),
    vscode.commands.registerCommand('migplan.preview.openToSide', (uri?: unknown) => preview.openToSide(planArg(uri))),
    vscode.commands.registerCommand('migplan.preview.showSource', () => preview.showSource()),
    vscode.commands.registerCommand('migplan.exportMarkdown', (uri?: unknown) => exportMarkdown(server, planArg(uri), preview.shownUri)),
    ...registerWalkthrough(context),
    vscode.commands.registerCommand('migplan.newPlan', () => newPlan()),
    vscode.commands.registerCommand('migplan.restartServer', async () => {
      log.info('Restarting the language server');
      await languageClient.restart();
    }),
    vscode.commands.registerCommand('migplan.phases.refresh', () => tree.reload()),
    vscode.commands.registerCommand(REHEARSE_COMMAND, (uri?: unknown) => rehearsals.rehearse(uri)),
    vscode.commands.registerCommand(REVEAL_RANGE_COMMAND, (uri: string, range: Parameters<typeof revealRange>[1]) => revealRange(uri, range)),
  );

  const running = languageClient.start().then(
    () => log.info(`Language server running (${Math.round(performance.now() - started)} ms after activation began)`),
    (err: unknown) => {
      log.error(`The language server did not start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    },
  );
  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);

  return {
    ready: () => running,
    treeItems: () => ({ uri: tree.uri?.toString(), rows: tree.rows() }),
    preview: () => preview.snapshot(),
    activationMs,
    serverInfo: () => languageClient.sendRequest<ServerInfoResult>(SERVER_INFO_REQUEST),
    status: () => status.shown,
  };
}

export function deactivate(): Thenable<void> | undefined {
  const c = client;
  client = undefined;
  return c?.stop();
}
