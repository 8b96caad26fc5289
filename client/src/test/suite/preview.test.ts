import assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { MigplanApi } from '../../extension';
import { lineOf, migplan, openPlan, revertAndCloseAll, waitFor } from './helper';

suite('Preview', () => {
  let api: MigplanApi;

  suiteSetup(async () => {
    api = await migplan();
  });
  suiteTeardown(revertAndCloseAll);

  test('opens beside the plan with its rendering, phase headings marked, under a strict CSP', async () => {
    const editor = await openPlan('clean.migplan.yaml');
    await vscode.commands.executeCommand('migplan.preview.openToSide');
    const shown = await waitFor('the preview to render', () => {
      const p = api.preview();
      return p && p.version >= 0 ? p : undefined;
    });
    assert.equal(shown.uri, editor.document.uri.toString());
    assert.match(shown.html, /<h1[^>]*>Split users\.name into first_name and last_name<\/h1>/);

    // Phase headings carry their anchor and the plan line where the phase starts.
    const backfillLine = lineOf(editor.document, '  - id: backfill');
    assert.match(shown.html, new RegExp(`<h2[^>]* data-line="${backfillLine}"`));
    assert.match(shown.html, /<h2 id="[^"]+" data-line="\d+" data-anchor="[^"]+"/);

    // The page: a nonce'd external script, an external stylesheet, nothing inline.
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(shown.page)?.[1];
    assert.ok(csp, 'a CSP meta tag');
    assert.match(csp, /^default-src 'none'; style-src [^;']*'self'[^;]*; script-src 'nonce-[0-9a-f]+'; img-src [^;]+$/);
    assert.doesNotMatch(shown.page, /<style|style="|unsafe-inline|<script(?![^>]* src=)/);
    assert.match(shown.page, /<script nonce="[0-9a-f]+" src="[^"]+preview\.js"><\/script>/);
    assert.doesNotMatch(shown.html, /<a [^>]*href="(?!#)/, 'no link navigates');
  });

  test('updates after an edit', async () => {
    const editor = await openPlan('clean.migplan.yaml');
    await vscode.commands.executeCommand('migplan.preview.openToSide');
    const before = await waitFor('the preview', () => {
      const p = api.preview();
      return p && p.version >= 0 ? p : undefined;
    });
    const line = lineOf(editor.document, 'title: Split users.name into first_name and last_name');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, editor.document.lineAt(line).range, 'title: Split the <b>name</b> column');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = await waitFor('the preview to show the new title', () => {
      const p = api.preview();
      return p && p.html.includes('Split the &lt;b&gt;name&lt;/b&gt; column') ? p : undefined;
    });
    assert.ok(after.version > before.version, `version ${after.version} after ${before.version}`);
    assert.doesNotMatch(after.html, /<b>name<\/b>/, 'plan text is escaped');
    // The fixture is the repository's file: leave it as it was, whatever saves later.
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.ok(!editor.document.isDirty && editor.document.getText().includes('title: Split users.name into first_name and last_name'));
  });

  test('follows the active plan editor', async () => {
    const other = await openPlan('problems.migplan.yaml');
    await waitFor('the preview to follow', () => {
      const p = api.preview();
      return p && p.uri === other.document.uri.toString() && p.html.includes('Split users.name (with problems)');
    });
  });
});
