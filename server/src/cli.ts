import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, ConfigError, findConfigFile, loadConfigFile, mergeConfigs, todayFromEnv, validateConfig } from './config';
import { escapeControls, formatJson, formatSarif, formatText, summarize, type FileResult } from './report';
import { fixAll, fixSummary, lint, placeholderCount } from './service/linting/lint';
import { PLAN_TEMPLATE } from './service/linting/planTemplate';
import { renderMarkdown } from './service/rendering/render';
import { asRehearsalReport, renderRehearsal } from './service/rendering/rehearsal';
import { loadSqlParser } from './service/sql/parser';
import { nodeSqlFiles } from './sqlFiles';
import type { LintConfig } from './service/types';
import type { Engine } from './rehearse/engine';
import { REHEARSE_RULES } from './rehearse/findings';
import { dropStaleRehearsalSchemas, openPostgres } from './rehearse/pgEngine';
import { openPglite } from './rehearse/pgliteEngine';
import { findingDiagnostics, openFailure, rehearsalRefusal, rehearse, RehearsalRefused, type Progress, type RehearsalReport } from './rehearse/runner';

declare const MIGPLAN_VERSION: string | undefined;
const VERSION = typeof MIGPLAN_VERSION === 'string' ? MIGPLAN_VERSION : '0.0.0-dev';

const USAGE = `Usage:
  migplan lint [--format text|json|sarif] [--config FILE] [--fix] [--verbose] PATH...
  migplan render FILE [-o OUT] [--rehearsal REPORT.json]
  migplan rehearse [--database URL] [--rows N] [--format text|json|sarif] [--report OUT.json] FILE
  migplan init [FILE]
  migplan --help | --version

lint    checks plans (files, or folders searched for *.migplan.yaml / *.migplan.yml).
        Exit 0 when no error is found, 1 when one is, 2 on a usage or I/O problem.
        --format   text (default: path:line:col severity rule message), json, sarif
        --config   a .migplanrc.json to use instead of the nearest one above each plan
        --fix      apply every available quick fix in place, then report what is left; fixes write
                   only what the method prescribes, and placeholders where the author must decide.
                   A last line says what changed: fixed N problems in M files; P placeholders left
                   to fill (on stderr with --format json or sarif)
        --verbose  text format: each message's why and what to do, under it
        MIGPLAN_TODAY=YYYY-MM-DD judges dates as of that day (for reproducible runs)
render  prints the plan as Markdown (or writes it to OUT); --rehearsal adds the figures of a
        rehearsal that rehearse --report wrote
rehearse runs a plan with SQL (context.dialect: postgresql) phase by phase on a real PostgreSQL:
        embedded (PGlite, in a child process) by default, or the server of --database URL inside a
        scratch schema it creates and drops. Findings are diagnostics (rehearse-*), as lint's.
        Exit 0 when no error is found, 1 when one is, 2 on a usage problem, a plan without a
        dialect, or a database that cannot be reached.
        --rows     rows to rehearse with (default: rehearsal.rows, else 10000)
        --report   also write the JSON result (with the figures) to OUT.json
init    writes a new plan from the template (default migration.migplan.yaml); never overwrites
--help  (-h) prints this text; --version (-v) prints migplan's version
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
  /** Whether stderr is a terminal: long commands show their progress there. */
  interactive?: boolean;
  /** How rehearse opens its database (tests replace it); default PGlite, or the server of the URL. */
  openEngine?: (url: string | undefined) => Promise<Engine>;
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
      case 'rehearse':
        throw new UsageError('rehearse runs asynchronously: call mainAsync');
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
        throw new UsageError(`unknown command '${command}' (expected lint, render, rehearse or init; see migplan --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      complain(io, err.message);
      return 2;
    }
    // Anything else is a bug of ours: still one line, no stack trace, exit 2.
    complain(io, `internal error: ${err instanceof Error ? err.message : String(err)}`);
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

/** One line on stderr, `migplan: ...`, with control characters escaped (the message may carry paths and plan text). */
function complain(io: Io, message: string): void {
  io.stderr(`migplan: ${escapeControls(message)}\n`);
}

function display(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  return (rel === '' || rel.startsWith('..') ? file : rel).split(path.sep).join('/');
}

/**
 * A file name's bytes as text: UTF-8 where they are UTF-8, any other byte as
 * `\xNN` (names on Linux are bytes, and need not be UTF-8).
 */
function showBytes(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const lead = b[i];
    const n = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (n > 0 && i + n <= b.length && isUtf8(b.subarray(i, i + n))) {
      out += b.toString('utf8', i, i + n);
      i += n;
    } else {
      out += `\\x${lead.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

const SEP = Buffer.from(path.sep);

function joinBytes(dir: Buffer, name: Buffer | string): Buffer {
  const tail = typeof name === 'string' ? Buffer.from(name) : name;
  return dir.length > 0 && dir[dir.length - 1] === SEP[0] ? Buffer.concat([dir, tail]) : Buffer.concat([dir, SEP, tail]);
}

/** An absolute path as bytes, split at its last separator: the folder and the name. */
function splitBytes(p: Buffer): { dir: Buffer; base: Buffer } {
  let i = p.length - 1;
  while (i >= 0 && p[i] !== 0x2f && !(path.sep === '\\' && p[i] === 0x5c)) i--;
  if (i < 0) return { dir: Buffer.from('.'), base: p };
  // The root keeps its separator (`/`, `C:\`).
  const isRoot = i === 0 || (path.sep === '\\' && i === 2 && p[1] === 0x3a);
  return { dir: p.subarray(0, isRoot ? i + 1 : i), base: p.subarray(i + 1) };
}

/** A plan to read: its path as bytes for the file system, and as shown to the user. */
interface PlanFile {
  /** Absolute; any bytes the file system allows. */
  fsPath: Buffer;
  /** Relative to the working folder where possible, with `/`, other bytes than UTF-8 as `\xNN`. */
  shown: string;
  /** The bytes `shown` stands for, when they are not UTF-8 (SARIF percent-encodes them). */
  rawShown?: Buffer;
}

function planFromArg(io: Io, abs: string): PlanFile {
  return { fsPath: Buffer.from(abs), shown: display(io, abs) };
}

/** A plan found in a folder walk: `root` (absolute, from the command line) and the names below it. */
function planFromWalk(io: Io, root: string, names: Buffer[]): PlanFile {
  const rel = path.relative(io.cwd, root);
  let prefix = (rel.startsWith('..') ? root : rel).split(path.sep).join('/');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  const shown = prefix + names.map(showBytes).join('/');
  const plan: PlanFile = { fsPath: names.reduce(joinBytes, Buffer.from(root)), shown };
  if (!names.every((n) => isUtf8(n))) {
    plan.rawShown = Buffer.concat([Buffer.from(prefix), ...names.flatMap((n, i) => (i === 0 ? [n] : [Buffer.from('/'), n]))]);
  }
  return plan;
}

/** What was read of a plan: its text, and what identifies that version of the file. */
interface PlanRead {
  text: string;
  bytes: Buffer;
  stat: fs.BigIntStats;
}

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const O_NOCTTY = fs.constants.O_NOCTTY ?? 0;

/** Only regular files are plans: a FIFO blocks, a device never ends, a socket cannot be read. */
function refuseNonRegular(shown: string, st: fs.Stats | fs.BigIntStats): void {
  if (st.isFile()) return;
  const what = st.isDirectory()
    ? 'a folder'
    : st.isFIFO()
      ? 'a FIFO'
      : st.isSocket()
        ? 'a socket'
        : st.isCharacterDevice()
          ? 'a character device'
          : st.isBlockDevice()
            ? 'a block device'
            : 'not a regular file';
  throw new UsageError(`${shown}: ${what === 'not a regular file' ? what : `is ${what}, not a plan file`}`);
}

/** `size`: as the file reported it; undefined when the file was found larger than it said while it was read. */
function tooLarge(shown: string, size: number | undefined): UsageError {
  return new UsageError(`${shown}: ${size === undefined ? `more than ${MAX_FILE_BYTES / 1048576} MiB` : `${Math.round(size / 1048576)} MiB`} is too large for a plan`);
}

/** Why `p` cannot be opened: a missing file, or a symlink to one, or a symlink loop. */
function openReason(p: Buffer, err: unknown): string {
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
    try {
      if (fs.lstatSync(p).isSymbolicLink()) return `broken symbolic link (its target ${showBytes(fs.readlinkSync(p, { encoding: 'buffer' }))} does not exist)`;
    } catch {
      // Gone altogether: no such file.
    }
  }
  return ioReason(err);
}

/**
 * Reads from `fd` to its end, but never more than `limit` bytes: the size the
 * file reported is a hint (0 for /proc files, and a file may grow meanwhile).
 */
function readBounded(fd: number, sizeHint: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const want = Math.min(limit - total, Math.max(sizeHint + 1 - total, 65536));
    const buf = Buffer.allocUnsafe(want);
    const n = fs.readSync(fd, buf, 0, want, null);
    if (n === 0) break;
    chunks.push(n === want ? buf : buf.subarray(0, n));
    total += n;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/** Reads the bytes of a regular file, at most MAX_FILE_BYTES + 1 of them, and the state of the file that was read. */
function readRegular(p: Buffer, shown: string): { bytes: Buffer; stat: fs.BigIntStats } {
  let fd: number;
  try {
    // Refused before opening: opening a FIFO blocks, opening a device can do things.
    const st = fs.statSync(p);
    refuseNonRegular(shown, st);
    if (st.size > MAX_FILE_BYTES) throw tooLarge(shown, st.size);
    // O_NONBLOCK: should the file have become a FIFO since, opening it does not block (it is then refused).
    fd = fs.openSync(p, fs.constants.O_RDONLY | O_NONBLOCK | O_NOCTTY);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${shown}: ${openReason(p, err)}`);
  }
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    refuseNonRegular(shown, stat);
    const bytes = readBounded(fd, Number(stat.size), MAX_FILE_BYTES + 1);
    if (bytes.length > MAX_FILE_BYTES) throw tooLarge(shown, undefined);
    return { bytes, stat };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${shown}: ${ioReason(err)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a plan as text: one-line errors for missing, unreadable, special, binary or non-UTF-8 files. */
function readPlan(plan: PlanFile): PlanRead {
  const { bytes, stat } = readRegular(plan.fsPath, plan.shown);
  if (bytes.subarray(0, 8192).includes(0)) throw new UsageError(`${plan.shown}: not a text file (binary content)`);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), bytes, stat };
  } catch {
    throw new UsageError(`${plan.shown}: not valid UTF-8 text`);
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
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return code ? `cannot read (${code})` : 'cannot read';
  }
}

/**
 * Expands PATH arguments to plan files, in a stable order. A bad argument is
 * a usage error; a folder that cannot be read inside a walk is reported with
 * `problem` and the walk goes on.
 */
function collectPlans(io: Io, args: string[], problem: (message: string) => void): PlanFile[] {
  const out = new Map<string, PlanFile>();
  const add = (p: PlanFile): void => {
    const key = p.fsPath.toString('latin1');
    if (!out.has(key)) out.set(key, p);
  };
  for (const arg of args) {
    const abs = path.resolve(io.cwd, arg);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      throw new UsageError(`${arg}: ${openReason(Buffer.from(abs), err)}`);
    }
    if (st.isDirectory()) {
      const found: PlanFile[] = [];
      const problems = walk(io, abs, [], found, problem);
      if (found.length === 0 && problems === 0) throw new UsageError(`${arg}: no *.migplan.yaml files in this folder`);
      found.sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0)).forEach(add);
    } else {
      if (!YAML_RE.test(abs)) throw new UsageError(`${arg}: not a YAML file (plans are named *.migplan.yaml)`);
      add(planFromArg(io, abs));
    }
  }
  return [...out.values()];
}

const NODE_MODULES = Buffer.from('node_modules');

/**
 * Finds plans under `root`/`names`. Folder entries are bytes (`encoding:
 * 'buffer'`): a name that is not UTF-8 still names its file. Everything named
 * like a plan that is not a folder is a plan to read, a symlink included (it
 * is followed once, when read), so that a FIFO, a device or a broken link is
 * reported rather than passed over; symlinked folders are not entered (no
 * loops, no plans counted twice). Returns the number of problems reported.
 */
function walk(io: Io, root: string, names: Buffer[], out: PlanFile[], problem: (message: string) => void): number {
  const dir = names.reduce(joinBytes, Buffer.from(root));
  let entries: fs.Dirent<Buffer>[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    problem(`${names.length === 0 ? display(io, root) : planFromWalk(io, root, names).shown}: ${ioReason(err)}`);
    return 1;
  }
  let problems = 0;
  for (const e of entries) {
    const name = e.name;
    if (e.isDirectory()) {
      if (name.equals(NODE_MODULES) || name[0] === 0x2e) continue;
      problems += walk(io, root, [...names, name], out, problem);
    } else if (PLAN_RE.test(name.toString('latin1'))) {
      if (e.isSymbolicLink()) {
        try {
          if (fs.statSync(joinBytes(dir, name)).isDirectory()) continue;
        } catch {
          // A broken link or a loop: reading it reports which.
        }
      }
      out.push(planFromWalk(io, root, [...names, name]));
    }
  }
  return problems;
}

/** The nearest `.migplanrc.json` at or above `dir` (bytes: folders need not have UTF-8 names). */
function findConfig(dir: Buffer): Buffer | undefined {
  let d = dir;
  // Folders whose names are not UTF-8 are looked at here; from the first that is, findConfigFile goes on.
  while (!isUtf8(d)) {
    const f = joinBytes(d, CONFIG_FILE);
    if (fs.existsSync(f)) return f;
    const up = splitBytes(d).dir;
    if (up.equals(d)) return undefined;
    d = up;
  }
  const found = findConfigFile(d.toString('utf8'));
  return found === undefined ? undefined : Buffer.from(found);
}

/** Reads a config file found next to or above a plan; a FIFO or a device there is refused, not read. */
function loadFoundConfig(file: Buffer): LintConfig {
  const shown = showBytes(file);
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) refuseNonRegular(shown, st);
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError(err.message.replace(/not a plan file$/, 'not a config file'));
    // Let loadConfigFile say what is wrong.
  }
  if (isUtf8(file)) return loadConfigFile(file.toString('utf8'));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read config (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${shown}: invalid JSON (${(err as Error).message})`);
  }
  return validateConfig(value, shown);
}

function configFor(io: Io, file: Buffer, explicit: LintConfig | undefined, cache: Map<string, LintConfig>): LintConfig {
  const day: LintConfig = io.today !== undefined ? { today: io.today } : {};
  if (explicit) return mergeConfigs(explicit, day);
  const found = findConfig(splitBytes(file).dir);
  if (!found) return day;
  const key = found.toString('latin1');
  let c = cache.get(key);
  if (!c) {
    c = loadFoundConfig(found);
    cache.set(key, c);
  }
  return mergeConfigs(c, day);
}

/** Whether the file at `target` is no longer the version `read` was made from. */
function changedSince(target: Buffer, read: PlanRead): boolean {
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(target, { bigint: true });
  } catch {
    return true; // deleted or moved away: that was someone's decision too
  }
  if (st.dev !== read.stat.dev || st.ino !== read.stat.ino || st.size !== BigInt(read.bytes.length) || st.mtimeNs !== read.stat.mtimeNs) return true;
  try {
    return !readRegular(target, '').bytes.equals(read.bytes);
  } catch {
    return true;
  }
}

/**
 * Writes fixes over a plan without ever leaving it half-written, and never
 * over someone else's save: the new text goes to a temporary file in the
 * plan's own folder (the real one, behind any symlink) with the plan's mode,
 * and is renamed over the plan only if the plan is still the version that
 * was read. Returns false, writing nothing, when it is not.
 */
function writeFixes(plan: PlanFile, read: PlanRead, text: string): boolean {
  // The native realpath: the JS one decodes a Buffer path as UTF-8 and loses bytes that are not.
  const target = fs.realpathSync.native(plan.fsPath, { encoding: 'buffer' });
  const { dir, base } = splitBytes(target);
  let tmp: Buffer | undefined;
  let fd: number | undefined;
  try {
    for (let attempt = 0; fd === undefined; attempt++) {
      // Hidden, not named like a plan (a concurrent `lint DIR` passes it by), and short enough for any name.
      tmp = joinBytes(dir, Buffer.concat([Buffer.from('.'), base.subarray(0, 100), Buffer.from(`.${process.pid}-${Math.random().toString(36).slice(2, 10)}.migplan-tmp`)]));
      try {
        fd = fs.openSync(tmp, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) {
          tmp = undefined;
          throw err;
        }
      }
    }
    fs.writeFileSync(fd, text);
    try {
      fs.fchownSync(fd, Number(read.stat.uid), Number(read.stat.gid));
    } catch {
      // Only root may give a file away; the owner is then the one who ran the fix.
    }
    fs.fchmodSync(fd, Number(read.stat.mode) & 0o7777);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    if (changedSince(target, read)) {
      fs.unlinkSync(tmp!);
      tmp = undefined;
      return false;
    }
    fs.renameSync(tmp!, target);
    tmp = undefined;
    return true;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    if (tmp !== undefined) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // Nothing more to do about it.
      }
    }
  }
}

function lintCommand(args: string[], io: Io): number {
  const { positional, options } = parseArgs(args, ['--format', '--config', '-f', '-c'], ['--fix', '--verbose']);
  const format = (options.get('--format') ?? options.get('-f') ?? 'text') as string;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format '${format}' (expected text, json or sarif)`);
  if (positional.length === 0) throw new UsageError('lint needs at least one PATH (a plan file or a folder)');
  const configPath = (options.get('--config') ?? options.get('-c')) as string | undefined;
  const explicit = configPath ? loadConfigFile(path.resolve(io.cwd, configPath)) : undefined;
  // Problems with one file or folder (unreadable, not a regular file, a fix not written) are
  // reported in a line each; the other plans are still checked.
  let ioProblems = 0;
  let notWritten = 0;
  const problem = (message: string): void => {
    complain(io, message);
    ioProblems++;
  };
  const files = collectPlans(io, positional, problem);
  const cache = new Map<string, LintConfig>();
  const results: FileResult[] = [];
  // What --fix changed: fixes in the files written, and the files.
  let fixedProblems = 0;
  let fixedFiles = 0;
  for (const file of files) {
    let read: PlanRead;
    try {
      read = readPlan(file);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problem(err.message);
      continue;
    }
    // (The config is looked up after the plan is read: a test saves the plan from there, as another program would.)
    const config = configFor(io, file.fsPath, explicit, cache);
    let diagnostics;
    if (options.has('--fix')) {
      const fixed = fixAll(read.text, { config, files: nodeSqlFiles(file.fsPath.toString()) });
      if (fixed.blockedByYaml) complain(io, `note: ${file.shown}: not fixed, it has YAML errors; fix those first`);
      diagnostics = fixed.diagnostics;
      if (fixed.text !== read.text) {
        let written = false;
        try {
          written = writeFixes(file, read, fixed.text);
          if (written) {
            fixedProblems += fixed.applied;
            fixedFiles++;
          } else {
            complain(io, `${file.shown}: changed since it was read; fixes not written (run lint --fix again)`);
            notWritten++;
          }
        } catch (err) {
          problem(`${file.shown}: cannot write fixes (${ioReason(err)})`);
        }
        // What is on disk is what was read: report that.
        if (!written) diagnostics = lint(read.text, { config, files: nodeSqlFiles(file.fsPath.toString()) }).diagnostics;
      }
    } else diagnostics = lint(read.text, { config, files: nodeSqlFiles(file.fsPath.toString()) }).diagnostics;
    results.push({ path: file.shown, ...(file.rawShown ? { rawPath: file.rawShown } : {}), diagnostics });
  }
  if (results.length > 0) {
    if (format === 'json') io.stdout(formatJson(results));
    else if (format === 'sarif') io.stdout(formatSarif(results, VERSION));
    else io.stdout(formatText(results, io.color, options.has('--verbose')));
    if (options.has('--fix')) {
      // Placeholders over every plan as it now is on disk: the TODOs the fixes wrote, and any left before.
      const placeholders = results.reduce((n, r) => n + placeholderCount(r.diagnostics), 0);
      const summary = fixSummary(fixedProblems, placeholders, fixedFiles);
      // The text report's last line; beside JSON or SARIF, on stderr, so that stdout stays one document.
      if (format === 'text') io.stdout(`${summary}\n`);
      else complain(io, summary);
    }
  }
  if (ioProblems > 0) return 2;
  if (summarize(results).errors > 0) return 1;
  return notWritten > 0 ? 2 : 0;
}

function renderCommand(args: string[], io: Io): number {
  const { positional, options } = parseArgs(args, ['-o', '--output', '--config', '-c', '--rehearsal'], []);
  if (positional.length !== 1) throw new UsageError('render needs exactly one plan FILE');
  const rehearsalPath = options.get('--rehearsal') as string | undefined;
  let rehearsal: RehearsalReport | undefined;
  if (rehearsalPath !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path.resolve(io.cwd, rehearsalPath), 'utf8'));
    } catch (err) {
      throw new UsageError(`${rehearsalPath}: cannot read a rehearsal report (${err instanceof SyntaxError ? 'not JSON' : ioReason(err)})`);
    }
    rehearsal = asRehearsalReport(json);
    if (!rehearsal) throw new UsageError(`${rehearsalPath}: not a rehearsal report (migplan rehearse --report OUT.json writes one)`);
  }
  const file = path.resolve(io.cwd, positional[0]);
  if (!YAML_RE.test(file)) throw new UsageError(`${positional[0]}: not a YAML file (plans are named *.migplan.yaml)`);
  const plan = planFromArg(io, file);
  const configPath = (options.get('--config') ?? options.get('-c')) as string | undefined;
  const config = configFor(io, plan.fsPath, configPath ? loadConfigFile(path.resolve(io.cwd, configPath)) : undefined, new Map());
  const { text } = readPlan(plan);
  const { plan: model, diagnostics } = lint(text, { config, files: nodeSqlFiles(plan.fsPath.toString()) });
  let md = renderMarkdown(model, diagnostics, config);
  if (rehearsal) md = `${md.replace(/\n*$/, '')}\n\n${renderRehearsal(rehearsal)}`;
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
  const shown = escapeControls(name);
  io.stdout(`Wrote ${shown}. Fill in the TODOs, then run: migplan lint ${shown}\n`);
  if (!PLAN_RE.test(name)) complain(io, 'note: editors recognise plans by the name *.migplan.yaml');
  return 0;
}

/** The command line, with the commands that run asynchronously (rehearse); returns the exit code. Never throws. */
export async function mainAsync(argv: string[], io: Io): Promise<number> {
  if (argv[0] !== 'rehearse') return main(argv, io);
  try {
    return await rehearseCommand(argv.slice(1), io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof RehearsalRefused) {
      complain(io, err.message);
      return 2;
    }
    complain(io, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}

const fmtDuration = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** One line of progress: phase, step, batch k of n, rows/s, time left. */
function progressLine(p: Progress): string {
  const parts = [p.phase ? `phase ${p.phase}` : undefined, p.step];
  if (p.batch) {
    parts.push(`batch ${p.batch.k} of ${p.batch.n}`);
    if (p.batch.rowsPerS !== undefined) parts.push(`${p.batch.rowsPerS.toLocaleString('en-US')} rows/s`);
    if (p.batch.msLeft !== undefined) parts.push(`${fmtDuration(p.batch.msLeft)} left`);
  }
  return parts.filter(Boolean).join(' · ');
}

/** The figures of a rehearsal, as text under the findings. */
function rehearsalText(r: RehearsalReport): string {
  const out: string[] = [`Rehearsed on ${r.engine === 'pglite' ? 'PGlite (embedded)' : 'a PostgreSQL server'}, PostgreSQL ${r.server_version}, ${r.rows.toLocaleString('en-US')} rows, in ${fmtDuration(r.ms)}.`];
  for (const p of r.phases) {
    const bits = [`${p.id}: ${fmtDuration(p.ms)}`];
    if (p.statements.length) bits.push(`${p.statements.length} statement${p.statements.length === 1 ? '' : 's'}`);
    if (p.backfill) bits.push(`backfill ${p.backfill.rows.toLocaleString('en-US')} rows in ${p.backfill.batches} batch${p.backfill.batches === 1 ? '' : 'es'}, ${p.backfill.rows_per_s.toLocaleString('en-US')} rows/s, idempotent: ${p.backfill.idempotent ?? 'not proven'}, restartable: ${p.backfill.restartable ?? 'not proven'}`);
    if (p.checks.length) bits.push(`checks ${p.checks.filter((c) => c.passed).length} of ${p.checks.length} held`);
    if (p.rollback) bits.push(`rollback ${p.rollback.restores === true ? 'restores' : p.rollback.restores === false ? 'does not restore' : 'not judged'}`);
    out.push(`  ${bits.join('; ')}`);
  }
  if (r.target_schema.matches !== null) out.push(`  end state ${r.target_schema.matches ? 'matches' : 'differs from'} target_schema`);
  for (const e of r.extrapolations) out.push(`  at ${e.rows.toLocaleString('en-US')} rows of ${e.table}, ${e.what === 'backfill' ? 'the backfill' : `the rewrite on line ${e.line ?? '?'}`} of phase ${e.phase} would take about ${fmtDuration(e.ms)}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

async function defaultEngine(url: string | undefined): Promise<Engine> {
  return url === undefined ? openPglite() : openPostgres(url);
}

async function rehearseCommand(args: string[], io: Io): Promise<number> {
  const { positional, options } = parseArgs(args, ['--database', '--rows', '--format', '-f', '--report', '--config', '-c'], []);
  const format = (options.get('--format') ?? options.get('-f') ?? 'text') as string;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format '${format}' (expected text, json or sarif)`);
  if (positional.length !== 1) throw new UsageError('rehearse needs exactly one plan FILE');
  const rowsArg = options.get('--rows') as string | undefined;
  let rows: number | undefined;
  if (rowsArg !== undefined) {
    if (!/^\d+$/.test(rowsArg) || Number(rowsArg) < 1 || Number(rowsArg) > 100_000_000) throw new UsageError(`--rows must be a whole number from 1 to 100000000, not '${rowsArg}'`);
    rows = Number(rowsArg);
  }
  const url = options.get('--database') as string | undefined;
  if (url !== undefined && url.trim() === '') throw new UsageError('--database needs a URL (postgres://user@host/db, or postgresql:///db?host=/run/postgresql)');
  const file = path.resolve(io.cwd, positional[0]);
  const planFile = planFromArg(io, file);
  const configPath = (options.get('--config') ?? options.get('-c')) as string | undefined;
  const config = configFor(io, planFile.fsPath, configPath ? loadConfigFile(path.resolve(io.cwd, configPath)) : undefined, new Map());
  const { text } = readPlan(planFile);
  const files = nodeSqlFiles(planFile.fsPath.toString());
  const linted = lint(text, { config, files });
  const plan = linted.plan;
  const refused = rehearsalRefusal(linted, planFile.shown, url !== undefined, files);
  if (refused) throw new UsageError(refused.kind === 'unreadable' ? `${refused.message}; run migplan lint` : refused.message);
  const open = io.openEngine ?? defaultEngine;
  let engine: Engine;
  try {
    engine = await open(url);
  } catch (err) {
    throw new UsageError(openFailure(url, err));
  }
  if (url !== undefined && !io.openEngine) {
    // Scratch schemas of rehearsals whose process was killed (their session, and its advisory lock, are gone).
    const dropped = await dropStaleRehearsalSchemas(url, 0).catch(() => []);
    if (dropped.length > 0) complain(io, `note: dropped ${dropped.length} scratch schema${dropped.length === 1 ? '' : 's'} left by an interrupted rehearsal (${dropped.join(', ')})`);
  }
  let status = '';
  const show = (line: string): void => {
    if (!io.interactive) return;
    const cut = line.length > 100 ? `${line.slice(0, 99)}…` : line;
    io.stderr(`\r${cut.padEnd(status.length)}`);
    status = cut;
  };
  let result;
  try {
    result = await rehearse(plan, engine, { files, ...(rows !== undefined ? { rows } : {}), onProgress: (p) => show(progressLine(p)) });
  } finally {
    if (status) io.stderr(`\r${' '.repeat(status.length)}\r`);
    await engine.close();
  }
  const diagnostics = findingDiagnostics(plan, result.findings);
  const results: FileResult[] = [{ path: planFile.shown, diagnostics }];
  const json = formatJson(results, { rehearsal: result.report });
  const reportPath = options.get('--report') as string | undefined;
  if (reportPath !== undefined) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, reportPath), json);
    } catch (err) {
      throw new UsageError(`${reportPath}: cannot write (${ioReason(err)})`);
    }
  }
  if (format === 'json') io.stdout(json);
  else if (format === 'sarif') io.stdout(formatSarif(results, VERSION, Object.values(REHEARSE_RULES)));
  else io.stdout(formatText(results, io.color) + rehearsalText(result.report));
  return summarize(results).errors > 0 ? 1 : 0;
}

/**
 * A reader that goes away (`migplan render plan.migplan.yaml | head -2`) ends
 * the process quietly: on stdout with exit 0, as `grep` and `git` users
 * expect; on stderr with the exit code already decided. Any other failure to
 * write the output is one line on stderr and exit 2. Without these handlers
 * Node throws the stream's error event with a stack trace.
 */
function endQuietlyOnWriteErrors(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    try {
      process.stderr.write(`migplan: cannot write the output (${err.code ?? err.message})\n`);
    } finally {
      process.exit(2);
    }
  });
  process.stderr.on('error', () => {
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 2);
  });
}

/** Entry point when run as a program. */
export async function run(): Promise<void> {
  endQuietlyOnWriteErrors();
  // PostgreSQL's parser, for plans with SQL: loaded before anything is linted (a few milliseconds).
  if (process.argv[2] === 'lint' || process.argv[2] === 'render' || process.argv[2] === 'rehearse') await loadSqlParser();
  const color = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0' ? true : process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const code = await mainAsync(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    color,
    interactive: process.stderr.isTTY === true,
    ...todayFromEnv(),
  });
  process.exitCode = code;
}

if (require.main === module) void run();
