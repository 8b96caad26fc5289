/**
 * Copies the READMEs' screenshots from the last UI test run
 * (.e2e/screenshots/, written by test/e2e/ui.test.ts) to docs/screenshots/.
 *
 *   npm run package && npx tsc -b && node --test out/test/e2e/ui.test.js
 *   node out/scripts/e2e/screenshots.js
 *
 * Refuses when one is missing or they come from different runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { E2E_DIR, ROOT } from './vscode';

/** Screenshot of the UI test → file under docs/screenshots/. */
export const CHOSEN: Readonly<Record<string, string>> = {
  '01-problems': 'problems.png',
  '02-quick-fix': 'quick-fix.png',
  '03-completion': 'completion.png',
  '04-hover': 'hover.png',
  '05-tree': 'plan-view.png',
  '06-preview': 'preview.png',
  '08-sql-syntax': 'sql.png',
  '09-walkthrough': 'walkthrough.png',
  '10-rule-doc': 'rule-doc.png',
};

/** Screenshots more than this far apart were not taken by one run (the whole UI test takes under a minute). */
const ONE_RUN_MS = 5 * 60_000;

export function copyScreenshots(from = path.join(E2E_DIR, 'screenshots'), to = path.join(ROOT, 'docs', 'screenshots')): string[] {
  const sources = Object.keys(CHOSEN).map((name) => path.join(from, `${name}.png`));
  const missing = sources.filter((s) => !fs.existsSync(s));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.map((m) => path.basename(m)).join(', ')} in ${from}: run the UI test first (node --test out/test/e2e/ui.test.js)`);
  }
  const times = sources.map((s) => fs.statSync(s).mtimeMs);
  if (Math.max(...times) - Math.min(...times) > ONE_RUN_MS) {
    throw new Error(`the screenshots in ${from} come from different runs (some test failed before taking its own?): run the UI test again`);
  }
  const failed = fs.readdirSync(from).filter((n) => n.endsWith('-FAILED.png'));
  if (failed.length > 0) console.warn(`note: the last run failed at ${failed.join(', ')}; the screenshots taken before those failures are copied`);
  fs.mkdirSync(to, { recursive: true });
  return sources.map((source, i) => {
    const target = path.join(to, Object.values(CHOSEN)[i]);
    fs.copyFileSync(source, target);
    return target;
  });
}

if (require.main === module) {
  try {
    for (const t of copyScreenshots()) console.log(path.relative(ROOT, t));
  } catch (err) {
    console.error(`screenshots: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
