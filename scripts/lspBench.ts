/**
 * Keystroke → diagnostics at the LSP boundary: the built server over stdio,
 * a generated plan opened, then single-character edits, each timed from
 * sending didChange to receiving the diagnostics of that version.
 */
import { performance } from 'node:perf_hooks';
import { TestClient } from '../test/lsp/lspClient';
import { generatePlan } from './genplan';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function lspBench(): Promise<string[][]> {
  const rows: string[][] = [];
  for (const size of [300, 3000, 30000]) {
    const client = new TestClient();
    const t0 = performance.now();
    await client.initialize();
    const initMs = performance.now() - t0;
    const text = generatePlan(size);
    const uri = `file:///bench-${size}.migplan.yaml`;
    const o = performance.now();
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text } });
    await client.diagnosticsFor(uri, 1, 60_000);
    const openMs = performance.now() - o;
    // Type into the summary's first line and back out, one character per change.
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('title:'));
    let col = lines[line].length;
    const times: number[] = [];
    for (let v = 2; v <= 41; v++) {
      const typing = v % 2 === 0;
      const range = typing ? { start: { line, character: col }, end: { line, character: col } } : { start: { line, character: col - 1 }, end: { line, character: col } };
      const s = performance.now();
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range, text: typing ? 'x' : '' }] });
      await client.diagnosticsFor(uri, v, 60_000);
      times.push(performance.now() - s);
      col += typing ? 1 : -1;
    }
    await client.close();
    rows.push([String(lines.length), initMs.toFixed(0), openMs.toFixed(0), percentile(times, 50).toFixed(1), percentile(times, 95).toFixed(1), Math.max(...times).toFixed(1)]);
  }
  return rows;
}
