/**
 * Side by side: migplan's language server and Red Hat's yaml-language-server
 * (a devDependency, given schemas/migplan.schema.json for *.migplan.yaml
 * through workspace/configuration), both driven over stdio through the LSP,
 * one fresh process per server and plan, alternating servers so both see the
 * same machine conditions. Both are started as an editor starts them, by
 * executing their command (`#!/usr/bin/env node`, the same Node for both).
 * For each generated plan (valid, and with a few
 * dozen errors) it measures: spawn to the initialize result and didOpen to
 * the first diagnostics (medians over 3 fresh processes per server, the
 * servers taking turns: one event per process swings with the machine); 30
 * edits, each to the diagnostics of its version (p50/p95/max); hover and
 * completion p50; and the server's peak RSS (VmHWM) in the process that
 * also edited.
 * The in-process `yaml` parseDocument time of each plan is the parse floor.
 *
 * `node out/scripts/compareBench.js [--sizes 300,3000] [--only migplan] [--edits 30] [--cold-runs 3]`
 * Writes JSON to .bench/compare-<date>.json. For experiments, the environment
 * variables MIGPLAN_BENCH_NODE_FLAGS (Node options for migplan's server) and
 * MIGPLAN_BENCH_SERVER (another server script to run) change how migplan's
 * server is started; `npm run bench` runs it as shipped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { LspProcess, type Publish, type ServerSpec } from './bench/lspProcess';
import { generatePlan } from './genplan';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA = path.join(ROOT, 'schemas', 'migplan.schema.json');
const YAMLLS_BIN = path.join(ROOT, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');

export const SERVERS: ServerSpec[] = [
  {
    name: 'migplan',
    // As an editor starts it: the command itself (its shebang picks `node` and the heap options).
    command:
      process.env.MIGPLAN_BENCH_NODE_FLAGS !== undefined || process.env.MIGPLAN_BENCH_SERVER !== undefined
        ? [process.execPath, ...(process.env.MIGPLAN_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), process.env.MIGPLAN_BENCH_SERVER ?? path.join(ROOT, 'bin', 'migplan-language-server.js'), '--stdio']
        : [path.join(ROOT, 'bin', 'migplan-language-server.js'), '--stdio'],
    languageId: 'migplan',
    settings: { migplan: {} },
  },
  {
    name: 'yaml-language-server',
    command: [YAMLLS_BIN, '--stdio'],
    languageId: 'yaml',
    settings: {
      yaml: {
        schemas: { [pathToFileURL(SCHEMA).href]: '*.migplan.yaml' },
        validate: true,
        hover: true,
        completion: true,
        format: { enable: false },
        schemaStore: { enable: false },
        kubernetesCRDStore: { enable: false },
      },
      http: {},
      '[yaml]': {},
      editor: {},
    },
  },
];

export interface Measure {
  server: string;
  lines: number;
  errors: number;
  /** Median of `startSamples`. */
  startMs: number;
  /** Median of `openSamples`. */
  openMs: number;
  /** Spawn to initialize result, one per fresh process (the full run's first). */
  startSamples: number[];
  /** didOpen to the first diagnostics, one per fresh process. */
  openSamples: number[];
  /** Diagnostics of the opened plan (to show both servers checked it). */
  openDiagnostics: number;
  editMs: number[];
  hoverMs: number[];
  completionMs: number[];
  completionItems: number;
  hoverFound: boolean;
  peakRssMiB: number;
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Lines of list items ("      - text") spread over the plan: where the edits type. */
function editTargets(lines: readonly string[], n: number): number[] {
  const items = lines.flatMap((l, i) => (/^ {6}- [A-Za-z].*[a-z]$/.test(l) && !l.includes('#') && !l.includes(': ') ? [i] : []));
  if (items.length === 0) throw new Error('no list items in the generated plan');
  return Array.from({ length: n }, (_, k) => items[Math.floor(((k + 0.5) / n) * items.length)]);
}

const TIMEOUT_MS = 300_000;

/** In a fresh server: spawn to initialize result, settings, then didOpen to the first diagnostics. */
async function startAndOpen(server: LspProcess, text: string, uri: string, dir: string): Promise<{ startMs: number; openMs: number; opened: Publish }> {
  const startMs = await server.initialize(pathToFileURL(dir).href);
  await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: server.spec.settings });
  // Let each server take its settings before the plan opens (yaml-language-server pulls them).
  await new Promise((resolve) => setTimeout(resolve, 300));
  const seen = server.publishCount(uri);
  const o = performance.now();
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: server.spec.languageId, version: 1, text } });
  const opened = await server.publishAfter(uri, seen, 1, TIMEOUT_MS);
  return { startMs, openMs: opened.at - o, opened };
}

async function measure(spec: ServerSpec, text: string, errors: number, edits: number, samples: number, dir: string): Promise<Measure> {
  const lines = text.split('\n');
  const file = path.join(dir, `plan-${lines.length}-${errors}.migplan.yaml`);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const timeout = TIMEOUT_MS;
  const server = new LspProcess(spec);
  try {
    const { startMs, openMs, opened } = await startAndOpen(server, text, uri, dir);
    let version = 1;
    let seen: number;
    await server.quiet(400);

    // Edits: type a character at the end of a list item, then delete it, at spots spread over the plan.
    const targets = editTargets(lines, Math.ceil(edits / 2));
    const editMs: number[] = [];
    for (let k = 0; k < edits; k++) {
      const line = targets[Math.floor(k / 2)];
      const end = lines[line].length;
      const typing = k % 2 === 0;
      const range = typing ? { start: { line, character: end }, end: { line, character: end } } : { start: { line, character: end }, end: { line, character: end + 1 } };
      version++;
      seen = server.publishCount(uri);
      const s = performance.now();
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: typing ? 'x' : '' }] });
      const p = await server.publishAfter(uri, seen, version, timeout);
      editMs.push(p.at - s);
    }
    await server.quiet(300);

    // Hover on the `kind` key of a phase in the middle; completion of keys on a new line in that phase.
    const kindLines = lines.flatMap((l, i) => (l.startsWith('    kind: ') ? [i] : []));
    const kindLine = kindLines[Math.floor(kindLines.length / 2)];
    const hoverMs: number[] = [];
    let hoverFound = false;
    for (let i = 0; i < samples; i++) {
      const s = performance.now();
      const h = await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: kindLine, character: 5 } });
      hoverMs.push(performance.now() - s);
      hoverFound = h !== null;
    }
    version++;
    seen = server.publishCount(uri);
    const eol = lines[kindLine].length;
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: kindLine, character: eol }, end: { line: kindLine, character: eol } }, text: '\n    ' }],
    });
    await server.publishAfter(uri, seen, version, timeout);
    await server.quiet(300);
    const completionMs: number[] = [];
    let completionItems = 0;
    for (let i = 0; i < samples; i++) {
      const s = performance.now();
      const c = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: kindLine + 1, character: 4 }, context: { triggerKind: 1 } })) as
        | { items: unknown[] }
        | unknown[]
        | null;
      completionMs.push(performance.now() - s);
      completionItems = Array.isArray(c) ? c.length : (c?.items.length ?? 0);
    }
    const peakRssMiB = server.peakRssKiB() / 1024;
    return {
      server: spec.name,
      lines: lines.length,
      errors,
      startMs,
      openMs,
      startSamples: [startMs],
      openSamples: [openMs],
      openDiagnostics: opened.params.diagnostics.length,
      editMs,
      hoverMs,
      completionMs,
      completionItems,
      hoverFound,
      peakRssMiB,
    };
  } finally {
    await server.close();
  }
}

/** One more fresh process: spawn to initialize result, and didOpen to the first diagnostics. */
async function coldOpen(spec: ServerSpec, text: string, file: string, dir: string): Promise<{ startMs: number; openMs: number }> {
  const server = new LspProcess(spec);
  try {
    const { startMs, openMs } = await startAndOpen(server, text, pathToFileURL(file).href, dir);
    return { startMs, openMs };
  } finally {
    await server.close();
  }
}

export interface Row {
  lines: number;
  errors: number;
  parseMs: number;
  results: Measure[];
}

function parseFloor(text: string): number {
  parseDocument(text);
  const runs = text.length > 1_000_000 ? 5 : text.length > 100_000 ? 9 : 31;
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    parseDocument(text);
    t.push(performance.now() - s);
  }
  return percentile(t, 50);
}

export async function compareBench(
  options: { sizes?: number[]; only?: string; edits?: number; samples?: number; coldRuns?: number; log?: (s: string) => void } = {},
): Promise<Row[]> {
  const sizes = options.sizes ?? [300, 3000, 30000, 100000];
  const servers = SERVERS.filter((s) => !options.only || s.name === options.only);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-bench-'));
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      for (const errors of [0, 40]) {
        const text = generatePlan(size, errors);
        const row: Row = { lines: text.split('\n').length, errors, parseMs: parseFloor(text), results: [] };
        for (const spec of servers) {
          options.log?.(`  ${spec.name}: ${row.lines} lines, ${errors} errors…`);
          row.results.push(await measure(spec, text, errors, options.edits ?? 30, options.samples ?? (size >= 30000 ? 5 : 15), dir));
        }
        // Start and open are single events per process, and these machines swing ±20% from one
        // process to the next: more fresh processes, the servers taking turns, and the medians.
        const file = path.join(dir, `plan-${row.lines}-${errors}.migplan.yaml`);
        for (let k = 1; k < (options.coldRuns ?? 3); k++) {
          for (const m of row.results) {
            const c = await coldOpen(servers.find((sp) => sp.name === m.server)!, text, file, dir);
            m.startSamples.push(c.startMs);
            m.openSamples.push(c.openMs);
          }
        }
        for (const m of row.results) {
          m.startMs = percentile(m.startSamples, 50);
          m.openMs = percentile(m.openSamples, 50);
        }
        rows.push(row);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const f0 = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The side-by-side table (Markdown), with the targets' ratios checked. */
export function formatCompare(rows: readonly Row[]): { table: string; misses: string[] } {
  const out: string[] = [];
  const misses: string[] = [];
  const header = ['plan lines', 'errors', 'yaml parse', 'server', 'start', 'open→diag', 'edit→diag p50 / p95 / max', 'hover p50', 'completion p50', 'peak RSS MiB'];
  out.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) {
    for (const m of r.results) {
      out.push(
        `| ${r.lines.toLocaleString('en-US')} | ${r.errors} (${m.openDiagnostics} diag.) | ${f0(r.parseMs)} | ${m.server} | ${f0(m.startMs)} | ${f0(m.openMs)} | ${f0(percentile(m.editMs, 50))} / ${f0(percentile(m.editMs, 95))} / ${f0(Math.max(...m.editMs))} | ${f0(percentile(m.hoverMs, 50))} | ${f0(percentile(m.completionMs, 50))} (${m.completionItems}) | ${f0(m.peakRssMiB)} |`,
      );
    }
    const ours = r.results.find((m) => m.server === 'migplan');
    const theirs = r.results.find((m) => m.server !== 'migplan');
    if (!ours || !theirs) continue;
    const ratio = (a: number, b: number): string => (b / a).toFixed(1);
    const editTheirs = r.lines < 10_000 ? percentile(theirs.editMs, 95) / 8 : percentile(theirs.editMs, 50);
    const checks: Array<[string, boolean]> = [
      [`edit p95 ${f0(percentile(ours.editMs, 95))} ms ${r.lines < 10_000 ? '≤ 1/8 of their p95' : '< their p50'} (${f0(editTheirs)} ms)`, percentile(ours.editMs, 95) <= editTheirs],
      [`open ${f0(ours.openMs)} ms ≤ 1/5 of theirs (${f0(theirs.openMs / 5)} ms)`, ours.openMs <= theirs.openMs / 5],
      [`hover p50 ${f0(percentile(ours.hoverMs, 50))} ms < 10 ms`, percentile(ours.hoverMs, 50) < 10],
      [`completion p50 ${f0(percentile(ours.completionMs, 50))} ms < 10 ms`, percentile(ours.completionMs, 50) < 10],
      [`peak RSS ${f0(ours.peakRssMiB)} MiB ≤ half of theirs (${f0(theirs.peakRssMiB / 2)} MiB)`, ours.peakRssMiB <= theirs.peakRssMiB / 2],
      [`start ${f0(ours.startMs)} ms ≤ 1/3 of theirs (${f0(theirs.startMs / 3)} ms)`, ours.startMs <= theirs.startMs / 3],
    ];
    out.push(
      `| | | | ratio (theirs / ours) | ${ratio(ours.startMs, theirs.startMs)}× | ${ratio(ours.openMs, theirs.openMs)}× | ${ratio(percentile(ours.editMs, 50), percentile(theirs.editMs, 50))}× / ${ratio(percentile(ours.editMs, 95), percentile(theirs.editMs, 95))}× | ${ratio(percentile(ours.hoverMs, 50), percentile(theirs.hoverMs, 50))}× | ${ratio(percentile(ours.completionMs, 50), percentile(theirs.completionMs, 50))}× | ${ratio(ours.peakRssMiB, theirs.peakRssMiB)}× |`,
    );
    for (const [what, ok] of checks) if (!ok) misses.push(`${r.lines} lines, ${r.errors} errors: ${what}`);
  }
  return { table: out.join('\n'), misses };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const sizes = arg('--sizes')?.split(',').map(Number);
  const started = performance.now();
  compareBench({
    sizes,
    only: arg('--only'),
    edits: arg('--edits') ? Number(arg('--edits')) : undefined,
    coldRuns: arg('--cold-runs') ? Number(arg('--cold-runs')) : undefined,
    log: (s) => process.stderr.write(`${s}\n`),
  }).then(
    (rows) => {
      const { table, misses } = formatCompare(rows);
      console.log(`migplan vs yaml-language-server, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}; times in ms`);
      console.log('');
      console.log(table);
      console.log('');
      console.log(misses.length === 0 ? 'Every target holds in this run.' : `Targets missed in this run:\n${misses.map((m) => `- ${m}`).join('\n')}`);
      fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
      const out = path.join(ROOT, '.bench', `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, node: process.version, seconds: (performance.now() - started) / 1000, rows }, null, 2));
      console.log(`(JSON: ${path.relative(ROOT, out)})`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
