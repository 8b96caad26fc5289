/**
 * The Markdown renderer and the quality checklist: snapshots of the example
 * plan and of a plan with gaps (test/snapshots/), escaping of hostile text
 * checked through markdown-it's HTML, determinism, and robustness.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { CHECKLIST, checklistSummary, evaluateChecklist } from '../server/src/service/checklist';
import { lint } from '../server/src/service/lint';
import { PlanDocument } from '../server/src/service/plan';
import { PLAN_TEMPLATE } from '../server/src/service/planTemplate';
import { codeSpan, escapeInline, fencedBlock, renderMarkdown, renderPlan } from '../server/src/service/render';
import type { Diagnostic } from '../server/src/service/types';
import { EXAMPLES, ROOT, read, snapshot } from './helpers';

const RENDER_INPUTS = path.join(ROOT, 'test', 'render');
const SNAPSHOTS = path.join(ROOT, 'test', 'snapshots');
const EXAMPLE = path.join(EXAMPLES, 'split-user-name.migplan.yaml');

const md = new MarkdownIt({ html: false, linkify: false });

function render(text: string): string {
  const { plan, diagnostics } = lint(text);
  return renderMarkdown(plan, diagnostics);
}

function decode(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function diag(rule: string): Diagnostic {
  return { rule, severity: 'error', message: 'm', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
}

interface HtmlTable {
  header: string[];
  rows: string[][];
}

/** The tables of markdown-it's HTML: header cell texts and body rows' cell HTML. */
function tables(html: string): HtmlTable[] {
  return Array.from(html.matchAll(/<table>([\s\S]*?)<\/table>/g), (m) => {
    const [head, body = ''] = m[1].split('<tbody>');
    const header = Array.from(head.matchAll(/<th(?:\s[^>]*)?>([\s\S]*?)<\/th>/g), (c) => c[1]);
    const rows = Array.from(body.matchAll(/<tr>([\s\S]*?)<\/tr>/g), (r) => Array.from(r[1].matchAll(/<td(?:\s[^>]*)?>([\s\S]*?)<\/td>/g), (c) => c[1]));
    return { header, rows };
  });
}

describe('checklist', () => {
  it('has the seven items of the spec with stable kebab-case ids', () => {
    assert.equal(CHECKLIST.length, 7);
    assert.equal(new Set(CHECKLIST.map((i) => i.id)).size, 7);
    for (const item of CHECKLIST) assert.match(item.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.deepEqual(
      CHECKLIST.map((i) => i.rules),
      [
        ['phase-criteria'],
        ['rollback-trigger', 'trigger-threshold'],
        ['integrity-check'],
        ['backfill-idempotent', 'backfill-key-range'],
        ['consumers-cataloged', 'rename-needs-consumers'],
        ['rollback-procedure', 'point-of-no-return'],
        ['duration-estimate'],
      ],
    );
  });

  it('fails an item when one of its rules has a diagnostic, and counts only passed items', () => {
    const plan = new PlanDocument(read(EXAMPLE));
    const results = evaluateChecklist(plan, [diag('rename-needs-consumers'), diag('rename-needs-consumers'), diag('point-of-no-return'), diag('schema')]);
    const byId = new Map(results.map((r) => [r.item.id, r]));
    assert.deepEqual(results.map((r) => r.item.id), CHECKLIST.map((i) => i.id));
    assert.equal(byId.get('consumers-cataloged')?.state, 'failed');
    assert.equal(byId.get('consumers-cataloged')?.failures, 2);
    assert.equal(byId.get('rollback-plan')?.failures, 1);
    assert.equal(results.filter((r) => r.passed).length, 5);
    assert.equal(checklistSummary(results), '5 of 7 passed, 2 failed');
    assert.ok(evaluateChecklist(plan, []).every((r) => r.passed && r.failures === 0));
  });

  it('all items pass on the example plan', () => {
    const { plan, diagnostics } = lint(read(EXAMPLE));
    assert.ok(evaluateChecklist(plan, diagnostics).every((r) => r.passed));
  });
});

describe('render: snapshots', () => {
  it('renders the example plan', () => {
    const out = render(read(EXAMPLE));
    assert.equal(out, snapshot(path.join(SNAPSHOTS, 'split-user-name.md'), out));
    assert.match(out, /^# Split users\.name into first_name and last_name\n/);
    assert.ok(out.includes('| Ramp | 1% → 10% → 50% → 100% |'));
    assert.ok(out.includes('⚠ point of no return'));
    assert.equal((out.match(/^- \[x\] /gm) ?? []).length, 7);
    assert.ok(!out.includes('_Not specified._'), 'the example plan is complete');
  });

  it('renders a plan with gaps and problems', () => {
    const out = render(read(path.join(RENDER_INPUTS, 'gaps.migplan.yaml')));
    assert.equal(out, snapshot(path.join(SNAPSHOTS, 'gaps.md'), out));
    assert.ok(out.includes('_Not specified._'));
    assert.ok(out.includes('which names no phase of this plan'));
    assert.ok(out.includes('⚠ not a measurable threshold'));
    assert.ok(out.includes('## Phase 4 (not a mapping)'));
  });

  it('gives phases distinct, stable, id-derived anchors and heading lines', () => {
    const { plan, diagnostics } = lint(read(EXAMPLE));
    const { markdown, phaseHeadings } = renderPlan(plan, diagnostics);
    assert.deepEqual(
      phaseHeadings.map((h) => h.anchor),
      ['phase-dual-write', 'phase-backfill', 'phase-cutover', 'phase-verification', 'phase-cleanup'],
    );
    const lines = markdown.split('\n');
    phaseHeadings.forEach((h, i) => assert.ok(lines[h.line].startsWith(`## Phase ${i + 1}: `), lines[h.line]));
    const dup = renderPlan(new PlanDocument('phases:\n  - id: a\n  - id: a\n  - kind: custom\n  - x\n  - id: "1"\n'), []);
    const anchors = dup.phaseHeadings.map((h) => h.anchor);
    assert.equal(new Set(anchors).size, anchors.length);
    assert.deepEqual(anchors, ['phase-1', 'phase-2', 'phase-3', 'phase-4', 'phase-5-2']);
  });
});

describe('render: escaping', () => {
  const inline = [
    '*a* _b_ **c** __d__ ~~e~~',
    '`code` ``two``',
    '[x](javascript:alert(1)) ![](data:text/html,x) <https://example.com>',
    '<script>alert(1)</script> <img src=x onerror=alert(1)>',
    '&amp; &lt; &#60; &copy;',
    '# heading',
    '- item',
    '+ item',
    '1. item',
    '2) item',
    '> quote',
    '---',
    '===',
    '***',
    'a \\ b \\',
    '\\*not emphasis\\*',
    'a | b | c',
    'first_name and snake_case_ and _lead',
    '1.5% per month',
    '-5% and +3',
    'line one\nline two\r\nline three',
    '    indented',
  ];
  for (const s of inline) {
    it(`inline text keeps ${JSON.stringify(s)} literal`, () => {
      const html = md.render(escapeInline(s));
      const m = /^<p>([\s\S]*)<\/p>\n$/.exec(html);
      assert.ok(m, `one paragraph: ${html}`);
      assert.equal(decode(m[1]), s.trim().replace(/\s*[\r\n]+\s*/g, ' '));
    });
  }

  const codes = ['`', '``a', 'a`', ' a ', 'a ` b ``` c', '</code>', 'x || y', '  '];
  for (const s of codes) {
    it(`code span keeps ${JSON.stringify(s)} verbatim`, () => {
      if (s.trim() === '') {
        assert.equal(codeSpan(s), '_(empty)_');
        return;
      }
      const m = /^<p><code>([\s\S]*)<\/code><\/p>\n$/.exec(md.render(codeSpan(s)));
      assert.ok(m);
      assert.equal(decode(m[1]), s);
    });
  }

  it('code spans and text keep a table cell whole', () => {
    const cells = [codeSpan('a | b `|` c', true), escapeInline('x | y \\| z')];
    const html = md.render(`| a | b |\n| --- | --- |\n| ${cells.join(' | ')} |\n`);
    const [t] = tables(html);
    assert.deepEqual(t.rows.map((r) => r.map(decode)), [['<code>a | b `|` c</code>', 'x | y \\| z']]);
  });

  it('fenced blocks are longer than any backtick run inside', () => {
    const body = '```\n</code></pre><script>x</script>\n````\nend';
    const block = fencedBlock(body, 'sql');
    assert.ok(block.startsWith('`````sql\n'));
    const m = /^<pre><code class="language-sql">([\s\S]*)<\/code><\/pre>\n$/.exec(md.render(`${block}\n\nafter`).replace(/<p>after<\/p>\n$/, ''));
    assert.ok(m);
    assert.equal(decode(m[1]), `${body}\n`);
  });

  it('a hostile plan renders to safe HTML with intact tables', () => {
    const text = read(path.join(RENDER_INPUTS, 'hostile.migplan.yaml'));
    const out = render(text);
    const html = md.render(out);
    assert.ok(!/<script/i.test(html), 'no <script');
    assert.ok(!/<img/i.test(html), 'no <img');
    assert.ok(!/<[a-z][^>]*\sonerror=/i.test(html), 'no onerror= in a tag');
    assert.ok(!/href="javascript:/i.test(html), 'no javascript: link');
    assert.ok(!/href="data:/i.test(html), 'no data: link');
    assert.ok(!/<a\s/i.test(html), 'the renderer makes no links');
    // The text is still there, as text.
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('[x](javascript:alert(1))'));
    // One h1, and the summary's list markers stay text.
    assert.equal((html.match(/<h1>/g) ?? []).length, 1);
    assert.ok(!/<li>not a list/.test(html));

    const plan = new PlanDocument(text);
    const count = (p: string): number => {
      let n = plan.root;
      for (const k of p.split('.')) n = /^\d+$/.test(k) ? n?.items()[Number(k)] : n?.get(k);
      return n?.items().length ?? -1;
    };
    const all = tables(html);
    for (const t of all) for (const r of t.rows) assert.equal(r.length, t.header.length, `row keeps its cells: ${JSON.stringify(r)}`);
    const byHeader = (first: string): HtmlTable[] => all.filter((t) => t.header[0] === first);
    assert.equal(byHeader('Context')[0].rows.length, 6);
    assert.equal(byHeader('Table')[0].rows.length, count('context.data_volume'));
    assert.equal(byHeader('Name')[0].rows.length, count('consumers'));
    assert.equal(byHeader('Check')[0].rows.length, count('phases.0.checks'));
    assert.equal(byHeader('Condition (threshold)')[0].rows.length, count('phases.0.triggers'));
    assert.equal(byHeader('Phase')[0].rows.length, count('phases'));
    // Lists keep their items.
    const phase1 = html.split('<h2>').find((h) => h.startsWith('Phase 1: ')) ?? '';
    assert.equal((phase1.match(/<ol>[\s\S]*?<\/ol>/)?.[0].match(/<li>/g) ?? []).length, count('phases.0.steps'));
  });
});

describe('render: determinism and robustness', () => {
  it('renders the same input to the same bytes, with \\n line ends and one final newline', () => {
    for (const file of [EXAMPLE, path.join(RENDER_INPUTS, 'gaps.migplan.yaml'), path.join(RENDER_INPUTS, 'hostile.migplan.yaml')]) {
      const text = read(file);
      const a = render(text);
      const b = render(text);
      assert.equal(a, b);
      assert.ok(!a.includes('\r'));
      assert.ok(a.endsWith('\n') && !a.endsWith('\n\n'));
      assert.equal(render(text.replace(/\n/g, '\r\n')), a, 'CRLF input renders the same');
    }
  });

  const odd: Record<string, string> = {
    'an empty file': '',
    'a comment only': '# nothing\n',
    'a list root': '- a\n- b\n',
    'a scalar root': 'just text\n',
    'broken YAML': 'title: [unclosed\nphases:\n  - id: x\n',
    'a phase that is a string': 'migplan: 1\ntitle: t\nowner: o\nphases:\n  - dual-write\n  - id: b\n    kind: backfill\npoint_of_no_return: b\n',
    'wrong types everywhere': [
      'migplan: [1]',
      'title: {a: 1}',
      'owner: 12',
      'summary: [x, y]',
      'context: [a]',
      'consumers: {a: b}',
      'assessment: true',
      'phases: {id: x}',
      'point_of_no_return: [x]',
      '',
    ].join('\n'),
    'wrong types inside': [
      'title: 3.5',
      'context:',
      '  current_schema: [a]',
      '  target_schema: {a: b}',
      '  changes: [1, {kind: [x], table: {}, from: {}, to: [[]]}]',
      '  data_volume: {table: x}',
      '  downtime: [1]',
      '  rollback_requirements: "soon"',
      'consumers: [1, [2], {name: [], tables: {a: 1}}]',
      'assessment: {baseline: [1], duration_estimate: 5, foreign_keys: {}}',
      'phases:',
      '  - null',
      '  - []',
      '  - {id: [], kind: backfill, title: [], entry: {}, steps: 5, exit: [[], {}], checks: {a: 1}, triggers: [1, {when: [], action: {}}], throttle: [1], ramp: 5, rollback: [1]}',
      '  - {id: c, kind: cutover, ramp: [x, {}, 50], flag: [], soak: {}, checks: [{name: n, query: [1], expect: 5}]}',
      '  - {id: 5, kind: {}}',
      'point_of_no_return: 5',
      '',
    ].join('\n'),
    'aliases': 'x: &a {id: a, kind: cleanup}\nphases: [*a, *a]\ntitle: *a\n',
  };
  for (const [name, text] of Object.entries(odd)) {
    it(`does not throw on ${name}`, () => {
      const out = render(text);
      assert.match(out, /^# /);
      assert.ok(out.endsWith('\n') && !out.endsWith('\n\n'));
      assert.ok(out.includes('## Quality checklist'));
      assert.ok(out.includes('## Rollback plan'));
      // Also with no diagnostics at all.
      assert.equal(typeof renderMarkdown(new PlanDocument(text), []), 'string');
    });
  }

  it('copes with huge text made of many backtick runs', () => {
    const s = '`a'.repeat(200_000);
    assert.ok(codeSpan(s).startsWith('``'));
    assert.ok(fencedBlock(s).startsWith('```\n'));
    const out = render(`title: t\nsummary: "${s}"\nphases:\n  - id: a\n    kind: custom\n    rollback: "${s}"\n`);
    assert.ok(out.length > 800_000);
  });

  it('shows gaps explicitly and does not tick the checklist when the rules could not run', () => {
    const out = render('');
    assert.ok(out.includes('# Untitled migration plan'));
    assert.ok(out.includes('_Not specified._'));
    assert.ok(!out.includes('- [x]'));
    assert.ok(out.includes('could not be evaluated'));
  });
});

describe('checklist under configuration', () => {
  it('does not tick an item whose rule is turned off: it says it was not checked', () => {
    const text = read(`${EXAMPLES}/split-user-name.migplan.yaml`);
    const config = { rules: { 'duration-estimate': 'off' as const } };
    const { plan, diagnostics } = lint(text, { config });
    const md = renderMarkdown(plan, diagnostics, config);
    assert.match(md, /- \[ \] Migration duration was estimated against production-scale data — unverified: `duration-estimate` turned off by configuration/);
    assert.match(md, /- \[x\] Every phase has explicit entry criteria, steps and exit criteria/);
    assert.match(md, /\*\*6 of 7 passed, 1 unverified\.\*\*/);
  });
});

describe('checklist: what it ticks is earned', () => {
  const state = (text: string, config = {}): Record<string, string> => {
    const { plan, diagnostics } = lint(text, { config });
    return Object.fromEntries(evaluateChecklist(plan, diagnostics, config).map((r) => [r.item.id, r.state]));
  };

  it('ticks nothing on the init template: every item is unverified, its placeholders counted', () => {
    const { plan, diagnostics } = lint(PLAN_TEMPLATE);
    const results = evaluateChecklist(plan, diagnostics);
    assert.deepEqual(results.map((r) => r.state), Array(7).fill('unverified'));
    assert.ok(results.every((r) => r.placeholders.length > 0));
    const md = renderMarkdown(plan, diagnostics);
    assert.equal((md.match(/^- \[x\] /gm) ?? []).length, 0);
    assert.match(md, /\*\*0 of 7 passed, 7 unverified\.\*\*/);
  });

  it('says the backfill item is not applicable to a plan without a backfill phase', () => {
    assert.equal(state('migplan: 1\ntitle: t\nowner: o\nphases:\n  - {}\n')['idempotent-backfill'], 'not-applicable');
    const noBackfill = read(EXAMPLE).replace(/ {2}- id: backfill\n[\s\S]*?(?=\n {2}- id: cutover)/, '');
    assert.equal(state(noBackfill)['idempotent-backfill'], 'not-applicable');
  });

  it('leaves an item unverified while a placeholder sits in its fields, even with the placeholder rule off', () => {
    const text = read(EXAMPLE).replace('resume: Restart from the last committed id recorded in backfill_progress', 'resume: TBD');
    assert.equal(state(text)['idempotent-backfill'], 'unverified');
    assert.equal(state(text, { rules: { placeholder: 'off' } })['idempotent-backfill'], 'unverified');
    assert.equal(state(read(EXAMPLE))['idempotent-backfill'], 'passed');
  });

  it('fails an item with an implausible value in its fields', () => {
    const text = read(EXAMPLE).replace('measured_on: 2026-11-02', 'measured_on: 2031-01-01');
    assert.equal(state(text)['production-duration'], 'failed');
  });

  it('a placeholder-filled plan passes nothing', () => {
    const text = read(EXAMPLE).replace(/^(\s*(?:-\s+)?(?:title|owner|summary|engine|migration_path|foreign_keys|upsert|resume|rollback|sign_off|action|name|duration): ).*$/gm, '$1TODO').replace(/^(\s+-\s+)(?!id:|kind:|name:|when:|table:|action:)[A-Z].*$/gm, '$1"?"');
    const { plan, diagnostics } = lint(text);
    const results = evaluateChecklist(plan, diagnostics);
    assert.equal(results.filter((r) => r.passed).length, 0, JSON.stringify(results.map((r) => [r.item.id, r.state])));
  });
});
