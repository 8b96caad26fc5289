/** A minimal LSP client over stdio for tests: spawns the built server and speaks the real protocol. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { shutdownServer } from '../../scripts/bench/lspProcess';
import { ROOT } from '../helpers';

export const SERVER = path.join(ROOT, 'bin', 'migplan-language-server.js');

export class TestClient {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcess;
  /** Settings answered to `workspace/configuration` for the `migplan` section. */
  settings: Record<string, unknown> = {};
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private waiters: Array<() => void> = [];
  stderr = '';

  /** `nodeArgs`: Node options for the server process (e.g. --expose-gc). */
  constructor(nodeArgs: readonly string[] = []) {
    this.child = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => (i.section === 'migplan' ? this.settings : null)));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onRequest('window/showMessageRequest', () => null);
    this.connection.onNotification('window/showMessage', () => undefined);
    this.connection.listen();
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const result = (await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true } },
      },
    })) as { capabilities: Record<string, unknown> };
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Waits for diagnostics of `uri` published for `version` (or any, when undefined). */
  async diagnosticsFor(uri: string, version?: number, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    return this.diagnosticsWhere(uri, (p) => version === undefined || p.version === version, timeoutMs, `v${version}`);
  }

  /** Waits for a publish of `uri`'s diagnostics that `test` accepts (the newest such). */
  async diagnosticsWhere(uri: string, test: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 10_000, what = 'as wanted'): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = this.diagnostics.get(uri) ?? [];
      const hit = [...list].reverse().find(test);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} ${what}; got versions ${list.map((p) => p.version).join(',')}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * Opens `text` as a new plan (`file:///tmp/lsp-<tag>-<pid>-<n>.migplan.yaml`, version 1) and waits for
   * its first diagnostics.
   */
  async openPlan(text: string, tag = 'test'): Promise<{ uri: string; doc: TextDocument; diagnostics: Diagnostic[] }> {
    const uri = `file:///tmp/lsp-${tag}-${process.pid}-${++this.opened}.migplan.yaml`;
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text } });
    const p = await this.diagnosticsFor(uri, 1);
    return { uri, doc: TextDocument.create(uri, 'migplan', 1, text), diagnostics: p.diagnostics };
  }

  private opened = 0;

  clearDiagnostics(uri: string): void {
    this.diagnostics.delete(uri);
  }

  async close(): Promise<void> {
    await shutdownServer(this.connection, this.child, 2000);
  }
}

/** The text edits a workspace edit makes to one document, whether it gives them as `changes` or `documentChanges`. */
export function editsOf(edit: WorkspaceEdit | null | undefined, target: string): TextEdit[] {
  if (!edit) return [];
  if (edit.changes) return edit.changes[target] ?? [];
  return (edit.documentChanges ?? []).flatMap((c) => ('edits' in c && c.textDocument.uri === target ? (c.edits as TextEdit[]) : []));
}
