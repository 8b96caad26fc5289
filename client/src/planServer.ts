/**
 * What the tree view, the preview and the commands need from the language
 * server: the two custom requests and the "plan changed" notification, as a
 * small interface so they do not depend on the LanguageClient itself.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  PLAN_CHANGED_NOTIFICATION,
  PLAN_TREE_REQUEST,
  RENDER_REQUEST,
  type PlanChangedParams,
  type PlanTreeResult,
  type PlanUriParams,
  type RenderResultMessage,
} from '../../server/src/protocol';

export interface PlanServer {
  /** The phase tree of an open plan; undefined when the server cannot answer (stopped, not a plan). */
  planTree(uri: vscode.Uri): Promise<PlanTreeResult | undefined>;
  /** The plan rendered as Markdown; undefined when the server cannot answer. */
  render(uri: vscode.Uri): Promise<RenderResultMessage | undefined>;
  /** A plan was re-analysed (the uri as the server knows it: `Uri.toString()`). */
  readonly onDidChangePlan: vscode.Event<PlanChangedParams>;
  /** The server (re)started: everything shown may be stale. */
  readonly onDidStart: vscode.Event<void>;
}

/** The PlanServer of a LanguageClient. One handler per notification method: the client keeps only the last one registered. */
export class ClientPlanServer implements PlanServer, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PlanChangedParams>();
  private readonly started = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.started];
  readonly onDidChangePlan = this.changed.event;
  readonly onDidStart = this.started.event;

  constructor(
    private readonly client: LanguageClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(client.onNotification(PLAN_CHANGED_NOTIFICATION, (params: PlanChangedParams) => this.changed.fire(params)));
  }

  /** Called when the client reports it is running (after start and restart). */
  notifyStarted(): void {
    this.started.fire();
  }

  planTree(uri: vscode.Uri): Promise<PlanTreeResult | undefined> {
    return this.request<PlanTreeResult>(PLAN_TREE_REQUEST, uri);
  }

  render(uri: vscode.Uri): Promise<RenderResultMessage | undefined> {
    return this.request<RenderResultMessage>(RENDER_REQUEST, uri);
  }

  private async request<R>(method: string, uri: vscode.Uri): Promise<R | undefined> {
    const params: PlanUriParams = { uri: this.client.code2ProtocolConverter.asUri(uri) };
    try {
      const result = await this.client.sendRequest<R | null>(method, params);
      return result ?? undefined;
    } catch (err) {
      this.log.warn(`${method} ${uri.toString(true)}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The protocol's uri string of a document, as compared with PlanChangedParams.uri. */
export function protocolUri(uri: vscode.Uri): string {
  return uri.toString();
}
