/**
 * Completion in its place, in the real editor: a whole plan in an empty file
 * only, a phase, check, trigger or consumer at a new item of its list only,
 * the list keys re-opening the suggestions at the `- ` they leave, and New
 * Plan opening `untitled:migration.migplan.yaml`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { PHASE_KINDS } from '../../../../server/src/service/parsing/plan';
import { FIXTURES, migplan, revertAndCloseAll, waitFor } from './helper';

/** The prefixes of the extension's snippet file: VS Code offers those everywhere in the language. */
const STATIC_PREFIXES: ReadonlySet<string> = (() => {
  const text = fs.readFileSync(path.resolve(FIXTURES, '..', '..', 'snippets', 'migplan.code-snippets'), 'utf8').replace(/^\/\/.*\n/gm, '');
  return new Set(Object.values(JSON.parse(text) as Record<string, { prefix: string }>).map((s) => s.prefix));
})();

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** The snippets the language server offers (the snippet file's left out). */
function serverSnippets(items: readonly vscode.CompletionItem[]): string[] {
  return items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet && !STATIC_PREFIXES.has(labelOf(i))).map(labelOf);
}

async function untitledPlan(content: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language: 'migplan', content });
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** The completions at a position, once the server answers with `ready` among them (it may not have the document yet). */
function completionsAt(document: vscode.TextDocument, position: vscode.Position, ready: (labels: string[]) => boolean): Promise<vscode.CompletionItem[]> {
  return waitFor(`completions at ${position.line}:${position.character} of ${document.uri.toString()}`, async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
    return ready(list.items.map(labelOf)) ? list.items : undefined;
  });
}

/** The end of the 0-based line of `document` whose text is `text`, after the `n`th such line. */
function endOf(document: vscode.TextDocument, text: string, n = 0): vscode.Position {
  let seen = 0;
  for (let i = 0; i < document.lineCount; i++) {
    if (document.lineAt(i).text === text && seen++ === n) return document.lineAt(i).range.end;
  }
  assert.fail(`no line ${JSON.stringify(text)} (#${n}) in ${document.uri.toString()}`);
}

async function closeActive(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

suite('Completion in its place', () => {
  suiteSetup(async () => {
    await migplan();
  });
  suiteTeardown(revertAndCloseAll);

  test('an empty plan offers one whole plan, and no phase, check, trigger or consumer', async () => {
    for (const content of ['', '# a new plan\n\n']) {
      const document = await untitledPlan(content);
      const at = document.lineAt(document.lineCount - 1).range.end;
      const items = await completionsAt(document, at, (labels) => labels.includes('plan'));
      assert.deepEqual(serverSnippets(items), ['plan'], JSON.stringify(content));
      // The snippet file's whole plan (prefix `migplan`) is gone: the key `migplan` is a property, not a second plan.
      assert.deepEqual(items.filter((i) => labelOf(i) === 'migplan').map((i) => i.kind), [vscode.CompletionItemKind.Property]);
      await closeActive();
    }
  });

  test('the top level of a plan offers keys, and no whole plan, phase, check, trigger or consumer', async () => {
    const document = await untitledPlan('migplan: 1\ntitle: t\n\n');
    const items = await completionsAt(document, new vscode.Position(2, 0), (labels) => labels.includes('phases'));
    assert.deepEqual(serverSnippets(items), []);
    await closeActive();
  });

  test('a new item of phases, checks, triggers or consumers offers the whole item', async () => {
    const document = await untitledPlan(
      [
        'migplan: 1',
        'title: t',
        'context:',
        '  changes:',
        '    - kind: drop-column',
        '      table: orders',
        'consumers:',
        '  - ',
        'phases:',
        '  - id: a',
        '    kind: backfill',
        '    checks:',
        '      - ',
        '    triggers:',
        '      - ',
        '  - ',
        '',
      ].join('\n'),
    );
    const phases = PHASE_KINDS.map((k) => `phase: ${k}`);
    const cases: Array<[string, vscode.Position, (labels: string[]) => boolean]> = [
      ['consumers', endOf(document, '  - ', 0), (l) => l.length === 1 && l[0] === 'consumer'],
      ['checks', endOf(document, '      - ', 0), (l) => l.length === 1 && l[0].startsWith('check: ')],
      ['triggers', endOf(document, '      - ', 1), (l) => l.length === 1 && l[0].startsWith('trigger: ')],
      ['phases', endOf(document, '  - ', 1), (l) => l.join() === phases.join()],
    ];
    for (const [list, at, expected] of cases) {
      const items = await completionsAt(document, at, (labels) => labels.some((l) => l.includes(': ') || l === 'consumer'));
      const got = serverSnippets(items);
      assert.ok(expected(got), `${list}: ${got.join(', ')}`);
    }
    await closeActive();
  });

  test('the keys that start a list of phases, checks, triggers or consumers open the suggestions again', async () => {
    const document = await untitledPlan('migplan: 1\ntitle: t\nphases:\n  - id: a\n    kind: cutover\n    \n\n');
    const command = (items: vscode.CompletionItem[], label: string): string | undefined => items.find((i) => labelOf(i) === label)?.command?.command;
    const top = await completionsAt(document, new vscode.Position(6, 0), (labels) => labels.includes('consumers'));
    assert.equal(command(top, 'consumers'), 'editor.action.triggerSuggest');
    assert.equal(command(top, 'owner'), undefined);
    const phase = await completionsAt(document, new vscode.Position(5, 4), (labels) => labels.includes('checks'));
    assert.equal(command(phase, 'checks'), 'editor.action.triggerSuggest');
    assert.equal(command(phase, 'triggers'), 'editor.action.triggerSuggest');
    assert.equal(command(phase, 'entry'), undefined);
    await closeActive();
  });

  test('New Plan opens untitled:migration.migplan.yaml, then a free name', async () => {
    const named = (name: string): vscode.TextDocument | undefined => vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.scheme === 'untitled' && d.uri.path === name);
    // An earlier suite's New Plan, closed, may take a moment to be disposed.
    await waitFor('no open migration.migplan.yaml', () => named('migration.migplan.yaml') === undefined);
    await vscode.commands.executeCommand('migplan.newPlan');
    const first = await waitFor('the new plan', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.scheme === 'untitled' && e.document.getText() !== '' ? e.document : undefined;
    });
    assert.equal(first.uri.path, 'migration.migplan.yaml');
    assert.equal(first.languageId, 'migplan');
    assert.match(first.getText(), /^# A migration plan\./);
    await vscode.commands.executeCommand('migplan.newPlan');
    const second = await waitFor('the second new plan', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document !== first && e.document.uri.scheme === 'untitled' && e.document.getText() !== '' ? e.document : undefined;
    });
    assert.equal(second.uri.path, 'migration-2.migplan.yaml');
    await closeActive();
    await vscode.window.showTextDocument(first);
    await closeActive();
  });
});
