/**
 * A real PostgreSQL for the rehearsal tests and benchmark, started by the tests themselves
 * from Debian's `postgresql` package (`/usr/lib/postgresql/<major>/bin`, the
 * newest major installed): a new cluster in a temporary folder, listening on a
 * Unix socket in that folder only (no TCP), trust authentication, fsync off.
 * Run as root (as CI is), the server runs as the `postgres` user; otherwise as
 * the current user. `stop()` stops it at once and removes the folder; the
 * process's exit and SIGINT/SIGTERM/SIGHUP do the same for a cluster still running.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';

export interface Cluster {
  /** A `pg` URL of the database `rehearse`, user `postgres`, over the Unix socket. */
  url: string;
  /** The folder of the socket (and, under `data/`, of the cluster). */
  socketDir: string;
  /** The socket's port number (it only names the socket file, `.s.PGSQL.<port>`). */
  port: number;
  /** Stops the server (immediate shutdown) and removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The bin folder of the newest PostgreSQL major installed, or an Error saying how to install it. */
export function postgresBin(): string {
  const majors = fs.existsSync(PG_ROOT)
    ? fs
        .readdirSync(PG_ROOT)
        .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(PG_ROOT, d, 'bin', 'initdb')) && fs.existsSync(path.join(PG_ROOT, d, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(`no PostgreSQL server under ${PG_ROOT}/<major>/bin: install Debian's postgresql package (apt-get install postgresql; .ci/run installs it)`);
  }
  return path.join(PG_ROOT, majors[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;
/** The command line that runs `bin/<tool> args` as the server's user. */
function asServerUser(bin: string, tool: string, args: string[]): [string, string[]] {
  const exe = path.join(bin, tool);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
}

const running = new Set<() => void>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const stopAll = (): void => {
    for (const stop of [...running]) stop();
  };
  process.on('exit', stopAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(code);
    });
  }
}

export async function startCluster(): Promise<Cluster> {
  const bin = postgresBin();
  // Resolved, so that the socket path is short and has no link in it (sockets are limited to ~107 bytes).
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'migplan-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  const port = await freePort();
  if (Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}`)) > 100) throw new Error(`the temporary folder's path is too long for a Unix socket: ${dir}`);

  let started = false;
  /** Synchronous, for the exit hook too. */
  const stopNow = (): void => {
    running.delete(stopNow);
    if (started) {
      const [cmd, args] = asServerUser(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
      started = false;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  running.add(stopNow);
  hookExit();

  try {
    if (asRoot) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (pw.status !== 0) throw new Error("no user 'postgres': install Debian's postgresql package (apt-get install postgresql; .ci/run installs it)");
      fs.chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    }
    const [initCmd, initArgs] = asServerUser(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await run(initCmd, initArgs, { timeout: 60_000 }).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`initdb failed: ${(err.stderr || err.message).trim()}`);
    });
    const [ctlCmd, ctlArgs] = asServerUser(bin, 'pg_ctl', [
      '-D',
      data,
      '-o',
      `-c listen_addresses='' -k ${dir} -p ${port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      '-w',
      '-t',
      '30',
      '-l',
      log,
      'start',
    ]);
    started = true;
    await run(ctlCmd, ctlArgs, { timeout: 60_000 }).catch((err: { stderr?: string; message: string }) => {
      const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim() : '';
      throw new Error(`pg_ctl start failed: ${(err.stderr || err.message).trim()}${serverLog ? `\n${serverLog}` : ''}`);
    });
    const admin = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE rehearse');
    } finally {
      await admin.end();
    }
  } catch (err) {
    stopNow();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `postgresql://postgres@/rehearse?host=${dir.replace(/[^\w/.-]/g, encodeURIComponent)}&port=${port}`,
    socketDir: dir,
    port,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        if (!running.has(stopNow)) return resolve();
        running.delete(stopNow);
        const [cmd, args] = asServerUser(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        execFile(cmd, args, { timeout: 30_000 }, () => {
          started = false;
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      });
      return stopped;
    },
  };
}
