/**
 * A language server process driven over stdio for benchmarks: any server
 * command, timestamps for every diagnostics notification, the process's peak
 * resident set (VmHWM) and answers to `workspace/configuration` from a
 * settings object, so two different servers can be measured the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export interface ServerSpec {
  /** Short name for tables. */
  name: string;
  /** Executable and arguments (the first is spawned). */
  command: string[];
  /** languageId for didOpen. */
  languageId: string;
  /** Settings by section, answered to workspace/configuration (missing sections get null). */
  settings: Record<string, unknown>;
}

export interface Publish {
  at: number;
  params: PublishDiagnosticsParams;
}

/** A field of /proc/<pid>/status in KiB (Linux), or NaN. */
export function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export class LspProcess {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  stderr = '';
  private readonly publishes = new Map<string, Publish[]>();
  private waiters: Array<() => void> = [];
  /** How many workspace/configuration requests were answered. */
  configurationRequests = 0;

  constructor(readonly spec: ServerSpec) {
    this.spawnedAt = performance.now();
    const [cmd, ...args] = spec.command;
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 100_000) this.stderr += d.toString();
    });
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.publishes.get(p.uri) ?? [];
      list.push({ at: performance.now(), params: p });
      this.publishes.set(p.uri, list);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => {
      this.configurationRequests++;
      return p.items.map((i) => (i.section !== undefined && i.section in spec.settings ? spec.settings[i.section] : null));
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('client/unregisterCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('window/showMessageRequest', () => null);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onNotification('window/showMessage', () => undefined);
    this.connection.onNotification('telemetry/event', () => undefined);
    this.connection.onNotification('$/progress', () => undefined);
    this.connection.listen();
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name}: the server did not start: ${this.stderr}`);
    return this.child.pid;
  }

  /** Sends initialize and initialized; resolves with the milliseconds from spawn to the initialize result. */
  async initialize(rootUri: string | null): Promise<number> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'bench' }] : null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    const ms = performance.now() - this.spawnedAt;
    await this.connection.sendNotification('initialized', {});
    return ms;
  }

  publishCount(uri: string): number {
    return this.publishes.get(uri)?.length ?? 0;
  }

  /** The first diagnostics notification for `uri` after the first `after` ones (and for `version`, when the server sends versions). */
  async publishAfter(uri: string, after: number, version: number | undefined, timeoutMs: number): Promise<Publish> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const list = this.publishes.get(uri) ?? [];
      for (let i = after; i < list.length; i++) {
        const v = list[i].params.version;
        if (v === undefined || version === undefined || v === version) return list[i];
      }
      if (this.child.exitCode !== null) throw new Error(`${this.spec.name} exited (${this.child.exitCode}): ${this.stderr.slice(-2000)}`);
      if (performance.now() > deadline) throw new Error(`${this.spec.name}: no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until no diagnostics have arrived for `quietMs`. */
  async quiet(quietMs: number): Promise<void> {
    for (;;) {
      const before = [...this.publishes.values()].reduce((n, l) => n + l.length, 0);
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if ([...this.publishes.values()].reduce((n, l) => n + l.length, 0) === before) return;
    }
  }

  peakRssKiB(): number {
    return procStatusKiB(this.pid, 'VmHWM');
  }

  async close(): Promise<void> {
    await shutdownServer(this.connection, this.child);
  }
}

/**
 * Ends a language server as a client does: shutdown (waited for at most 5 s),
 * exit, then SIGKILL if the process is still there after `killAfterMs`.
 */
export async function shutdownServer(connection: ProtocolConnection, child: ChildProcess, killAfterMs = 3000): Promise<void> {
  try {
    await Promise.race([connection.sendRequest('shutdown'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    await connection.sendNotification('exit');
  } catch {
    // already gone
  }
  connection.dispose();
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, killAfterMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
