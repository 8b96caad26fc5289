/** Rename over real LSP (stdio): prepareRename, rename, and refusals as error responses. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ResponseError, type Range, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import { EXAMPLES, read } from '../helpers';
import { TestClient, editsOf } from './lspClient';

const EXAMPLE = read(`${EXAMPLES}/split-user-name.migplan.yaml`);

describe('rename over stdio', { timeout: 60_000 }, () => {
  let client: TestClient;
  let capabilities: Record<string, unknown>;

  before(async () => {
    client = new TestClient();
    capabilities = (await client.initialize()).capabilities;
  });
  after(async () => client.close());

  const open = async (text: string): Promise<TextDocument> => (await client.openPlan(text, 'rename')).doc;

  const at = (doc: TextDocument, needle: string, delta = 0) => doc.positionAt(doc.getText().indexOf(needle) + delta);

  async function refused(doc: TextDocument, method: string, params: object): Promise<string> {
    try {
      await client.connection.sendRequest(method, { textDocument: { uri: doc.uri }, ...params });
    } catch (err) {
      assert.ok(err instanceof ResponseError, String(err));
      return err.message;
    }
    assert.fail(`${method} was not refused`);
  }

  it('advertises rename with prepareRename', () => {
    assert.deepEqual(capabilities.renameProvider, { prepareProvider: true });
  });

  it('prepares on the id and on point_of_no_return, null elsewhere', async () => {
    const doc = await open(EXAMPLE);
    const prepare = (position: object) => client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri: doc.uri }, position }) as Promise<{ range: Range; placeholder: string } | null>;
    const id = at(doc, '  - id: cleanup', 8);
    assert.deepEqual(await prepare(at(doc, '  - id: cleanup', 10)), { range: { start: id, end: { line: id.line, character: id.character + 7 } }, placeholder: 'cleanup' });
    const ponr = at(doc, 'point_of_no_return: cleanup', 20);
    assert.deepEqual(await prepare(ponr), { range: { start: ponr, end: { line: ponr.line, character: ponr.character + 7 } }, placeholder: 'cleanup' });
    assert.equal(await prepare(at(doc, 'point_of_no_return')), null);
    assert.equal(await prepare(at(doc, 'kind: cleanup', 7)), null);
    assert.equal(await prepare({ line: 99_999, character: 3 }), null);
  });

  it('renames the id and point_of_no_return together, from either end', async () => {
    const doc = await open(EXAMPLE);
    const expected = EXAMPLE.replace('  - id: cleanup', '  - id: drop-old').replace('point_of_no_return: cleanup', 'point_of_no_return: drop-old');
    for (const position of [at(doc, '  - id: cleanup', 9), at(doc, 'point_of_no_return: cleanup', 27)]) {
      const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri: doc.uri }, position, newName: 'drop-old' })) as WorkspaceEdit;
      // The client said it takes versioned document changes.
      assert.equal(edit.documentChanges?.length, 1);
      const edits = editsOf(edit, doc.uri);
      assert.equal(edits.length, 2);
      assert.equal(TextDocument.applyEdits(doc, edits), expected);
    }
  });

  it('renames in a CRLF plan with a quoted id', async () => {
    const text = "migplan: 1\r\nphases:\r\n  - id: 'clean'\r\n    kind: cleanup\r\npoint_of_no_return: clean\r\n";
    const doc = await open(text);
    const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri: doc.uri }, position: at(doc, "'clean'", 2), newName: '42' })) as WorkspaceEdit;
    assert.equal(TextDocument.applyEdits(doc, editsOf(edit, doc.uri)), "migplan: 1\r\nphases:\r\n  - id: '42'\r\n    kind: cleanup\r\npoint_of_no_return: \"42\"\r\n");
  });

  it('refuses an invalid or taken name, and a point of no return that names nothing, with a message', async () => {
    const doc = await open(EXAMPLE);
    const position = at(doc, '  - id: cleanup', 8);
    assert.match(await refused(doc, 'textDocument/rename', { position, newName: 'Drop Old' }), /'Drop Old' is not a valid phase id/);
    assert.match(await refused(doc, 'textDocument/rename', { position, newName: 'cutover' }), /Another phase already has the id 'cutover' \(phase 3\)/);
    assert.match(await refused(doc, 'textDocument/rename', { position: at(doc, 'kind: cleanup', 7), newName: 'x' }), /Only a phase id/);
    const dangling = await open('phases:\n  - id: a\n    kind: cleanup\npoint_of_no_return: nowhere\n');
    assert.match(await refused(dangling, 'textDocument/prepareRename', { position: at(dangling, 'nowhere', 2) }), /No phase has the id 'nowhere'/);
  });

  it('answers on a plan with YAML errors without failing', async () => {
    const doc = await open('phases:\n  - id: clean\n    kind: [cleanup\npoint_of_no_return: clean\n');
    for (let line = 0; line < 5; line++) {
      for (let character = 0; character < 30; character += 3) {
        const position = { line, character };
        await client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri: doc.uri }, position });
        await client.connection.sendRequest('textDocument/rename', { textDocument: { uri: doc.uri }, position, newName: 'drop' }).catch((err: unknown) => assert.ok(err instanceof ResponseError));
      }
    }
  });
});
