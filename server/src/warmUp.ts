/**
 * One short editing session against the server, in memory, run by the build
 * before it writes the `migplan-language-server` command's V8 code cache
 * (bin/load-bundle.js): the functions this session compiles (the JSON-RPC
 * reader and writer, initialize, the lint of a plan, hover, completion,
 * symbols, code actions) are then in the cache, and a cold server neither
 * parses nor compiles them again.
 */
import { PassThrough } from 'node:stream';
import {
  createConnection,
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Connection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';

/** Runs the session on `startServer`, opening `plan` (a plan's text). */
export async function warmUp(startServer: (connection: Connection) => void, plan: string): Promise<void> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(server);
  const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  let onDiagnostics: (() => void) | undefined;
  client.onNotification('textDocument/publishDiagnostics', (_: PublishDiagnosticsParams) => onDiagnostics?.());
  const diagnostics = (): Promise<void> => new Promise((resolve) => (onDiagnostics = resolve));
  client.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  client.onNotification('window/logMessage', () => undefined);
  client.listen();

  const uri = 'untitled:warm-up.migplan.yaml';
  await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await client.sendNotification('initialized', {});
  let published = diagnostics();
  await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text: plan } });
  await published;
  const lines = plan.split('\n');
  const last = Math.max(0, lines.length - 1);
  published = diagnostics();
  await client.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, text: '# warm-up\n' }],
  });
  await published;
  const middle = { line: Math.floor(lines.length / 2), character: 4 };
  const textDocument = { uri };
  await client.sendRequest('textDocument/hover', { textDocument, position: middle });
  await client.sendRequest('textDocument/completion', { textDocument, position: middle });
  await client.sendRequest('textDocument/documentSymbol', { textDocument });
  await client.sendRequest('textDocument/codeAction', {
    textDocument,
    range: { start: { line: 0, character: 0 }, end: { line: last, character: 0 } },
    context: { diagnostics: [] },
  });
  await client.sendRequest('shutdown');
  client.dispose();
  server.dispose();
}
