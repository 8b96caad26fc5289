import type { PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import { defineRule } from '../linting/rule';
import { isEmpty, phaseLabel, phaseName } from '../linting/ruleHelpers';
import { fillEmptyList, RECOMMENDED_CHECKS, recommendedCheck, writtenInPlace } from '../linting/templates';
import { CONDITION_FORM, parseCondition, type Condition } from '../parsing/values';

/** A metric that counts rows: count(new), row_count, new_rows_count, rows_old. */
function isCountMetric(metric: string): boolean {
  return /count/i.test(metric) || /^(?:new|old)_rows?$|^rows?_(?:new|old)$/i.test(metric);
}

/** A comparison of two row counts: `count(new) = count(old)`. */
export function isCountComparison(c: Condition): boolean {
  return c.otherMetric !== undefined && isCountMetric(c.metric) && isCountMetric(c.otherMetric);
}

/** Change kinds whose new data lives in the same table as the old. */
const WITHIN_TABLE = new Set(['add-column', 'rename-column', 'drop-column', 'change-type', 'split-column', 'merge-columns', 'add-index', 'drop-index']);

const withinOne = new WeakMap<PlanDocument, string | undefined>();

/** The table when every change of the plan stays inside it (row counts cannot tell old from new there). */
function changeWithinOneTable(plan: PlanDocument): string | undefined {
  if (withinOne.has(plan)) return withinOne.get(plan);
  let table: string | undefined;
  let ok = true;
  const changes = plan.root?.get('context')?.get('changes')?.items() ?? [];
  for (const ch of changes) {
    const kind = ch.get('kind')?.str();
    const t = ch.get('table')?.text()?.trim().toLowerCase();
    if (kind === undefined || !WITHIN_TABLE.has(kind) || t === undefined || (table !== undefined && t !== table)) ok = false;
    table ??= t;
  }
  const out = ok && changes.length > 0 ? table : undefined;
  withinOne.set(plan, out);
  return out;
}

export const rule = defineRule({
  meta: {
    id: 'integrity-check',
    severity: 'error',
    description:
      "A phase has no `checks`; a check's `expect` is not a condition such as `count(new) = count(old)`; a count comparison is not an equality; or, where every change stays inside one table, a phase checks only row counts.",
    rationale:
      'The method puts an integrity check at every phase boundary: row counts, checksums, divergence or spot-check queries that prove the data is still right before the next phase builds on it. ' +
      'A check only helps when its expected result is a comparison someone (or a script) can evaluate, not a feeling. ' +
      '`count(new) >= count(old)` passes with missing rows hidden behind duplicates: counts must be equal. ' +
      'And when a column is split or retyped inside one table, old and new share their rows, so their counts are equal whatever the backfill wrote: only a check that compares values can fail there. ' +
      'Corruption found at the boundary where it happened is cheap to undo; found after cleanup, it needs a restore.',
    fixable: true,
  },
  phaseContext(plan) {
    return changeWithinOneTable(plan) ?? '';
  },
  checkPhase(phase, ctx) {
    const node = phase.node;
    const checks = node.get('checks');
    const example = RECOMMENDED_CHECKS[phase.kind ?? 'custom'];
    if (checks === undefined || (checks.isSeq && isEmpty(checks))) {
      const missing = checks === undefined;
      ctx.report({
        span: missing ? node.missingSpan : checks.reportSpan,
        message: `${phaseLabel(phase)} has ${missing ? 'no integrity checks' : 'an empty `checks` list'}.`,
        detail:
          'Nothing proves the data is still right before the next phase builds on it. ' +
          `Add a check with an expected result, e.g. \`{name: ${example.name}, expect: ${example.expect}}\`.`,
        // Through an alias (`- *phase`) the phase is written elsewhere: no edit in place.
        ...(missing && !writtenInPlace(node) ? {} : { fix: {
          title: `Insert the recommended check '${example.name}'`,
          edits: [
            missing
              ? ctx.edits.insertEntry(node, 'checks', [recommendedCheck(phase.kind)], { before: ['triggers', 'rollback'] })
              : fillEmptyList(ctx.edits, checks, [recommendedCheck(phase.kind)]),
          ],
        } }),
      });
      return;
    }
    // `checks` that is not a list, items that are not maps, an `expect` that is not a string: the schema's.
    const counts: PNode[] = [];
    let others = 0;
    for (const check of checks.items()) {
      const expect = check.get('expect');
      const text = expect?.str();
      if (expect === undefined || text === undefined) continue;
      const c = parseCondition(text);
      const name = check.get('name')?.text();
      const label = name !== undefined ? `Check '${name.trim().length > 24 ? `${name.trim().slice(0, 23)}…` : name.trim()}'` : 'A check';
      if (c === undefined) {
        ctx.report({
          span: expect.reportSpan,
          message: `${label} of phase ${phaseName(phase)} expects '${text.trim().length > 20 ? `${text.trim().slice(0, 19)}…` : text.trim()}', not a condition.`,
          detail: `Nobody can evaluate whether it passed. Write it as \`${CONDITION_FORM}\`, e.g. \`${example.expect}\`.`,
          data: { expect: text },
        });
        continue;
      }
      if (!isCountComparison(c)) {
        others++;
        continue;
      }
      counts.push(expect);
      if (c.op !== '=' && c.op !== '==') {
        const fixed = `${c.metric} = ${c.otherMetric}`;
        ctx.report({
          span: expect.reportSpan,
          message: `${label} of phase ${phaseName(phase)} compares counts with '${c.op}', not '='.`,
          detail:
            `\`${text.trim()}\` passes when rows are missing as long as as many others are duplicated (or, the other way round, when rows were added twice). ` +
            `Row counts of old and new must be equal: \`${fixed}\`.`,
          fix: { title: `Write '${fixed}'`, edits: [ctx.edits.replaceValue(expect, fixed)], preferred: true },
          data: { expect: text },
        });
      }
    }
    const table = changeWithinOneTable(ctx.plan);
    if (table !== undefined && counts.length > 0 && others === 0) {
      ctx.report({
        span: checks.keySpan ?? checks.reportSpan,
        message: `${phaseLabel(phase)} checks only row counts, which a change inside '${table}' cannot alter.`,
        detail:
          `Every change of this plan stays inside the table '${table}', so old and new share their rows and ${counts.length === 1 ? 'the count comparison' : 'the count comparisons'} always ${counts.length === 1 ? 'holds' : 'hold'}, whatever the phase wrote. ` +
          'Add a check that compares values and can fail, such as the rows whose new columns disagree with the old one (`mismatched_rows = 0`) or a checksum of both.',
        related: counts.map((e) => ({ span: e.reportSpan, message: 'A count comparison' })),
      });
    }
  },
});
