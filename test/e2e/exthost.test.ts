/**
 * The extension's mocha suite (client/src/test/suite) inside the real VS Code
 * extension host: the VS Code server with the smoke-test driver, the suite
 * passed as `extensionTestsPath` (as @vscode/test-electron does on a desktop).
 * Each mocha test becomes a test here, so the counts are the suite's own.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runExtensionTests } from '../../scripts/e2e/vscode';

const MARK = 'MIGPLAN_TEST_RESULT ';

interface Result {
  title: string;
  passed: boolean;
  ms?: number;
  error?: string;
}

describe('extension host (real VS Code 1.139 server)', { timeout: 400_000 }, () => {
  it('runs the extension integration suite', async (t) => {
    const run = await runExtensionTests({
      extensionPath: ROOT,
      testsPath: path.join(ROOT, 'out', 'client', 'src', 'test', 'suite', 'index.js'),
      folder: path.join(ROOT, 'client', 'testFixture'),
    });
    const results: Result[] = run.log.flatMap((line) => {
      const at = line.indexOf(MARK);
      return at < 0 ? [] : [JSON.parse(line.slice(at + MARK.length)) as Result];
    });
    for (const line of run.log) {
      const m = /MIGPLAN_METRIC (\S+)/.exec(line);
      if (m) t.diagnostic(m[1]);
    }
    for (const r of results) {
      await t.test(r.title, () => {
        if (!r.passed) assert.fail(r.error ?? 'failed');
      });
    }
    const tail = run.log.slice(-30).join('\n');
    assert.notEqual(run.code, 'timeout', `the suite did not finish in time:\n${tail}`);
    // All of the suite, or (MIGPLAN_TEST_GREP=<part of a title>) the tests it selects.
    const least = process.env.MIGPLAN_TEST_GREP ? 1 : 10;
    assert.ok(results.length >= least, `expected the suite's tests to report, got ${results.length}:\n${tail}`);
    assert.equal(run.code, 0, `the extension host reported failure:\n${tail}`);
  });
});
