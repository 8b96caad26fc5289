/**
 * The preview cannot be turned against the user. A plan full of hostile text
 * (script tags, event handlers, javascript:/data: links, raw HTML blocks,
 * iframes, styles, table-cell and code-span break-outs, URLs to an outside
 * host) is rendered by the language server (migplan/render, over stdio),
 * turned into HTML by the extension's own code (client/src/previewHtml.ts,
 * the exact page the webview gets) and loaded in headless Chromium from a
 * loopback HTTP server, so the Content-Security-Policy and a real origin
 * apply. Every request to another host is blocked and recorded.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { previewCsp, previewPage, renderPlanHtml } from '../../client/src/previewHtml';
import type { RenderResultMessage } from '../../server/src/protocol';
import { lint } from '../../server/src/service/linting/lint';
import { renderMarkdown } from '../../server/src/service/rendering/render';
import { ROOT, launchChromium } from '../../scripts/e2e/vscode';
import { TestClient } from '../lsp/lspClient';

/**
 * The little of the DOM the callbacks run in the page use: the project compiles
 * without the DOM library, and these names exist only in this file.
 */
interface DomAttr {
  readonly name: string;
  readonly value: string;
}
interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly attributes: ArrayLike<DomAttr>;
  readonly nonce?: string;
  readonly src?: string;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  appendChild(child: DomElement): void;
  setAttribute(name: string, value: string): void;
}
interface DomWindow {
  pwned?: unknown;
  __violations: Array<{ directive: string; blocked: string }>;
  __posted: unknown[];
  postMessage(message: unknown, target: string): void;
  readonly location: { readonly href: string };
}
declare const document: { readonly body: DomElement; readonly head: DomElement; querySelectorAll(selector: string): ArrayLike<DomElement>; querySelector(selector: string): DomElement | null; createElement(tag: string): DomElement & { textContent: string | null } };
declare const window: DomWindow;

const OUTSIDE = '203.0.113.1';

/** Single-line payloads: each must come out as the very text it is. */
const PAYLOADS = [
  '<script>window.pwned=1</script>',
  '<img src=x onerror="window.pwned=2">',
  '[x](javascript:window.pwned=3)',
  '[d](data:text/html,<script>parent.pwned=4</script>)',
  '<iframe src="javascript:parent.pwned=5"></iframe>',
  `<style>body{background:url(http://${OUTSIDE}/style.png)}</style>`,
  `![i](http://${OUTSIDE}/x.png)`,
  `<img src="http://${OUTSIDE}/y.png">`,
  `<http://${OUTSIDE}/autolink>`,
  '<javascript:window.pwned=9>',
  '<a href="javascript:window.pwned=10">click</a>',
  '<svg onload="window.pwned=11"><circle r="1"/></svg>',
  '[e](javascript&#58;window.pwned=13)',
  '[f](JaVaScRiPt:window.pwned=14)',
  `<meta http-equiv="refresh" content="0;url=http://${OUTSIDE}/meta">`,
  `<base href="http://${OUTSIDE}/">`,
  `<link rel="stylesheet" href="http://${OUTSIDE}/s.css">`,
  `<object data="http://${OUTSIDE}/o"></object><embed src="http://${OUTSIDE}/e">`,
  `<form action="http://${OUTSIDE}/f"><button>go</button></form>`,
  '<details open ontoggle="window.pwned=16">x</details>',
  `<video src="http://${OUTSIDE}/v.mp4" onerror="window.pwned=17"></video>`,
  'a | b | <script>window.pwned=18</script> |',
  '\\| escaped pipe | and a cell',
  '`` </code><script>window.pwned=19</script> ``',
  '` | ` </code> `',
  '&lt;script&gt; and &#x3C;img src=x onerror=window.pwned=20&#x3E;',
  '# <img src=x onerror=window.pwned=21>',
  '<!-- <script>window.pwned=22</script> -->',
  `[r][ref] and [ref]: http://${OUTSIDE}/ref`,
  '<math><mi xlink:href="javascript:window.pwned=23">m</mi></math>',
];

/** Multi-line payloads (block scalars): raw HTML blocks, a reference definition, break-outs across lines. */
const BLOCKS = [
  ['<div onclick="window.pwned=30">', 'raw html block', '</div>', '', '<script>', 'window.pwned = 31', '</script>', '', '<iframe srcdoc="<script>parent.pwned=32</script>"></iframe>'].join('\n'),
  ['[ref]: javascript:window.pwned=33', '', '[click me][ref]', '', '| a | b |', '| --- | --- |', '| <img src=x onerror=window.pwned=34> | x |', '', 'Setext', '===', '', '- list <b>item</b>'].join('\n'),
  ['```', '</code></pre><img src=x onerror="window.pwned=35">', '````', `<style>@import url(http://${OUTSIDE}/i.css)</style>`].join('\n'),
];

/** A plan with a payload in every field the renderer shows. */
function hostilePlan(): string {
  let i = 0;
  const p = (): string => PAYLOADS[i++ % PAYLOADS.length];
  const phase = (id: string, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    kind,
    title: p(),
    entry: [p(), p()],
    steps: [p(), p(), p()],
    exit: [p()],
    checks: [
      { name: p(), query: p(), expect: p() },
      { name: p(), query: BLOCKS[2], expect: 'count(new) = count(old)' },
    ],
    triggers: [
      { when: p(), action: p() },
      { when: 'error_rate > 1% for 5m', action: p() },
    ],
    rollback: BLOCKS[i % BLOCKS.length],
    ...extra,
  });
  const plan = {
    migplan: 1,
    title: `Hostile ${p()}`,
    owner: p(),
    summary: BLOCKS[0],
    context: {
      engine: p(),
      current_schema: BLOCKS[2],
      target_schema: p(),
      changes: [{ kind: 'rename-column', table: p(), from: p(), to: p() }],
      data_volume: [{ table: p(), rows: 10, size: p(), growth: p() }],
      downtime: { zero_downtime: true },
      rollback_requirements: { max_revert_time: '5m', data_loss_acceptable: false },
      [p()]: 'an unknown key named with a payload',
    },
    consumers: PAYLOADS.slice(0, 6).map(() => ({ name: p(), kind: 'api', access: 'read', tables: [p(), p()], migration_path: p() })),
    assessment: {
      foreign_keys: BLOCKS[1],
      baseline: { p50: '3ms', p99: '28ms' },
      duration_estimate: { basis: 'production-replica', duration: '6h', measured_on: '2026-11-02' },
      backup_restore_tested: '2026-11-03',
    },
    phases: [
      phase('dual-write', 'dual-write'),
      phase('x" onmouseover="window.pwned=40', 'backfill', { batch_size: 5000, idempotent: true }),
      phase('javascript:window.pwned=41', 'cutover', { flag: p(), ramp: [1, 10, 50, 100], soak: '24h', shadow_reads: true }),
      phase('verify', 'verification', { sign_off: p() }),
      phase('cleanup', 'cleanup', { grace_period: p() }),
    ],
    point_of_no_return: 'cleanup',
  };
  return stringify(plan, { lineWidth: 0 });
}

interface Served {
  origin: string;
  /** Paths requested, in order. */
  requests: string[];
  setPage(html: string): void;
  close(): Promise<void>;
}

/** The page at `/`, media/ at `/media/`; anything else is a 404 (and recorded like the rest). */
async function serve(): Promise<Served> {
  const requests: string[] = [];
  let page = '';
  const media = path.join(ROOT, 'media');
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    const m = /^\/media\/(preview\.(?:css|js))$/.exec(url);
    if (m) {
      res.writeHead(200, { 'content-type': m[1].endsWith('.css') ? 'text/css' : 'text/javascript', 'cache-control': 'no-store' });
      res.end(fs.readFileSync(path.join(media, m[1])));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    setPage: (html) => (page = html),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs before the page's own scripts (through DevTools, outside the CSP): the webview API and a violation log. */
const INIT_SCRIPT = `
  window.__violations = [];
  window.__posted = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
  });
  (function () {
    var state;
    window.acquireVsCodeApi = function () {
      return { postMessage: function (m) { window.__posted.push(m); }, getState: function () { return state; }, setState: function (s) { state = s; } };
    };
  })();
`;

interface DomReport {
  pwned: string;
  scripts: Array<{ src: string; nonce: string }>;
  elements: string[];
  eventAttributes: string[];
  styleAttributes: number;
  hrefs: string[];
  srcs: string[];
  text: string;
  tables: Array<{ header: number; rows: number[] }>;
}

/** What is in the page now (runs in the page). */
function domReport(): DomReport {
  const all = Array.from(document.querySelectorAll('*'));
  const eventAttributes: string[] = [];
  const hrefs: string[] = [];
  const srcs: string[] = [];
  let styleAttributes = 0;
  for (const el of all) {
    for (const a of Array.from(el.attributes)) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) eventAttributes.push(`<${el.tagName.toLowerCase()} ${a.name}="${a.value}">`);
      if (name === 'style') styleAttributes++;
      if (name === 'href' || name === 'xlink:href' || name === 'action' || name === 'formaction') hrefs.push(`${el.tagName.toLowerCase()} ${a.value}`);
      if (name === 'src' || name === 'srcdoc' || name === 'data' || name === 'srcset' || name === 'poster') srcs.push(`${el.tagName.toLowerCase()} ${a.value}`);
    }
  }
  const tables = Array.from(document.querySelectorAll('#content table')).map((t) => ({
    header: t.querySelectorAll('thead tr th').length,
    rows: Array.from(t.querySelectorAll('tbody tr')).map((r) => r.querySelectorAll('td').length),
  }));
  return {
    pwned: typeof window.pwned,
    scripts: Array.from(document.querySelectorAll('script')).map((s) => ({ src: s.src ?? '', nonce: s.nonce ?? '' })),
    elements: all.map((e) => e.tagName.toLowerCase()),
    eventAttributes,
    styleAttributes,
    hrefs,
    srcs,
    text: document.querySelector('#content')?.textContent ?? '',
    tables,
  };
}

/** Elements that have no business in a rendered plan. */
const FORBIDDEN = ['script', 'img', 'iframe', 'frame', 'frameset', 'style', 'object', 'embed', 'form', 'button', 'input', 'textarea', 'select', 'svg', 'math', 'base', 'video', 'audio', 'source', 'details', 'div', 'b', 'meta', 'link', 'a'];

/**
 * Text as compared: runs of space as one, and without the word joiners (U+2060)
 * the renderer puts into URL-like text so that no autolinker makes a link of it.
 */
function squash(s: string): string {
  return s.replace(/\u2060/g, '').replace(/\s+/g, ' ').trim();
}

describe('the preview cannot be used against the user (headless Chromium, loopback origin)', { timeout: 120_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let served: Served;
  let nonce: string;
  let html: string;
  let body: string;
  const outside: string[] = [];
  const navigations: string[] = [];
  const popups: string[] = [];
  const consoleErrors: string[] = [];
  const PLAN_URI = 'file:///work/hostile.migplan.yaml';

  before(async () => {
    // The server renders the plan as it does for the extension; the extension's code makes the page.
    const text = hostilePlan();
    const client = new TestClient();
    let result: RenderResultMessage | null;
    try {
      await client.initialize();
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: PLAN_URI, languageId: 'migplan', version: 1, text } });
      result = await client.connection.sendRequest<RenderResultMessage | null>('migplan/render', { uri: PLAN_URI });
    } finally {
      await client.close();
    }
    assert.ok(result, 'the server rendered the plan');
    const linted = lint(text);
    assert.equal(result.markdown, renderMarkdown(linted.plan, linted.diagnostics, { rules: {} }), 'the server renders as renderMarkdown(lint())');
    assert.equal(result.headings.length, 5, 'five phase headings');
    body = renderPlanHtml(result);

    served = await serve();
    nonce = randomBytes(16).toString('hex');
    html = previewPage({
      nonce,
      cspSource: served.origin,
      styleUri: `${served.origin}/media/preview.css`,
      scriptUri: `${served.origin}/media/preview.js`,
      title: 'hostile.migplan.yaml',
      uri: PLAN_URI,
      seq: 1,
      fontSize: 0,
      body,
    });
    served.setPage(html);

    browser = await launchChromium();
    context = await browser.newContext();
    context.on('page', (p) => popups.push(p.url()));
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'http:' && url.host === new URL(served.origin).host) return route.continue();
      outside.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    popups.length = 0;
    await page.addInitScript({ content: INIT_SCRIPT });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    // The main frame's navigations; a child frame may only be an about:srcdoc/about:blank one (injected below).
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() || !/^about:(srcdoc|blank)$/.test(f.url())) navigations.push(f.url());
    });
    await page.goto(`${served.origin}/`, { waitUntil: 'load' });
    navigations.length = 0;
    // The page script ran: it said it is ready.
    await page.waitForFunction(() => window.__posted.length > 0, undefined, { timeout: 10_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await served?.close();
  });

  it('serves the page exactly as the extension builds it, under the CSP it builds', async () => {
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null);
    assert.ok(csp, 'a CSP meta tag');
    assert.equal(csp, previewCsp(served.origin, nonce), 'the meta tag is the extension’s CSP');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
    assert.deepEqual([...directives.keys()].sort(), ['default-src', 'img-src', 'script-src', 'style-src']);
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`], 'scripts: the nonce only (no unsafe-inline, no unsafe-eval, no host)');
    assert.deepEqual(directives.get('style-src'), [served.origin], 'styles: the webview’s own files only (no inline)');
    assert.deepEqual(directives.get('img-src'), [served.origin], 'images: the webview’s own files only');
    // The CSP comes before anything it governs.
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link') && html.indexOf('<link') < html.indexOf('<script'));
    assert.equal(html.match(/<script/g)?.length, 1, 'one script tag in the page source');
  });

  it('shows every payload as text: nothing ran, no markup of its own, no links, tables keep their shape', async () => {
    const r = await page.evaluate(domReport);
    assert.equal(r.pwned, 'undefined', 'no payload ran');
    assert.deepEqual(r.scripts, [{ src: `${served.origin}/media/preview.js`, nonce }], 'only the extension’s nonce’d script');
    const head = ['html', 'head', 'meta', 'meta', 'meta', 'link', 'title', 'body', 'main'];
    const unexpected = r.elements.filter((t, i) => FORBIDDEN.includes(t) && !(i < head.length && head[i] === t) && !(t === 'script' && i === r.elements.length - 1));
    assert.deepEqual(unexpected, [], 'elements from the plan text');
    assert.deepEqual(r.eventAttributes, [], 'event handler attributes');
    assert.equal(r.styleAttributes, 0, 'style attributes');
    assert.deepEqual(r.hrefs, [`link ${served.origin}/media/preview.css`], 'the stylesheet is the only href');
    assert.deepEqual(r.srcs, [`script ${served.origin}/media/preview.js`], 'the script is the only src');
    const text = squash(r.text);
    for (const payload of PAYLOADS) assert.ok(text.includes(squash(payload)), `shown as text: ${payload}\nin: ${text.slice(0, 400)}…`);
    for (const block of BLOCKS) for (const line of block.split('\n').filter((l) => l.trim() !== '' && !/^(=+|-{3}|\| --- \| --- \|)$/.test(l))) assert.ok(text.includes(squash(line)), `shown as text: ${line}`);
    assert.ok(r.tables.length >= 5, `tables: ${r.tables.length}`);
    for (const t of r.tables) for (const n of t.rows) assert.equal(n, t.header, `a row with ${n} cells under ${t.header} headers: a break-out of a table cell`);
    // Phase headings: the anchors come from the renderer, not from the (hostile) ids.
    const anchors = await page.evaluate(() => Array.from(document.querySelectorAll('[data-anchor]')).map((h) => `${h.tagName.toLowerCase()} ${h.getAttribute('id') ?? ''} ${h.getAttribute('data-anchor') ?? ''}`));
    assert.equal(anchors.length, 5);
    for (const a of anchors) assert.match(a, /^h2 (phase-[a-z0-9-]+) \1$/);
  });

  it('no request left the page: the loopback server saw the page and its two media files only', () => {
    assert.deepEqual(outside, [], 'requests to other hosts (blocked)');
    // The browser itself may ask for a favicon (not the page: no CSP applies to it); nothing else.
    assert.deepEqual(served.requests.filter((u) => u !== '/favicon.ico').sort(), ['/', '/media/preview.css', '/media/preview.js']);
    assert.deepEqual(popups, []);
  });

  it('blocks script injected later: an inline <script>, inline handlers, outside images (CSP violations, nothing runs)', async () => {
    const before = (await page.evaluate(() => window.__violations.length)) as number;
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.pwned = "inline"';
      document.body.appendChild(s);
    });
    // As an update message would deliver HTML (the page script puts it in with innerHTML).
    const injected = [
      '<img src="data:," onerror="window.pwned=\'handler\'">',
      `<img src="http://${OUTSIDE}/late.png">`,
      '<script>window.pwned="innerHTML"</script>',
      '<iframe srcdoc="<script>parent.pwned=\'srcdoc\'</script>"></iframe>',
      `<a id="l1" href="http://${OUTSIDE}/nav">outside</a>`,
      '<a id="l2" href="javascript:window.pwned=\'js-link\'">js</a>',
      '<a id="l3" href="data:text/html,<script>alert(1)</script>">data</a>',
      '<a id="l4" href="#phase-verify">in page</a>',
      renderPlanHtml({ markdown: `[md link](http://${OUTSIDE}/md) [md js](javascript:window.pwned=1)\n`, headings: [] }),
    ].join('\n');
    await page.evaluate((h) => window.postMessage({ type: 'update', uri: 'file:///work/hostile.migplan.yaml', seq: 2, html: h }, '*'), injected);
    await page.waitForFunction(() => document.querySelector('#l1') !== null, undefined, { timeout: 5000 });
    await page.waitForTimeout(300);
    const violations = (await page.evaluate(() => window.__violations)).slice(before);
    assert.equal(await page.evaluate(() => typeof window.pwned), 'undefined', 'nothing ran');
    const directives = new Set(violations.map((v) => v.directive));
    assert.ok(directives.has('script-src-elem'), `the inline <script> was blocked: ${JSON.stringify(violations)}`);
    assert.ok(directives.has('script-src-attr'), `the inline handler was blocked: ${JSON.stringify(violations)}`);
    assert.ok(directives.has('img-src'), `the outside image was blocked: ${JSON.stringify(violations)}`);
    // The srcdoc iframe loads (about:srcdoc is not fetched, so frame-src does not apply) but inherits the CSP: its script did not run.
    assert.ok(consoleErrors.some((e) => /Content Security Policy/.test(e)), 'Chromium reported the violations');
    // Were the renderer ever to emit a link, markdown-it's would keep no href; a javascript: one it refuses to make at all.
    const mdLinks = await page.evaluate(() => Array.from(document.querySelectorAll('a.migplan-link')).map((a) => `${a.getAttribute('href') ?? 'no href'} ${a.getAttribute('title') ?? ''}`));
    assert.deepEqual(mdLinks, [`no href http://${OUTSIDE}/md`]);
    assert.deepEqual(outside, [], 'CSP stopped the outside image before the network');
  });

  it('clicking links (any button, with modifiers) and phase headings does not navigate', async () => {
    const url = page.url();
    for (const selector of ['#l1', '#l2', '#l3', '#l4', 'a.migplan-link']) {
      for (const opts of [{}, { button: 'middle' as const }, { modifiers: ['Control' as const] }, { modifiers: ['Shift' as const] }]) {
        await page.locator(selector).first().click({ ...opts, timeout: 5000 });
      }
      await page.locator(selector).first().press('Enter');
    }
    await page.waitForTimeout(500);
    assert.equal(page.url(), url, 'the page did not move');
    assert.deepEqual(navigations, [], 'no frame navigated');
    assert.deepEqual(popups, [], 'no window opened');
    assert.deepEqual(outside, [], 'no request to another host');
    assert.equal(await page.evaluate(() => typeof window.pwned), 'undefined', 'no javascript: link ran');

    // Back to the rendered plan; a click on a phase heading only asks the extension to reveal it.
    await page.evaluate((h) => window.postMessage({ type: 'update', uri: 'file:///work/hostile.migplan.yaml', seq: 3, html: h }, '*'), body);
    await page.waitForFunction(() => document.querySelectorAll('[data-anchor]').length === 5, undefined, { timeout: 5000 });
    const posted = (await page.evaluate(() => window.__posted.length)) as number;
    for (let i = 0; i < 5; i++) await page.locator('[data-anchor]').nth(i).click();
    const reveals = (await page.evaluate(() => window.__posted)).slice(posted) as Array<{ type: string; anchor: string }>;
    assert.deepEqual(reveals.map((m) => m.type), ['reveal', 'reveal', 'reveal', 'reveal', 'reveal']);
    assert.equal(page.url(), url);
    assert.deepEqual(navigations, []);
    const r = await page.evaluate(domReport);
    assert.equal(r.pwned, 'undefined');
    assert.deepEqual(r.eventAttributes, []);
    assert.deepEqual(served.requests.filter((u) => u !== '/favicon.ico').sort(), ['/', '/media/preview.css', '/media/preview.js']);
  });

  it('the blocked-request recorder works (about:blank, no CSP, asking the outside host is recorded)', async () => {
    const probe = await context.newPage();
    popups.length = 0;
    await probe.evaluate((u) => fetch(u).then(() => 'ok', () => 'blocked'), `http://${OUTSIDE}/probe`);
    await probe.close();
    assert.deepEqual(outside, [`http://${OUTSIDE}/probe`]);
    outside.length = 0;
  });
});
