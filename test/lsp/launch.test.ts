/**
 * The `migplan-language-server` command as other editors start it: the file
 * itself executed (its shebang picks Node and the heap options), speaking LSP
 * over stdio.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LspProcess } from '../../scripts/bench/lspProcess';
import { MEMORY_REQUEST, SERVER_INFO_REQUEST, SERVER_NODE_OPTIONS, type MemoryResult, type ServerInfoResult } from '../../server/src/protocol';
import { LARGE_TEXT, roomToGrow, warmUp } from '../../server/src/server';
import { ROOT } from '../helpers';
import { SERVER, TestClient } from './lspClient';

describe('migplan-language-server launched as a command', () => {
  it('has a shebang with exactly the Node options the VS Code client uses', () => {
    const first = fs.readFileSync(SERVER, 'utf8').split('\n')[0];
    assert.equal(first, `#!/usr/bin/env -S node ${SERVER_NODE_OPTIONS.join(' ')}`);
    assert.ok((fs.statSync(SERVER).mode & 0o111) !== 0, 'executable');
  });

  it('starts when executed directly, answers initialize, and runs with those options', { skip: process.platform === 'win32' ? 'shebangs are a POSIX feature' : false }, async () => {
    const server = new LspProcess({ name: 'migplan', command: [SERVER, '--stdio'], languageId: 'migplan', settings: { migplan: {} } });
    try {
      await server.initialize(null);
      const info = (await server.connection.sendRequest(SERVER_INFO_REQUEST)) as ServerInfoResult;
      assert.equal(info.pid, server.pid);
      assert.deepEqual(info.execArgv, [...SERVER_NODE_OPTIONS]);
      // The build wrote the bundle's V8 code cache under these options: V8 takes it.
      assert.equal(info.codeCache, 'accepted');
    } finally {
      await server.close();
    }
  });

  it('starts and lints without a usable code cache: another build, none, damaged, other Node options', { skip: process.platform === 'win32' ? 'shebangs are a POSIX feature' : false }, async () => {
    // A copy of the command and the bundle, so the cache can be spoiled without touching the build.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-cache-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'dist'));
      for (const f of ['migplan-language-server.js', 'load-bundle.js']) fs.copyFileSync(path.join(ROOT, 'bin', f), path.join(dir, 'bin', f));
      fs.chmodSync(path.join(dir, 'bin', 'migplan-language-server.js'), 0o755);
      const bundle = path.join(dir, 'dist', 'server.js');
      fs.copyFileSync(path.join(ROOT, 'dist', 'server.js'), bundle);
      const built = fs.statSync(path.join(ROOT, 'dist', 'server.js'));
      fs.utimesSync(bundle, built.atimeMs / 1000, built.mtimeMs / 1000);
      const cache = fs.readFileSync(path.join(ROOT, 'dist', 'server.js.v8cache'));
      const command = path.join(dir, 'bin', 'migplan-language-server.js');
      const cases: Array<[string, () => void, string[], string]> = [
        ['the copy, as built', () => fs.writeFileSync(`${bundle}.v8cache`, cache), [command], 'accepted'],
        ['under other Node options', () => undefined, [process.execPath, '--max-semi-space-size=3', command], 'rejected'],
        // A copy that did not keep the time (npm pack resets it): the same bytes, by their hash.
        ['the copy, with another modification time', () => fs.utimesSync(bundle, built.atimeMs / 1000, (built.mtimeMs + 1000) / 1000), [command], 'accepted'],
        // Another build of the same size: one byte changed, the time changed too.
        [
          'after the bundle changed',
          () => {
            const bytes = fs.readFileSync(bundle);
            bytes[bytes.length - 1] = bytes[bytes.length - 1] === 0x20 ? 0x0a : 0x20;
            fs.writeFileSync(bundle, bytes);
          },
          [command],
          'stale',
        ],
        ['with a damaged header', () => fs.writeFileSync(`${bundle}.v8cache`, Buffer.concat([Buffer.from('{"size":\n'), cache])), [command], 'stale'],
        ['with no cache', () => fs.rmSync(`${bundle}.v8cache`), [command], 'absent'],
      ];
      for (const [what, spoil, cmd, expected] of cases) {
        spoil();
        const server = new LspProcess({ name: 'migplan', command: [...cmd, '--stdio'], languageId: 'migplan', settings: { migplan: {} } });
        try {
          await server.initialize(null);
          const info = (await server.connection.sendRequest(SERVER_INFO_REQUEST)) as ServerInfoResult;
          assert.equal(info.codeCache, expected, what);
          const uri = 'untitled:cache.migplan.yaml';
          await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'migplan', version: 1, text: 'plan: {}\n' } });
          const published = await server.publishAfter(uri, 0, 1, 20_000);
          assert.ok(published.params.diagnostics.length > 0, `${what}: lints`);
        } finally {
          await server.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads no child_process or crypto at start (the build makes them load on first use)', () => {
    const script = `require(${JSON.stringify(path.join(ROOT, 'dist', 'server.js'))}); process.stdout.write(JSON.stringify(process.moduleLoadList))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    assert.ok(loaded.includes('NativeModule net'), 'the list names built-ins as expected');
    assert.ok(!loaded.includes('NativeModule child_process'));
    assert.ok(!loaded.includes('NativeModule crypto'));
  });

  it('warms up in memory: one session on the example plan, then a clean end', { timeout: 30_000 }, async () => {
    await warmUp(fs.readFileSync(path.join(ROOT, 'examples', 'split-user-name.migplan.yaml'), 'utf8'));
  });

  it('lets the heap grow while it analyses a long text, and bounds it again afterwards, also when the analysis throws', () => {
    const calls: string[] = [];
    const set = (flags: string): void => void calls.push(flags);
    assert.equal(roomToGrow(LARGE_TEXT - 1, () => 'small', '20', set), 'small');
    assert.deepEqual(calls, [], 'a short text: the heap options stay');
    assert.equal(roomToGrow(LARGE_TEXT, () => calls.length, '20', set), 1, 'analysed with room to grow');
    assert.deepEqual(calls, ['--heap-growing-percent=100', '--heap-growing-percent=20']);
    calls.length = 0;
    assert.throws(() => roomToGrow(LARGE_TEXT, () => { throw new Error('boom'); }, '20', set), /boom/);
    assert.deepEqual(calls, ['--heap-growing-percent=100', '--heap-growing-percent=20']);
    calls.length = 0;
    roomToGrow(LARGE_TEXT, () => 0, undefined, set);
    assert.deepEqual(calls, [], 'a process started without the option is left alone');
  });

  it('reports its memory, after a full collection only when started with --expose-gc (the leak benchmark)', async () => {
    for (const [args, collected] of [[[], false], [['--expose-gc'], true]] as const) {
      const client = new TestClient(args);
      try {
        await client.initialize();
        const m = (await client.connection.sendRequest(MEMORY_REQUEST)) as MemoryResult;
        assert.equal(m.collected, collected);
        assert.ok(m.heapUsed > 0 && m.rss > m.heapUsed);
      } finally {
        await client.close();
      }
    }
  });
});
