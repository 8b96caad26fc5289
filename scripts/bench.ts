/**
 * `npm run bench`: lint time of generated plans next to the `yaml` parse of
 * the same text, and the CLI's cold start on the example. Prints a table.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { lint } from '../server/src/service/lint';
import { generatePlan } from './genplan';
import { formatLeak, leakBench } from './leakBench';
import { lspBench } from './lspBench';

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

const rows: string[][] = [];
for (const size of [300, 3000, 30000]) {
  for (const errors of [0, 40]) {
    const text = generatePlan(size, errors);
    const lines = text.split('\n').length;
    const runs = size >= 30000 ? 9 : size >= 3000 ? 41 : 101;
    let diags = 0;
    const [parse, lintMs] = timePair(
      () => parseDocument(text),
      () => {
        diags = lint(text).diagnostics.length;
      },
      runs,
    );
    rows.push([String(lines), String(diags), parse.toFixed(1), lintMs.toFixed(1), (lintMs / parse).toFixed(2)]);
  }
}

async function main(): Promise<void> {
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

const lspRows = await lspBench();
const lspHeader = ['plan lines', 'start to initialize ms', 'didOpen to diagnostics ms', 'keystroke to diagnostics p50 ms', 'p95 ms', 'max ms'];
const lw = lspHeader.map((h, i) => Math.max(h.length, ...lspRows.map((r) => r[i].length)));
console.log('');
console.log('Language server over stdio (40 single-character edits each):');
console.log('');
console.log(`| ${lspHeader.map((h, i) => h.padStart(lw[i])).join(' | ')} |`);
console.log(`| ${lw.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of lspRows) console.log(`| ${r.map((c, i) => c.padStart(lw[i])).join(' | ')} |`);

console.log('');
console.log(formatLeak(await leakBench()));
}

void main();
