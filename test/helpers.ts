import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic, Range } from '../server/src/service/types';

/** The repository root (tests run from out/test/...). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const EXAMPLES = path.join(ROOT, 'examples');
export const RULE_FIXTURES = path.join(ROOT, 'test', 'rules');

export function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** `12:5-12:13` (1-based lines and columns, as editors show them). */
export function formatRange(r: Range): string {
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
}

export interface Expectation {
  rule: string;
  range: string;
}

const EXPECT_RE = /^#\s*expect:\s*(\S+)\s+(\d+:\d+-\d+:\d+)\s*$/;

/** The `# expect: <rule> <line>:<col>-<line>:<col>` lines of a fixture. */
export function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = EXPECT_RE.exec(line.trim());
    if (m) out.push({ rule: m[1], range: m[2] });
  }
  return out;
}

/** Diagnostics as comparable `rule range` strings, sorted. */
export function summarize(diags: Diagnostic[], rule?: string): string[] {
  return diags
    .filter((d) => rule === undefined || d.rule === rule)
    .map((d) => `${d.rule} ${formatRange(d.range)}`)
    .sort();
}

/** The fixture files of a rule: { fail: [...], pass: [...] } (absolute paths). */
export function ruleFixtures(id: string): { fail: string[]; pass: string[] } {
  const dir = path.join(RULE_FIXTURES, id);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  const pick = (prefix: string): string[] =>
    files.filter((f) => (f === `${prefix}.migplan.yaml` || f.startsWith(`${prefix}-`)) && f.endsWith('.migplan.yaml') && !f.includes('.fixed.')).map((f) => path.join(dir, f));
  return { fail: pick('fail'), pass: pick('pass') };
}

/** The snapshot path of a fail fixture's fixed text. */
export function fixedSnapshotPath(failFixture: string): string {
  return failFixture.replace(/\.migplan\.yaml$/, '.fixed.migplan.yaml');
}

/** Compares with a snapshot file, or writes it when UPDATE_SNAPSHOTS=1. Returns the snapshot text. */
export function snapshot(file: string, actual: string): string {
  if (process.env.UPDATE_SNAPSHOTS === '1' || !fs.existsSync(file)) {
    if (process.env.CI && !fs.existsSync(file)) throw new Error(`missing snapshot ${file}; run UPDATE_SNAPSHOTS=1 npm test locally and review it`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  return read(file);
}

/**
 * Whether every line of `before` outside `touched` (0-based line numbers)
 * is still present, in order, in `after`.
 */
export function untouchedLinesKept(before: string, after: string, touched: Set<number>): { ok: boolean; missing?: string } {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (touched.has(i)) continue;
    while (j < b.length && b[j] !== a[i]) j++;
    if (j >= b.length) return { ok: false, missing: `line ${i + 1}: ${JSON.stringify(a[i])}` };
    j++;
  }
  return { ok: true };
}

/** Whether a process runs (one owned by another user counts: it exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
