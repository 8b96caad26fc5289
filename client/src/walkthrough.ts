/**
 * The commands behind the "Get Started with migplan" walkthrough
 * (package.json `contributes.walkthroughs`): open the packaged example as an
 * unsaved copy, and copy a CI step that lints plans. Each step completes on
 * its own event there (a plan open, the Problems view, a quick fix applied,
 * the preview opened, the CI step copied).
 */
import * as vscode from 'vscode';
import { openUntitledPlan } from './commands';

export const OPEN_EXAMPLE_COMMAND = 'migplan.openExample';
export const COPY_CI_STEP_COMMAND = 'migplan.copyCiStep';
/** The packaged example: a half-written plan with problems of most kinds. */
export const EXAMPLE_FILE = 'examples/draft-rename-orders-total.migplan.yaml';

/** A GitHub Actions step that lints every plan of the repository with the packed CLI (see the README). */
export function ciStep(version: string): string {
  return [
    '      # Lints every *.migplan.yaml in the repository: the job fails while a plan has an error (a TODO counts).',
    `      # migplan-${version}.tgz is the command line packed from the migplan repository (\`npm pack\`; see its README).`,
    '      - name: Lint migration plans',
    '        run: |',
    `          npm install -g ./tools/migplan-${version}.tgz`,
    '          migplan lint .',
    '',
  ].join('\n');
}

export function registerWalkthrough(context: vscode.ExtensionContext): vscode.Disposable[] {
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  return [
    vscode.commands.registerCommand(OPEN_EXAMPLE_COMMAND, async () => {
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, EXAMPLE_FILE)));
      } catch (err) {
        void vscode.window.showErrorMessage(`The example plan is missing from the extension (${err instanceof Error ? err.message : String(err)}).`);
        return undefined;
      }
      return openUntitledPlan('draft-rename-orders-total', text);
    }),
    vscode.commands.registerCommand(COPY_CI_STEP_COMMAND, async () => {
      await vscode.env.clipboard.writeText(ciStep(version));
      void vscode.window.showInformationMessage('Copied a GitHub Actions step that runs `migplan lint .`: paste it under a job\'s `steps:`.');
    }),
  ];
}
