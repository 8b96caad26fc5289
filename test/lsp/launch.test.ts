/**
 * The `migplan-language-server` command as other editors start it: the file
 * itself executed (its shebang picks Node and the heap options), speaking LSP
 * over stdio.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { LspProcess } from '../../scripts/bench/lspProcess';
import { MEMORY_REQUEST, SERVER_INFO_REQUEST, SERVER_NODE_OPTIONS, type MemoryResult, type ServerInfoResult } from '../../server/src/protocol';
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
    } finally {
      await server.close();
    }
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
