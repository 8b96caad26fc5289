/**
 * The command line against what file systems hold besides plain files with
 * plain names: symlinks, FIFOs, devices, sockets, names that are not UTF-8 or
 * that carry terminal escapes, another program writing the plan while
 * `--fix` runs, and a reader that closes the pipe early.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../server/src/cli';
import { lint } from '../server/src/service/linting/lint';
import { EXAMPLES, ROOT, read } from './helpers';

const EXAMPLE = path.join(EXAMPLES, 'split-user-name.migplan.yaml');
/** The half-written example: many errors. */
const DRAFT = path.join(EXAMPLES, 'draft-rename-orders-total.migplan.yaml');
const DRAFT_ERRORS = lint(read(DRAFT), { config: { today: '2026-12-01' } }).diagnostics.filter((d) => d.severity === 'error').length;
/** The CLI as compiled by tsc, run as a program (for cases that hung: a timeout fails them instead). */
const CLI_OUT = path.join(ROOT, 'out', 'server', 'src', 'cli.js');
const BIN = path.join(ROOT, 'bin', 'migplan.js');
const POSIX = process.platform !== 'win32';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-files-'));
  dirs.push(d);
  return d;
}

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(args: string[], cwd: string, color = false): Run {
  let out = '';
  let err = '';
  const code = main(args, { cwd, stdout: (s) => (out += s), stderr: (s) => (err += s), color, today: '2026-12-01' });
  return { code, out, err };
}

/** Runs the compiled CLI in a child process, so that a hang is a failure after `timeout` ms. */
function runChild(args: string[], cwd: string, timeout = 10_000): Run {
  const r = spawnSync(process.execPath, [CLI_OUT, ...args], { cwd, encoding: 'utf8', timeout, env: { ...process.env, MIGPLAN_TODAY: '2026-12-01', NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

/** The example without the cutover's soak: one warning, which --fix fixes. */
function soaklessPlan(): string {
  return read(EXAMPLE).replace('    soak: 24h\n', '');
}

/** The example without soak and sign-off: an error (sign-off) that --fix turns into a placeholder error. */
function brokenPlan(): string {
  return soaklessPlan().replace('    sign_off: Dana Ortiz (data owner)\n', '');
}

/** A file name made of raw bytes (not necessarily UTF-8) inside `dir`. */
function bytePath(dir: string, ...parts: Array<string | number[]>): Buffer {
  return Buffer.concat([Buffer.from(dir + path.sep), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))]);
}

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, `mkfifo ${file}: ${r.stderr}`);
}

function listen(file: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(file, () => resolve(server));
  });
}

/** C0 and C1 controls, DEL and the bidi controls: nothing of the kind may reach a terminal raw. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('lint --fix writes through a temporary file and never over another writer', () => {
  for (const [name, plan, expectedCode] of [
    ['no error left: exit 2', soaklessPlan, 2],
    ['errors found: exit 1', brokenPlan, 1],
  ] as const) {
    it(`leaves the plan as another program left it when it changed after being read (${name})`, (t) => {
      const dir = tmpdir();
      const file = path.join(dir, 'a.migplan.yaml');
      const original = plan();
      fs.writeFileSync(file, original);
      const appended = original + '# added by the editor while migplan ran\n';
      // The config is looked up after the plan is read and before fixes are written:
      // the moment at which another program saves the plan.
      const existsSync = fs.existsSync;
      let saved = false;
      t.mock.method(fs, 'existsSync', (p: fs.PathLike): boolean => {
        if (!saved && String(p).startsWith(dir)) {
          saved = true;
          fs.appendFileSync(file, '# added by the editor while migplan ran\n');
        }
        return existsSync(p);
      });
      const r = run(['lint', '--fix', 'a.migplan.yaml'], dir);
      t.mock.restoreAll();
      assert.ok(saved, 'the concurrent save happened');
      assert.equal(fs.readFileSync(file, 'utf8'), appended, 'the other writer’s version stays');
      assert.equal(r.code, expectedCode, r.err);
      assert.equal(lines(r.err).length, 1, r.err);
      assert.match(r.err, /^migplan: a\.migplan\.yaml: changed since it was read; fixes not written/);
      // Nothing was written, so nothing was fixed.
      assert.equal(r.out.trimEnd().split('\n').pop(), 'fixed 0 problems', r.out);
      assert.deepEqual(fs.readdirSync(dir), ['a.migplan.yaml'], 'no temporary file left behind');
    });
  }

  it('replaces the plan in one step: a reader that opened it before sees the whole old version', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'a.migplan.yaml');
    const original = brokenPlan();
    fs.writeFileSync(file, original);
    fs.chmodSync(file, 0o640);
    const fd = fs.openSync(file, 'r');
    try {
      const r = run(['lint', '--fix', 'a.migplan.yaml'], dir);
      assert.equal(r.code, 1, r.err);
      assert.equal(r.err, '');
      assert.match(r.out, /\nfixed 2 problems in 1 file; 1 placeholder left to fill\n$/);
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(size);
      fs.readSync(fd, buf, 0, size, 0);
      assert.equal(buf.toString('utf8'), original, 'the old file is intact, not truncated and rewritten');
    } finally {
      fs.closeSync(fd);
    }
    const fixed = fs.readFileSync(file, 'utf8');
    assert.match(fixed, /soak: 24h\n/);
    if (POSIX) assert.equal(fs.statSync(file).mode & 0o7777, 0o640, 'the mode is kept');
    assert.deepEqual(fs.readdirSync(dir), ['a.migplan.yaml'], 'no temporary file left behind');
  });

  it('fixes the target of a symlinked plan and keeps the symlink', { skip: !POSIX }, () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 'plan.migplan.yaml');
    fs.writeFileSync(target, soaklessPlan());
    fs.symlinkSync('real/plan.migplan.yaml', path.join(dir, 'link.migplan.yaml'));
    const r = run(['lint', '--fix', 'link.migplan.yaml'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.ok(fs.lstatSync(path.join(dir, 'link.migplan.yaml')).isSymbolicLink(), 'still a symlink');
    assert.match(fs.readFileSync(target, 'utf8'), /soak: 24h\n/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'real')), ['plan.migplan.yaml']);
  });
});

describe('lint DIR and symlinks', { skip: !POSIX }, () => {
  it('lints plans that are symlinks, once, and does not follow symlinked folders', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'src'));
    fs.mkdirSync(path.join(dir, 'plans', 'sub'), { recursive: true });
    fs.copyFileSync(DRAFT, path.join(dir, 'src', 'draft.migplan.yaml'));
    fs.copyFileSync(EXAMPLE, path.join(dir, 'plans', 'clean.migplan.yaml'));
    fs.symlinkSync('../src/draft.migplan.yaml', path.join(dir, 'plans', 'draft.migplan.yaml'));
    fs.symlinkSync('..', path.join(dir, 'plans', 'sub', 'up')); // a loop
    fs.symlinkSync('../src', path.join(dir, 'plans', 'elsewhere')); // a folder elsewhere
    const r = run(['lint', '--format', 'json', 'plans'], dir);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, '');
    const json = JSON.parse(r.out) as { files: Array<{ path: string; diagnostics: Array<{ severity: string }> }> };
    assert.deepEqual(json.files.map((f) => f.path), ['plans/clean.migplan.yaml', 'plans/draft.migplan.yaml']);
    assert.ok(DRAFT_ERRORS >= 18);
    assert.equal(json.files[1].diagnostics.filter((d) => d.severity === 'error').length, DRAFT_ERRORS);
  });

  it('reports a dangling symlink and a symlink loop in one line each and lints the rest', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'plans'));
    fs.copyFileSync(DRAFT, path.join(dir, 'plans', 'draft.migplan.yaml'));
    fs.symlinkSync('nowhere.migplan.yaml', path.join(dir, 'plans', 'gone.migplan.yaml'));
    fs.symlinkSync('self.migplan.yaml', path.join(dir, 'plans', 'self.migplan.yaml'));
    fs.symlinkSync('nowhere.txt', path.join(dir, 'plans', 'notes.txt')); // not a plan: not our business
    const r = run(['lint', '--format', 'json', 'plans'], dir);
    assert.equal(r.code, 2);
    assert.deepEqual(lines(r.err), [
      'migplan: plans/gone.migplan.yaml: broken symbolic link (its target nowhere.migplan.yaml does not exist)',
      'migplan: plans/self.migplan.yaml: symbolic link loop',
    ]);
    const json = JSON.parse(r.out) as { files: Array<{ path: string }> };
    assert.deepEqual(json.files.map((f) => f.path), ['plans/draft.migplan.yaml']);
  });
});

describe('SARIF artifact URIs', () => {
  it('percent-encodes each path segment: # ? % and spaces are not URI syntax', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'v2 #1'));
    const names = ['plan#v2.migplan.yaml', 'a?b=c.migplan.yaml', '100%.migplan.yaml', 'v2 #1/x y.migplan.yaml'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), brokenPlan());
    const r = run(['lint', '--format', 'sarif', ...names], dir);
    assert.equal(r.code, 1, r.err);
    const run0 = JSON.parse(r.out).runs[0] as { artifacts: Array<{ location: { uri: string } }>; results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> };
    const uris = run0.artifacts.map((a) => a.location.uri);
    assert.deepEqual(uris, ['plan%23v2.migplan.yaml', 'a%3Fb%3Dc.migplan.yaml', '100%25.migplan.yaml', 'v2%20%231/x%20y.migplan.yaml']);
    for (const [i, uri] of uris.entries()) {
      const u = new URL(uri, 'file:///base/');
      assert.equal(u.hash, '');
      assert.equal(u.search, '');
      assert.equal(decodeURIComponent(u.pathname), `/base/${names[i]}`);
    }
    for (const res of run0.results) assert.ok(uris.includes(res.locations[0].physicalLocation.artifactLocation.uri));
    // A plan outside the working folder is shown by its absolute path: a file: URI.
    fs.mkdirSync(path.join(dir, 'work'));
    const outside = JSON.parse(run(['lint', '--format', 'sarif', '../plan#v2.migplan.yaml'], path.join(dir, 'work')).out).runs[0] as { artifacts: Array<{ location: { uri: string } }> };
    const uri = outside.artifacts[0].location.uri;
    assert.match(uri, /^file:\/\/\/.*plan%23v2\.migplan\.yaml$/);
    assert.equal(fileURLToPath(uri), path.join(dir, 'plan#v2.migplan.yaml'));
  });
});

describe('file names that are not UTF-8', { skip: process.platform !== 'linux' }, () => {
  it('are shown by their bytes, linted, fixed, and the rest of the folder too', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'plans'));
    const latin1 = bytePath(dir, 'plans/plan-', [0xe9], '.migplan.yaml');
    fs.writeFileSync(latin1, brokenPlan());
    fs.copyFileSync(EXAMPLE, path.join(dir, 'plans', 'ok.migplan.yaml'));
    const json = run(['lint', '--format', 'json', 'plans'], dir);
    assert.equal(json.code, 1, json.err);
    assert.equal(json.err, '');
    assert.deepEqual((JSON.parse(json.out) as { files: Array<{ path: string }> }).files.map((f) => f.path), ['plans/ok.migplan.yaml', 'plans/plan-\\xe9.migplan.yaml']);
    const text = run(['lint', 'plans'], dir);
    assert.match(text.out, /^plans\/plan-\\xe9\.migplan\.yaml:\d+:\d+ error verification-sign-off /m);
    const sarif = JSON.parse(run(['lint', '--format', 'sarif', 'plans'], dir).out) as { runs: Array<{ artifacts: Array<{ location: { uri: string } }> }> };
    assert.deepEqual(sarif.runs[0].artifacts.map((a) => a.location.uri), ['plans/ok.migplan.yaml', 'plans/plan-%E9.migplan.yaml']);
    const fix = run(['lint', '--fix', 'plans'], dir);
    assert.equal(fix.code, 1, fix.err);
    assert.match(fs.readFileSync(latin1, 'utf8'), /soak: 24h\n/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'plans'), { encoding: 'buffer' }).map((b) => b.toString('latin1')).sort(), ['ok.migplan.yaml', 'plan-\xe9.migplan.yaml']);
  });

  it('find the .migplanrc.json in a folder whose name is not UTF-8', () => {
    const dir = tmpdir();
    const folder = bytePath(dir, 'd', [0xe9]);
    fs.mkdirSync(folder);
    fs.writeFileSync(Buffer.concat([folder, Buffer.from('/a.migplan.yaml')]), soaklessPlan());
    const before = JSON.parse(run(['lint', '--format', 'json', '.'], dir).out) as { files: Array<{ path: string }>; summary: { warnings: number } };
    assert.deepEqual(before.files.map((f) => f.path), ['d\\xe9/a.migplan.yaml']);
    assert.equal(before.summary.warnings, 1);
    fs.writeFileSync(Buffer.concat([folder, Buffer.from('/.migplanrc.json')]), JSON.stringify({ rules: { 'cutover-soak': 'off' } }));
    const r = run(['lint', '--format', 'json', '.'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { summary: { warnings: number } }).summary.warnings, 0);
  });
});

describe('the text format escapes control characters from plans', () => {
  it('in messages, details and paths', { skip: !POSIX }, () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'plans'));
    const plan = brokenPlan().replace('kind: cutover\n', 'kind: "\\e[2K\\r\\e[32mall good\\u202e\\x9b"\n');
    fs.writeFileSync(path.join(dir, 'plans', 'evil\x1b[8m.migplan.yaml'), plan);
    for (const args of [['lint', 'plans'], ['lint', '--verbose', 'plans']]) {
      const r = run(args, dir, true);
      assert.equal(r.code, 1, r.err);
      // Strip our own colours; nothing else may be a control character.
      const plain = r.out.replace(/\x1b\[(?:3[1369]|39|2|22|1)m/g, '');
      assert.doesNotMatch(plain, RAW_CONTROL, JSON.stringify(plain));
      assert.match(plain, /^plans\/evil\\x1b\[8m\.migplan\.yaml:\d+:\d+ error schema .*\\x1b\[2K\\r\\x1b\[32mall good\\u202e\\x9b/m);
    }
  });

  it('in the one-line errors on stderr', () => {
    const dir = tmpdir();
    const r = run(['lint', 'a\nb\x1b[2K.migplan.yaml'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'migplan: a\\nb\\x1b[2K.migplan.yaml: no such file or folder\n');
  });
});

describe('FIFOs, devices and sockets named like plans', { skip: process.platform !== 'linux' }, () => {
  it('refuses a FIFO given to lint or render instead of blocking', () => {
    const dir = tmpdir();
    mkfifo(path.join(dir, 'p.migplan.yaml'));
    for (const cmd of ['lint', 'render']) {
      const r = runChild([cmd, 'p.migplan.yaml'], dir);
      assert.equal(r.code, 2, `${cmd}: ${r.err}`);
      assert.equal(r.out, '');
      assert.equal(r.err, 'migplan: p.migplan.yaml: is a FIFO, not a plan file\n');
    }
  });

  it('refuses a symlink to /dev/zero or /dev/null instead of reading it', () => {
    const dir = tmpdir();
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.migplan.yaml'));
    fs.symlinkSync('/dev/null', path.join(dir, 'null.migplan.yaml'));
    for (const name of ['zero.migplan.yaml', 'null.migplan.yaml']) {
      const r = runChild(['lint', name], dir);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err, `migplan: ${name}: is a character device, not a plan file\n`);
    }
  });

  it('in a folder: reports each one in a line and lints the rest', async () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'plans'));
    fs.copyFileSync(DRAFT, path.join(dir, 'plans', 'draft.migplan.yaml'));
    mkfifo(path.join(dir, 'plans', 'fifo.migplan.yaml'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'plans', 'zero.migplan.yaml'));
    const server = await listen(path.join(dir, 'plans', 'sock.migplan.yaml'));
    try {
      const r = runChild(['lint', '--format', 'json', 'plans'], dir);
      assert.equal(r.code, 2, r.err);
      assert.deepEqual(lines(r.err), [
        'migplan: plans/fifo.migplan.yaml: is a FIFO, not a plan file',
        'migplan: plans/sock.migplan.yaml: is a socket, not a plan file',
        'migplan: plans/zero.migplan.yaml: is a character device, not a plan file',
      ]);
      assert.deepEqual((JSON.parse(r.out) as { files: Array<{ path: string }> }).files.map((f) => f.path), ['plans/draft.migplan.yaml']);
    } finally {
      server.close();
    }
  });

  it('reads a regular file whose size says 0 to its end (the size is not trusted)', { skip: !fs.existsSync('/proc/self/status') }, () => {
    const dir = tmpdir();
    fs.symlinkSync('/proc/self/status', path.join(dir, 'status.migplan.yaml'));
    assert.equal(fs.statSync(path.join(dir, 'status.migplan.yaml')).size, 0);
    const r = runChild(['lint', '--format', 'json', 'status.migplan.yaml'], dir);
    assert.equal(r.code, 1, r.err);
    assert.ok(lint(fs.readFileSync('/proc/self/status', 'utf8')).diagnostics.length > 0);
  });
});

describe('a closed pipe', { skip: !POSIX }, () => {
  it('ends `migplan render big.migplan.yaml | head -2` quietly with exit 0', async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'cli.js')), 'run npm run build first');
    const dir = tmpdir();
    const example = read(EXAMPLE);
    const verification = example.slice(example.indexOf('  - id: verification\n'), example.indexOf('  - id: cleanup\n'));
    const copies = Array.from({ length: 400 }, (_, i) => verification.replace('id: verification', `id: verification-${i}`)).join('');
    fs.writeFileSync(path.join(dir, 'big.migplan.yaml'), example.replace('  - id: cleanup\n', copies + '  - id: cleanup\n'));
    const child = spawn(process.execPath, [BIN, 'render', 'big.migplan.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(err, '');
    assert.equal(code, 0);
  });
});
