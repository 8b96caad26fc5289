/**
 * Runs the extension integration suite in a VS Code downloaded by
 * @vscode/test-electron (a contributor's machine or a public CI; this needs
 * update.code.visualstudio.com). `npm run test:electron`.
 */
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  // Compiled to out/client/src/test/runTest.js: the repository root is four levels up.
  const extensionDevelopmentPath = path.resolve(__dirname, '..', '..', '..', '..');
  const extensionTestsPath = path.resolve(__dirname, 'suite', 'index');
  const workspace = path.join(extensionDevelopmentPath, 'client', 'testFixture');
  try {
    await runTests({
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (err) {
    console.error(`The extension tests failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main();
