/**
 * The Markdown renderer and the quality checklist: snapshots of the example
 * plan and of a plan with gaps (test/snapshots/), escaping of hostile text
 * checked through markdown-it's HTML, URLs and addresses that no autolinker
 * (markdown-it's linkify, GFM's) turns into links, determinism, robustness,
 * and rendering time linear in the length of plan text.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { CHECKLIST, checklistSummary, evaluateChecklist } from '../server/src/service/rendering/checklist';
import { lint } from '../server/src/service/linting/lint';
import { PlanDocument } from '../server/src/service/parsing/plan';
import { PLAN_TEMPLATE } from '../server/src/service/linting/planTemplate';
import { codeSpan, escapeInline, fencedBlock, renderMarkdown, renderPlan } from '../server/src/service/rendering/render';
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

/** The text a reader sees in markdown-it's HTML (tags dropped, entities decoded). */
function textOf(html: string): string {
  return decode(html.replace(/<[^>]*>/g, ''));
}

/** The word joiner the renderer puts into URLs and addresses so that nothing links them. */
const WJ = /\u2060/g;

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
      // Word joiners (invisible) break URLs and addresses; the text is otherwise the same.
      assert.equal(decode(m[1]).replace(WJ, ''), s.trim().replace(/\s*[\r\n]+\s*/g, ' '));
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

describe('render: URLs and addresses in plan text are not links', () => {
  // markdown-it as the preview has it, with linkify (which approximates GFM's
  // autolinks), and with linkify's fuzzy links, e-mails and IPs all on.
  const fuzzy = new MarkdownIt({ html: false, linkify: true });
  fuzzy.linkify.set({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true });
  const renderers: Array<[string, typeof md]> = [
    ['markdown-it', md],
    ['markdown-it with linkify', new MarkdownIt({ html: false, linkify: true })],
    ['markdown-it with fuzzy linkify', fuzzy],
  ];
  // GFM's extended autolinks, liberally: cmark-gfm finds `scheme://` and
  // `www.` in the Markdown as written; GitHub's second pass (modelled by
  // mdast-util-gfm-autolink-literal) and cmark-gfm's e-mail pass look at the
  // decoded text of text nodes, so they see through `\.` and `&#58;`, and
  // GitHub links @mentions.
  const GFM_MARKDOWN = /(?:https?|ftp):\/\/|www\./i;
  const GFM_TEXT = /(?:https?|ftp):\/\/|www\.|[-.+\w]@|@\w/i;
  const hostile = [
    'https://evil.example/a?b=1',
    'see http://evil.example, now',
    'HTTPS://EVIL.EXAMPLE/X',
    'ftp://files.evil.example/dump',
    'www.evil.example',
    'WwW.evil.example/path',
    'www.1x.example',
    '(www.evil.example)',
    '*www.evil.example* _https://evil.example_ ~www.evil.example~',
    'https\\://evil.example and www\\.evil.example',
    'https&#58;//evil.example and www&#46;evil.example and a&#64;evil.example',
    '//evil.example/x and //localhost/x',
    'http://127.0.0.1:8080/ and http://[::1]/',
    'user@evil.example',
    'first.last+tag@sub.evil.example.',
    'a@b.c and a@@b.c and @ alone',
    'mailto:dba@evil.example xmpp:dba@evil.example',
    '@octocat and @org/team',
    '<https://evil.example> [x](https://evil.example) ![y](https://evil.example/i.png)',
    'https://evil.example/\\_\\`|*',
    'https:///evil.example and ///evil.example/x and a//b',
  ];
  const contexts: Array<[string, (x: string) => string]> = [
    ['prose', (x) => x],
    ['a heading', (x) => `# ${x}`],
    ['a list item', (x) => `- ${x}`],
    ['a numbered list item', (x) => `1. ${x}`],
    ['a table cell', (x) => `| a | b |\n| --- | --- |\n| ${x} | — |`],
  ];
  for (const s of hostile) {
    it(`keeps ${JSON.stringify(s)} as text`, () => {
      const out = escapeInline(s);
      assert.doesNotMatch(out, GFM_MARKDOWN, out);
      for (const [where, wrap] of contexts) {
        for (const [name, r] of renderers) {
          const html = r.render(wrap(out));
          assert.doesNotMatch(html, /<a[\s>]/, `${name}, in ${where}: ${html}`);
          const text = textOf(html);
          assert.doesNotMatch(text, GFM_TEXT, `GFM would link in ${where}: ${JSON.stringify(text)}`);
          assert.ok(text.replace(WJ, '').includes(s), `${name}, in ${where}, shows ${JSON.stringify(text)}`);
        }
      }
    });
  }

  it('a plan full of URLs and addresses renders without a link anywhere', () => {
    const text = read(path.join(RENDER_INPUTS, 'links.migplan.yaml'));
    const out = render(text);
    assert.doesNotMatch(out, GFM_MARKDOWN);
    for (const [name, r] of renderers) {
      const html = r.render(out);
      assert.doesNotMatch(html, /<a[\s>]/, name);
      const visible = textOf(html);
      assert.doesNotMatch(visible, GFM_TEXT);
      // Still all there, as text: headings, prose, lists, table cells, problems.
      const plain = visible.replace(WJ, '');
      for (const s of [
        'Move https://evil.example/a?b=1 to www.evil.example (ops@evil.example)',
        '@octocat, dana@example.com',
        'WWW.EVIL.EXAMPLE/plan, ftp://files.evil.example/dump and //evil.example/x.',
        'Mail mailto:dba@evil.example or xmpp:dba@evil.example; ask @dba-team.',
        'Phase 1: Dual-write per https://evil.example/runbook (dual-write)',
        'Announce on HTTP://EVIL.EXAMPLE and www.1x.example',
        'Page oncall@evil.example and open https://evil.example/incident',
        'unknown kind: https://evil.example/kind',
        "'https://evil.example/kind' is not a phase kind",
      ]) {
        assert.ok(plain.includes(s), `${name} shows ${JSON.stringify(s)}`);
      }
    }
    const tableRows = tables(md.render(out)).find((t) => t.header[0] === 'Name')?.rows ?? [];
    assert.deepEqual(tableRows.map((r) => r.length), [5], 'the consumer row keeps its cells');
  });

  it('leaves code spans and fenced blocks verbatim', () => {
    assert.equal(codeSpan('https://evil.example a@b.c'), '`https://evil.example a@b.c`');
    assert.equal(fencedBlock('GET https://evil.example\nwww.evil.example'), '```\nGET https://evil.example\nwww.evil.example\n```');
  });
});

describe('render: determinism and robustness', () => {
  it('renders the same input to the same bytes, with \\n line ends and one final newline', () => {
    for (const file of [EXAMPLE, ...['gaps', 'hostile', 'links'].map((f) => path.join(RENDER_INPUTS, `${f}.migplan.yaml`))]) {
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

describe('render: time linear in the length of plan text', () => {
  // Long runs of one character: spaces, tabs, line breaks and the characters
  // the renderer escapes or breaks, each in every kind of field (heading,
  // paragraphs, list item, table cell, code span, fenced block, condition).
  const RUNS = [' ', '\t', '\r', '\n', ' \n', '\r\n', '\n\t\n', '-', '\\', '`', '|', '*', '_', '#', '&', '/', '@', '.', 'w', '1.', ' a'];
  const FIELDS: Array<[string, RegExp, (v: string) => string]> = [
    ['title', /^title: .*$/m, (v) => `title: ${v}`],
    ['summary', /^summary: >\n(?: {2}.*\n)+/m, (v) => `summary: ${v}\n`],
    ['engine', /^ {2}engine: .*$/m, (v) => `  engine: ${v}`],
    ['current_schema', /^ {2}current_schema: \|\n(?: {4}.*\n)+/m, (v) => `  current_schema: ${v}\n`],
    ['migration_path', /^ {4}migration_path: .*$/m, (v) => `    migration_path: ${v}`],
    ['a step', /^( {4}steps:\n {6}- ).*$/m, (v) => `$1${v}`],
    ['a check query', /^( {8}query: ).*$/m, (v) => `$1${v}`],
    ['a trigger', /^( {6}- when: ).*$/m, (v) => `$1${v}`],
    ['an action', /^( {8}action: ).*$/m, (v) => `$1${v}`],
    ['a rollback', /^( {4}rollback: ).*$/m, (v) => `$1${v}`],
  ];
  const example = read(EXAMPLE);
  // About 300 lines: the example plan and a few dozen more consumers.
  const padding = Array.from({ length: 24 }, (_, i) => `  - name: extra-${i}\n    kind: job\n    access: read\n    tables: [users]\n    migration_path: Reads the new columns from release ${50 + i}.\n`).join('');
  const base = example.replace(/^assessment:/m, `${padding}\nassessment:`);

  /** The plan with `a<run…>b` (about `n` characters) in the given fields (JSON strings are YAML double-quoted scalars). */
  function planWith(run: string, n: number, fields = FIELDS): string {
    const value = JSON.stringify(`a${run.repeat(Math.ceil(n / run.length))}b`);
    let text = base;
    for (const [name, re, line] of fields) {
      assert.match(text, re, name);
      text = text.replace(re, line(value.replace(/\$/g, '$$$$')));
    }
    return text;
  }

  /**
   * Milliseconds to render a plan (the best of `tries`); the Markdown is
   * checked too. CPU time of this process, not wall-clock time: what the
   * rendering costs, whatever else a busy machine is running.
   */
  function timeRender(text: string, tries = 2): number {
    const { plan, diagnostics } = lint(text, { maxLength: 64 * 1024 * 1024 });
    assert.ok(plan.root, 'the plan is read');
    let best = Infinity;
    for (let i = 0; i < tries; i++) {
      const before = process.cpuUsage();
      const out = renderMarkdown(plan, diagnostics);
      const used = process.cpuUsage(before);
      best = Math.min(best, (used.user + used.system) / 1000);
      assert.ok(out.endsWith('\n') && !out.endsWith('\n\n'), 'ends with one newline');
      assert.ok(!out.includes('\r'));
    }
    return best;
  }

  it('a ~300-line plan with one field of 100,000 repeated characters renders in well under a second', () => {
    assert.ok(base.split('\n').length >= 300);
    timeRender(planWith('x', 1000));
    let slowest = { ms: 0, what: '' };
    for (const run of RUNS) {
      for (const field of FIELDS) {
        const ms = timeRender(planWith(run, 100_000, [field]), 1);
        const what = `${JSON.stringify(run)} × 100,000 in ${field[0]}`;
        assert.ok(ms < 500, `${what}: ${ms.toFixed(0)} ms`);
        if (ms > slowest.ms) slowest = { ms, what };
      }
    }
    if (process.env.MIGPLAN_TIMINGS) console.log(`slowest: ${slowest.what}, ${slowest.ms.toFixed(1)} ms`);
  });

  it('four times the text takes about four times as long, not sixteen', () => {
    timeRender(planWith('x', 1000));
    for (const run of RUNS) {
      // Grow n until one rendering takes long enough to time (a quadratic path gets there early).
      timeRender(planWith(run, 1000), 1);
      let n = 2000;
      let t1 = timeRender(planWith(run, n));
      while (t1 < 8 && n < 400_000) {
        n *= 2;
        t1 = timeRender(planWith(run, n));
      }
      // More runs at n, so that one slow run there (compilation, a pause) does not hide a slow 4n.
      t1 = Math.min(t1, timeRender(planWith(run, n)));
      let t4 = timeRender(planWith(run, 4 * n));
      // A pause of the garbage collector can slow one run: measure again before failing.
      for (let retry = 0; retry < 3 && t4 / t1 >= 8; retry++) {
        t1 = Math.min(t1, timeRender(planWith(run, n), 3));
        t4 = Math.min(t4, timeRender(planWith(run, 4 * n), 3));
      }
      if (process.env.MIGPLAN_TIMINGS) console.log(`${JSON.stringify(run)}: ${n} → ${t1.toFixed(1)} ms, ${4 * n} → ${t4.toFixed(1)} ms`);
      assert.ok(t4 / t1 < 8, `${JSON.stringify(run)} × ${n} in every field: ${t1.toFixed(1)} ms, × ${4 * n}: ${t4.toFixed(1)} ms (ratio ${(t4 / t1).toFixed(1)}; linear is 4, quadratic 16)`);
    }
  });

  it('a 5 MiB field renders in under five seconds', () => {
    // In a rollback, which is shown twice (its paragraphs, and a cell of the rollback plan).
    const rollback = FIELDS.filter(([name]) => name === 'a rollback');
    for (const run of [' ', '\\', '\r', ' \t\r\n-\\`|*_#&<[~a@b//www.']) {
      // Quadratic, 5 MiB would take hours: fail early instead.
      const small = timeRender(planWith(run, 100_000, rollback), 1);
      assert.ok(small < 500, `${JSON.stringify(run)} × 100,000: ${small.toFixed(0)} ms`);
      const ms = timeRender(planWith(run, 5 * 1024 * 1024, rollback), 1);
      assert.ok(ms < 5000, `${JSON.stringify(run)} × 5 MiB: ${ms.toFixed(0)} ms`);
      if (process.env.MIGPLAN_TIMINGS) console.log(`${JSON.stringify(run)} × 5 MiB: ${ms.toFixed(0)} ms`);
    }
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
