/**
 * "Migration Plan: Open Preview to the Side": a webview showing the plan as
 * the server renders it (RENDER_REQUEST), turned into HTML here in the
 * extension host with markdown-it (no raw HTML, no linkify). One panel; it
 * follows the active plan editor, updates as the plan changes, keeps its
 * scroll position, scrolls with the editor, and a click on a phase heading
 * reveals that phase in the editor.
 *
 * The page has a strict Content-Security-Policy: no inline script or style;
 * the script and the stylesheet are files in media/. The HTML itself is made
 * in previewHtml.ts (no vscode there, so tests can load the same page).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RenderHeading } from '../../server/src/protocol';
import { protocolUri, type PlanServer } from './planServer';
import { previewPage, renderPlanHtml } from './previewHtml';
import type { RehearsalStore } from './rehearse';
import { renderRehearsal } from '../../server/src/service/rendering/rehearsal';
import { isPlan, revealRange } from './reveal';

export const PREVIEW_VIEW_TYPE = 'migplan.preview';

/** What the page keeps with vscode.setState (also handed back when VS Code restores the panel). */
interface PreviewState {
  uri: string;
  scrollY?: number;
}

/** Messages from the page. */
type FromWebview = { type: 'ready'; seq: number } | { type: 'reveal'; anchor: string };

/** Messages to the page. */
type ToWebview = { type: 'update'; uri: string; seq: number; html: string } | { type: 'scrollToLine'; line: number };

/** What a test sees of the preview. */
export interface PreviewSnapshot {
  uri: string;
  /** The plan version the shown HTML was rendered from (-1: nothing rendered yet). */
  version: number;
  /** The rendered plan (the page's `<main>`). */
  html: string;
  /** The whole page as the webview would load it now. */
  page: string;
}

function isPreviewState(value: unknown): value is PreviewState {
  return typeof value === 'object' && value !== null && typeof (value as PreviewState).uri === 'string';
}

function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; seq?: unknown; anchor?: unknown };
  return (m.type === 'ready' && typeof m.seq === 'number') || (m.type === 'reveal' && typeof m.anchor === 'string');
}

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

export class PlanPreview implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private uri: vscode.Uri | undefined;
  private body = '';
  private version = -1;
  private headings: RenderHeading[] = [];
  /** Increases with every body the page should show. */
  private seq = 0;
  private rendering = false;
  private dirty = false;
  private readonly media: vscode.Uri;
  private readonly updated = new vscode.EventEmitter<PreviewSnapshot>();
  /** Fires after the page was given a new rendering. */
  readonly onDidUpdate = this.updated.event;

  constructor(
    extensionUri: vscode.Uri,
    private readonly server: PlanServer,
    private readonly log: vscode.LogOutputChannel,
    private readonly rehearsals?: RehearsalStore,
  ) {
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
    if (rehearsals) {
      this.disposables.push(
        // The last rehearsal's section comes and goes with it.
        rehearsals.onDidChange((uri) => {
          if (this.panel && this.uri && uri === this.uri.toString()) void this.refresh();
        }),
      );
    }
    this.disposables.push(
      this.updated,
      server.onDidChangePlan((params) => {
        if (this.panel && this.uri && params.uri === protocolUri(this.uri)) void this.refresh();
      }),
      server.onDidStart(() => {
        if (this.panel) void this.refresh();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel && isPlan(editor?.document) && editor.document.uri.toString() !== this.uri?.toString()) {
          this.showDocument(editor.document.uri);
        }
      }),
      // An untitled plan closed without saving is gone: so is its preview (a file stays on disk, and shown).
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.panel && doc.uri.scheme === 'untitled' && doc.uri.toString() === this.uri?.toString()) this.panel.dispose();
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.syncScroll(e.textEditor, e.visibleRanges)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.panel && e.affectsConfiguration('migplan.preview')) this.setPage();
      }),
    );
  }

  /** Opens the preview of `uri` (default: the active plan) beside the editor, or moves the open one to it. */
  async openToSide(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? (isPlan(vscode.window.activeTextEditor?.document) ? vscode.window.activeTextEditor.document.uri : this.uri);
    if (!target) {
      void vscode.window.showInformationMessage('Open a migration plan (*.migplan.yaml) to preview it.');
      return;
    }
    // The server answers for open documents only.
    await vscode.workspace.openTextDocument(target);
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        PREVIEW_VIEW_TYPE,
        'Plan Preview',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, enableFindWidget: true, localResourceRoots: [this.media] },
      );
      this.attach(panel);
    }
    this.showDocument(target);
  }

  /**
   * Focuses the plan the preview shows (the preview's title-bar "Show Source"): its editor where
   * one is visible, else opened in the first column (beside, when the preview is there).
   */
  async showSource(): Promise<vscode.TextEditor | undefined> {
    const uri = this.uri;
    if (!uri) return undefined;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const column = visible?.viewColumn ?? (this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One);
    return vscode.window.showTextDocument(visible?.document ?? (await vscode.workspace.openTextDocument(uri)), { viewColumn: column });
  }

  /** Restores a panel VS Code kept across a reload. */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isPreviewState(state)) {
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.media] };
    try {
      const uri = vscode.Uri.parse(state.uri, true);
      await vscode.workspace.openTextDocument(uri);
      this.panel?.dispose();
      this.attach(panel);
      this.showDocument(uri);
    } catch (err) {
      this.log.warn(`Could not restore the preview of ${state.uri}: ${err instanceof Error ? err.message : String(err)}`);
      panel.dispose();
    }
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.media, 'icon.png');
    this.panelDisposables = [
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = undefined;
        this.uri = undefined;
      }),
      panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
    ];
  }

  /** Points the panel at another plan: a fresh page, then its rendering. */
  private showDocument(uri: vscode.Uri): void {
    if (!this.panel) return;
    if (uri.toString() !== this.uri?.toString()) {
      this.uri = uri;
      this.body = '<p class="migplan-loading">Rendering…</p>';
      this.version = -1;
      this.headings = [];
      this.seq++;
      this.panel.title = `Preview ${fileName(uri)}`;
      this.setPage();
    }
    void this.refresh();
  }

  /** Renders again; calls made while a rendering is under way coalesce into one more. */
  private async refresh(): Promise<void> {
    if (this.rendering) {
      this.dirty = true;
      return;
    }
    this.rendering = true;
    try {
      do {
        this.dirty = false;
        await this.renderOnce();
      } while (this.dirty);
    } finally {
      this.rendering = false;
    }
  }

  private async renderOnce(): Promise<void> {
    const uri = this.uri;
    if (!uri || !this.panel) return;
    const result = await this.server.render(uri);
    if (uri !== this.uri || !this.panel) return;
    if (!result) return; // Keep what is shown; the reason is in the output channel.
    // The last rehearsal, while the text is the one rehearsed: its section after the plan (the
    // headings' Markdown lines stay where they are). Same renderer, same sanitizing (no raw HTML).
    const rehearsal = this.rehearsals?.record(uri);
    const markdown = rehearsal ? `${result.markdown.replace(/\n*$/, '')}\n\n${renderRehearsal(rehearsal.report)}` : result.markdown;
    this.body = renderPlanHtml({ markdown, headings: result.headings });
    this.version = result.version;
    this.headings = result.headings;
    this.seq++;
    this.post({ type: 'update', uri: uri.toString(), seq: this.seq, html: this.body });
    const snapshot = this.snapshot();
    if (snapshot) this.updated.fire(snapshot);
  }

  private onMessage(message: unknown): void {
    if (!isFromWebview(message) || !this.uri) return;
    if (message.type === 'ready') {
      // The page loaded with an older body (it was hidden while updates came): send the latest.
      if (message.seq !== this.seq) this.post({ type: 'update', uri: this.uri.toString(), seq: this.seq, html: this.body });
      return;
    }
    const heading = this.headings.find((h) => h.anchor === message.anchor);
    if (heading) void revealRange(this.uri.toString(), heading.range, 'top', true);
  }

  private syncScroll(editor: vscode.TextEditor, visible: readonly vscode.Range[]): void {
    if (!this.panel?.visible || !this.uri || editor.document.uri.toString() !== this.uri.toString()) return;
    if (!vscode.workspace.getConfiguration('migplan.preview', this.uri).get<boolean>('scrollSync', true)) return;
    const first = visible[0];
    if (first) this.post({ type: 'scrollToLine', line: first.start.line });
  }

  private post(message: ToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private setPage(): void {
    if (this.panel) this.panel.webview.html = this.page(this.panel.webview);
  }

  /** The whole page: CSP with a fresh nonce, the stylesheet and script from media/, the settings as data attributes. */
  private page(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('hex');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'preview.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'preview.js'));
    const config = vscode.workspace.getConfiguration('migplan.preview', this.uri);
    const fontSize = Math.max(0, Math.min(40, config.get<number>('fontSize', 0)));
    return previewPage({
      nonce,
      cspSource: webview.cspSource,
      styleUri: css.toString(),
      scriptUri: js.toString(),
      title: this.uri ? fileName(this.uri) : 'Plan Preview',
      uri: this.uri?.toString() ?? '',
      seq: this.seq,
      fontSize,
      body: this.body,
    });
  }

  /** The preview's current content, for tests; undefined when no preview is open. */
  snapshot(): PreviewSnapshot | undefined {
    if (!this.panel || !this.uri) return undefined;
    return { uri: this.uri.toString(), version: this.version, html: this.body, page: this.page(this.panel.webview) };
  }

  /** The plan the preview shows. */
  get shownUri(): vscode.Uri | undefined {
    return this.uri;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
