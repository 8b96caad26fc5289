import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, findConfigFile, loadConfigFile, mergeConfigs, todayFromEnv } from './config';
import { formatJson, formatSarif, formatText, summarize, type FileResult } from './report';
import { fixAll, lint } from './service/lint';
import { PLAN_TEMPLATE } from './service/planTemplate';
import { renderMarkdown } from './service/render';
import type { LintConfig } from './service/types';

declare const MIGPLAN_VERSION: string | undefined;
const VERSION = typeof MIGPLAN_VERSION === 'string' ? MIGPLAN_VERSION : '0.0.0-dev';

const USAGE = `Usage:
  migplan lint [--format text|json|sarif] [--config FILE] [--fix] [--verbose] PATH...
  migplan --help | --version
  migplan render FILE [-o OUT]
  migplan init [FILE]

lint    checks plans (files, or folders searched for *.migplan.yaml / *.migplan.yml).
        Exit 0 when no error is found, 1 when one is, 2 on a usage or I/O problem.
        --format   text (default: path:line:col severity rule message), json, sarif
        --config   a .migplanrc.json to use instead of the nearest one above each plan
        --fix      apply every available quick fix in place, then report what is left; fixes write
                   only what the method prescribes, and placeholders where the author must decide
        --verbose  text format: each message's why and what to do, under it
        MIGPLAN_TODAY=YYYY-MM-DD judges dates as of that day (for reproducible runs)
render  prints the plan as Markdown (or writes it to OUT)
init    writes a new plan from the template (default migration.migplan.yaml); never overwrites
`;

/** A problem that ends the command with exit 2 and a one-line message. */
class UsageError extends Error {}

export interface Io {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  /** The day dates are judged against (`YYYY-MM-DD`); default today. */
  today?: string;
}

const PLAN_RE = /\.migplan\.ya?ml$/i;
const YAML_RE = /\.ya?ml$/i;
/** Files bigger than this are refused outright (the service itself stops at 5 MiB with a diagnostic). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Runs the command line; returns the exit code. Never throws. */
export function main(argv: string[], io: Io): number {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'lint':
        return lintCommand(rest, io);
      case 'render':
        return renderCommand(rest, io);
      case 'init':
        return initCommand(rest, io);
      case '--version':
      case '-v':
        io.stdout(`${VERSION}\n`);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return 0;
      case undefined:
        io.stderr(USAGE);
        return 2;
      default:
        throw new UsageError(`unknown command '${command}' (expected lint, render or init; see migplan --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.stderr(`migplan: ${err.message}\n`);
      return 2;
    }
    // Anything else is a bug of ours: still one line, no stack trace, exit 2.
    io.stderr(`migplan: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
}

function parseArgs(args: string[], withValue: string[], flags: string[]): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const [name, inline] = a.split(/=(.*)/s, 2);
      if (withValue.includes(name)) {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        options.set(name, v);
      } else if (flags.includes(name) && inline === undefined) options.set(name, true);
      else throw new UsageError(`unknown option '${a}'`);
    } else positional.push(a);
  }
  return { positional, options };
}

function display(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  return (rel === '' || rel.startsWith('..') ? file : rel).split(path.sep).join('/');
}

/** Reads a plan as text: one-line errors for missing, unreadable, binary or non-UTF-8 files. */
function readPlan(io: Io, file: string): string {
  const shown = display(io, file);
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new UsageError(`${shown}: is a folder, not a plan file`);
    if (st.size > MAX_FILE_BYTES) throw new UsageError(`${shown}: ${Math.round(st.size / 1048576)} MiB is too large for a plan`);
    buf = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${shown}: ${ioReason(err)}`);
  }
  if (buf.subarray(0, 8192).includes(0)) throw new UsageError(`${shown}: not a text file (binary content)`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    throw new UsageError(`${shown}: not valid UTF-8 text`);
  }
}

function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return code ? `cannot read (${code})` : 'cannot read';
  }
}

/** Expands PATH arguments to plan files, in a stable order. */
function collectPlans(io: Io, args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const abs = path.resolve(io.cwd, arg);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      throw new UsageError(`${arg}: ${ioReason(err)}`);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(abs, found);
      if (found.length === 0) throw new UsageError(`${arg}: no *.migplan.yaml files in this folder`);
      out.push(...found.sort());
    } else {
      if (!YAML_RE.test(abs)) throw new UsageError(`${arg}: not a YAML file (plans are named *.migplan.yaml)`);
      out.push(abs);
    }
  }
  return [...new Set(out)];
}

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new UsageError(`${dir}: ${ioReason(err)}`);
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      walk(path.join(dir, e.name), out);
    } else if (e.isFile() && PLAN_RE.test(e.name)) out.push(path.join(dir, e.name));
  }
}

function configFor(io: Io, file: string, explicit: LintConfig | undefined, cache: Map<string, LintConfig>): LintConfig {
  const day: LintConfig = io.today !== undefined ? { today: io.today } : {};
  if (explicit) return mergeConfigs(explicit, day);
  const found = findConfigFile(path.dirname(file));
  if (!found) return day;
  let c = cache.get(found);
  if (!c) {
    c = loadConfigFile(found);
    cache.set(found, c);
  }
  return mergeConfigs(c, day);
}

function lintCommand(args: string[], io: Io): number {
  const { positional, options } = parseArgs(args, ['--format', '--config', '-f', '-c'], ['--fix', '--verbose']);
  const format = (options.get('--format') ?? options.get('-f') ?? 'text') as string;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format '${format}' (expected text, json or sarif)`);
  if (positional.length === 0) throw new UsageError('lint needs at least one PATH (a plan file or a folder)');
  const configPath = (options.get('--config') ?? options.get('-c')) as string | undefined;
  const explicit = configPath ? loadConfigFile(path.resolve(io.cwd, configPath)) : undefined;
  const files = collectPlans(io, positional);
  const cache = new Map<string, LintConfig>();
  const results: FileResult[] = [];
  for (const file of files) {
    const text = readPlan(io, file);
    const config = configFor(io, file, explicit, cache);
    let diagnostics;
    if (options.has('--fix')) {
      const fixed = fixAll(text, { config });
      if (fixed.blockedByYaml) io.stderr(`migplan: note: ${display(io, file)}: not fixed, it has YAML errors; fix those first\n`);
      if (fixed.text !== text) {
        try {
          fs.writeFileSync(file, fixed.text);
        } catch (err) {
          throw new UsageError(`${display(io, file)}: cannot write fixes (${ioReason(err)})`);
        }
      }
      diagnostics = fixed.diagnostics;
    } else diagnostics = lint(text, { config }).diagnostics;
    results.push({ path: display(io, file), diagnostics });
  }
  if (format === 'json') io.stdout(formatJson(results));
  else if (format === 'sarif') io.stdout(formatSarif(results, VERSION));
  else io.stdout(formatText(results, io.color, options.has('--verbose')));
  return summarize(results).errors > 0 ? 1 : 0;
}

function renderCommand(args: string[], io: Io): number {
  const { positional, options } = parseArgs(args, ['-o', '--output', '--config', '-c'], []);
  if (positional.length !== 1) throw new UsageError('render needs exactly one plan FILE');
  const file = path.resolve(io.cwd, positional[0]);
  if (!YAML_RE.test(file)) throw new UsageError(`${positional[0]}: not a YAML file (plans are named *.migplan.yaml)`);
  const configPath = (options.get('--config') ?? options.get('-c')) as string | undefined;
  const config = configFor(io, file, configPath ? loadConfigFile(path.resolve(io.cwd, configPath)) : undefined, new Map());
  const text = readPlan(io, file);
  const { plan, diagnostics } = lint(text, { config });
  const md = renderMarkdown(plan, diagnostics, config);
  const out = (options.get('-o') ?? options.get('--output')) as string | undefined;
  if (out === undefined) io.stdout(md);
  else {
    try {
      fs.writeFileSync(path.resolve(io.cwd, out), md);
    } catch (err) {
      throw new UsageError(`${out}: cannot write (${ioReason(err)})`);
    }
  }
  return 0;
}

function initCommand(args: string[], io: Io): number {
  const { positional } = parseArgs(args, [], []);
  if (positional.length > 1) throw new UsageError('init takes at most one FILE');
  const name = positional[0] ?? 'migration.migplan.yaml';
  const file = path.resolve(io.cwd, name);
  try {
    fs.writeFileSync(file, PLAN_TEMPLATE, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${name}: already exists; not overwriting it`);
    throw new UsageError(`${name}: cannot write (${ioReason(err)})`);
  }
  io.stdout(`Wrote ${name}. Fill in the TODOs, then run: migplan lint ${name}\n`);
  if (!PLAN_RE.test(name)) io.stderr(`migplan: note: editors recognise plans by the name *.migplan.yaml\n`);
  return 0;
}

/** Entry point when run as a program. */
export function run(): void {
  const color = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0' ? true : process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const code = main(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    color,
    ...todayFromEnv(),
  });
  process.exitCode = code;
}

if (require.main === module) run();
