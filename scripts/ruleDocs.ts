/**
 * Generates docs/rules/<id>.md and docs/rules.md from each rule's metadata and
 * its fixtures. `npm run docs` writes them; test/docs.test.ts fails when the
 * files on disk differ from what this produces.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKLIST } from '../server/src/service/rendering/checklist';
import { lint } from '../server/src/service/linting/lint';
import { RULES } from '../server/src/service/rules';
import { loadSqlParser } from '../server/src/service/sql/parser';
import type { Rule } from '../server/src/service/linting/rule';
import type { RuleMeta } from '../server/src/service/types';
import { REHEARSE_RULES } from '../server/src/rehearse/findings';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(REPO_ROOT, 'test', 'rules');
/** The day the fixtures' dates are judged as of (scripts/run-tests.mjs pins the tests to it too). */
const FIXTURE_DAY = '2026-12-01';

function fence(text: string, lang: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text.replace(/\n*$/, '\n')}${f}`;
}

/** A fixture without its leading `# expect:` lines (messages are then numbered as shown). */
function stripExpectations(text: string): { body: string } {
  const lines = text.split('\n');
  let removed = 0;
  while (removed < lines.length && /^#\s*expect:/.test(lines[removed])) removed++;
  return { body: lines.slice(removed).join('\n') };
}

function fixtureFile(id: string, kind: 'fail' | 'pass'): string | undefined {
  const f = path.join(FIXTURES, id, `${kind}.migplan.yaml`);
  return fs.existsSync(f) ? f : undefined;
}

function ruleDoc(rule: Rule): string {
  const { id, severity, description, rationale, fixable } = rule.meta;
  const items = CHECKLIST.filter((c) => c.rules.includes(id)).map((c) => c.label);
  const out: string[] = [`# \`${id}\``, '', description, ''];
  out.push(`- Default severity: **${severity}**`);
  out.push(`- Quick fix: ${fixable ? 'yes' : 'no'}`);
  if (items.length) out.push(`- Quality checklist: ${items.map((l) => `“${l}”`).join('; ')}`);
  out.push('', '## Why', '', rationale, '');
  const fail = fixtureFile(id, 'fail');
  if (fail) {
    const { body } = stripExpectations(fs.readFileSync(fail, 'utf8'));
    const diags = lint(body, { config: { today: FIXTURE_DAY } }).diagnostics.filter((d) => d.rule === id);
    out.push('## Fails', '', fence(body, 'yaml'), '');
    for (const d of diags) out.push(`- line ${d.range.start.line + 1}: ${d.message}`);
    if (diags.length) out.push('');
    const fixed = fail.replace(/\.migplan\.yaml$/, '.fixed.migplan.yaml');
    if (fixable && fs.existsSync(fixed)) {
      const after = stripExpectations(fs.readFileSync(fixed, 'utf8'));
      out.push('### After the quick fix', '', fence(after.body, 'yaml'), '');
    }
  }
  const pass = fixtureFile(id, 'pass');
  if (pass) out.push('## Passes', '', fence(stripExpectations(fs.readFileSync(pass, 'utf8')).body, 'yaml'), '');
  out.push(
    '## Turning it off',
    '',
    'For one node, with a reason, on the line above it:',
    '',
    fence(`# migplan-ignore ${id} -- <why it does not apply here>`, 'yaml'),
    '',
    'For a whole project, in `.migplanrc.json`:',
    '',
    fence(JSON.stringify({ rules: { [id]: 'off' } }, null, 2), 'json'),
    '',
  );
  return out.join('\n');
}

function indexDoc(): string {
  const out = ['# migplan rules', '', 'Generated from the rules\' metadata (`npm run docs`). Severity is the default; `.migplanrc.json` or the editor setting `migplan.rules` can change it or turn a rule off.', '', '| rule | severity | quick fix | what it checks |', '| --- | --- | --- | --- |'];
  for (const r of RULES) out.push(`| [\`${r.meta.id}\`](rules/${r.meta.id}.md) | ${r.meta.severity} | ${r.meta.fixable ? 'yes' : ''} | ${r.meta.description.replace(/\|/g, '\\|')} |`);
  out.push(
    '',
    '## Quality checklist',
    '',
    'An item is **passed** when none of its rules fires and its fields hold no placeholder; **failed** when one of its rules fires (or `implausible-value` on one of its fields); **unverified** when a placeholder is left in its fields or one of its rules is turned off; **not applicable** when the plan has nothing it is about (no backfill phase). "N of 7" counts passed items only.',
    '',
    '| item | rules |',
    '| --- | --- |',
  );
  for (const c of CHECKLIST) out.push(`| ${c.label} | ${c.rules.map((r) => `\`${r}\``).join(', ')} |`);
  out.push(
    '',
    '## Rehearsal findings',
    '',
    '`migplan rehearse` runs a plan with SQL on PostgreSQL (see the spec, sql-and-rehearsal.md) and reports what did not hold with these ids, at the plan\'s lines, in the same formats as the rules.',
    '',
    '| finding | severity | what it means |',
    '| --- | --- | --- |',
  );
  for (const m of Object.values(REHEARSE_RULES)) out.push(`| [\`${m.id}\`](rules/${m.id}.md) | ${m.severity} | ${m.description.replace(/\|/g, '\\|')} |`);
  return out.join('\n') + '\n';
}

/** Every generated doc: repository-relative path → content. */
export function generateDocs(): Map<string, string> {
  const docs = new Map<string, string>();
  docs.set('docs/rules.md', indexDoc());
  for (const r of RULES) docs.set(`docs/rules/${r.meta.id}.md`, ruleDoc(r));
  for (const m of Object.values(REHEARSE_RULES)) docs.set(`docs/rules/${m.id}.md`, rehearseDoc(m));
  return docs;
}

/** A rehearsal finding's page: what it means, and how the rehearsal finds it. */
function rehearseDoc(m: RuleMeta): string {
  return [
    `# \`${m.id}\``,
    '',
    m.description,
    '',
    `- Default severity: **${m.severity}**`,
    '- Found by: `migplan rehearse` and the editor\'s "Migration Plan: Rehearse" (it needs a database, so `migplan lint` never reports it)',
    '',
    '## Why',
    '',
    m.rationale,
    '',
    '## What to do',
    '',
    'Rehearse again after the change: the finding stays until the plan, run on PostgreSQL, does what it says. The rehearsal runs on a scratch copy (PGlite in memory, or a scratch schema on the server of `--database`), never on your data.',
    '',
  ].join('\n');
}

if (require.main === module) void main();

/** Writes the docs: once PostgreSQL's parser is loaded, which the SQL rules' examples need. */
async function main(): Promise<void> {
  await loadSqlParser();
  const docs = generateDocs();
  const dir = path.join(REPO_ROOT, 'docs', 'rules');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (!docs.has(`docs/rules/${f}`)) fs.rmSync(path.join(dir, f));
  for (const [rel, text] of docs) fs.writeFileSync(path.join(REPO_ROOT, rel), text);
  console.log(`wrote ${docs.size} files under docs/`);
}
