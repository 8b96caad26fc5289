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
 * SQL rows (size `3000 sql`) measure plans with `context.dialect: postgresql`
 * and SQL in their phases (genplan's generateSqlPlan). migplan's server loads
 * PostgreSQL's parser (WASM) in the background after it starts and lints the
 * open plans again once it has: there, each fresh migplan process is first
 * shown a small probe plan whose SQL does not parse, and the plan is opened
 * only once the probe's `sql-syntax` diagnostic has come, so open, edits and
 * the rest are measured with the SQL rules running. What the first open pays
 * while the parser is still loading is measured apart (`firstSqlOpen`): the
 * plan opened the moment the server has answered initialize, as an editor
 * restoring its tabs does, timed to its first diagnostics computed with the
 * parser.
 *
 * `node out/scripts/compareBench.js [--sizes 300,3000,3000sql] [--sql-only] [--only migplan] [--edits 30] [--cold-runs 3]`
 * (`--sizes` lists the rows to run, a size ending in `sql` a SQL row; by
 * default 300, 3000, 30000, 100000 and the SQL rows 3000sql, 30000sql;
 * `--sql-only` runs only the SQL rows, of `--sizes` or the default ones.)
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
import { generatePlan, generateSqlPlan } from './genplan';

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
  /** SQL plans, migplan: the first open while PostgreSQL's parser loads, one sample per fresh process (see firstSqlOpen). */
  firstOpen?: FirstOpen;
}

export interface FirstOpen {
  /** didOpen, sent as soon as initialize has answered, to the plan's first diagnostics computed with the parser. */
  openSamples: number[];
  /** Spawn to those diagnostics. */
  spawnSamples: number[];
  /** In how many of the processes the parser had loaded before the plan was first linted (as the probe showed). */
  parserReadyAtOpen: number;
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

/**
 * A plan whose only SQL does not parse: migplan reports `sql-syntax` on it once PostgreSQL's
 * parser has loaded, and not before (until then the SQL rules are silent).
 */
const PROBE = ['migplan: 1', 'title: PostgreSQL parser probe', 'context:', '  dialect: postgresql', 'phases:', '  - id: probe', '    kind: custom', '    sql: SELEC 1', ''].join('\n');

const hasSqlSyntax = (p: Publish): boolean => p.params.diagnostics.some((d) => d.code === 'sql-syntax');

/** The first diagnostics for `uri` from the `from`-th on (0-based) that satisfy `ok`, with their index. */
async function publishWhere(server: LspProcess, uri: string, from: number, ok: (p: Publish) => boolean, timeoutMs: number): Promise<{ index: number; publish: Publish }> {
  const deadline = performance.now() + timeoutMs;
  for (let index = from; ; index++) {
    // Without a version, publishAfter answers the `index`-th notification itself.
    const publish = await server.publishAfter(uri, index, undefined, Math.max(0, deadline - performance.now()));
    if (ok(publish)) return { index, publish };
  }
}

/** Every diagnostics notification for `uri` received so far, in order. */
async function publishesOf(server: LspProcess, uri: string): Promise<Publish[]> {
  const out: Publish[] = [];
  for (let i = 0; i < server.publishCount(uri); i++) out.push(await server.publishAfter(uri, i, undefined, 0));
  return out;
}

/** Opens the probe plan (a file beside the plans, never written: the server has its text). */
async function openProbe(server: LspProcess, dir: string): Promise<string> {
  const uri = pathToFileURL(path.join(dir, 'sql-parser-probe.migplan.yaml')).href;
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: server.spec.languageId, version: 1, text: PROBE } });
  return uri;
}

/** Whether a server is migplan's on a SQL plan: then its parser must have loaded before anything is timed. */
const waitsForParser = (spec: ServerSpec, sql: boolean): boolean => sql && spec.name === 'migplan';

/**
 * In a fresh server: spawn to initialize result, settings, then didOpen to the first diagnostics.
 * With `sql` (migplan on a SQL plan), the plan opens only once the probe shows the parser loaded.
 */
async function startAndOpen(server: LspProcess, text: string, uri: string, dir: string, sql = false): Promise<{ startMs: number; openMs: number; opened: Publish }> {
  const startMs = await server.initialize(pathToFileURL(dir).href);
  await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: server.spec.settings });
  const probe = waitsForParser(server.spec, sql) ? await openProbe(server, dir) : undefined;
  // Let each server take its settings before the plan opens (yaml-language-server pulls them).
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (probe !== undefined) {
    // The SQL diagnostics of the probe: the parser has loaded, and every lint from now on runs the SQL rules.
    await publishWhere(server, probe, 0, hasSqlSyntax, TIMEOUT_MS);
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri: probe } });
    await server.quiet(100);
  }
  const seen = server.publishCount(uri);
  const o = performance.now();
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: server.spec.languageId, version: 1, text } });
  const opened = await server.publishAfter(uri, seen, 1, TIMEOUT_MS);
  return { startMs, openMs: opened.at - o, opened };
}

/** Where a generated plan is written for the servers (the SQL plans apart). */
const planFile = (dir: string, lines: number, errors: number, sql: boolean): string => path.join(dir, `plan-${lines}-${errors}${sql ? '-sql' : ''}.migplan.yaml`);

async function measure(spec: ServerSpec, text: string, errors: number, edits: number, samples: number, dir: string, sql = false): Promise<Measure> {
  const lines = text.split('\n');
  const file = planFile(dir, lines.length, errors, sql);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const timeout = TIMEOUT_MS;
  const server = new LspProcess(spec);
  try {
    const { startMs, openMs, opened } = await startAndOpen(server, text, uri, dir, sql);
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
async function coldOpen(spec: ServerSpec, text: string, file: string, dir: string, sql = false): Promise<{ startMs: number; openMs: number }> {
  const server = new LspProcess(spec);
  try {
    const { startMs, openMs } = await startAndOpen(server, text, pathToFileURL(file).href, dir, sql);
    return { startMs, openMs };
  } finally {
    await server.close();
  }
}

/**
 * The first open of a SQL plan in a fresh migplan process, paying for PostgreSQL's parser: the
 * plan opens as soon as initialize has answered (the parser started loading when the server
 * did), and the time runs to its first diagnostics computed with the parser.
 *
 * Which diagnostics those are is read from the probe, opened just before the plan, so the server
 * lints it first: when the probe's first diagnostics already have `sql-syntax`, the parser had
 * loaded before the plan was linted, and the plan's first diagnostics are the ones. Otherwise the
 * parser loaded later, and the server lints every open plan again when it does: the plan's first
 * diagnostics after the probe's `sql-syntax` are the ones (or, when none come, because the parser
 * loaded between the probe's lint and the plan's, the plan's last).
 */
async function firstSqlOpen(spec: ServerSpec, text: string, file: string, dir: string): Promise<{ openMs: number; spawnMs: number; readyAtOpen: boolean }> {
  const server = new LspProcess(spec);
  const uri = pathToFileURL(file).href;
  try {
    await server.initialize(pathToFileURL(dir).href);
    const probe = await openProbe(server, dir);
    const o = performance.now();
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: spec.languageId, version: 1, text } });
    const first = await server.publishAfter(uri, 0, undefined, TIMEOUT_MS);
    const sqlSeen = await publishWhere(server, probe, 0, hasSqlSyntax, TIMEOUT_MS);
    let ready: Publish;
    if (sqlSeen.index === 0) ready = first;
    else {
      // A lint again takes about as long as the first did: wait for it, with room.
      const after = async (): Promise<Publish | undefined> => (await publishesOf(server, uri)).find((p) => p.at > sqlSeen.publish.at);
      const deadline = performance.now() + 3 * (first.at - o) + 2000;
      let found = await after();
      while (!found && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        found = await after();
      }
      ready = found ?? (await publishesOf(server, uri)).at(-1)!;
    }
    return { openMs: ready.at - o, spawnMs: ready.at - server.spawnedAt, readyAtOpen: sqlSeen.index === 0 };
  } finally {
    await server.close();
  }
}

export interface Row {
  lines: number;
  errors: number;
  /** A plan with SQL (generateSqlPlan), not the prose one. */
  sql?: boolean;
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

export const DEFAULT_SIZES = [300, 3000, 30000, 100000];
export const DEFAULT_SQL_SIZES = [3000, 30000];

/**
 * `sizes`: rows of prose plans; `sqlSizes`: rows of SQL plans. Without either, the default rows
 * of both; with only `sizes`, no SQL rows.
 */
export async function compareBench(
  options: { sizes?: number[]; sqlSizes?: number[]; only?: string; edits?: number; samples?: number; coldRuns?: number; log?: (s: string) => void } = {},
): Promise<Row[]> {
  const sizes = options.sizes ?? (options.sqlSizes ? [] : DEFAULT_SIZES);
  const sqlSizes = options.sqlSizes ?? (options.sizes ? [] : DEFAULT_SQL_SIZES);
  const plans = [...sizes.map((size) => ({ size, sql: false })), ...sqlSizes.map((size) => ({ size, sql: true }))];
  const servers = SERVERS.filter((s) => !options.only || s.name === options.only);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-bench-'));
  const rows: Row[] = [];
  try {
    for (const { size, sql } of plans) {
      for (const errors of [0, 40]) {
        const text = sql ? generateSqlPlan(size, errors) : generatePlan(size, errors);
        const row: Row = { lines: text.split('\n').length, errors, ...(sql ? { sql } : {}), parseMs: parseFloor(text), results: [] };
        for (const spec of servers) {
          options.log?.(`  ${spec.name}: ${row.lines} lines${sql ? ' with SQL' : ''}, ${errors} errors…`);
          row.results.push(await measure(spec, text, errors, options.edits ?? 30, options.samples ?? (size >= 30000 ? 5 : 15), dir, sql));
        }
        // Start and open are single events per process, and these machines swing ±20% from one
        // process to the next: more fresh processes, the servers taking turns, and the medians.
        const file = planFile(dir, row.lines, errors, sql);
        for (let k = 1; k < (options.coldRuns ?? 3); k++) {
          for (const m of row.results) {
            const c = await coldOpen(servers.find((sp) => sp.name === m.server)!, text, file, dir, sql);
            m.startSamples.push(c.startMs);
            m.openSamples.push(c.openMs);
          }
        }
        for (const m of row.results) {
          m.startMs = percentile(m.startSamples, 50);
          m.openMs = percentile(m.openSamples, 50);
        }
        // The first open that pays for loading PostgreSQL's parser, in as many more fresh processes.
        for (const m of row.results) {
          const spec = servers.find((sp) => sp.name === m.server)!;
          if (!waitsForParser(spec, sql)) continue;
          options.log?.(`  ${spec.name}: ${row.lines} lines with SQL, ${errors} errors, first open while the parser loads…`);
          const first: FirstOpen = { openSamples: [], spawnSamples: [], parserReadyAtOpen: 0 };
          for (let k = 0; k < (options.coldRuns ?? 3); k++) {
            const f = await firstSqlOpen(spec, text, file, dir);
            first.openSamples.push(f.openMs);
            first.spawnSamples.push(f.spawnMs);
            if (f.readyAtOpen) first.parserReadyAtOpen++;
          }
          m.firstOpen = first;
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
        `| ${sizeLabel(r)} | ${r.errors} (${m.openDiagnostics} diag.) | ${f0(r.parseMs)} | ${m.server} | ${f0(m.startMs)} | ${f0(m.openMs)} | ${f0(percentile(m.editMs, 50))} / ${f0(percentile(m.editMs, 95))} / ${f0(Math.max(...m.editMs))} | ${f0(percentile(m.hoverMs, 50))} | ${f0(percentile(m.completionMs, 50))} (${m.completionItems}) | ${f0(m.peakRssMiB)} |`,
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
    for (const [what, ok] of checks) if (!ok) misses.push(`${r.lines} lines${r.sql ? ' with SQL' : ''}, ${r.errors} errors: ${what}`);
  }
  const firsts = rows.flatMap((r) => r.results.flatMap((m) => (m.firstOpen ? [{ r, m, f: m.firstOpen }] : [])));
  if (firsts.length > 0) {
    out.push(
      '',
      "First open of a SQL plan, paying for PostgreSQL's parser (WASM) once: the plan opened as soon as initialize has answered, to its first diagnostics computed with the parser (medians of fresh processes; open→diag above is with the parser loaded before the plan opened):",
      '',
      '| plan lines | errors | server | first open→SQL diag. | spawn→SQL diag. | open→diag, parser loaded | parser loaded before the first lint |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const { r, m, f } of firsts) {
      out.push(
        `| ${sizeLabel(r)} | ${r.errors} | ${m.server} | ${f0(percentile(f.openSamples, 50))} | ${f0(percentile(f.spawnSamples, 50))} | ${f0(m.openMs)} | ${f.parserReadyAtOpen} of ${f.openSamples.length} |`,
      );
    }
  }
  return { table: out.join('\n'), misses };
}

/** The size column: the plan's lines, and `sql` for the SQL plans. */
const sizeLabel = (r: Row): string => `${r.lines.toLocaleString('en-US')}${r.sql ? ' sql' : ''}`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--sizes 300,3000sql` and `--sql-only` as compareBench's sizes and sqlSizes. */
function sizesOf(list: string | undefined, sqlOnly: boolean): { sizes?: number[]; sqlSizes?: number[] } {
  if (list === undefined) return sqlOnly ? { sizes: [], sqlSizes: DEFAULT_SQL_SIZES } : {};
  const items = list.split(',').filter((s) => s.trim() !== '');
  const sizes: number[] = [];
  const sqlSizes: number[] = [];
  for (const item of items) {
    const m = /^\s*(\d+)\s*(sql)?\s*$/i.exec(item);
    if (!m) throw new Error(`--sizes: '${item}' is not a number of lines (or one followed by 'sql')`);
    (m[2] ? sqlSizes : sizes).push(Number(m[1]));
  }
  // --sql-only with plain sizes: those sizes, as SQL rows.
  return sqlOnly ? { sizes: [], sqlSizes: [...sqlSizes, ...sizes] } : { sizes, sqlSizes };
}

if (require.main === module) {
  const started = performance.now();
  compareBench({
    ...sizesOf(arg('--sizes'), process.argv.includes('--sql-only')),
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
