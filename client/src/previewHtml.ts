/**
 * The plan preview's HTML, without `vscode`: the plan's rendering (markdown-it
 * with `html: false`, no linkify; phase headings marked; links kept only as
 * in-page anchors) and the page around it (a Content-Security-Policy that
 * allows the nonce'd script and the webview's own files only). preview.ts
 * gives the webview exactly what these return; tests load the same page in a
 * browser.
 */
import type MarkdownItModule from 'markdown-it';
import type { RenderHeading, RenderResultMessage } from '../../server/src/protocol';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

let markdownIt: MarkdownItModule.MarkdownIt | undefined;
/** The phase headings of the rendering under way, by their Markdown line. */
let headingsByLine = new Map<number, RenderHeading>();

/**
 * The markdown-it instance (made on first use: activation stays cheap).
 * Phase headings get `id`, `data-line` (their line in the plan) and
 * `data-anchor`; links keep only in-page `#anchors` as hrefs.
 */
function markdown(): MarkdownItModule.MarkdownIt {
  if (markdownIt) return markdownIt;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const createMarkdownIt = require('markdown-it') as typeof MarkdownItModule;
  const md = createMarkdownIt({ html: false, linkify: false });
  md.renderer.rules.heading_open = (tokens, idx, options, _env, self) => {
    const token = tokens[idx];
    const heading = token.map ? headingsByLine.get(token.map[0]) : undefined;
    if (heading) {
      token.attrSet('id', heading.anchor);
      token.attrSet('data-line', String(heading.range.start.line));
      token.attrSet('data-anchor', heading.anchor);
      token.attrSet('tabindex', '0');
      token.attrSet('title', 'Reveal this phase in the editor');
      token.attrJoin('class', 'migplan-phase');
    }
    return self.renderToken(tokens, idx, options);
  };
  md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
    const token = tokens[idx];
    const href = String(token.attrGet('href') ?? '');
    if (!href.startsWith('#')) {
      // Nothing in a preview navigates: the target is shown, not followed.
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'href');
      token.attrSet('title', href);
      token.attrJoin('class', 'migplan-link');
    }
    return self.renderToken(tokens, idx, options);
  };
  // The checklist's task markers (`- [x] …`) as ticked/unticked boxes (text, not inputs).
  md.core.ruler.push('migplan_task_markers', (state) => {
    const tokens = state.tokens;
    for (let i = 2; i < tokens.length; i++) {
      const inline = tokens[i];
      if (inline.type !== 'inline' || tokens[i - 1].type !== 'paragraph_open' || tokens[i - 2].type !== 'list_item_open') continue;
      const first = inline.children?.[0];
      const m = first?.type === 'text' ? /^\[([ xX])\] /.exec(first.content) : null;
      if (!first || !m) continue;
      first.content = `${m[1] === ' ' ? '\u2610' : '\u2611'} ${first.content.slice(4)}`;
    }
  });
  markdownIt = md;
  return md;
}

/** The render result as HTML, with phase headings marked from `headings`. */
export function renderPlanHtml(result: Pick<RenderResultMessage, 'markdown' | 'headings'>): string {
  const md = markdown();
  headingsByLine = new Map(result.headings.map((h) => [h.markdownLine, h]));
  try {
    return md.render(result.markdown);
  } finally {
    headingsByLine = new Map();
  }
}

/** What the page is made of. */
export interface PreviewPageOptions {
  /** A fresh random value per page: the script's nonce. */
  nonce: string;
  /** The webview's `cspSource` (its own resource origin). */
  cspSource: string;
  /** The stylesheet's and the script's webview URIs (media/preview.css, media/preview.js). */
  styleUri: string;
  scriptUri: string;
  /** The page title (the plan's file name). */
  title: string;
  /** The plan shown (the page script only accepts updates for it). */
  uri: string;
  /** The sequence number of `body`. */
  seq: number;
  /** migplan.preview.fontSize (0: the editor's). */
  fontSize: number;
  /** The rendered plan, from renderPlanHtml. */
  body: string;
}

/** The page's Content-Security-Policy: nothing but the nonce'd script and the webview's own stylesheet and images. */
export function previewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; style-src ${cspSource}; script-src 'nonce-${nonce}'; img-src ${cspSource}`;
}

/** The whole page: CSP with the nonce, the stylesheet and script from media/, the settings as data attributes. */
export function previewPage(o: PreviewPageOptions): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${previewCsp(o.cspSource, o.nonce)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    `<link rel="stylesheet" href="${o.styleUri}">`,
    `<title>${escapeHtml(o.title)}</title>`,
    '</head>',
    `<body data-uri="${escapeHtml(o.uri)}" data-seq="${o.seq}" data-font-size="${o.fontSize}">`,
    `<main id="content">${o.body}</main>`,
    `<script nonce="${o.nonce}" src="${o.scriptUri}"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
