/**
 * Leak check of the language server: the built server over stdio, a
 * generated 3,000-line plan, 10,000 single-character edits in a row (typed
 * and deleted again at the end of list items, so the plan stays the same size
 * and valid), sent in batches, each batch waiting for the diagnostics of its
 * last version. The server runs with its usual Node options plus --expose-gc;
 * after a warm-up of 1,000 edits and at the end, the migplan/memory request
 * makes it run a full collection and report its live heap (and RSS). A
 * per-version cache that is never dropped would show as growth of the live
 * heap between the two. RSS reads (VmRSS) every 1,000 edits, taken while
 * editing, show the garbage that builds up between collections.
 *
 * `node out/scripts/leakBench.js [edits] [batch]` runs it alone.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MEMORY_REQUEST, SERVER_NODE_OPTIONS, type MemoryResult } from '../server/src/protocol';
import { TestClient } from '../test/lsp/lspClient';
import { generatePlan } from './genplan';

export interface LeakResult {
  lines: number;
  edits: number;
  batch: number;
  warmup: number;
  /** Live heap (after a full collection) in KiB after the warm-up and at the end. */
  settledHeapKiB: number;
  finalHeapKiB: number;
  /** RSS in KiB after those collections, and every 1,000 edits while editing. */
  settledKiB: number;
  finalKiB: number;
  samples: Array<{ edits: number; rssKiB: number }>;
  changePercent: number;
  seconds: number;
}

/** The process's resident set in KiB (Linux), or NaN. */
export function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The server's memory after a full collection. */
async function collected(client: TestClient): Promise<MemoryResult> {
  const m = (await client.connection.sendRequest(MEMORY_REQUEST)) as MemoryResult;
  if (!m.collected) throw new Error('the server was not started with --expose-gc');
  return m;
}

export async function leakBench(edits = 10_000, batch = 20, warmup = 1_000): Promise<LeakResult> {
  const started = performance.now();
  const client = new TestClient([...SERVER_NODE_OPTIONS, '--expose-gc']);
  try {
    await client.initialize();
    const pid = client.child.pid;
    if (pid === undefined) throw new Error('the language server did not start');
    const text = generatePlan(3000);
    const lines = text.split('\n');
    const uri = 'file:///leak-bench.migplan.yaml';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text } });
    await client.diagnosticsFor(uri, 1, 120_000);

    // List items ("      - ..."): type a character at the end of one, delete it, move on to the next.
    const targets = lines.flatMap((l, i) => (/^\s+- \S.*\S$/.test(l) && !l.includes('#') ? [i] : []));
    if (targets.length === 0) throw new Error('no list items in the generated plan');
    let version = 1;
    let settled: MemoryResult | undefined;
    const samples: Array<{ edits: number; rssKiB: number }> = [];
    for (let done = 0; done < edits; ) {
      const n = Math.min(batch, edits - done);
      for (let k = 0; k < n; k++) {
        const i = done + k;
        const line = targets[Math.floor(i / 2) % targets.length];
        const end = lines[line].length;
        const typing = i % 2 === 0;
        const range = typing ? { start: { line, character: end }, end: { line, character: end } } : { start: { line, character: end }, end: { line, character: end + 1 } };
        version++;
        void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: typing ? 'x' : '' }] });
      }
      const before = done;
      done += n;
      await client.diagnosticsFor(uri, version, 120_000);
      client.clearDiagnostics(uri); // the test client's own record must not grow either
      const crossed = (every: number): boolean => Math.floor(done / every) > Math.floor(before / every);
      if (crossed(1000)) samples.push({ edits: done, rssKiB: rssKiB(pid) });
      if (crossed(warmup) && !settled) settled = await collected(client);
    }
    const final = await collected(client);
    if (!settled) throw new Error(`fewer edits (${edits}) than the warm-up (${warmup})`);
    return {
      lines: lines.length,
      edits,
      batch,
      warmup,
      settledHeapKiB: settled.heapUsed / 1024,
      finalHeapKiB: final.heapUsed / 1024,
      settledKiB: settled.rss / 1024,
      finalKiB: final.rss / 1024,
      samples,
      changePercent: ((final.heapUsed - settled.heapUsed) / settled.heapUsed) * 100,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.close();
  }
}

export function formatLeak(r: LeakResult): string {
  const mib = (kib: number): string => (kib / 1024).toFixed(1);
  const sign = r.changePercent >= 0 ? '+' : '';
  const verdict = r.changePercent <= 10 ? 'within the 10% target' : 'OVER the 10% target';
  return [
    `Language server memory over ${r.edits.toLocaleString('en-US')} single-character edits of a ${r.lines.toLocaleString('en-US')}-line plan (batches of ${r.batch}, each waiting for its diagnostics; ${r.seconds.toFixed(0)} s):`,
    '',
    `Live heap after a full collection: ${mib(r.settledHeapKiB)} MiB after ${r.warmup.toLocaleString('en-US')} edits, ${mib(r.finalHeapKiB)} MiB at the end: ${sign}${r.changePercent.toFixed(1)}% (${verdict}); RSS then ${mib(r.settledKiB)} and ${mib(r.finalKiB)} MiB`,
    `RSS every 1,000 edits, while editing (MiB): ${r.samples.map((s) => mib(s.rssKiB)).join(', ')}`,
  ].join('\n');
}

if (require.main === module) {
  const edits = Number(process.argv[2] ?? 10_000);
  const batch = Number(process.argv[3] ?? 20);
  leakBench(edits, batch).then(
    (r) => console.log(formatLeak(r)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
