/**
 * A real VS Code for `npm start` and the end-to-end tests: the VS Code server
 * build inside code-server (run directly on Node 24), driven by Debian's
 * Chromium through playwright-core. Installed on first use into `.e2e/`
 * (git-ignored) from the npm registry only; later runs reuse it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const E2E_DIR = process.env.MIGPLAN_E2E_DIR ?? path.join(ROOT, '.e2e');
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';
export const CHROMIUM = process.env.MIGPLAN_CHROMIUM ?? '/usr/bin/chromium';

const NODE_DIR = path.join(E2E_DIR, 'node24', 'node_modules', 'node', 'node_modules', `node-linux-${process.arch}`);
export const NODE24 = path.join(NODE_DIR, 'bin', 'node');
const CODE_SERVER_DIR = path.join(E2E_DIR, 'code-server');
/** The VS Code build inside code-server: its extensions, its node_modules. */
export const VSCODE_DIR = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'lib', 'vscode');
export const SERVER_MAIN = path.join(VSCODE_DIR, 'out', 'server-main.js');
const READY = path.join(E2E_DIR, `ready-code-server-${CODE_SERVER_VERSION}.json`);

/** Chromium flags that keep it quiet on a machine without internet. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** User settings that keep the workbench quiet and predictable. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
};

export type Log = (line: string) => void;

/** Time between the progress lines of a long set-up step (ms). */
export const PROGRESS_INTERVAL_MS = 8000;

/** A set-up step: its line, progress lines from the commands it runs (they start with `[n/total] short`), and its time. */
async function step(log: Log, n: number, total: number, what: string, short: string, fn: (progress: { label: string; since: number }) => Promise<void>): Promise<void> {
  const t = performance.now();
  log(`[${n}/${total}] ${what} ...`);
  await fn({ label: `[${n}/${total}] ${short}`, since: t });
  log(`[${n}/${total}] ${what}: done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

/**
 * The environment without an enclosing npm's variables: under `npm test`, a nested npm
 * would take them as its own config (code-server's install script reads the Node version
 * from npm_config_user_agent, which would still name the outer npm's Node 20).
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface RunWithProgressOptions {
  cwd: string;
  /** Default: this process's environment without npm's variables. */
  env?: NodeJS.ProcessEnv;
  /** The command as the error names it (`npm install node@24`). */
  what: string;
  /** Receives the progress lines. */
  log: Log;
  /** Starts every progress line (`[2/2] VS Code server`). */
  label: string;
  /** Milliseconds between progress lines (default PROGRESS_INTERVAL_MS). */
  intervalMs?: number;
  /** A folder whose size so far the lines report (the install's target). */
  watchDir?: string;
  /** What the command does while no child process of it runs (npm: resolving, fetching, unpacking). */
  idle?: string;
  /** performance.now() at which the elapsed time starts (default: when the child starts). */
  since?: number;
}

/**
 * Runs a command (no shell) and, every intervalMs while it runs, logs one line of what it is
 * doing, from what can be seen: the time so far, the size of the folder it fills, the process
 * it is running now (on Linux, from /proc: the chain of its newest descendants, with the
 * package each one works in) or else its last line of output. Nothing is logged once it has
 * ended. Resolves when it exits with 0; otherwise rejects with the last 15 lines of its output.
 */
export function runWithProgress(cmd: string, args: string[], opts: RunWithProgressOptions): Promise<void> {
  const since = opts.since ?? performance.now();
  const lines: string[] = [];
  const partial = { out: '', err: '' };
  const collect = (stream: 'out' | 'err', text: string): void => {
    const parts = (partial[stream] + text).split(/\r?\n|\r/);
    partial[stream] = parts.pop() ?? '';
    for (const l of parts) lines.push(l);
    if (lines.length > 400) lines.splice(0, lines.length - 200);
  };
  return new Promise<void>((resolve, reject) => {
    let ended = false;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => collect('out', b.toString()));
    child.stderr.on('data', (b: Buffer) => collect('err', b.toString()));
    const timer = setInterval(() => {
      if (ended) return;
      const parts = [`${Math.floor((performance.now() - since) / 1000)} s`];
      if (opts.watchDir !== undefined) parts.push(`${formatMB(folderSize(opts.watchDir))} in ${shownPath(opts.watchDir)}`);
      const last = lastLine([...lines, partial.out, partial.err]);
      parts.push(child.pid === undefined ? 'starting' : activity(child.pid, path.basename(cmd).replace(/\.cmd$/, ''), opts.idle, last));
      opts.log(`${opts.label}: ${parts.join(', ')}`);
    }, opts.intervalMs ?? PROGRESS_INTERVAL_MS);
    const finish = (err?: Error): void => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (err) => finish(new Error(`${opts.what} did not start: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return finish();
      const tail = [...lines, partial.out, partial.err].join('\n').trim().split('\n').slice(-15).join('\n');
      finish(new Error(`${opts.what} failed (exit ${code ?? signal}):\n${tail}`));
    });
  });
}

/** The last non-empty output line, without colours, URLs cut to their last segment, at most 100 characters. */
function lastLine(lines: string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!
      .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
      .replace(/https?:\/\/\S+/g, (url) => `…/${decodeURIComponent(url.replace(/\/+$/, '').split('/').pop() ?? '')}`)
      .trim();
    if (l) return l.length > 100 ? `${l.slice(0, 99)}…` : l;
  }
  return undefined;
}

/** Apparent size of the files under dir (0 when it does not exist yet). */
function folderSize(dir: string): number {
  let bytes = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          bytes += fs.lstatSync(p).size;
        } catch {
          // removed meanwhile
        }
      }
    }
  }
  return bytes;
}

function formatMB(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : mb.toFixed(0)} MB`;
}

function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

interface Proc {
  pid: number;
  argv: string[];
  cwd: string | undefined;
}

/** On Linux: the chain of newest descendants of pid (its newest child, that child's newest child...), and how many siblings run beside the chain's processes. */
function processChain(pid: number): { chain: Proc[]; others: number } {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return { chain: [], others: 0 };
  }
  const children = new Map<number, Array<{ pid: number; start: number }>>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ... starttime (the 22nd field); comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push({ pid: Number(name), start: Number(f[19]) });
    children.set(ppid, list);
  }
  const chain: Proc[] = [];
  let others = 0;
  for (let at = pid, depth = 0; depth < 40; depth++) {
    const kids = children.get(at);
    if (!kids || kids.length === 0) break;
    const newest = kids.reduce((a, b) => (b.start > a.start ? b : a));
    others += kids.length - 1;
    at = newest.pid;
    let argv: string[] = [];
    let cwd: string | undefined;
    try {
      argv = fs.readFileSync(`/proc/${at}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      cwd = fs.readlinkSync(`/proc/${at}/cwd`);
    } catch {
      // ended meanwhile
    }
    chain.push({ pid: at, argv, cwd });
  }
  return { chain, others };
}

/** A process in a few words (`postinstall.sh`, `npm install`, `cc sqlite3.c`), or undefined for wrappers and compiler internals. */
export function describeProcess(argv: string[]): string | undefined {
  // A process that set its title (npm, node-gyp) has one argument with spaces.
  const a = argv.length === 1 ? argv[0]!.split(' ') : argv;
  if (a.length === 0) return undefined;
  const exe = path.basename(a[0]!);
  const rest = a.slice(1);
  const operands = rest.filter((x) => !x.startsWith('-'));
  if (/^(sh|bash|dash)$/.test(exe)) return rest[0] === '-c' || operands.length === 0 ? undefined : [path.basename(operands[0]!), ...operands.slice(1, 3)].join(' ');
  if (/^node(js)?\d*$/.test(exe)) return operands.length === 0 ? 'node' : [path.basename(operands[0]!), ...operands.slice(1, 3)].join(' ');
  if (/^(cc1|cc1plus|cc1obj|as|ld|ld\.\w+|collect2|lto1)$/.test(exe)) return undefined;
  if (/^(cc|gcc|g\+\+|c\+\+|clang|clang\+\+)(-\d+)?$/.test(exe)) {
    const source = rest.find((x) => /\.(c|cc|cpp|cxx|m|mm|s)$/i.test(x));
    if (source !== undefined) return `${exe} ${path.basename(source)}`;
    const out = rest[rest.indexOf('-o') + 1];
    return rest.includes('-o') && out !== undefined ? `${exe} → ${path.basename(out)}` : exe;
  }
  if (/^python[\d.]*$/.test(exe)) return operands.length === 0 ? exe : `${exe} ${path.basename(operands[0]!)}`;
  if (exe === 'make') return 'make';
  return [exe, ...operands.slice(0, 2).map((x) => path.basename(x))].join(' ').slice(0, 40);
}

/** The npm package a folder is in (`@vscode/sqlite3` for …/node_modules/@vscode/sqlite3/build). */
function packageOf(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  let found: string | undefined;
  for (const m of dir.split(path.sep).join('/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)) found = m[1];
  return found;
}

/** What the command is doing: the processes it runs now, or, with none, its last output line. */
function activity(pid: number, name: string, idle: string | undefined, last: string | undefined): string {
  const { chain, others } = processChain(pid);
  const labels: string[] = [];
  let pkg: string | undefined;
  let prevWord: string | undefined;
  for (const p of chain) {
    const label = describeProcess(p.argv);
    if (label === undefined) continue;
    const word = label.split(' ')[0];
    const inPkg = packageOf(p.cwd);
    // node-gyp's shell wrapper, then node-gyp itself: one is enough.
    if (word === prevWord && inPkg === pkg) continue;
    prevWord = word;
    labels.push(inPkg !== undefined && inPkg !== pkg ? `${inPkg}: ${label}` : label);
    pkg = inPkg ?? pkg;
  }
  if (labels.length > 0) return `running ${labels.join(' › ')}${others > 0 ? ` (+${others} more in parallel)` : ''}`;
  const what = idle !== undefined ? `${name}: ${idle}` : name;
  return last !== undefined ? `${what}, last output: ${(last.startsWith(`${name} `) ? last.slice(name.length + 1) : last)}` : `${what}, no output yet`;
}

/** Checks what Debian must provide; throws with the install command when something is missing. */
export function checkSystem(): void {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (.ci/run does this)`);
}

let installing: Promise<void> | undefined;

/**
 * Installs Node 24 and the VS Code server into .e2e/ unless already there. Prints a line per
 * step with its time, and while a step runs, a progress line every intervalMs. Callers at the
 * same time share one install.
 */
export function ensureVsCodeServer(log: Log = (l) => console.log(l), intervalMs = PROGRESS_INTERVAL_MS): Promise<void> {
  installing ??= install(log, intervalMs).finally(() => (installing = undefined));
  return installing;
}

async function install(log: Log, intervalMs: number): Promise<void> {
  checkSystem();
  if (fs.existsSync(READY) && fs.existsSync(NODE24) && fs.existsSync(SERVER_MAIN)) return;
  fs.mkdirSync(E2E_DIR, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // --loglevel=http: npm says which request finished, which the progress lines show while no script runs.
  const npmArgs = ['install', '--no-audit', '--no-fund', '--loglevel=http'];
  const idle = 'resolving, fetching, unpacking';
  const total = 2;
  await step(log, 1, total, `Node ${NODE_MAJOR} for the VS Code server (npm package node@${NODE_MAJOR})`, `Node ${NODE_MAJOR}`, async (progress) => {
    const dir = path.join(E2E_DIR, 'node24');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
    await runWithProgress(npm, [...npmArgs, `node@${NODE_MAJOR}`], { cwd: dir, what: `npm install node@${NODE_MAJOR}`, log, intervalMs, watchDir: dir, idle, ...progress });
    if (!fs.existsSync(NODE24)) throw new Error(`node@${NODE_MAJOR} installed, but ${NODE24} is missing`);
  });
  await step(log, 2, total, `VS Code server (code-server ${CODE_SERVER_VERSION}; a few minutes on first use)`, 'VS Code server', async (progress) => {
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) throw new Error('code-server builds a kerberos addon: apt-get install -y libkrb5-dev pkg-config (.ci/run does this)');
    fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
    fs.writeFileSync(path.join(CODE_SERVER_DIR, 'package.json'), '{"private":true}\n');
    // code-server's install script needs npm running on Node 24, and Node 24's headers for its addons.
    const env = cleanEnv({ PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: NODE_DIR });
    await runWithProgress(npm, [...npmArgs, `code-server@${CODE_SERVER_VERSION}`], { cwd: CODE_SERVER_DIR, env, what: `npm install code-server@${CODE_SERVER_VERSION}`, log, intervalMs, watchDir: CODE_SERVER_DIR, idle, ...progress });
    if (!fs.existsSync(SERVER_MAIN)) throw new Error(`code-server installed, but ${SERVER_MAIN} is missing`);
  });
  fs.writeFileSync(READY, JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: process.versions.node, at: new Date().toISOString() }) + '\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  /** Folder with installed extensions (default: a fresh one). */
  extensionsDir?: string;
  /** Required to run extension tests through the payload. */
  smokeTestDriver?: boolean;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Port (default: a free one). */
  port?: number;
  /** Prefix of the run folder under .e2e/runs. */
  name?: string;
}

export interface VsCodeServer {
  host: string;
  port: number;
  /** The run's folder (home, data dirs). */
  dir: string;
  extensionsDir: string;
  /** A workbench URL opening `folder`, with an optional payload (`[["openFile", uri], ...]`). */
  url(folder: string, payload?: Array<[string, string]>): string;
  /** `vscode-remote://host/abs/path` for a payload. */
  remote(absPath: string): string;
  logs(): string;
  stop(): Promise<void>;
}

function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    TMPDIR: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_RUNTIME_DIR: home,
  };
}

function serverDirs(dir: string, extensionsDir?: string): { home: string; userData: string; serverData: string; extensions: string } {
  const d = { home: path.join(dir, 'home'), userData: path.join(dir, 'user-data'), serverData: path.join(dir, 'server-data'), extensions: extensionsDir ?? path.join(dir, 'extensions') };
  for (const p of Object.values(d)) fs.mkdirSync(p, { recursive: true });
  return d;
}

/** Installs a .vsix into an extensions folder with the VS Code server's own CLI. */
export function installVsix(vsix: string, extensionsDir: string): void {
  const dir = fs.mkdtempSync(path.join(E2E_DIR, 'install-'));
  try {
    const d = serverDirs(dir, extensionsDir);
    const r = spawnSync(NODE24, [SERVER_MAIN, '--accept-server-license-terms', '--install-extension', vsix, '--force', '--extensions-dir', d.extensions, '--user-data-dir', d.userData, '--server-data-dir', d.serverData], {
      env: isolatedEnv(d.home),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${path.basename(vsix)} failed (exit ${r.status}):\n${out.trim().split('\n').slice(-10).join('\n')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a VS Code server on 127.0.0.1 in its own process group; resolves when it answers HTTP. */
export async function startVsCodeServer(opts: ServerOptions = {}): Promise<VsCodeServer> {
  await ensureVsCodeServer();
  const port = opts.port ?? (await freePort());
  const runs = path.join(E2E_DIR, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  const dir = fs.mkdtempSync(path.join(runs, `${opts.name ?? 'vscode'}-`));
  const d = serverDirs(dir, opts.extensionsDir);
  fs.mkdirSync(path.join(d.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(d.userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  const args = [SERVER_MAIN, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms', '--disable-telemetry', '--user-data-dir', d.userData, '--server-data-dir', d.serverData, '--extensions-dir', d.extensions];
  if (opts.smokeTestDriver) args.push('--enable-smoke-test-driver');
  let output = '';
  const child: ChildProcess = spawn(NODE24, args, { env: isolatedEnv(d.home), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const host = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + 5000;
    while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the VS Code server exited at start-up:\n${output.trim().split('\n').slice(-15).join('\n')}`);
    const ok = await fetch(`http://${host}/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the VS Code server did not answer on ${host} within 60 s:\n${output.trim().split('\n').slice(-15).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const remote = (p: string): string => `vscode-remote://${host}${p}`;
  return {
    host,
    port,
    dir,
    extensionsDir: d.extensions,
    remote,
    url: (folder, payload) => `http://${host}/?folder=${encodeURIComponent(folder)}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`,
    logs: () => output,
    stop,
  };
}

/** Debian's Chromium through playwright-core; fails with the reason when it cannot start. */
export async function launchChromium(): Promise<Browser> {
  checkSystem();
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (err) {
    throw new Error(`Chromium did not start: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`, { cause: err });
  }
}

export interface ExtensionTestRun {
  /** The exit code the test run reported, or 'timeout'. */
  code: number | 'timeout';
  /** The extension host's console, in order. */
  log: string[];
}

/**
 * Runs an extension's test suite inside the real extension host (the payload
 * that @vscode/test-electron passes to a desktop VS Code).
 */
export async function runExtensionTests(opts: { extensionPath: string; testsPath: string; folder: string; timeoutMs?: number }): Promise<ExtensionTestRun> {
  const server = await startVsCodeServer({ smokeTestDriver: true, name: 'exthost' });
  const browser = await launchChromium();
  try {
    const page: Page = await browser.newPage();
    const log: string[] = [];
    let finish: (code: number | 'timeout') => void = () => undefined;
    const finished = new Promise<number | 'timeout'>((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const parts = Array.isArray(args) ? args : [args];
      log.push(`[${type}] ${formatConsole(parts)}`);
    });
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', server.remote(opts.extensionPath)],
      ['extensionTestsPath', server.remote(opts.testsPath)],
    ];
    await page.goto(server.url(opts.folder, payload));
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 240_000);
    const code = await finished;
    clearTimeout(timer);
    return { code, log };
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

/** console.log('%s ok', x) as text (mocha's reporters use format strings). */
function formatConsole(parts: unknown[]): string {
  const [first, ...rest] = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
  if (first === undefined) return '';
  let i = 0;
  const formatted = first.replace(/%[sdifoOc]/g, () => (i < rest.length ? String(rest[i++]) : ''));
  return [formatted, ...rest.slice(i)].join(' ').replace(/\x1b\[[0-9;]*m/g, '');
}
