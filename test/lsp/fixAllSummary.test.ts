/**
 * "Fix all" in the quick-fix list (the lightbulb) when a plan has more than one
 * fixable problem, and the one line saying what a fix-all changed: the
 * `migplan.fixAll.report` command the fix-all actions carry when the user
 * chose them, which the server answers with `window/showMessage`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, ShowMessageParams } from 'vscode-languageserver-protocol';
import { asFixAllReport, fixAllMessage, FIX_ALL_REPORT_COMMAND } from '../../server/src/lsp/codeActions';
import { fixAll, fixSummary } from '../../server/src/service/linting/lint';
import { EXAMPLES, read } from '../helpers';
import { TestClient, editsOf } from './lspClient';

const EXAMPLE = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
/** Three fixable problems; the sign-off's fix writes a placeholder. */
const BROKEN = EXAMPLE.replace('    soak: 24h\n', '').replace('    sign_off: Dana Ortiz (data owner)\n', '').replace('when: corrupted_rows > 0', 'when: if replication looks bad');
/** One fixable problem. */
const ONE = EXAMPLE.replace('    soak: 24h\n', '');

const INVOKED = 1;
const AUTOMATIC = 2;

describe('fix-all in the quick-fix list, and what it changed', { timeout: 60_000 }, () => {
  let client: TestClient;
  let capabilities: Record<string, unknown>;
  const messages: ShowMessageParams[] = [];

  before(async () => {
    client = new TestClient();
    capabilities = (await client.initialize()).capabilities;
    // Replaces the client's silent handler: what the server says is what these tests read.
    client.connection.onNotification('window/showMessage', (p: ShowMessageParams) => {
      messages.push(p);
    });
  });
  after(async () => client.close());

  const open = (text: string): ReturnType<TestClient['openPlan']> => client.openPlan(text, 'fixall');

  function actionsAt(u: string, d: Diagnostic | undefined, context: { only?: string[]; triggerKind?: number } = {}): Promise<CodeAction[]> {
    const range = d?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: u }, range, context: { diagnostics: d ? [d] : [], ...context } }) as Promise<CodeAction[]>;
  }

  const fixAllIn = (actions: CodeAction[]): CodeAction | undefined => actions.find((a) => a.title.startsWith('Fix all') && a.kind === 'quickfix');

  /** Sends the command and waits until the server has answered it (a showMessage is sent before the answer). */
  async function execute(args: unknown[] | undefined, command = FIX_ALL_REPORT_COMMAND): Promise<unknown> {
    return client.connection.sendRequest('workspace/executeCommand', { command, ...(args ? { arguments: args } : {}) });
  }

  it('declares the report command', () => {
    assert.deepEqual(capabilities.executeCommandProvider, { commands: [FIX_ALL_REPORT_COMMAND] });
  });

  it('lists "Fix all N fixable migplan problems" after the problem\'s own fix, not preferred, with the source fix-all\'s edit', async () => {
    const { uri: u, doc, diagnostics } = await open(BROKEN);
    assert.equal(diagnostics.length, 3);
    const soak = diagnostics.find((d) => d.code === 'cutover-soak')!;
    // The lightbulb's request: no `only`, asked for automatically.
    const actions = await actionsAt(u, soak, { triggerKind: AUTOMATIC });
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind]),
      [
        [actions[0].title, 'quickfix'],
        ['Ignore cutover-soak for this node (then write why)', 'quickfix'],
        ['Fix all 3 fixable migplan problems', 'quickfix'],
      ],
    );
    assert.match(actions[0].title, /soak/i);
    const all = actions[2];
    assert.equal(all.isPreferred, false, 'autofix picks the problem\'s own fix, not this');
    assert.equal(all.diagnostics, undefined, 'not the fix of this one problem');
    const expected = fixAll(BROKEN);
    assert.equal(TextDocument.applyEdits(doc, editsOf(all.edit, u)), expected.text);
    const source = await actionsAt(u, undefined, { only: ['source.fixAll.migplan'], triggerKind: INVOKED });
    assert.deepEqual(editsOf(source[0].edit, u), editsOf(all.edit, u), 'the same edit as the source action');
    // Picked from the lightbulb's list, it says what it changed.
    assert.deepEqual(all.command, { title: 'Say what fix-all changed', command: FIX_ALL_REPORT_COMMAND, arguments: [{ fixed: expected.applied, placeholders: 1 }] });
    assert.equal(expected.applied, 3);
    // Ctrl+. (invoked) too, and with `only: ['quickfix']` (a problem's "Quick Fix..." link).
    assert.ok(fixAllIn(await actionsAt(u, soak, { triggerKind: INVOKED }))?.command);
    assert.ok(fixAllIn(await actionsAt(u, soak, { only: ['quickfix'], triggerKind: INVOKED }))?.command);
  });

  it('follows the document: after one fix, "Fix all" counts and fixes what is left; after two, it is gone', async () => {
    const { uri: u, doc, diagnostics } = await open(BROKEN);
    const soak = diagnostics.find((d) => d.code === 'cutover-soak')!;
    assert.equal(fixAllIn(await actionsAt(u, soak, { triggerKind: INVOKED }))?.title, 'Fix all 3 fixable migplan problems');
    const own = (await actionsAt(u, soak, { triggerKind: INVOKED }))[0];
    const version = 2;
    const text = TextDocument.applyEdits(doc, editsOf(own.edit, u));
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: u, version }, contentChanges: editsOf(own.edit, u).map((e) => ({ range: e.range, text: e.newText })) });
    const after = (await client.diagnosticsFor(u, version)).diagnostics;
    assert.equal(after.length, 2);
    const all = fixAllIn(await actionsAt(u, after[0], { triggerKind: INVOKED }));
    assert.equal(all?.title, 'Fix all 2 fixable migplan problems');
    const next = TextDocument.create(u, 'migplan', version, text);
    const expected = fixAll(text);
    assert.equal(TextDocument.applyEdits(next, editsOf(all.edit, u)), expected.text);
    assert.deepEqual(all.command?.arguments, [{ fixed: 2, placeholders: 1 }]);
    // One more fix: one fixable problem left, and "Fix all" is no longer offered.
    const second = (await actionsAt(u, after[0], { triggerKind: INVOKED }))[0];
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: u, version: 3 }, contentChanges: editsOf(second.edit, u).map((e) => ({ range: e.range, text: e.newText })) });
    const last = (await client.diagnosticsFor(u, 3)).diagnostics.filter((d) => d.code !== 'placeholder');
    assert.equal(last.length, 1, last.map((d) => d.code).join(', '));
    const actions = await actionsAt(u, last[0], { triggerKind: INVOKED });
    assert.ok(actions.some((a) => a.kind === 'quickfix' && !a.title.startsWith('Ignore')));
    assert.equal(fixAllIn(actions), undefined);
  });

  it('is not offered for a plan with one fixable problem, nor where no problem with a fix is asked about', async () => {
    const one = await open(ONE);
    assert.equal(one.diagnostics.length, 1);
    const actions = await actionsAt(one.uri, one.diagnostics[0], { triggerKind: INVOKED });
    assert.ok(actions.some((a) => a.kind === 'quickfix' && !a.title.startsWith('Ignore')), 'the one fix is offered');
    assert.equal(fixAllIn(actions), undefined, actions.map((a) => a.title).join(' | '));

    const broken = await open(BROKEN);
    assert.equal(fixAllIn(await actionsAt(broken.uri, undefined, { triggerKind: INVOKED })), undefined, 'no diagnostic in the request');
    const foreign = { ...broken.diagnostics[0], source: 'other-linter' };
    assert.equal(fixAllIn(await actionsAt(broken.uri, foreign, { triggerKind: INVOKED })), undefined, 'another tool\'s diagnostic');
    // A placeholder has no fix (the author writes it): no fix-all next to it either.
    const withPlaceholder = await open(fixAll(BROKEN).text.replace('    soak: 24h\n', '').replace('    shadow_reads: true\n', '    shadow_reads: false\n'));
    const placeholder = withPlaceholder.diagnostics.find((d) => d.code === 'placeholder')!;
    assert.ok(placeholder, withPlaceholder.diagnostics.map((d) => d.code).join(', '));
    assert.ok(withPlaceholder.diagnostics.filter((d) => d.code !== 'placeholder').length >= 2, withPlaceholder.diagnostics.map((d) => d.code).join(', '));
    assert.equal(fixAllIn(await actionsAt(withPlaceholder.uri, placeholder, { triggerKind: INVOKED })), undefined);
  });

  it('is not offered while the plan has YAML errors (fix-all applies nothing then)', async () => {
    const { uri: u, diagnostics } = await open(BROKEN.replace('title:', 'owner: x\ntitle:'));
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax'));
    for (const d of diagnostics) assert.equal(fixAllIn(await actionsAt(u, d, { triggerKind: INVOKED })), undefined, String(d.code));
  });

  it('the source fix-all says what it changed only when invoked: never on save', async () => {
    const { uri: u } = await open(BROKEN);
    const expected = fixAll(BROKEN);
    for (const only of [['source.fixAll'], ['source.fixAll.migplan'], ['source']]) {
      const invoked = await actionsAt(u, undefined, { only, triggerKind: INVOKED });
      assert.equal(invoked.length, 1, only.join());
      assert.deepEqual(invoked[0].command, { title: 'Say what fix-all changed', command: FIX_ALL_REPORT_COMMAND, arguments: [{ fixed: expected.applied, placeholders: 1 }] });
      // codeActionsOnSave asks automatically; a client that does not say how it asks is taken to be one of those.
      for (const context of [{ only, triggerKind: AUTOMATIC }, { only }]) {
        const silent = await actionsAt(u, undefined, context);
        assert.equal(silent.length, 1);
        assert.ok(silent[0].edit, 'the edit is there');
        assert.equal(silent[0].command, undefined, JSON.stringify(context));
      }
    }
    // Asked for automatically with `only: ['quickfix']` (not a list the user picks from): silent too.
    const { diagnostics } = await client.diagnosticsFor(u, 1);
    const quick = fixAllIn(await actionsAt(u, diagnostics[0], { only: ['quickfix'], triggerKind: AUTOMATIC }));
    assert.ok(quick?.edit);
    assert.equal(quick.command, undefined);
  });

  it('answers the report command with one line in window/showMessage (Info)', async () => {
    const { uri: u, diagnostics } = await open(BROKEN);
    const all = fixAllIn(await actionsAt(u, diagnostics[0], { triggerKind: INVOKED }))!;
    messages.length = 0;
    assert.equal(await execute(all.command!.arguments), null);
    await execute([{ fixed: 12, placeholders: 9 }]);
    await execute([{ fixed: 1, placeholders: 0 }]);
    await execute([{ fixed: 2, placeholders: 1 }]);
    assert.deepEqual(messages, [
      { type: 3, message: 'Fixed 3 problems; 1 placeholder left to fill' },
      { type: 3, message: 'Fixed 12 problems; 9 placeholders left to fill' },
      { type: 3, message: 'Fixed 1 problem' },
      { type: 3, message: 'Fixed 2 problems; 1 placeholder left to fill' },
    ]);
  });

  it('ignores report arguments that are not one report of counts, and unknown commands', async () => {
    messages.length = 0;
    const bad: Array<unknown[] | undefined> = [
      undefined,
      [],
      [null],
      ['Fixed 3 problems'],
      [[3, 1]],
      [{}],
      [{ fixed: 3 }],
      [{ placeholders: 1 }],
      [{ fixed: '3', placeholders: 1 }],
      [{ fixed: 3, placeholders: '1' }],
      [{ fixed: -1, placeholders: 0 }],
      [{ fixed: 1.5, placeholders: 0 }],
      [{ fixed: 1, placeholders: 1e300 }],
      [{ fixed: 1, placeholders: null }],
      [{ fixed: 1, placeholders: 0 }, { fixed: 2, placeholders: 0 }],
    ];
    for (const args of bad) assert.equal(await execute(args), null, JSON.stringify(args));
    assert.equal(await execute([{ fixed: 1, placeholders: 0 }], 'migplan.somethingElse'), null);
    // The server still works, and says nothing for any of them.
    await execute([{ fixed: 4, placeholders: 0 }]);
    assert.deepEqual(messages, [{ type: 3, message: 'Fixed 4 problems' }]);
  });
});

describe('the fix-all summary line', () => {
  it('counts with singular and plural, files only when something was fixed, placeholders only when there are any', () => {
    assert.equal(fixSummary(12, 9, 2), 'fixed 12 problems in 2 files; 9 placeholders left to fill');
    assert.equal(fixSummary(1, 1, 1), 'fixed 1 problem in 1 file; 1 placeholder left to fill');
    assert.equal(fixSummary(0, 0, 0), 'fixed 0 problems');
    assert.equal(fixSummary(0, 3, 0), 'fixed 0 problems; 3 placeholders left to fill');
    assert.equal(fixSummary(5, 0), 'fixed 5 problems');
    assert.equal(fixAllMessage({ fixed: 12, placeholders: 9 }), 'Fixed 12 problems; 9 placeholders left to fill');
  });

  it('reads the command\'s arguments back only as exactly one report of non-negative integers', () => {
    assert.deepEqual(asFixAllReport([{ fixed: 2, placeholders: 0, extra: 'ignored' }]), { fixed: 2, placeholders: 0 });
    for (const args of [undefined, null, {}, [], [undefined], [{ fixed: NaN, placeholders: 0 }], [{ fixed: Infinity, placeholders: 0 }], [{ fixed: 2 ** 53, placeholders: 0 }], [{ fixed: -0.5, placeholders: 0 }]]) {
      assert.equal(asFixAllReport(args), undefined, String(args));
    }
  });
});
