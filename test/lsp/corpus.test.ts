/**
 * The yaml-test-suite corpus through the built language server over stdio,
 * one server process for all 402 inputs: each is opened as a plan, its
 * diagnostics arrive with ranges inside the document (a yaml-syntax one for
 * every invalid case), hover, completion and symbols answer without an error
 * at a few positions, and the server stays up throughout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-protocol';
import { loadCorpus, lspLines } from '../../scripts/fuzzLib';
import { TestClient } from './lspClient';

const CASES = loadCorpus();

function rangeProblem(lines: readonly string[], r: Range): string | undefined {
  for (const p of [r.start, r.end]) {
    if (p.line < 0 || p.line >= lines.length) return `line ${p.line} outside 0..${lines.length - 1}`;
    if (p.character < 0 || p.character > lines[p.line].length) return `character ${p.character} outside 0..${lines[p.line].length} of line ${p.line}`;
  }
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return 'start after end';
  return undefined;
}

/** A few positions: the start, the middle of a middle line, the end, and one past the end. */
function positions(lines: readonly string[]): Position[] {
  const mid = lines.length >> 1;
  const last = lines.length - 1;
  return [
    { line: 0, character: 0 },
    { line: mid, character: lines[mid].length >> 1 },
    { line: last, character: lines[last].length },
    { line: last + 3, character: 7 },
  ];
}

describe('yaml-test-suite corpus through the language server (stdio)', { timeout: 300_000 }, () => {
  let client: TestClient;

  before(async () => {
    client = new TestClient();
    await client.initialize();
  });
  after(async () => client.close());

  it('diagnoses every input with ranges inside it, answers hover, completion and symbols, and stays up', async (t) => {
    assert.equal(CASES.length, 402);
    const problems: string[] = [];
    let diagnostics = 0;
    let requests = 0;
    for (const c of CASES) {
      const uri = `file:///yaml-test-suite/${c.id.replace(/\//g, '-')}.migplan.yaml`;
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text: c.text } });
      let ds: Diagnostic[];
      try {
        ds = (await client.diagnosticsFor(uri, 1)).diagnostics;
      } catch (err) {
        problems.push(`${c.id}: ${err instanceof Error ? err.message : String(err)}`);
        break;
      }
      diagnostics += ds.length;
      const lines = lspLines(c.text);
      for (const d of ds) {
        const p = rangeProblem(lines, d.range);
        if (p) problems.push(`${c.id}: ${String(d.code)} ${p}`);
        for (const rel of d.relatedInformation ?? []) {
          const rp = rel.location.uri === uri ? rangeProblem(lines, rel.location.range) : undefined;
          if (rp) problems.push(`${c.id}: ${String(d.code)} related ${rp}`);
        }
      }
      if (c.invalid && !ds.some((d) => d.code === 'yaml-syntax')) problems.push(`${c.id}: invalid YAML without a yaml-syntax diagnostic`);
      for (const position of positions(lines)) {
        for (const method of ['textDocument/hover', 'textDocument/completion']) {
          try {
            await client.connection.sendRequest(method, { textDocument: { uri }, position });
            requests++;
          } catch (err) {
            problems.push(`${c.id}: ${method} at ${position.line}:${position.character} failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
      try {
        const symbols = await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
        requests++;
        if (!Array.isArray(symbols)) problems.push(`${c.id}: documentSymbol answered ${JSON.stringify(symbols)}`);
      } catch (err) {
        problems.push(`${c.id}: documentSymbol failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      client.clearDiagnostics(uri);
      if (client.child.exitCode !== null || client.child.signalCode !== null) {
        problems.push(`${c.id}: the server exited (${client.child.exitCode ?? client.child.signalCode}); stderr: ${client.stderr}`);
        break;
      }
    }
    t.diagnostic(`${CASES.length} inputs, ${diagnostics} diagnostics, ${requests} requests answered; server stderr: ${client.stderr.length} chars`);
    assert.deepEqual(problems, []);
    // Still up and correct afterwards.
    const uri = 'file:///yaml-test-suite/after.migplan.yaml';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text: 'migplan: 1\nphases: [\n' } });
    const last = await client.diagnosticsFor(uri, 1);
    assert.ok(last.diagnostics.some((d) => d.code === 'yaml-syntax'));
    assert.equal(client.child.exitCode, null);
  });
});
