/**
 * The CLI outside the clone: `npm pack` makes a tarball that `npm install -g`
 * installs with no registry at hand (an empty cache and --offline), and whose
 * `migplan` and `migplan-language-server` commands work from any folder: the
 * bundles in dist/ carry their dependencies, and the package ships them with
 * the WebAssembly files they load (PostgreSQL's parser, PGlite).
 *
 * Packs the dist/ that is there (`npm test` builds it with `npm run package`
 * first): with --ignore-scripts, so that `prepare` does not build again.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { SERVER_INFO_REQUEST, type ServerInfoResult } from '../server/src/protocol';
import { EXAMPLES, ROOT, read } from './helpers';

const WIN = process.platform === 'win32';
const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { version: string; dependencies?: Record<string, string>; bin: Record<string, string> };
/** The files .npmignore lets into the tarball (its `!` lines naming files). */
const PACKED = read(path.join(ROOT, '.npmignore'))
  .split('\n')
  .filter((l) => l.startsWith('!') && !l.endsWith('/'))
  .map((l) => l.slice(1));

/** What the tarball holds: the commands, their bundles and the files beside them; npm adds the rest. */
// (npm adds every README*, so the extension's user README comes along.)
const EXPECTED_FILES = [...PACKED, 'package.json', 'README.md', 'README.extension.md', 'LICENSE'].sort();

/** The environment of npm and of the installed commands: nothing of the clone's npm run, no NODE_PATH. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_PATH' && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

function run(command: string, args: string[], opts: SpawnSyncOptions): Run {
  const started = Date.now();
  // (on Windows, npm and the installed commands are .cmd files, which need a shell)
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, shell: WIN, ...opts });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, out: String(r.stdout), err: String(r.stderr), ms: Date.now() - started };
}

describe('the npm package (npm pack, then npm install -g from the tarball, offline)', () => {
  let tmp = '';
  let tarball = '';
  let work = '';
  let cmdEnv: NodeJS.ProcessEnv = {};

  before(() => {
    const missing = PACKED.filter((f) => f.startsWith('dist/') && !fs.existsSync(path.join(ROOT, f)));
    if (missing.length > 0) {
      throw new Error(`dist/ is not built (missing ${missing.join(', ')}): run \`npm run build\` first (\`npm test\` runs \`npm run package\`, which builds it)`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-package-'));
    work = path.join(tmp, 'work');
    fs.mkdirSync(work);
    fs.copyFileSync(path.join(EXAMPLES, 'split-user-name.migplan.yaml'), path.join(work, 'plan.migplan.yaml'));
    fs.copyFileSync(path.join(EXAMPLES, 'draft-rename-orders-total.migplan.yaml'), path.join(work, 'draft.migplan.yaml'));
    fs.copyFileSync(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'), path.join(work, 'sql.migplan.yaml'));
  });

  after(() => {
    if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('packs the commands, their bundles and the files the bundles load, and no runtime dependencies', () => {
    assert.deepEqual(pkg.dependencies ?? {}, {}, 'the bundles carry their dependencies: a global install must need nothing from the registry');
    const npmEnv = cleanEnv({ npm_config_cache: path.join(tmp, 'npm-cache'), npm_config_update_notifier: 'false' });
    const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, env: npmEnv });
    assert.equal(r.code, 0, r.err);
    const [info] = JSON.parse(r.out) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
    assert.deepEqual(info.files.map((f) => f.path).sort(), EXPECTED_FILES);
    tarball = path.join(tmp, info.filename);
    assert.ok(fs.existsSync(tarball), tarball);
    console.log(`${info.filename}: ${(info.size / 1e6).toFixed(1)} MB (${(info.unpackedSize / 1e6).toFixed(1)} MB unpacked), packed in ${r.ms} ms`);
  });

  it('installs globally offline, from an empty npm cache, into a fresh prefix', () => {
    assert.ok(tarball !== '', 'no tarball: the pack failed');
    const prefix = path.join(tmp, 'prefix');
    const npmEnv = cleanEnv({ npm_config_cache: path.join(tmp, 'npm-cache-install'), npm_config_update_notifier: 'false' });
    const r = run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { cwd: tmp, env: npmEnv });
    assert.equal(r.code, 0, `npm install -g failed:\n${r.out}\n${r.err}`);
    console.log(`npm install -g --offline: ${r.ms} ms`);
    const binDir = WIN ? prefix : path.join(prefix, 'bin');
    for (const name of Object.keys(pkg.bin)) assert.ok(fs.existsSync(path.join(binDir, WIN ? `${name}.cmd` : name)), `${name} is not in ${binDir}`);
    // Only the prefix's commands and Node itself on PATH: nothing of the clone is reachable.
    cmdEnv = cleanEnv({ PATH: [binDir, path.dirname(process.execPath)].join(path.delimiter), MIGPLAN_TODAY: process.env.MIGPLAN_TODAY ?? '2026-12-01' });
  });

  it('migplan --version and --help work from any folder', () => {
    assert.notEqual(cmdEnv.PATH, undefined, 'not installed');
    const version = run('migplan', ['--version'], { cwd: work, env: cmdEnv });
    assert.equal(version.code, 0, version.err);
    assert.equal(version.out.trim(), pkg.version);
    const help = run('migplan', ['--help'], { cwd: work, env: cmdEnv });
    assert.equal(help.code, 0, help.err);
    assert.match(help.out, /^Usage:/);
    assert.match(help.out, /--version/);
  });

  it('the installed CLI starts from its V8 code cache, though npm reset the bundle\'s modification time', () => {
    assert.notEqual(cmdEnv.PATH, undefined, 'not installed');
    const installed = path.join(tmp, 'prefix', WIN ? '' : 'lib', 'node_modules', 'migplan');
    const file = path.join(installed, 'dist', 'cli.js');
    assert.notEqual(Math.round(fs.statSync(file).mtimeMs), Math.round(fs.statSync(path.join(ROOT, 'dist', 'cli.js')).mtimeMs), 'npm kept the time: this test shows nothing');
    const script = `process.stdout.write(require(${JSON.stringify(path.join(installed, 'bin', 'load-bundle.js'))}).loadBundle(${JSON.stringify(file)}).codeCache)`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: cmdEnv, cwd: work, timeout: 30_000 });
    assert.equal(r.stdout, 'accepted', r.stderr);
  });

  it('migplan lint checks plans in that folder', () => {
    assert.notEqual(cmdEnv.PATH, undefined, 'not installed');
    const clean = run('migplan', ['lint', 'plan.migplan.yaml'], { cwd: work, env: cmdEnv });
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.equal(clean.out, 'No problems in 1 file.\n');
    const draft = run('migplan', ['lint', 'draft.migplan.yaml'], { cwd: work, env: cmdEnv });
    assert.equal(draft.code, 1, draft.out + draft.err);
    assert.match(draft.out, /^draft\.migplan\.yaml:\d+:\d+ error /m);
  });

  it('migplan rehearse runs the SQL plan on the PGlite of the installed package', () => {
    assert.notEqual(cmdEnv.PATH, undefined, 'not installed');
    const r = run('migplan', ['rehearse', '--rows', '200', 'sql.migplan.yaml'], { cwd: work, env: cmdEnv, timeout: 120_000 });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^Rehearsed on PGlite \(embedded\), PostgreSQL [\d.]+, 200 rows, in /m);
    assert.match(r.out, /end state matches target_schema/);
    console.log(`migplan rehearse --rows 200: ${r.ms} ms`);
  });

  it('migplan-language-server answers initialize over stdio and checks a plan', async () => {
    assert.notEqual(cmdEnv.PATH, undefined, 'not installed');
    const child = spawn('migplan-language-server', [], { cwd: work, env: cmdEnv, stdio: ['pipe', 'pipe', 'pipe'], shell: WIN });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const uri = pathToFileURL(path.join(work, 'sql.migplan.yaml')).href;
    const published = new Promise<{ uri: string; diagnostics: unknown[] }>((resolve) =>
      connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => {
        if (p.uri === uri) resolve(p);
      }),
    );
    connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
    const timeout = <T>(p: Promise<T>, what: string): Promise<T> =>
      Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in 15 s; stderr: ${stderr}`)), 15_000).unref())]);
    try {
      const result = (await timeout(
        connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(work).href, capabilities: { workspace: { configuration: true } } }),
        'initialize',
      )) as { capabilities: { textDocumentSync?: unknown } };
      assert.equal(result.capabilities.textDocumentSync, 2);
      await connection.sendNotification('initialized', {});
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'migplan', version: 1, text: read(path.join(work, 'sql.migplan.yaml')) },
      });
      const diagnostics = await timeout(published, 'publishDiagnostics');
      assert.deepEqual(diagnostics.diagnostics, []);
      // Started from its V8 code cache, though npm reset the bundle's modification time.
      const info = (await timeout(connection.sendRequest(SERVER_INFO_REQUEST), 'server info')) as ServerInfoResult;
      assert.equal(info.codeCache, 'accepted');
      await timeout(connection.sendRequest('shutdown'), 'shutdown');
      await connection.sendNotification('exit');
      assert.equal(await timeout(exited, 'exit'), 0, stderr);
    } finally {
      connection.dispose();
      if (child.exitCode === null) child.kill();
    }
  });
});
