/**
 * `npm run bench`: lint time of generated plans next to the `yaml` parse of
 * the same text (prose plans, and plans with PostgreSQL SQL in their phases,
 * linted with PostgreSQL's parser loaded: rows `3000 sql`), the CLI's cold start on the example, the language server
 * side by side with yaml-language-server (compareBench.ts), the memory
 * leak check (leakBench.ts), and the rehearsal on PGlite and on a real
 * PostgreSQL server (rehearseBench.ts). Prints tables; writes JSON to .bench/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { lint } from '../server/src/service/linting/lint';
import { loadSqlParser, sqlParserState } from '../server/src/service/sql/parser';
import { generatePlan, generateSqlPlan } from './genplan';
import { formatLeak, leakBench } from './leakBench';
import { compareBench, formatCompare } from './compareBench';
import { rehearseBench } from './rehearseBench';

const ROOT = path.resolve(__dirname, '..', '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Medians of two functions timed in alternation, so both see the same machine conditions. */
function timePair(a: () => void, b: () => void, runs: number): [number, number] {
  a();
  b(); // warm-up
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let s = performance.now();
    a();
    ta.push(performance.now() - s);
    s = performance.now();
    b();
    tb.push(performance.now() - s);
  }
  return [median(ta), median(tb)];
}

/** A row of the lint table: the plan's lines (and `sql` for a SQL plan), its diagnostics, the medians. */
function lintRow(size: number, errors: number, sql: boolean): string[] {
  const text = sql ? generateSqlPlan(size, errors) : generatePlan(size, errors);
  const lines = text.split('\n').length;
  const runs = size >= 100000 ? 5 : size >= 30000 ? 9 : size >= 3000 ? 41 : 101;
  let diags = 0;
  const [parse, lintMs] = timePair(
    () => parseDocument(text),
    () => {
      diags = lint(text).diagnostics.length;
    },
    runs,
  );
  return [`${lines}${sql ? ' sql' : ''}`, String(diags), parse.toFixed(1), lintMs.toFixed(1), (lintMs / parse).toFixed(2)];
}

const rows: string[][] = [];
for (const size of [300, 3000, 30000, 100000]) {
  for (const errors of [0, 40]) rows.push(lintRow(size, errors, false));
}

async function main(): Promise<void> {
// The SQL plans with PostgreSQL's parser loaded, as the CLI lints them (before it, the SQL rules are silent).
await loadSqlParser();
const parser = sqlParserState();
if (parser.state !== 'ready') throw new Error(`PostgreSQL's parser did not load: ${parser.failure ?? parser.state}`);
for (const size of [3000, 30000]) {
  for (const errors of [0, 40]) rows.push(lintRow(size, errors, true));
}

const bin = path.join(ROOT, 'bin', 'migplan.js');
const example = path.join(ROOT, 'examples', 'split-user-name.migplan.yaml');
const cold: number[] = [];
for (let i = 0; i < 11; i++) {
  const s = performance.now();
  const r = spawnSync(process.execPath, [bin, 'lint', example], { encoding: 'utf8' });
  cold.push(performance.now() - s);
  if (r.status !== 0) throw new Error(`migplan lint failed: ${r.stdout}${r.stderr}`);
}
const baseline: number[] = [];
for (let i = 0; i < 11; i++) {
  const s = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  baseline.push(performance.now() - s);
}

const header = ['plan lines', 'diagnostics', 'yaml parseDocument ms', 'migplan lint ms', 'lint / parse'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const fmt = (r: string[]): string => `| ${r.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
console.log(`migplan benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}`);
console.log('');
console.log(fmt(header));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(fmt(r));
console.log('');
console.log(`CLI cold start, \`migplan lint\` on the example: median ${median(cold).toFixed(0)} ms wall (node -e 0 alone: ${median(baseline).toFixed(0)} ms)`);

console.log('');
console.log('Language servers side by side over stdio: migplan and yaml-language-server 1.25.0 with schemas/migplan.schema.json (times in ms):');
console.log('');
const compared = await compareBench({ log: (s) => process.stderr.write(`${s}\n`) });
const { table, misses } = formatCompare(compared);
console.log(table);
console.log('');
console.log(misses.length === 0 ? 'Every target holds in this run.' : `Targets missed in this run:\n${misses.map((m) => `- ${m}`).join('\n')}`);
fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
const out = path.join(ROOT, '.bench', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model.trim(), node: process.version, lint: rows, compared }, null, 2));
console.log(`(JSON: ${path.relative(ROOT, out)})`);

console.log('');
console.log(formatLeak(await leakBench()));

console.log('');
await rehearseBench();
}

void main();
