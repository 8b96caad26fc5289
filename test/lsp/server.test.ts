/** The built language server over real LSP (stdio), as an editor drives it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionItem, CompletionList, Diagnostic, DocumentSymbol, Hover, Location, TextEdit } from 'vscode-languageserver-protocol';
import { fixAll, lint } from '../../server/src/service/linting/lint';
import { EXAMPLES, read } from '../helpers';
import { TestClient, editsOf } from './lspClient';

const EXAMPLE = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
const BROKEN = EXAMPLE.replace('    soak: 24h\n', '').replace('    sign_off: Dana Ortiz (data owner)\n', '').replace('when: corrupted_rows > 0', 'when: if replication looks bad');

describe('language server over stdio', { timeout: 60_000 }, () => {
  let client: TestClient;
  let capabilities: Record<string, unknown>;

  before(async () => {
    client = new TestClient();
    capabilities = (await client.initialize()).capabilities;
  });
  after(async () => client.close());

  const open = (text: string): ReturnType<TestClient['openPlan']> => client.openPlan(text);

  /** Applies edits locally and sends them as incremental changes; returns the new document and its diagnostics. */
  async function change(doc: TextDocument, edits: TextEdit[]): Promise<{ doc: TextDocument; diagnostics: Diagnostic[] }> {
    const version = doc.version + 1;
    // Send in reverse document order so earlier ranges stay valid, as editors do.
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: doc.uri, version },
      contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })),
    });
    const next = TextDocument.create(doc.uri, 'migplan', version, TextDocument.applyEdits(doc, edits));
    const p = await client.diagnosticsFor(doc.uri, version);
    return { doc: next, diagnostics: p.diagnostics };
  }

  it('advertises incremental sync and every feature', () => {
    assert.equal(capabilities.textDocumentSync, 2);
    for (const k of ['codeActionProvider', 'completionProvider', 'hoverProvider', 'documentSymbolProvider', 'foldingRangeProvider', 'definitionProvider', 'referencesProvider']) assert.ok(capabilities[k], k);
    const kinds = (capabilities.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds;
    assert.ok(kinds.includes('source.fixAll.migplan') && kinds.includes('quickfix'));
  });

  it('publishes diagnostics on open, with the rule as code, source migplan and a link to the rule', async () => {
    const { diagnostics } = await open(BROKEN);
    const expected = lint(BROKEN).diagnostics;
    assert.deepEqual(diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`), expected.map((d) => `${d.rule} ${d.range.start.line}:${d.range.start.character}`));
    for (const d of diagnostics) {
      assert.equal(d.source, 'migplan');
      assert.match(d.codeDescription!.href, new RegExp(`/docs/rules/${String(d.code)}\\.md$`));
    }
    assert.deepEqual([...new Set(diagnostics.map((d) => d.code))].sort(), ['cutover-soak', 'rollback-trigger', 'verification-sign-off']);
    assert.equal((await open(EXAMPLE)).diagnostics.length, 0);
  });

  it('counts a byte-order mark the client keeps in the text: ranges and quick fixes on line 0, fix-all', async () => {
    // The service reads the text without its BOM; a client that keeps it counts it as line 0's first character.
    const text = `\uFEFF${BROKEN.replace(/^#[^\n]*\n/, '').replace('migplan: 1', 'migplan: 2')}`;
    const { uri: u, doc, diagnostics } = await open(text);
    const version = diagnostics.find((d) => d.code === 'schema')!;
    assert.equal(version.range.start.line, 0);
    assert.equal(doc.getText(version.range), '2', 'the range on line 0 covers the value as the client counts it');
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: u }, range: version.range, context: { diagnostics: [version], only: ['quickfix'] } })) as CodeAction[];
    const fix = actions.find((a) => a.title === 'Set migplan to 1')!;
    const fixed = await change(doc, editsOf(fix.edit, u));
    assert.ok(fixed.doc.getText().startsWith('\uFEFFmigplan: 1\ntitle:'), JSON.stringify(fixed.doc.getText().slice(0, 30)));
    assert.ok(!fixed.diagnostics.some((d) => d.code === 'schema'));
    const all = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: u },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.migplan'] },
    })) as CodeAction[];
    const afterAll = TextDocument.applyEdits(fixed.doc, editsOf(all[0].edit, u));
    assert.equal(afterAll, fixAll(fixed.doc.getText()).text, 'fix-all over LSP gives what fix-all gives, BOM kept, nothing shifted');
    // A request at a client position on line 0 reads the service's text at the same character.
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: { line: 0, character: 2 } })) as Hover | null;
    assert.ok(hover && JSON.stringify(hover.contents).includes('migplan'), JSON.stringify(hover));
  });

  it('answers requests after shutdown with an error, as the protocol says', async () => {
    const other = new TestClient();
    await other.initialize();
    const u = `file:///tmp/lsp-shutdown-${process.pid}.migplan.yaml`;
    await other.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'migplan', version: 1, text: EXAMPLE } });
    await other.connection.sendRequest('shutdown');
    await assert.rejects(other.connection.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: { line: 1, character: 1 } }), /shutting down/);
    await assert.rejects(other.connection.sendRequest('textDocument/completion', { textDocument: { uri: u }, position: { line: 1, character: 1 } }), /shutting down/);
    await other.close();
  });

  it('re-lints on every incremental change, for the newest version', async () => {
    let { doc, diagnostics } = await open(EXAMPLE);
    assert.equal(diagnostics.length, 0);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('soak: 24h'));
    ({ doc, diagnostics } = await change(doc, [{ range: { start: { line, character: 10 }, end: { line, character: 12 } }, newText: '12' }]));
    assert.deepEqual(diagnostics.map((d) => d.code), ['cutover-soak']);
    ({ doc, diagnostics } = await change(doc, [{ range: { start: { line, character: 10 }, end: { line, character: 12 } }, newText: '48' }]));
    assert.deepEqual(diagnostics, []);
    assert.ok(doc.getText().includes('soak: 48h'));
  });

  it('offers each quick fix, and applying it removes that diagnostic', async () => {
    const { uri: u, doc, diagnostics } = await open(BROKEN);
    let applied = 0;
    let current = doc;
    for (const target of diagnostics) {
      const fresh = (await client.diagnosticsFor(u, current.version)).diagnostics.find((d) => d.code === target.code && d.message === target.message);
      assert.ok(fresh, `${String(target.code)} still there before its fix`);
      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: u },
        range: fresh.range,
        context: { diagnostics: [fresh], only: ['quickfix'] },
      })) as CodeAction[];
      const fix = actions.find((a) => a.kind === 'quickfix' && !a.title.startsWith('Ignore'));
      assert.ok(fix, `a quick fix for ${String(fresh.code)}`);
      assert.ok(actions.some((a) => a.title === `Ignore ${String(fresh.code)} for this node (then write why)`));
      const result = await change(current, editsOf(fix.edit, u));
      current = result.doc;
      assert.ok(!result.diagnostics.some((d) => d.code === fresh.code && d.message === fresh.message), `${String(fresh.code)} fixed`);
      applied++;
    }
    assert.equal(applied, 3);
    // Who signs off is the author's decision: the sign-off fix leaves a placeholder, reported until filled in.
    assert.deepEqual((await client.diagnosticsFor(u, current.version)).diagnostics.map((d) => d.code), ['placeholder']);
  });

  it('still finds the fix when a client echoes the diagnostic with byte columns (non-ASCII line)', async () => {
    const text = BROKEN.replace('if replication looks bad', 'if réplication looks bad');
    const { uri: u, diagnostics } = await open(text);
    const trigger = diagnostics.find((d) => d.code === 'rollback-trigger')!;
    const asBytes = { ...trigger, range: { start: trigger.range.start, end: { line: trigger.range.end.line, character: trigger.range.end.character + 1 } } };
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: u }, range: asBytes.range, context: { diagnostics: [asBytes] } })) as CodeAction[];
    assert.ok(actions.some((a) => a.kind === 'quickfix' && /replica_lag > 30s for 1m/.test(a.title)), actions.map((a) => a.title).join(', '));
  });

  it('"Ignore <rule> for this node" inserts a comment whose reason the author writes: until then it silences nothing', async () => {
    const { uri: u, doc, diagnostics } = await open(BROKEN);
    const soak = diagnostics.find((d) => d.code === 'cutover-soak')!;
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: u }, range: soak.range, context: { diagnostics: [soak] } })) as CodeAction[];
    const ignore = actions.find((a) => a.title === 'Ignore cutover-soak for this node (then write why)')!;
    const result = await change(doc, editsOf(ignore.edit, u));
    assert.ok(result.doc.getText().includes('\n  # migplan-ignore cutover-soak -- TODO: why this does not apply here\n  - id: cutover\n'));
    // One keystroke does not silence an error: the placeholder reason counts for nothing, and says so.
    assert.ok(result.diagnostics.some((d) => d.code === 'cutover-soak'));
    assert.ok(result.diagnostics.some((d) => d.code === 'ignore-reason'));
    const at = result.doc.getText().indexOf('TODO: why this does not apply here');
    const written = await change(result.doc, [{ range: { start: result.doc.positionAt(at), end: result.doc.positionAt(at + 'TODO: why this does not apply here'.length) }, newText: 'the soak is a week, run by the SRE rota' }]);
    assert.ok(!written.diagnostics.some((d) => d.code === 'cutover-soak' || d.code === 'ignore-reason' || d.code === 'unused-ignore'), JSON.stringify(written.diagnostics));
  });

  it('offers no "Ignore" for yaml-syntax and schema, which cannot be ignored', async () => {
    const { uri: u, diagnostics } = await open(EXAMPLE.replace('soak: 24h', 'soak: two days'));
    const schema = diagnostics.find((d) => d.code === 'schema')!;
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: u }, range: schema.range, context: { diagnostics: [schema] } })) as CodeAction[];
    assert.ok(!actions.some((a) => a.title.startsWith('Ignore')), actions.map((a) => a.title).join(', '));
  });

  it('fixes everything with source.fixAll.migplan, like migplan lint --fix', async () => {
    const { uri: u, doc } = await open(BROKEN);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: u },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.migplan'] },
    })) as CodeAction[];
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.migplan');
    const result = await change(doc, editsOf(actions[0].edit, u));
    assert.equal(result.doc.getText(), fixAll(BROKEN).text);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['placeholder']);
  });

  it('offers fix-all disabled, with the reason, while the plan has YAML errors', async () => {
    const { uri: u } = await open(BROKEN.replace('title:', 'owner: x\ntitle:'));
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: u },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.migplan'] },
    })) as CodeAction[];
    assert.equal(actions.length, 1);
    assert.equal(actions[0].edit, undefined);
    assert.match(actions[0].disabled?.reason ?? '', /YAML errors/);
  });

  it('completes the keys a cutover phase still lacks, and enum values', async () => {
    const text = EXAMPLE.replace('    soak: 24h\n', '    \n');
    const { uri: u } = await open(text);
    const line = text.split('\n').findIndex((l, i, all) => l === '    ' && all[i - 1].includes('shadow_reads'));
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: u }, position: { line, character: 4 } })) as CompletionItem[] | CompletionList;
    const labels = (Array.isArray(items) ? items : items.items).map((i) => i.label);
    assert.ok(labels.includes('soak'), labels.join(','));
    assert.ok(!labels.includes('flag'), 'keys already present are not offered');
    assert.ok(!labels.includes('batch_size'), 'backfill keys are not offered in a cutover');
    const kindLine = text.split('\n').findIndex((l) => l === '    kind: cutover');
    const values = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: u }, position: { line: kindLine, character: 10 } })) as CompletionItem[] | CompletionList;
    const v = (Array.isArray(values) ? values : values.items).map((i) => i.label);
    for (const k of ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup', 'custom']) assert.ok(v.includes(k), k);
  });

  it('hovers keys with the schema\'s description and diagnostics with the rule\'s rationale', async () => {
    const { uri: u } = await open(BROKEN);
    const lines = BROKEN.split('\n');
    const rampLine = lines.findIndex((l) => l.startsWith('    ramp:'));
    const h = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: { line: rampLine, character: 5 } })) as Hover;
    assert.match(JSON.stringify(h.contents), /ramp/i);
    const cut = lines.findIndex((l) => l === '  - id: cutover');
    const hd = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: { line: cut, character: 6 } })) as Hover;
    assert.match(JSON.stringify(hd.contents), /cutover-soak/);
  });

  it('lists symbols: sections and each phase as id (kind)', async () => {
    const { uri: u } = await open(EXAMPLE);
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: u } })) as DocumentSymbol[];
    const names = symbols.map((s) => s.name).join(' | ');
    for (const n of ['context', 'consumers', 'assessment']) assert.ok(names.includes(n), names);
    const all = JSON.stringify(symbols);
    for (const p of ['dual-write (dual-write)', 'backfill (backfill)', 'cutover (cutover)', 'verification (verification)', 'cleanup (cleanup)']) assert.ok(all.includes(p), p);
  });

  it('goes from point_of_no_return to the phase it names, and finds its references', async () => {
    const { uri: u } = await open(EXAMPLE);
    const lines = EXAMPLE.split('\n');
    const ponr = lines.findIndex((l) => l.startsWith('point_of_no_return:'));
    const def = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: u }, position: { line: ponr, character: 22 } })) as Location;
    assert.equal(def.range.start.line, lines.findIndex((l) => l === '  - id: cleanup'));
    const refs = (await client.connection.sendRequest('textDocument/references', { textDocument: { uri: u }, position: { line: ponr, character: 22 }, context: { includeDeclaration: true } })) as Location[];
    assert.deepEqual(refs.map((r) => r.range.start.line).sort((a, b) => a - b), [def.range.start.line, ponr]);
  });

  it('turns a rule off when the migplan.rules setting changes, and back on', async () => {
    const { uri: u } = await open(BROKEN);
    client.settings = { rules: { 'cutover-soak': 'off' } };
    client.clearDiagnostics(u);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const off = await client.diagnosticsFor(u);
    assert.ok(!off.diagnostics.some((d) => d.code === 'cutover-soak'));
    assert.ok(off.diagnostics.some((d) => d.code === 'verification-sign-off'));
    client.settings = {};
    client.clearDiagnostics(u);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.ok((await client.diagnosticsFor(u)).diagnostics.some((d) => d.code === 'cutover-soak'));
  });

  it('serves the phase tree and the rendered Markdown', async () => {
    const { uri: u } = await open(BROKEN);
    const tree = (await client.connection.sendRequest('migplan/planTree', { uri: u })) as { nodes: Array<{ label: string; kind: string; problems?: number; children?: Array<{ label: string; passed?: boolean }> }> };
    assert.deepEqual(tree.nodes.filter((n) => n.kind === 'phase').map((n) => n.label), ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup']);
    assert.equal(tree.nodes.find((n) => n.label === 'cutover')?.problems, 1);
    const checklist = tree.nodes.find((n) => n.kind === 'checklist')!;
    assert.equal(checklist.children!.length, 7);
    assert.equal(checklist.children!.filter((c) => c.passed === false).length, 1, 'only "rollback triggers have specific thresholds" fails');
    const md = (await client.connection.sendRequest('migplan/render', { uri: u })) as { markdown: string; headings: Array<{ markdownLine: number; range: { start: { line: number } } }> };
    assert.match(md.markdown, /^# Split users\.name/);
    assert.equal(md.headings.length, 5);
    assert.match(md.markdown.split('\n')[md.headings[2].markdownLine], /^## Phase 3: cutover/);
    assert.equal(md.headings[2].range.start.line, BROKEN.split('\n').findIndex((l) => l === '  - id: cutover'));
  });

  it('answers requests about unknown documents and positions outside a document without failing', async () => {
    const { uri: u } = await open(EXAMPLE);
    const far = { line: 99_999, character: 99_999 };
    const neg = { line: -5, character: -1 };
    for (const position of [far, neg]) {
      await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: u }, position });
      await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: u }, position });
      await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: u }, position });
    }
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nope.migplan.yaml' }, position: far }), null);
    assert.equal(await client.connection.sendRequest('migplan/planTree', { uri: 'file:///nope.migplan.yaml' }), null);
    assert.deepEqual(await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: 'file:///nope.migplan.yaml' } }), []);
    // Still alive and correct afterwards.
    const again = await open(BROKEN);
    assert.equal(again.diagnostics.length, 3);
  });

  it('after edits in and around phases (re-parsed where they changed), reports what a fresh lint of the text reports', async () => {
    let { doc } = await open(BROKEN);
    const at = (needle: string, from = 0): { line: number; character: number } => doc.positionAt(doc.getText().indexOf(needle, from));
    const steps: Array<() => TextEdit> = [
      () => ({ range: { start: at('soak: 24h'), end: at('soak: 24h') }, newText: 'shadow_reads: true\n    ' }), // a key typed in a phase
      () => ({ range: { start: at('  - id: verification'), end: at('  - id: verification') }, newText: '  - id: extra\n    kind: custom\n\n' }), // a phase added
      () => ({ range: { start: at('if replication looks bad'), end: at('  - id: verification') }, newText: 'replica_lag > 30s for 1m\n\n' }), // lines joined across a phase
      () => ({ range: { start: at('  - id: cleanup'), end: at('  - id: cleanup') }, newText: '  ' }), // a dash moved
      () => {
        const p = at('    - id: cleanup');
        return { range: { start: p, end: { line: p.line, character: p.character + 2 } }, newText: '' }; // and back
      },
    ];
    for (const step of steps) {
      let diagnostics: Diagnostic[];
      ({ doc, diagnostics } = await change(doc, [step()]));
      const fresh = lint(doc.getText()).diagnostics;
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range, d.message]), fresh.map((d) => [d.rule, d.range, d.message]), doc.getText());
    }
  });

  it('ends up with the diagnostics of the final text after a burst of changes', async () => {
    let { doc } = await open(EXAMPLE);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('soak: 24h'));
    for (let i = 0; i < 200; i++) {
      const version = doc.version + 1;
      const text = i % 2 === 0 ? '1' : '2';
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version }, contentChanges: [{ range: { start: { line, character: 10 }, end: { line, character: 11 } }, text }] });
      doc = TextDocument.create(doc.uri, 'migplan', version, TextDocument.applyEdits(doc, [{ range: { start: { line, character: 10 }, end: { line, character: 11 } }, newText: text }]));
    }
    const final = await client.diagnosticsFor(doc.uri, doc.version);
    assert.deepEqual(final.diagnostics.map((d) => d.code), lint(doc.getText()).diagnostics.map((d) => d.rule));
  });
});
