/**
 * SQL through the language server: PostgreSQL's parser loads in the
 * background and the SQL diagnostics follow; SQL in files a plan names is
 * read from disk, with the place in the file as related information; and
 * completion, hover and go to definition work inside SQL values, a
 * definition in a file landing in that file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CompletionItem, CompletionList, Hover, Location } from 'vscode-languageserver-protocol';
import { EXAMPLES } from '../helpers';
import { TestClient } from './lspClient';

const EXAMPLE = fs.readFileSync(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'), 'utf8');

function positionOf(text: string, marker: string, after = ''): { line: number; character: number } {
  const i = text.indexOf(marker, after ? text.indexOf(after) : 0) + marker.length;
  const lines = text.slice(0, i).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

describe('SQL through the language server', { timeout: 60_000 }, () => {
  let client: TestClient;
  let repo: string;

  before(async () => {
    client = new TestClient();
    await client.initialize();
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-sql-lsp-'));
    fs.mkdirSync(path.join(repo, '.git'));
    fs.mkdirSync(path.join(repo, 'sql'));
  });

  after(async () => {
    await client.close();
    fs.rmSync(repo, { recursive: true, force: true });
  });

  async function open(name: string, text: string): Promise<string> {
    const file = path.join(repo, name);
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text } });
    return uri;
  }

  it('publishes the SQL diagnostics once the parser has loaded, at the exact place', async () => {
    const text = EXAMPLE.replace('ADD COLUMN first_name text, ADD COLUMN', 'ADD COLUMN first_name text ADD COLUMN');
    const uri = await open('syntax.migplan.yaml', text);
    const p = await client.diagnosticsWhere(uri, (x) => x.diagnostics.some((d) => d.code === 'sql-syntax'), 20_000, 'with sql-syntax');
    const d = p.diagnostics.find((x) => x.code === 'sql-syntax')!;
    assert.deepEqual(d.range.start, positionOf(text, 'ALTER TABLE users ADD COLUMN first_name text ', 'id: dual-write'));
  });

  it('reads SQL from the file a plan names, and points into it', async () => {
    fs.writeFileSync(path.join(repo, 'sql', 'current.sql'), 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  name text NOT NULL,\n  email text NOT NULL UNIQUE,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX users_name_idx ON users (name);\nCREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  user_id bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,\n  total_cents bigint NOT NULL\n);\n');
    const start = EXAMPLE.indexOf('  current_schema: |');
    const end = EXAMPLE.indexOf('  target_schema:');
    const text = `${EXAMPLE.slice(0, start)}  current_schema: {file: sql/current.sql}\n${EXAMPLE.slice(end)}`;
    const uri = await open('files.migplan.yaml', text);
    // Clean with the schema in the file.
    const clean = await client.diagnosticsWhere(uri, (x) => x.version === 1, 20_000);
    assert.deepEqual(clean.diagnostics.map((d) => d.code), []);

    // Go to definition from a column to the file that creates it.
    const def = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'WHERE na', 'name: split matches name') })) as Location | null;
    assert.ok(def);
    assert.equal(def.uri, pathToFileURL(path.join(repo, 'sql', 'current.sql')).href);
    assert.deepEqual(def.range.start, { line: 2, character: 2 });

    // A syntax error in the file: at the `file` value, with the file's place as related information.
    fs.writeFileSync(path.join(repo, 'sql', 'broken.sql'), 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  name txet NOT NULL NOT\n);\n');
    const broken = text.replace('{file: sql/current.sql}', '{file: sql/broken.sql}');
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: broken }] });
    const p = await client.diagnosticsWhere(uri, (x) => x.version === 2 && x.diagnostics.some((d) => d.code === 'sql-syntax'), 20_000, 'v2 with sql-syntax');
    const d = p.diagnostics.find((x) => x.code === 'sql-syntax')!;
    assert.deepEqual(d.range.start, positionOf(broken, '  current_schema: {file: '));
    const related = d.relatedInformation?.[0];
    assert.ok(related);
    assert.equal(related.location.uri, pathToFileURL(path.join(repo, 'sql', 'broken.sql')).href);
    assert.equal(related.location.range.start.line, 3);
  });

  it('completes columns in a check query, and hovers a column with where it was added', async () => {
    const uri = await open('editor.migplan.yaml', EXAMPLE);
    await client.diagnosticsWhere(uri, (x) => x.version === 1, 20_000);
    const res = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: positionOf(EXAMPLE, 'FROM users WHERE ', 'name: rows left') })) as CompletionItem[] | CompletionList;
    const items = Array.isArray(res) ? res : res.items;
    assert.ok(items.some((i) => i.label === 'first_name'), items.map((i) => i.label).join(', '));
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionOf(EXAMPLE, 'WHERE first_na', 'name: rows left') })) as Hover | null;
    assert.ok(hover);
    assert.match(JSON.stringify(hover.contents), /added in phase 'dual-write'/);
  });
});
