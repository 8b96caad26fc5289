/**
 * The entry point VS Code loads as `extensionTestsPath`: runs every compiled
 * `*.test.js` next to this file with mocha (TDD interface) inside the
 * extension host, and rejects when a test fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Prefix of the per-test result lines (see test/e2e/exthost.test.ts). */
export const RESULT_MARK = 'MIGPLAN_TEST_RESULT ';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: true, timeout: 60_000, slow: 5_000 });
  const grep = process.env.MIGPLAN_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension test${failures === 1 ? '' : 's'} failed.`));
        else resolve();
      });
      // One machine-readable line per test, for runners that only see the extension host's console.
      runner.on('pass', (t) => console.log(`${RESULT_MARK}${JSON.stringify({ title: t.fullTitle(), passed: true, ms: t.duration })}`));
      runner.on('fail', (t, err: unknown) => console.log(`${RESULT_MARK}${JSON.stringify({ title: t.fullTitle(), passed: false, error: err instanceof Error ? err.message : String(err) })}`));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
