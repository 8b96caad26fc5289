/**
 * What the packaged extension's page and links stand on: the user README
 * (README.extension.md, packaged as the extension's README) with every image
 * and relative link inside the .vsix, the rule pages shipped and linked from
 * the CLI and SARIF at the repository's path, package.json's repository
 * fields, the CHANGELOG, and the walkthrough's media and events.
 *
 * Reads the .vsix `npm test` packages first (`npm run package`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { REHEARSE_RULES } from '../server/src/rehearse/findings';
import { formatSarif } from '../server/src/report';
import { REPOSITORY_URL, RULE_DOCS_BASE, ruleDocUrl, ruleOfDocUrl } from '../server/src/service/linting/ruleDocs';
import { RULES } from '../server/src/service/rules';
import { ROOT, read } from './helpers';
import { zipEntries, zipRead, type ZipEntry } from './zip';

interface Manifest {
  version: string;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: { properties: Record<string, unknown> };
    walkthroughs: Array<{ id: string; steps: Array<{ id: string; media: { image?: string; markdown?: string }; completionEvents?: string[]; description: string }> }>;
    viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
    views: Record<string, Array<{ id: string; name: string }>>;
  };
}

const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as Manifest;
const ALL_RULE_IDS = [...RULES.map((r) => r.meta.id), ...Object.keys(REHEARSE_RULES)];
const USER_README = read(path.join(ROOT, 'README.extension.md'));

/** Markdown links and images: [text](target) / ![alt](target). */
function links(markdown: string): Array<{ image: boolean; target: string }> {
  return [...markdown.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => ({ image: m[1] === '!', target: m[2] }));
}

describe('repository links', () => {
  it('package.json names the repository the rule links point into', () => {
    assert.equal(pkg.repository.type, 'git');
    assert.equal(pkg.repository.url, `${REPOSITORY_URL}.git`);
    assert.equal(pkg.homepage, `${REPOSITORY_URL}#readme`);
    assert.equal(pkg.bugs.url, `${REPOSITORY_URL}/issues`);
  });

  it('links every rule, the rehearsal\'s included, to its page at the repository\'s path, and reads the link back', () => {
    for (const id of ALL_RULE_IDS) {
      const url = ruleDocUrl(id);
      assert.ok(url.startsWith(`${REPOSITORY_URL}/blob/main/`), url);
      const file = path.join(ROOT, url.slice(`${REPOSITORY_URL}/blob/main/`.length));
      assert.ok(fs.existsSync(file), `${id}: ${url} names ${path.relative(ROOT, file)}, which does not exist`);
      assert.equal(ruleOfDocUrl(url), id);
    }
    for (const other of [`${RULE_DOCS_BASE}../../package.json`, `${RULE_DOCS_BASE}cutover-soak`, `${RULE_DOCS_BASE}Cutover.md`, 'https://example.com/docs/rules/cutover-soak.md', `${RULE_DOCS_BASE}a/b.md`]) {
      assert.equal(ruleOfDocUrl(other), undefined, other);
    }
  });

  it('SARIF names the repository and each rule\'s page', () => {
    const sarif = JSON.parse(formatSarif([], pkg.version, Object.values(REHEARSE_RULES))) as { runs: Array<{ tool: { driver: { informationUri: string; rules: Array<{ id: string; helpUri: string }> } } }> };
    const driver = sarif.runs[0].tool.driver;
    assert.equal(driver.informationUri, REPOSITORY_URL);
    assert.deepEqual(driver.rules.map((r) => r.id).sort(), [...ALL_RULE_IDS].sort());
    for (const r of driver.rules) assert.equal(r.helpUri, ruleDocUrl(r.id));
  });
});

describe('the user README', () => {
  it('says what every command and setting the extension contributes is', () => {
    for (const c of pkg.contributes.commands) {
      if (c.command === 'migplan.phases.refresh' || c.command === 'migplan.preview.showSource') continue; // view and preview title buttons
      assert.ok(USER_README.includes(`${c.category}: ${c.title}`), `README.extension.md does not list "${c.category}: ${c.title}"`);
    }
    for (const key of Object.keys(pkg.contributes.configuration.properties)) assert.ok(USER_README.includes(`\`${key}\``), `README.extension.md does not list ${key}`);
  });

  it('links only to files in the package or to the repository\'s existing files', () => {
    for (const { target } of links(USER_README)) {
      if (/^https:/.test(target)) {
        assert.ok(target.startsWith(REPOSITORY_URL), `${target}: an absolute link outside the repository`);
        const rest = target.slice(REPOSITORY_URL.length);
        if (rest.startsWith('/blob/main/')) assert.ok(fs.existsSync(path.join(ROOT, rest.slice('/blob/main/'.length))), `${target}: no such file in the repository`);
        else assert.ok(['', '#readme', '/issues'].includes(rest), `${target}: not a page the repository has`);
      } else {
        assert.ok(fs.existsSync(path.join(ROOT, target)), `${target}: no such file`);
      }
    }
  });
});

describe('the .vsix', () => {
  let zip: { buf: Buffer; entries: Map<string, ZipEntry> };
  const vsix = path.join(ROOT, `migplan-${pkg.version}.vsix`);
  const has = (p: string): boolean => zip.entries.has(`extension/${p}`);

  before(() => {
    assert.ok(fs.existsSync(vsix), `${path.basename(vsix)} is missing: run \`npm run package\` (npm test does it first)`);
    zip = zipEntries(vsix);
  });

  it('carries the user README as its README, its images and links made absolute into the repository\'s files (as the Marketplace needs)', () => {
    const readmes = [...zip.entries.keys()].filter((n) => /^extension\/readme\.md$/i.test(n));
    assert.deepEqual(readmes, ['extension/readme.md'], 'one README, the user one');
    const packed = zipRead(zip, 'extension/readme.md').toString('utf8');
    const source = links(USER_README);
    const made = links(packed);
    assert.equal(made.length, source.length);
    assert.ok(made.filter((l) => l.image).length >= 8, 'a screenshot per feature');
    made.forEach((l, i) => {
      const original = source[i].target;
      if (/^https:/.test(original)) return assert.equal(l.target, original);
      // vsce rewrites relative links against package.json's repository: images to raw/HEAD, links to blob/HEAD.
      assert.equal(l.target, `${REPOSITORY_URL}/${l.image ? 'raw' : 'blob'}/HEAD/${original}`);
      assert.ok(fs.existsSync(path.join(ROOT, original)), `${original}: not in the repository`);
      // The screenshots also ship: the walkthrough shows them from the package.
      if (l.image) assert.ok(has(original), `${original} is not in the package`);
    });
  });

  it('ships the CHANGELOG, LICENSE and every rule page', () => {
    assert.ok(has('changelog.md') || has('CHANGELOG.md'), 'no CHANGELOG in the package');
    assert.ok(has('LICENSE.txt') || has('LICENSE'));
    for (const id of ALL_RULE_IDS) assert.ok(has(`docs/rules/${id}.md`), `docs/rules/${id}.md is not in the package`);
  });

  it('ships the walkthrough\'s media and example, and the activity bar icon', () => {
    const [walkthrough] = pkg.contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 5);
    for (const step of walkthrough.steps) {
      const media = step.media.image ?? step.media.markdown;
      assert.ok(media && has(media), `${step.id}: ${media} is not in the package`);
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id}: no completion event`);
    }
    assert.ok(has('examples/draft-rename-orders-total.migplan.yaml'));
    for (const c of pkg.contributes.viewsContainers.activitybar) assert.ok(has(c.icon), c.icon);
  });

  it('completes each walkthrough step on a command that exists', () => {
    const ours = new Set(pkg.contributes.commands.map((c) => c.command));
    // Registered at run time: by the extension (the quick fixes' report) and by the language client for the server's command.
    const registered = new Set(['migplan.quickFixApplied', 'migplan.fixAll.report']);
    const builtIn = new Set(['workbench.actions.view.problems']);
    for (const step of pkg.contributes.walkthroughs[0].steps) {
      for (const event of step.completionEvents ?? []) {
        const m = /^onCommand:(.+)$/.exec(event);
        if (m) assert.ok(ours.has(m[1]) || registered.has(m[1]) || builtIn.has(m[1]), `${step.id}: ${event} names no command`);
        else assert.match(event, /^(onContext|onView):[\w.]+$/, `${step.id}: ${event}`);
      }
      for (const [, command] of step.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(ours.has(command) || builtIn.has(command), `${step.id}: a button runs ${command}, which does not exist`);
    }
    // The plan view's welcome links to the walkthrough by its full id (publisher.name#id).
    const welcome = JSON.stringify((pkg.contributes as unknown as { viewsWelcome: unknown }).viewsWelcome);
    const full = encodeURIComponent(JSON.stringify(`migplan.migplan#${pkg.contributes.walkthroughs[0].id}`));
    assert.ok(welcome.includes(`command:workbench.action.openWalkthrough?${full}`), `the welcome view does not open ${full}`);
    const registeredInCode = read(path.join(ROOT, 'client', 'src', 'ruleDocs.ts'));
    assert.match(registeredInCode, /QUICK_FIX_APPLIED_COMMAND = 'migplan\.quickFixApplied'/);
  });
});
