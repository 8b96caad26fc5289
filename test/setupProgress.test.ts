/**
 * Set-up that talks: a long install step (`npm start` installing the VS Code server) logs a
 * progress line every few seconds while its command runs, and stops when it ends; packaging
 * (`npm run package`) says one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { describeProcess, runWithProgress } from '../scripts/e2e/vscode';
import { ROOT } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-setup-progress-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Logged {
  line: string;
  at: number;
}

function recorder(): { logged: Logged[]; log: (line: string) => void } {
  const logged: Logged[] = [];
  return { logged, log: (line) => logged.push({ line, at: performance.now() }) };
}

describe('runWithProgress (the set-up steps of npm start)', () => {
  it('logs a line every interval while the child runs, with the elapsed time, the folder size and the last output; none after it ends', async () => {
    const dir = path.join(tmp, 'target');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'blob'), Buffer.alloc(3 * 1024 * 1024));
    const { logged, log } = recorder();
    const started = performance.now();
    await runWithProgress(process.execPath, ['-e', 'console.log("fetching the thing"); setTimeout(() => {}, 1500)'], {
      cwd: tmp,
      what: 'the child',
      log,
      label: '[1/1] Test step',
      intervalMs: 200,
      watchDir: dir,
    });
    const ended = performance.now();
    assert.ok(ended - started >= 1400, `ran ${ended - started} ms`);
    // 1.5 s at 200 ms: about 7 lines (fewer when the machine is busy, never more than 8).
    assert.ok(logged.length >= 3 && logged.length <= 8, `${logged.length} lines:\n${logged.map((l) => l.line).join('\n')}`);
    const seconds = logged.map(({ line }) => {
      const m = /^\[1\/1\] Test step: (\d+) s, 3\.0 MB in \S+, /.exec(line);
      assert.ok(m, `a progress line: ${line}`);
      return Number(m[1]);
    });
    assert.deepEqual(seconds, [...seconds].sort((a, b) => a - b), 'the elapsed time never goes back');
    assert.ok(seconds.at(-1)! >= 1, `the last line is past the first second: ${seconds.join(', ')}`);
    assert.match(logged.at(-1)!.line, /last output: fetching the thing$/);
    // The lines are spaced by the interval, not bunched.
    for (let i = 1; i < logged.length; i++) assert.ok(logged[i]!.at - logged[i - 1]!.at >= 150, `line ${i} came ${logged[i]!.at - logged[i - 1]!.at} ms after the one before`);
    const count = logged.length;
    await sleep(700);
    assert.equal(logged.length, count, 'nothing is logged once the child has ended');
    assert.ok(logged.every((l) => l.at <= ended), 'every line came while the child ran');
  });

  it('a failing child rejects with the last 15 lines of its output and the exit code; nothing is logged after', async () => {
    const { logged, log } = recorder();
    // Output on stdout, then (later, so that the order is sure) an error on stderr.
    const script = 'for (let i = 1; i <= 30; i++) console.log("line " + i); setTimeout(() => { console.error("npm error it broke"); process.exit(3); }, 500)';
    let ended = 0;
    await assert.rejects(
      runWithProgress(process.execPath, ['-e', script], { cwd: tmp, what: 'npm install something', log, label: '[2/2] Failing step', intervalMs: 200 }).finally(() => (ended = performance.now())),
      (err: Error) => {
        assert.match(err.message, /^npm install something failed \(exit 3\):\n/);
        assert.deepEqual(err.message.split('\n').slice(1), [...Array.from({ length: 14 }, (_, i) => `line ${i + 17}`), 'npm error it broke']);
        return true;
      },
    );
    assert.ok(logged.length >= 1, 'progress lines came while it ran');
    assert.ok(logged.every((l) => l.line.startsWith('[2/2] Failing step: ') && l.at <= ended));
    const count = logged.length;
    await sleep(500);
    assert.equal(logged.length, count, 'nothing is logged once the child has ended');
  });

  it('a command that cannot start rejects, naming it', async () => {
    const { logged, log } = recorder();
    await assert.rejects(runWithProgress(path.join(tmp, 'no-such-command'), [], { cwd: tmp, what: 'the missing command', log, label: 'x', intervalMs: 200 }), /the missing command did not start: .*ENOENT/);
    await sleep(400);
    assert.equal(logged.length, 0);
  });

  it('names the process the command runs now (Linux: from /proc), with the package it works in', { skip: !fs.existsSync('/proc/self/stat') && 'no /proc' }, async () => {
    const pkg = path.join(tmp, 'node_modules', '@scope', 'addon');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'build.sh'), 'sleep 1.5\n');
    const { logged, log } = recorder();
    // npm running an install script: `sh -c <script>` in the package's folder, which runs the script.
    const script = `require('child_process').spawnSync('sh', ['-c', 'sh ./build.sh'], { cwd: ${JSON.stringify(pkg)}, stdio: 'inherit' })`;
    await runWithProgress(process.execPath, ['-e', script], { cwd: tmp, what: 'the child', log, label: 'step', intervalMs: 250, idle: 'idle' });
    assert.ok(
      logged.some((l) => / s, running @scope\/addon: build\.sh › sleep 1\.5$/.test(l.line)),
      logged.map((l) => l.line).join('\n'),
    );
  });

  it('describes processes in a few words', () => {
    assert.equal(describeProcess(['sh', '-c', 'node-gyp rebuild']), undefined, 'the shell npm runs a script in');
    assert.equal(describeProcess(['sh', './postinstall.sh']), 'postinstall.sh');
    assert.equal(describeProcess(['npm install']), 'npm install', 'npm, whose title replaces its arguments');
    assert.equal(describeProcess(['cc', '-o', 'Release/obj.target/sqlite3.o', '-DX=1', '../sqlite3.c', '-c']), 'cc sqlite3.c');
    assert.equal(describeProcess(['g++', '-shared', '-o', 'Release/obj.target/kerberos.node', 'a.o']), 'g++ → kerberos.node');
    assert.equal(describeProcess(['/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus', '-quiet']), undefined, "the compiler's own stages");
    assert.equal(describeProcess(['/usr/bin/node', '/x/node_modules/node/installArchSpecificPackage.js']), 'installArchSpecificPackage.js');
  });
});

/** Entries in a zip file, from its end-of-central-directory record (a .vsix has no zip comment). */
function zipEntries(file: string): number {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, `${file} is a zip`);
  return buf.readUInt16LE(eocd + 10);
}

describe('npm run package (scripts/package.mjs)', () => {
  const script = path.join(ROOT, 'scripts', 'package.mjs');

  it('says one line: the .vsix it made, its file count and size', () => {
    const out = path.join(tmp, 'pkg', 'migplan-test.vsix');
    fs.mkdirSync(path.dirname(out));
    const r = spawnSync(process.execPath, [script, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines.at(-1), '', 'ends with a newline');
    assert.equal(lines.length, 2, `exactly one line:\n${r.stdout}`);
    const m = /^Packaged (.+): (\d+) files, (\d+\.\d) MB$/.exec(lines[0]!);
    assert.ok(m, lines[0]);
    assert.equal(m[1], out);
    assert.ok(fs.statSync(out).size > 100_000);
    // The count is the package's (vsce counts its manifest and content-types entries too).
    assert.equal(zipEntries(out), Number(m[2]));
    assert.equal(m[3], (fs.statSync(out).size / (1024 * 1024)).toFixed(1));
  });

  it("fails with vsce's whole output on stderr, and nothing on stdout", () => {
    const blocker = path.join(tmp, 'a-file');
    fs.writeFileSync(blocker, 'not a folder\n');
    const r = spawnSync(process.execPath, [script, '--out', path.join(blocker, 'x.vsix')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ERROR/, "vsce's own message");
    assert.match(r.stderr, /package\.mjs: vsce package .* failed \(exit \d+\)\n$/);
  });
});
