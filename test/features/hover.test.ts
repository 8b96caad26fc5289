/**
 * Hover: schema documentation of keys, rule documentation of diagnostics,
 * values in words, and the backfill estimate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationWords, hover } from '../../server/src/service/features/hover';
import { formatCount } from '../../server/src/service/features/shared';
import { lint } from '../../server/src/service/linting/lint';
import { RULE_DOCS_BASE as REPORT_BASE, ruleDocUrl as reportRuleDocUrl } from '../../server/src/report';
import { RULE_DOCS_BASE, ruleDocUrl } from '../../server/src/service/linting/ruleDocs';
import { RULES_BY_ID } from '../../server/src/service/rules';
import { PLAN_SCHEMA, type JsonSchema } from '../../server/src/service/parsing/schemaValidator';
import { DRAFT_TEXT, EXAMPLE_TEXT, offsetOf } from './helpers';

function hoverAt(text: string, needle: string, delta = 0): { contents: string; covered: string } | undefined {
  const { plan, diagnostics } = lint(text);
  const h = hover(plan, offsetOf(text, needle, delta), diagnostics);
  return h && { contents: h.contents, covered: text.slice(h.span[0], h.span[1]) };
}

const PHASE_PROPS = (PLAN_SCHEMA.properties!.phases as JsonSchema).items!.properties!;

describe('hover: keys', () => {
  it('shows the schema description and documentation of a phase key, and which kind it belongs to', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'soak: 24h', 1)!;
    const soak = PHASE_PROPS.soak as JsonSchema;
    assert.equal(h.covered, 'soak');
    // The long description once: not the short one as well, which says the same.
    assert.ok(h.contents.startsWith('**`soak`**\n\n'), h.contents);
    assert.ok(h.contents.includes(soak.markdownDescription!));
    assert.ok(!h.contents.includes(`: ${soak.description}`), h.contents);
    assert.ok(h.contents.includes('_Only in `cutover` phases._'));
  });

  it('says when a kind-specific key sits in a phase of another kind', () => {
    const text = EXAMPLE_TEXT.replace('    batch_size: 5000\n', '    batch_size: 5000\n    soak: 24h\n');
    // With the schema's diagnostic there, the hover is its detail; without one, the key section says it.
    const h = hoverAt(text, '    soak: 24h\n    throttle', 5)!;
    assert.match(h.contents, /^\*\*`schema`\*\* \(error\): Move it to the cutover phase/);
    const { plan } = lint(text);
    assert.ok(hover(plan, offsetOf(text, '    soak: 24h\n    throttle', 5), [])!.contents.includes('_Only in `cutover` phases; this phase is `backfill`._'));
  });

  it('resolves keys through context, changes, data_volume, consumers, assessment, checks and triggers', () => {
    const ctx = PLAN_SCHEMA.properties!.context as JsonSchema;
    const cases: Array<[string, JsonSchema]> = [
      ['  engine:', ctx.properties!.engine as JsonSchema],
      ['      from: [name]', ((ctx.properties!.changes as JsonSchema).items!.properties!.from as JsonSchema)],
      ['      rows: 48000000', ((ctx.properties!.data_volume as JsonSchema).items!.properties!.rows as JsonSchema)],
      ['    zero_downtime', ((ctx.properties!.downtime as JsonSchema).properties!.zero_downtime as JsonSchema)],
      ['    migration_path: Writes', ((PLAN_SCHEMA.properties!.consumers as JsonSchema).items!.properties!.migration_path as JsonSchema)],
      ['    basis:', (((PLAN_SCHEMA.properties!.assessment as JsonSchema).properties!.duration_estimate as JsonSchema).properties!.basis as JsonSchema)],
      ['        expect: count(new)', ((PHASE_PROPS.checks as JsonSchema).items!.properties!.expect as JsonSchema)],
      ['      - when: replica_lag', ((PHASE_PROPS.triggers as JsonSchema).items!.properties!.when as JsonSchema)],
      ['point_of_no_return:', PLAN_SCHEMA.properties!.point_of_no_return as JsonSchema],
    ];
    for (const [needle, schema] of cases) {
      const key = needle.trim().replace(/^- /, '').split(':')[0];
      const h = hoverAt(EXAMPLE_TEXT, needle, needle.indexOf(key) + 1)!;
      assert.equal(h.covered, key, needle);
      assert.ok(h.contents.includes(schema.markdownDescription ?? schema.description!), `${needle}: ${h.contents}`);
    }
  });

  it('says a key is not part of the format: through its diagnostic, and without one', () => {
    const h = hoverAt('migplan: 1\nsoka: 24h\n', 'soka', 1)!;
    assert.match(h.contents, /^\*\*`schema`\*\* \(error\): /);
    assert.ok(!h.contents.includes('not a key of the plan format'), 'the diagnostic says it; the key section would repeat it');
    const { plan } = lint('migplan: 1\nsoka: 24h\n');
    assert.match(hover(plan, 12, [])!.contents, /not a key of the plan format/);
  });

  it('has nothing to say between entries or on a comment', () => {
    assert.equal(hoverAt(EXAMPLE_TEXT, '# A complete plan', 3), undefined);
    assert.equal(hoverAt(EXAMPLE_TEXT, '\n\ncontext:', 1), undefined);
  });
});

describe('hover: diagnostics', () => {
  it('shows the rest of the message (why, what to do), the fix and the documentation link first, then the value sections', () => {
    const h = hoverAt(DRAFT_TEXT, 'batch_size: 50000', 13)!;
    const meta = RULES_BY_ID.get('backfill-batch-size')!.meta;
    const d = lint(DRAFT_TEXT).diagnostics.find((x) => x.rule === 'backfill-batch-size')!;
    const [diag, ...rest] = h.contents.split('\n\n---\n\n');
    assert.ok(diag.startsWith(`**\`backfill-batch-size\`** (warning): ${d.detail}`), diag);
    // Said once: not the message (the editor shows it), not the rationale (the rule's page has it).
    assert.ok(!diag.includes(d.message), diag);
    assert.ok(!diag.includes(meta.rationale));
    assert.ok(diag.includes('Quick fix: Set batch_size to 5000.'));
    assert.ok(diag.includes('[Rule documentation](https://github.com/migplan/migplan/blob/main/docs/rules/backfill-batch-size.md)'));
    assert.equal(rest.length, 1);
    assert.match(rest[0], /^\*\*Backfill estimate\*\*/);
    assert.equal(h.covered, '50000');
  });

  it('shows each rule once when several diagnostics cover the offset, and only those covering it', () => {
    const { plan, diagnostics } = lint(DRAFT_TEXT);
    const at = offsetOf(DRAFT_TEXT, '  - id: cutover', 5);
    const h = hover(plan, at, diagnostics)!;
    const rules = [...h.contents.matchAll(/^\*\*`([a-z-]+)`\*\* \((error|warning|info)\)/gm)].map((m) => m[1]);
    const expected = [...new Set(diagnostics.filter((d) => plan.lines.offsetAt(d.range.start) <= at && at < plan.lines.offsetAt(d.range.end)).map((d) => d.rule))];
    assert.ok(expected.length >= 2, `expected several rules at the cutover id: ${expected.join(', ')}`);
    assert.deepEqual(rules, expected);
  });

  it('takes ruleDocUrl from service/ruleDocs.ts, which report.ts re-exports', () => {
    assert.equal(RULE_DOCS_BASE, 'https://github.com/migplan/migplan/blob/main/docs/rules/');
    assert.equal(ruleDocUrl('cutover-soak'), 'https://github.com/migplan/migplan/blob/main/docs/rules/cutover-soak.md');
    assert.equal(REPORT_BASE, RULE_DOCS_BASE);
    assert.equal(reportRuleDocUrl, ruleDocUrl);
  });
});

describe('hover: values in words', () => {
  it('a duration, with what the key means', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'soak: 24h', 7)!;
    assert.equal(h.contents, '`24h` = 1 day: how long the cutover runs at 100% before verification.');
    assert.equal(h.covered, '24h');
    assert.equal(hoverAt(EXAMPLE_TEXT, 'max_revert_time: 5m', 17)!.contents, '`5m` = 5 minutes: how fast a rollback must complete.');
  });

  it('a short soak: the rule first, then the value', () => {
    const h = hoverAt(EXAMPLE_TEXT.replace('soak: 24h', 'soak: 90m'), 'soak: 90m', 7)!;
    const sections = h.contents.split('\n\n---\n\n');
    assert.equal(sections.length, 2);
    assert.match(sections[0], /^\*\*`cutover-soak`\*\* \(warning\)/);
    assert.equal(sections[1], '`90m` = 1 hour 30 minutes: how long the cutover runs at 100% before verification.');
    assert.equal(h.covered, '90m');
  });

  it('a replica-lag throttle, against the phase\'s replica-lag trigger', () => {
    assert.equal(
      hoverAt(EXAMPLE_TEXT, 'max_replica_lag: 5s', 18)!.contents,
      "`5s` = 5 seconds: replica lag at which the backfill pauses. It is below the phase's replica-lag trigger `replica_lag > 30s for 1m`, so the backfill slows down before a rollback is needed.",
    );
  });

  it('a percentage, with the P99 it allows', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'latency_budget: 10%', 17)!;
    assert.equal(h.contents, '`10%` = 10 percent: allowed P99 latency increase over the baseline, as a percentage. With the baseline P99 of 28ms, P99 may reach 30.8ms.');
  });

  it('a size, in bytes and per row', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'size: 21GiB', 7)!;
    assert.equal(h.contents, '`21GiB` = 22,548,578,304 bytes: on-disk size. About 470 bytes per row for 48,000,000 rows.');
  });

  it('a release span', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'grace_period: 2 releases', 16)!;
    assert.equal(h.contents, '`2 releases`: how long to wait before dropping the old shape: 2 releases ship between the cutover and the cleanup.');
  });

  it('a condition, and a condition that is not one', () => {
    assert.equal(hoverAt(EXAMPLE_TEXT, 'when: replica_lag > 30s for 1m', 9)!.contents, 'Fires when `replica_lag` is above 30s (30 seconds), sustained for 1 minute.');
    assert.equal(hoverAt(EXAMPLE_TEXT, 'expect: p99 <= 110% of baseline', 10)!.contents, 'Passes when `p99` is at most 110% of its baseline.');
    const vague = hoverAt(DRAFT_TEXT, 'if replication looks bad', 3)!;
    assert.match(vague.contents, /`if replication looks bad` is not a condition/);
  });

  it('a phase kind, and the point of no return', () => {
    assert.match(hoverAt(EXAMPLE_TEXT, 'kind: backfill', 8)!.contents, /^`backfill`: Fill the new shape .* Its own keys: `batch_size`, `throttle`, `idempotent`, `upsert`, `resume`\.$/);
    assert.equal(hoverAt(EXAMPLE_TEXT, 'point_of_no_return: cleanup', 22)!.contents, 'Phase 5 of 5, `cleanup` (cleanup): from this phase on, rolling back needs a restore from backup.');
  });
});

describe('hover: backfill estimate', () => {
  it('on batch_size: batches of the affected tables and the time per batch from the duration estimate', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'batch_size: 5000', 2)!;
    const [key, estimate] = h.contents.split('\n\n---\n\n');
    assert.match(key, /^\*\*`batch_size`\*\*\n\n/);
    assert.equal(
      estimate,
      '**Backfill estimate**\n\n- `users`: 48,000,000 rows / 5,000 = **9,600 batches**\n\nThe duration estimate is 6h (production-replica): if the backfill took all of it, each batch would take about 2.3s.',
    );
    assert.equal(hoverAt(EXAMPLE_TEXT, 'batch_size: 5000', 13)!.contents, estimate);
  });

  it('only the tables the changes touch; all data_volume tables when none match; totals for several', () => {
    const text = EXAMPLE_TEXT.replace(
      '      growth: 1.5% per month\n',
      '      growth: 1.5% per month\n    - table: orders\n      rows: 1000001\n',
    );
    assert.doesNotMatch(hoverAt(text, 'batch_size: 5000', 13)!.contents, /orders/);
    const all = text.replace(/table: users\n( {6}from)/, 'table: accounts\n$1').replace(/table: users\n( {6}column)/, 'table: accounts\n$1');
    const h = hoverAt(all, 'batch_size: 5000', 13)!.contents;
    assert.match(h, /- `orders`: 1,000,001 rows \/ 5,000 = \*\*201 batches\*\*/);
    assert.match(h, /9,801 batches in all\./);
  });

  it('says what would make an estimate possible', () => {
    const noRows = EXAMPLE_TEXT.replace('      rows: 48000000\n', '');
    assert.match(hoverAt(noRows, 'batch_size: 5000', 13)!.contents, /Add the row counts of the affected tables to `context\.data_volume` \(`rows`\)/);
    const noEstimate = EXAMPLE_TEXT.replace('    duration: 6h\n', '');
    assert.match(hoverAt(noEstimate, 'batch_size: 5000', 13)!.contents, /With `assessment\.duration_estimate\.duration` .* the time per batch would show here\./);
  });

  it('on data_volume rows: the batches of each backfill phase', () => {
    const h = hoverAt(EXAMPLE_TEXT, 'rows: 48000000', 8)!;
    assert.equal(h.contents.split('\n\n---\n\n').pop(), "**48,000,000 rows** in `users`\n\n9,600 batches of 5,000 in phase 'backfill'.");
    const noBackfill = hoverAt(EXAMPLE_TEXT.replace('    batch_size: 5000\n', ''), 'rows: 48000000', 8)!;
    assert.match(noBackfill.contents, /With a `batch_size` in the backfill phase/);
  });
});

describe('hover: formatting', () => {
  it('formats numbers with thousands separators, whatever the locale', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(470), '470');
    assert.equal(formatCount(1000), '1,000');
    assert.equal(formatCount(48000000), '48,000,000');
    assert.equal(formatCount(1234567.891), '1,234,567.89');
    assert.equal(formatCount(2.25, 1), '2.3');
    assert.equal(formatCount(-12000), '-12,000');
    assert.equal(formatCount(100, 0), '100');
  });

  it('says durations in words', () => {
    assert.equal(durationWords(86_400_000), '1 day');
    assert.equal(durationWords(5_400_000), '1 hour 30 minutes');
    assert.equal(durationWords(14 * 86_400_000), '2 weeks');
    assert.equal(durationWords(250), '250 milliseconds');
    assert.equal(durationWords(1000), '1 second');
    assert.equal(durationWords(90_061_000), 'about 1 day 1 hour');
  });

  it('never throws, whatever the text and offset', () => {
    for (const text of [EXAMPLE_TEXT, DRAFT_TEXT, 'a: [', '- x\n- y\n', '', 'phases:\n  - *x\n']) {
      const { plan, diagnostics } = lint(text);
      for (let offset = 0; offset <= text.length; offset++) assert.doesNotThrow(() => hover(plan, offset, diagnostics));
    }
  });
});
