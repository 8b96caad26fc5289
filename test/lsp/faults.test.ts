/**
 * Protocol faults over real LSP (stdio): positions outside the document,
 * didChange edits with bad ranges, unknown URIs, changes to documents never
 * opened, a second didOpen, requests after didClose, and a burst of 1,000
 * incremental changes with requests in between. The server must answer each
 * request (a result or a JSON-RPC error, never a hang), stay up, and hold the
 * text an LSP client means: vscode-languageserver-textdocument's, computed
 * here with the same library.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { CompletionItem, CompletionList, Diagnostic, Hover, Position, PublishDiagnosticsParams, Range } from 'vscode-languageserver-protocol';
import { complete, hover as serviceHover } from '../../server/src/service/features';
import { lint } from '../../server/src/service/linting/lint';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { renderPlan } from '../../server/src/service/rendering/render';
import { EXAMPLES, read } from '../helpers';
import { TestClient } from './lspClient';

const EXAMPLE = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
/** The example with CRLF line breaks and astral characters (surrogate pairs) in the title and a phase id. */
const TRICKY = EXAMPLE.replace('title: Split users.name', 'title: 🚀 Split users.name 😀')
  .replace('  - id: backfill\n', '  - id: backfill-🐘\n')
  .replace(/\n/g, '\r\n');

/** Where the documents live: a folder that does not exist, so no .migplanrc.json applies. */
const DIR = `file:///nonexistent-migplan-faults-${process.pid}`;
let seq = 0;
function newUri(): string {
  return `${DIR}/doc-${++seq}.migplan.yaml`;
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms: ${what} (a hang)`)), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** A request's outcome: its result, or the JSON-RPC error it was answered with. */
type Outcome = { ok: true; result: unknown } | { ok: false; code: number; message: string };

/** Diagnostics as comparable strings (the server's LSP ones and lint()'s). */
function lspKeys(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${String(d.code)} ${d.severity ?? '?'} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);
}
function expectedKeys(text: string): string[] {
  return lint(text).diagnostics.map((d) => {
    const sev = d.severity === 'error' ? 1 : d.severity === 'warning' ? 2 : 3;
    return `${d.rule} ${sev} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`;
  });
}

/** Every `{start,end}` range and folding line in `value` lies inside `doc`. */
function assertInside(edited: TextDocument, value: unknown, what: string): void {
  // A fresh line table: after odd edits the library's incrementally kept one may not match the text.
  const doc = TextDocument.create(edited.uri, 'migplan', edited.version, edited.getText());
  const lineLength = (line: number): number => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '').length;
  const checkPos = (p: unknown, where: string): void => {
    const pos = p as Position;
    assert.ok(Number.isInteger(pos.line) && Number.isInteger(pos.character), `${what}: ${where} is not integral: ${JSON.stringify(p)}`);
    assert.ok(pos.line >= 0 && pos.line < doc.lineCount, `${what}: ${where} line ${pos.line} outside 0..${doc.lineCount - 1}`);
    // A character past the line's end is allowed ("defaults back to the line length", LSP 3.17 Position):
    // lint() puts the end of a YAML error between the \r and \n of a CRLF that way. Past that, it is a bug.
    assert.ok(pos.character >= 0 && pos.character <= lineLength(pos.line) + 1, `${what}: ${where} character ${pos.character} outside line ${pos.line} (length ${lineLength(pos.line)})`);
  };
  const clamp = (p: Position): number => Math.min(p.character, lineLength(p.line));
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${where}[${i}]`));
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (typeof o.start === 'object' && o.start !== null && typeof o.end === 'object' && o.end !== null && 'line' in o.start) {
      checkPos(o.start, `${where}.start`);
      checkPos(o.end, `${where}.end`);
      const r = o as unknown as Range;
      assert.ok(r.start.line < r.end.line || (r.start.line === r.end.line && clamp(r.start) <= clamp(r.end)), `${what}: ${where} ends before it starts`);
      return;
    }
    for (const k of ['startLine', 'endLine']) {
      if (k in o) assert.ok(Number.isInteger(o[k]) && (o[k] as number) >= 0 && (o[k] as number) < doc.lineCount, `${what}: ${where}.${k} = ${String(o[k])}`);
    }
    for (const [k, x] of Object.entries(o)) walk(x, `${where}.${k}`);
  };
  walk(value, 'result');
}

describe('language server under protocol faults (stdio)', { timeout: 240_000 }, () => {
  let client: TestClient;
  const published = new Map<string, PublishDiagnosticsParams[]>();
  /** Per uri, how many publications there were when it was last opened: only later ones count. */
  const openedAt = new Map<string, number>();
  const logs: string[] = [];
  let waiters: Array<() => void> = [];

  before(async () => {
    client = new TestClient();
    await client.initialize();
    // Replaces the TestClient's own handlers: this file keeps every publication and the server's log.
    client.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    });
    client.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      logs.push(p.message);
    });
  });

  after(async () => {
    // Junk params make some handlers throw; the server's guard answers for them and logs what failed.
    const caught = logs.filter((l) => / failed: /.test(l)).map((l) => l.split('\n')[0]);
    console.log(`server log: ${caught.length} handler failures answered with a fallback${caught.length ? `, e.g. ${[...new Set(caught)].slice(0, 3).join(' | ')}` : ''}`);
    const exit = client.child.exitCode;
    await client.close();
    assert.equal(exit, null, `the server exited (code ${String(exit)}); stderr: ${client.stderr}`);
  });

  /** After each test: still running, still answering, nothing escaped to the process's handlers. */
  afterEach(async () => {
    assert.equal(client.child.exitCode, null, `the server died; stderr: ${client.stderr}`);
    assert.equal(client.child.signalCode, null);
    const r = await within(client.connection.sendRequest('textDocument/hover', { textDocument: { uri: `${DIR}/ping.migplan.yaml` }, position: { line: 0, character: 0 } }), 10_000, 'ping');
    assert.equal(r, null);
    const escaped = logs.filter((l) => /uncaught|unhandled rejection/i.test(l));
    assert.deepEqual(escaped, [], 'errors that escaped every handler');
  });

  async function request(method: string, params: unknown, ms = 10_000): Promise<Outcome> {
    try {
      return { ok: true, result: await within(client.connection.sendRequest(method, params), ms, method) };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      if (typeof e.code === 'number') return { ok: false, code: e.code, message: String(e.message) };
      throw err;
    }
  }

  /** The result of a request that must succeed. */
  async function ask<T>(method: string, params: unknown): Promise<T> {
    const o = await request(method, params);
    assert.ok(o.ok, `${method} answered with an error: ${o.ok ? '' : `${o.code} ${o.message}`}`);
    return o.result as T;
  }

  /** Waits until diagnostics for `version` of `uri` were published. */
  async function diagnosticsFor(uri: string, version: number | undefined, ms = 20_000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = (published.get(uri) ?? []).slice(openedAt.get(uri) ?? 0).reverse().find((p) => version === undefined || p.version === version);
      if (hit) return hit;
      if (Date.now() > deadline) assert.fail(`no diagnostics for ${uri} v${String(version)}; got ${(published.get(uri) ?? []).map((p) => p.version).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** A round trip: every notification sent before it has been handled (and its validation has had its turn). */
  async function flush(): Promise<void> {
    await ask('textDocument/hover', { textDocument: { uri: `${DIR}/flush.migplan.yaml` }, position: { line: 0, character: 0 } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await ask('textDocument/hover', { textDocument: { uri: `${DIR}/flush.migplan.yaml` }, position: { line: 0, character: 0 } });
  }

  async function open(text: string, uri = newUri(), version = 1): Promise<TextDocument> {
    openedAt.set(uri, (published.get(uri) ?? []).length);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version, text } });
    return TextDocument.create(uri, 'migplan', version, text);
  }

  async function sendChange(doc: TextDocument, changes: TextDocumentContentChangeEvent[], version = doc.version + 1): Promise<TextDocument> {
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version }, contentChanges: changes });
    // The same library the server uses, applied the same way (in place, change by change).
    return TextDocument.update(doc, changes, version);
  }

  /**
   * The server holds exactly `doc`'s text: its diagnostics are lint()'s of it, its rendering is
   * renderPlan()'s, and symbols, folding and the plan tree equal those of a fresh copy opened beside it.
   */
  async function assertServerHas(doc: TextDocument, opts: { published?: boolean } = {}): Promise<void> {
    const text = doc.getText();
    const expected = lint(text);
    if (opts.published !== false) {
      const p = await diagnosticsFor(doc.uri, doc.version);
      assert.deepEqual(lspKeys(p.diagnostics), expectedKeys(text), `diagnostics of ${doc.uri} v${doc.version}`);
      assertInside(doc, p.diagnostics, 'diagnostics');
    }
    const render = await ask<{ version: number; markdown: string } | null>('migplan/render', { uri: doc.uri });
    assert.ok(render, 'render answered null for an open document');
    assert.equal(render.version, doc.version);
    assert.equal(render.markdown, renderPlan(expected.plan, expected.diagnostics, { rules: {} }).markdown, 'rendered Markdown');

    const ref = newUri();
    await open(text, ref);
    for (const method of ['textDocument/documentSymbol', 'textDocument/foldingRange']) {
      const mine = await ask<unknown>(method, { textDocument: { uri: doc.uri } });
      const theirs = await ask<unknown>(method, { textDocument: { uri: ref } });
      assert.deepEqual(mine, theirs, `${method} equals a fresh copy's`);
      assertInside(doc, mine, method);
    }
    const tree = await ask<{ nodes: unknown } | null>('migplan/planTree', { uri: doc.uri });
    const refTree = await ask<{ nodes: unknown } | null>('migplan/planTree', { uri: ref });
    assert.deepEqual(tree?.nodes, refTree?.nodes, 'plan tree equals a fresh copy’s');
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: ref } });
  }

  /** Every request kind at a position (and a range around it). */
  function positional(uri: string, position: unknown): Array<[string, unknown]> {
    const td = { uri };
    return [
      ['textDocument/hover', { textDocument: td, position }],
      ['textDocument/completion', { textDocument: td, position }],
      ['textDocument/definition', { textDocument: td, position }],
      ['textDocument/references', { textDocument: td, position, context: { includeDeclaration: true } }],
      ['textDocument/codeAction', { textDocument: td, range: { start: position, end: position }, context: { diagnostics: [] } }],
    ];
  }

  function everyRequest(uri: string, position: unknown = { line: 0, character: 0 }): Array<[string, unknown]> {
    const td = { uri };
    return [
      ...positional(uri, position),
      ['textDocument/codeAction', { textDocument: td, range: { start: position, end: position }, context: { diagnostics: [], only: ['source.fixAll.migplan'] } }],
      ['textDocument/documentSymbol', { textDocument: td }],
      ['textDocument/foldingRange', { textDocument: td }],
      ['migplan/planTree', { uri }],
      ['migplan/render', { uri }],
    ];
  }

  it('answers requests at positions outside the document as at the position the LSP library clamps them to', async () => {
    const doc = await open(TRICKY);
    await assertServerHas(doc);
    const lines = doc.getText().split('\r\n');
    const titleLine = lines.findIndex((l) => l.startsWith('title:'));
    const rocket = lines[titleLine].indexOf('🚀');
    const idLine = lines.findIndex((l) => l.includes('id: backfill-🐘'));
    const last = doc.lineCount - 1;
    const positions: Position[] = [
      { line: -1, character: -1 },
      { line: -5, character: 3 },
      { line: 0, character: -3 },
      { line: titleLine, character: -100 },
      { line: 1_000_000, character: 0 },
      { line: last + 1, character: 5 },
      { line: last, character: 1_000 },
      { line: 0, character: 1_000_000 },
      { line: 2 ** 31 - 1, character: 2 ** 31 - 1 },
      { line: -(2 ** 31), character: -(2 ** 31) },
      // Between the \r and the \n of a CRLF, and just after the \r\n.
      { line: titleLine, character: lines[titleLine].length + 1 },
      { line: titleLine, character: lines[titleLine].length + 2 },
      { line: idLine, character: lines[idLine].length + 1 },
      // Inside a surrogate pair.
      { line: titleLine, character: rocket + 1 },
      { line: idLine, character: lines[idLine].indexOf('🐘') + 1 },
    ];
    for (const position of positions) {
      const clamped = doc.positionAt(doc.offsetAt(position));
      const at = positional(doc.uri, position);
      const atClamped = positional(doc.uri, clamped);
      for (let i = 0; i < at.length; i++) {
        const [method, params] = at[i];
        const what = `${method} at ${JSON.stringify(position)}`;
        const got = await request(method, params);
        assert.ok(got.ok, `${what}: ${got.ok ? '' : got.message}`);
        assertInside(doc, got.result, what);
        const want = await request(method, atClamped[i][1]);
        assert.deepEqual(got, want, `${what} answers as at ${JSON.stringify(clamped)}`);
      }
    }
    // Positions that are not positions at all: an answer (or a JSON-RPC error), within ranges that exist.
    for (const position of [{ line: 1.5, character: 2.5 }, { line: null, character: null }, { line: '3', character: '1' }, {}, null, 'here']) {
      for (const [method, params] of positional(doc.uri, position)) {
        const got = await request(method, params);
        if (got.ok) assertInside(doc, got.result, `${method} at ${JSON.stringify(position)}`);
      }
    }
    await assertServerHas(doc, { published: false });
  });

  it('applies didChange edits with bad ranges exactly as vscode-languageserver-textdocument does', async () => {
    let doc = await open(TRICKY);
    await diagnosticsFor(doc.uri, 1);
    const lines = (): string[] => doc.getText().split('\r\n');
    const at = (needle: string): number => lines().findIndex((l) => l.includes(needle));
    const cases: Array<[string, TextDocumentContentChangeEvent[]]> = [
      ['end before start', [{ range: { start: { line: 3, character: 10 }, end: { line: 2, character: 4 } }, text: 'REVERSED' }]],
      ['past the end (lines)', [{ range: { start: { line: 10_000, character: 0 }, end: { line: 10_001, character: 0 } }, text: '# appended\r\n' }]],
      ['past the end (characters)', [{ range: { start: { line: at('owner:'), character: 500 }, end: { line: at('owner:'), character: 900 } }, text: ' (and friends)' }]],
      ['negative', [{ range: { start: { line: -4, character: -2 }, end: { line: -1, character: -7 } }, text: '# a comment at the top\r\n' }]],
      ['negative to inside', [{ range: { start: { line: -1, character: 0 }, end: { line: 0, character: 2 } }, text: '#' }]],
      ['in the middle of a CRLF', [{ range: { start: { line: at('title:'), character: lines()[at('title:')].length + 1 }, end: { line: at('title:'), character: lines()[at('title:')].length + 1 } }, text: ' !' }]],
      ['a lone \\r and \\n across a CRLF', [{ range: { start: { line: at('owner:'), character: 2 }, end: { line: at('owner:'), character: 2 } }, text: '\r' }, { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' }]],
      ['inside a surrogate pair', [{ range: { start: { line: at('title:'), character: lines()[at('title:')].indexOf('🚀') + 1 }, end: { line: at('title:'), character: lines()[at('title:')].indexOf('🚀') + 1 } }, text: 'x' }]],
      ['deleting half of a surrogate pair', [{ range: { start: { line: at('backfill-'), character: lines()[at('backfill-')].indexOf('🐘') }, end: { line: at('backfill-'), character: lines()[at('backfill-')].indexOf('🐘') + 1 } }, text: '' }]],
      ['several in one notification, overlapping and out of order', [
        { range: { start: { line: 5, character: 0 }, end: { line: 7, character: 0 } }, text: '' },
        { range: { start: { line: 4, character: 3 }, end: { line: 6, character: 2 } }, text: 'Z\r\nZ' },
        { range: { start: { line: 9_999, character: 0 }, end: { line: -1, character: 0 } }, text: 'everything?' },
      ]],
      ['a full-text change after an incremental one', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'lost' }, { text: TRICKY }]],
      ['empty text over an empty range', [{ range: { start: { line: 2, character: 1 }, end: { line: 2, character: 1 } }, text: '' }]],
    ];
    for (const [what, changes] of cases) {
      doc = await sendChange(doc, changes);
      await assertServerHas(doc).catch((err: unknown) => {
        throw new Error(`after "${what}": ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    // An ordinary edit afterwards still lands where the client means it (both sides' line tables agree).
    const line = at('title:');
    doc = await sendChange(doc, [{ range: { start: { line, character: 7 }, end: { line, character: 7 } }, text: 'Still ' }]);
    await assertServerHas(doc);
  });

  it('survives malformed didChange notifications and keeps what the library kept', async () => {
    let doc = await open(EXAMPLE);
    await diagnosticsFor(doc.uri, 1);
    // No version: the library refuses before touching the document.
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: null }, contentChanges: [{ text: 'gone' }] });
    // No changes: nothing happens.
    doc = await sendChange(doc, [], doc.version);
    await flush();
    await assertServerHas(doc, { published: false });

    // A batch whose second change is garbage: the library applies the first, then throws (the version stays).
    const first: TextDocumentContentChangeEvent = { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '# before the garbage\n' };
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version + 1 }, contentChanges: [first, { range: {}, text: 'x' }] });
    assert.throws(() => TextDocument.update(doc, [first, { range: {} as Range, text: 'x' }], doc.version + 1));
    await flush();
    await assertServerHas(doc, { published: false });
    // The next good change brings diagnostics of the document as it now is.
    doc = await sendChange(doc, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '# after\n' }]);
    await assertServerHas(doc);
  });

  it('answers every request kind for unknown URIs with nothing', async () => {
    const uris = [newUri(), 'file:///', 'untitled:Untitled-1', 'not a uri', '', 'file:///%E0%A4%A', 'vscode-vfs://github/x/y/z.migplan.yaml', `${'file:///' + 'a/'.repeat(5000)}x.migplan.yaml`];
    for (const uri of uris) {
      for (const [method, params] of everyRequest(uri)) {
        const got = await request(method, params);
        assert.ok(got.ok, `${method} ${JSON.stringify(uri).slice(0, 60)}: ${got.ok ? '' : got.message}`);
        assert.ok(got.result === null || (Array.isArray(got.result) && got.result.length === 0), `${method} ${uri.slice(0, 60)} answered ${JSON.stringify(got.result).slice(0, 200)}`);
      }
    }
    // Params that are not params: an answer or a JSON-RPC error, never a hang.
    for (const [method] of everyRequest('x')) {
      for (const params of [null, {}, { textDocument: null }, { textDocument: { uri: 42 } }, { uri: { not: 'a string' } }, []]) {
        const got = await request(method, params);
        if (got.ok) assert.ok(got.result === null || (Array.isArray(got.result) && got.result.length === 0), `${method} ${JSON.stringify(params)}: ${JSON.stringify(got.result)}`);
      }
    }
    // The one request without a document, with junk params.
    for (const params of [undefined, null, { uri: 'x' }]) {
      const info = await ask<{ pid: number; version: string }>('migplan/serverInfo', params);
      assert.equal(info.pid, client.child.pid);
      assert.match(info.version, /^\d+\.\d+\.\d+/);
    }
    // Odd URIs can still be opened: each is checked like any plan.
    for (const uri of ['untitled:Untitled-1', 'file:///%E0%A4%A.migplan.yaml', 'vscode-vfs://github/x/y/z.migplan.yaml', 'weird:', `file:///tmp/${'x'.repeat(300)}/../🚀.migplan.yaml`]) {
      const doc = await open(EXAMPLE.replace('    soak: 24h\n', ''), uri);
      await assertServerHas(doc);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
  });

  it('ignores didChange for a document never opened, and a later didOpen starts from its own text', async () => {
    const uri = newUri();
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'phantom: 1\n' }] });
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: 'phantom: 2\n' }] });
    await flush();
    assert.equal(published.get(uri), undefined, 'nothing published for a document never opened');
    for (const [method, params] of everyRequest(uri)) {
      const got = await ask<unknown>(method, params);
      assert.ok(got === null || (Array.isArray(got) && got.length === 0), method);
    }
    const doc = await open(EXAMPLE, uri, 1);
    await assertServerHas(doc);
  });

  it('a second didOpen of an open document replaces it, even with the same version', async () => {
    const uri = newUri();
    const first = await open(EXAMPLE, uri, 1);
    await assertServerHas(first);
    // Same version, other text (a client that reopened without closing).
    const broken = EXAMPLE.replace('    soak: 24h\n', '').replace('when: corrupted_rows > 0', 'when: if replication looks bad');
    const second = await open(broken, uri, 1);
    await flush();
    assert.deepEqual(lspKeys((published.get(uri) ?? []).at(-1)?.diagnostics ?? []), expectedKeys(broken), 'the last diagnostics are the second text’s');
    await assertServerHas(second);
    // A lower version than before.
    const third = await open(TRICKY, uri, 0);
    await assertServerHas(third);
  });

  it('after didClose: diagnostics cleared, requests answer nothing, late changes are ignored', async () => {
    const broken = EXAMPLE.replace('    soak: 24h\n', '');
    let doc = await open(broken);
    await assertServerHas(doc);
    // A change and the close in the same breath: the validation the change scheduled must not publish after the close.
    doc = await sendChange(doc, [{ range: { start: { line: 2, character: 7 }, end: { line: 2, character: 7 } }, text: 'Quick ' }]);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: doc.uri } });
    await flush();
    const list = published.get(doc.uri) ?? [];
    assert.deepEqual(list.at(-1)?.diagnostics, [], 'the last publication clears the diagnostics');
    for (const [method, params] of everyRequest(doc.uri, { line: 2, character: 3 })) {
      const got = await ask<unknown>(method, params);
      assert.ok(got === null || (Array.isArray(got) && got.length === 0), `${method} after close: ${JSON.stringify(got).slice(0, 200)}`);
    }
    const count = list.length;
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: 9 }, contentChanges: [{ text: broken }] });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: doc.uri } });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: newUri() } });
    await flush();
    assert.equal((published.get(doc.uri) ?? []).length, count, 'nothing published for a closed document');
    // Reopened, it is analysed afresh.
    const again = await open(EXAMPLE, doc.uri, 1);
    await assertServerHas(again);
  });

  it('a burst of 1,000 incremental changes with requests in between: every answer for its version, final diagnostics = lint()', async () => {
    const start = await open(TRICKY);
    await diagnosticsFor(start.uri, 1);
    const random = prng(20240611);
    const pieces = ['a', 'x', ' ', ':', '-', '#', '\n', '\r\n', '  - ', 'é', '😀', '|', '"', "'", '[', '{', '\t', '1', '%'];
    // `doc` is updated in place as the server's is; `byApply` is rebuilt from applyEdits, as the brief's oracle.
    const doc = TextDocument.create(start.uri, 'migplan', 1, TRICKY);
    let byApply = TextDocument.create(start.uri, 'migplan', 1, TRICKY);
    const texts = new Map<number, string>([[1, TRICKY]]);
    let cursor = doc.getText().indexOf('title:') + 7;
    const asked: Array<{ version: number; offset: number; kind: 'hover' | 'completion'; answer: Promise<Outcome> }> = [];
    const sends: Array<Promise<void>> = [];
    const t0 = Date.now();
    for (let v = 2; v <= 1001; v++) {
      const text = doc.getText();
      const r = random();
      if (r < 0.1) cursor = Math.floor(random() * (text.length + 1));
      let edit: { range: Range; newText: string };
      if (r < 0.7) {
        const piece = pieces[Math.floor(random() * pieces.length)];
        edit = { range: { start: doc.positionAt(cursor), end: doc.positionAt(cursor) }, newText: piece };
        cursor += piece.length;
      } else if (r < 0.9) {
        const from = Math.max(0, cursor - 1 - Math.floor(random() * 3));
        edit = { range: { start: doc.positionAt(from), end: doc.positionAt(cursor) }, newText: '' };
        cursor = from;
      } else {
        const a = Math.floor(random() * text.length);
        const b = Math.min(text.length, a + Math.floor(random() * 40));
        const piece = pieces[Math.floor(random() * pieces.length)];
        edit = { range: { start: doc.positionAt(a), end: doc.positionAt(b) }, newText: piece };
        cursor = a + piece.length;
      }
      sends.push(client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: v }, contentChanges: [{ range: edit.range, text: edit.newText }] }));
      TextDocument.update(doc, [{ range: edit.range, text: edit.newText }], v);
      byApply = TextDocument.create(doc.uri, 'migplan', v, TextDocument.applyEdits(byApply, [edit]));
      cursor = Math.min(cursor, doc.getText().length);
      texts.set(v, doc.getText());
      if (v % 20 === 0) {
        const offset = Math.floor(random() * (doc.getText().length + 1));
        const position = doc.positionAt(offset);
        const kind = v % 40 === 0 ? 'hover' : 'completion';
        asked.push({ version: v, offset: doc.offsetAt(position), kind, answer: request(kind === 'hover' ? 'textDocument/hover' : 'textDocument/completion', { textDocument: { uri: doc.uri }, position }, 60_000) });
      }
    }
    await Promise.all(sends);
    assert.equal(doc.getText(), byApply.getText(), 'incremental update and applyEdits agree on the final text');

    // A final request answers; the final diagnostics are those of the final version, and equal lint() of its text.
    const final = await diagnosticsFor(doc.uri, 1001, 120_000);
    const elapsed = Date.now() - t0;
    assert.deepEqual(lspKeys(final.diagnostics), expectedKeys(byApply.getText()));
    await assertServerHas(doc);

    // Each request in the burst answered for the version current when it was handled (the one sent just before it).
    for (const q of asked) {
      const got = await q.answer;
      assert.ok(got.ok, `${q.kind} at v${q.version}: ${got.ok ? '' : got.message}`);
      const plan = new PlanDocument(texts.get(q.version)!);
      const diags = lint(plan).diagnostics;
      if (q.kind === 'hover') {
        const want = serviceHover(plan, q.offset, diags);
        const h = got.result as Hover | null;
        assert.deepEqual(h && { value: (h.contents as { value: string }).value, range: h.range }, want ? { value: want.contents, range: plan.lines.rangeOf(want.span) } : null, `hover at v${q.version} offset ${q.offset}`);
      } else {
        const items = got.result as CompletionItem[] | CompletionList;
        const labels = (Array.isArray(items) ? items : items.items).map((c) => c.label);
        assert.deepEqual(labels, complete(plan, q.offset, { snippets: true }).map((c) => c.label), `completion at v${q.version} offset ${q.offset}`);
      }
    }

    // Every publication in the burst was of the version it names (coalesced, never stale or mixed).
    const burst = (published.get(doc.uri) ?? []).filter((p) => (p.version ?? 0) > 1);
    assert.ok(burst.length >= 1 && burst.length <= 1000);
    const versions = burst.map((p) => p.version ?? 0);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'published in version order');
    for (const p of burst) assert.deepEqual(lspKeys(p.diagnostics), expectedKeys(texts.get(p.version ?? 0)!), `diagnostics published for v${String(p.version)}`);
    console.log(`burst: 1,000 changes + ${asked.length} requests in ${elapsed} ms; ${burst.length} publications`);
  });

  it('a burst of 1,000 changes with nothing in between is linted a few times, not once per change', async () => {
    let doc = await open(EXAMPLE);
    await diagnosticsFor(doc.uri, 1);
    const line = EXAMPLE.split('\n').findIndex((l) => l.startsWith('title:'));
    const sends: Array<Promise<void>> = [];
    const t0 = Date.now();
    for (let i = 0; i < 1000; i++) {
      // Type "ab" and delete it again, over and over, at the end of the title.
      const col = doc.getText().split('\n')[line].length;
      const change: TextDocumentContentChangeEvent = i % 4 < 2 ? { range: { start: { line, character: col }, end: { line, character: col } }, text: i % 4 === 0 ? 'a' : 'b' } : { range: { start: { line, character: col - 1 }, end: { line, character: col } }, text: '' };
      sends.push(client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version + 1 }, contentChanges: [change] }));
      doc = TextDocument.update(doc, [change], doc.version + 1);
    }
    await Promise.all(sends);
    const final = await diagnosticsFor(doc.uri, doc.version, 60_000);
    assert.equal(doc.getText(), EXAMPLE);
    assert.deepEqual(final.diagnostics, []);
    const lints = (published.get(doc.uri) ?? []).filter((p) => (p.version ?? 0) > 1).length;
    console.log(`burst: 1,000 changes in ${Date.now() - t0} ms; ${lints} publications`);
    // Each change linted would be 1,000; queued changes are coalesced into the newest version.
    assert.ok(lints <= 250, `${lints} publications for 1,000 queued changes`);
    await assertServerHas(doc);
  });
});
