import type { PathSegment, PNode } from '../parsing/node';
import { scalarsUnder } from '../linting/placeholders';
import { defineRule, type RuleContext } from '../linting/rule';
import { fieldLabel, sentenceCase } from '../linting/ruleHelpers';
import type { LintConfig } from '../types';
import { DAY_MS, formatDuration, parseCondition, parseDuration, parseSize } from '../parsing/values';

/** How old a restore test may be when the configuration does not say. */
export const DEFAULT_MAX_RESTORE_TEST_AGE = '180d';
/** Dates before this are not dates anybody tested or measured anything on for this plan. */
const EARLIEST = Date.UTC(2000, 0, 1);

/**
 * Midnight UTC of the day dates are judged against: the configuration's
 * `today`, else the environment's MIGPLAN_TODAY (`YYYY-MM-DD`, which pins it
 * for tests and reproducible CI runs), else today.
 */
export function todayOf(config: LintConfig): number {
  const env = typeof process !== 'undefined' ? process.env.MIGPLAN_TODAY : undefined;
  const pinned = [config.today, env].map((d) => (d !== undefined ? parseDay(d) : undefined)).find((d) => d !== undefined);
  if (pinned !== undefined) return pinned;
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

/** Midnight UTC of a `YYYY-MM-DD` date (a time after it is ignored), or undefined. */
export function parseDay(s: string): number | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[Tt ])/.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? t : undefined;
}

function dayText(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Keys holding durations, and sizes, where zero cannot be meant. */
const DURATION_KEYS = new Set(['soak', 'max_replica_lag', 'window', 'max_revert_time', 'p50', 'p99', 'duration', 'grace_period']);
const SIZE_KEYS = new Set(['size']);

/** Zero durations and sizes under a node. */
function zeros(ctx: RuleContext, node: PNode, path: PathSegment[]): void {
  scalarsUnder(node, path, (scalar, p) => {
    const key = p[p.length - 1];
    const s = scalar.str();
    if (typeof key !== 'string' || s === undefined) return;
    const zero = (DURATION_KEYS.has(key) && parseDuration(s) === 0) || (SIZE_KEYS.has(key) && parseSize(s) === 0);
    if (!zero) return;
    ctx.report({
      span: scalar.reportSpan,
      message: `${sentenceCase(fieldLabel(ctx.plan, p))} is zero (${s.trim()}).`,
      detail: `A ${SIZE_KEYS.has(key) ? 'size' : 'duration'} of zero is never true of a real table, wait or measurement; it is usually a value typed to get past a check. Write the measured or decided value.`,
      data: { path: p, value: s },
    });
  });
}

/** Triggers whose threshold can never be crossed: a rate over 100%, a count or duration below zero. */
function neverFiring(ctx: RuleContext, phase: PNode, index: number): void {
  const triggers = phase.get('triggers')?.items() ?? [];
  for (let k = 0; k < triggers.length; k++) {
    const t = triggers[k];
    const when = t.get('when');
    const text = when?.str();
    const c = text === undefined ? undefined : parseCondition(text);
    if (!when || !c?.value || c.ofBaseline) continue;
    const { number, unit } = c.value;
    const above = c.op === '>' || c.op === '>=';
    const below = c.op === '<' || c.op === '<=';
    const never = (above && unit === '%' && (c.op === '>' ? number >= 100 : number > 100)) || (below && (c.op === '<' ? number <= 0 : number < 0));
    if (!never) continue;
    ctx.report({
      span: when.reportSpan,
      message: `Trigger ${JSON.stringify(text!.trim())} of ${fieldLabel(ctx.plan, ['phases', index]).replace(/^Phase /, 'phase ')} can never fire.`,
      detail: above
        ? `A share of requests cannot exceed 100%, so this rollback trigger never fires, whatever goes wrong. Set the threshold the method prescribes for the metric (0.1% for an error rate).`
        : 'The metric cannot go below zero, so this rollback trigger never fires. Write the threshold at which the phase is rolled back.',
      data: { path: ['phases', index, 'triggers', k, 'when'], when: text },
    });
  }
}

export const rule = defineRule({
  meta: {
    id: 'implausible-value',
    severity: 'error',
    description: 'A value that cannot be true: a restore test in the future, before 2000 or older than the allowed age (180 days), a measurement dated in the future, P50 above P99, a zero duration or size, a trigger that can never fire.',
    rationale:
      'A figure that cannot be true was not measured: it was typed to get past a check, or copied from a template. ' +
      'A restore "tested" in 1970 or next month, a baseline whose median is slower than its 99th percentile, a soak of 0h or an error-rate trigger at 150% all look like answers and certify nothing. ' +
      'A restore test also goes stale: the method asks for a recent one, because backups and restore procedures drift.',
    fixable: false,
  },
  check(ctx) {
    const root = ctx.plan.root!;
    const today = todayOf(ctx.config);
    const assessment = root.get('assessment');
    if (assessment?.isMap) {
      const restore = assessment.get('backup_restore_tested');
      const restoreText = restore?.str();
      const restoreDay = restoreText !== undefined ? parseDay(restoreText) : undefined;
      if (restore && restoreDay !== undefined) {
        const maxAge = parseDuration(ctx.config.maxRestoreTestAge ?? DEFAULT_MAX_RESTORE_TEST_AGE) ?? 180 * DAY_MS;
        const age = today - restoreDay;
        const problem =
          restoreDay > today ? `is in the future (${dayText(restoreDay)})`
          : restoreDay < EARLIEST ? `is before 2000 (${dayText(restoreDay)})`
          : age > maxAge ? `(${dayText(restoreDay)}) is ${Math.floor(age / DAY_MS)} days old, over the ${formatDuration(maxAge)} allowed`
          : undefined;
        if (problem) {
          ctx.report({
            span: restore.reportSpan,
            message: `The restore test date ${problem}.`,
            detail: restoreDay > today || restoreDay < EARLIEST
              ? 'A restore cannot have been tested on that day, so the plan does not know whether its backups restore. Restore a recent backup, check it, and record that date.'
              : `Backups and restore procedures drift; the method asks for a restore tested recently (within ${formatDuration(maxAge)}; \`maxRestoreTestAge\` in .migplanrc.json sets the limit). Test a restore again and record the date.`,
            data: { path: ['assessment', 'backup_restore_tested'], date: restoreText },
          });
        }
      }
      const estimate = assessment.get('duration_estimate');
      const measured = estimate?.isMap ? estimate.get('measured_on') : undefined;
      const measuredText = measured?.str();
      const measuredDay = measuredText !== undefined ? parseDay(measuredText) : undefined;
      if (measured && measuredDay !== undefined && (measuredDay > today || measuredDay < EARLIEST)) {
        ctx.report({
          span: measured.reportSpan,
          message: `The duration estimate's \`measured_on\` ${measuredDay > today ? 'is in the future' : 'is before 2000'} (${dayText(measuredDay)}).`,
          detail: 'Nothing was measured on that day, so the estimate is not a measurement. Run the backfill on production-scale data and record the day it ran.',
          data: { path: ['assessment', 'duration_estimate', 'measured_on'], date: measuredText },
        });
      }
      const baseline = assessment.get('baseline');
      if (baseline?.isMap) {
        const p50 = baseline.get('p50');
        const p99 = baseline.get('p99');
        const a = p50?.str() !== undefined ? parseDuration(p50.str()!) : undefined;
        const b = p99?.str() !== undefined ? parseDuration(p99.str()!) : undefined;
        if (p50 && a !== undefined && b !== undefined && a > b) {
          ctx.report({
            span: p50.reportSpan,
            message: `The baseline's P50 (${p50.str()!.trim()}) is above its P99 (${p99!.str()!.trim()}).`,
            detail: 'The median of a latency distribution cannot exceed its 99th percentile; the two were swapped or not measured. Measure both on the affected tables and record them.',
            related: [{ span: p99!.reportSpan, message: 'The P99' }],
            data: { path: ['assessment', 'baseline', 'p50'], p50: p50.str(), p99: p99!.str() },
          });
        }
      }
    }
    for (const [key, value] of root.entries()) {
      if (key === 'phases' || key.startsWith('x-')) continue;
      zeros(ctx, value, [key]);
    }
  },
  checkPhase(phase, ctx) {
    zeros(ctx, phase.node, ['phases', phase.index]);
    neverFiring(ctx, phase.node, phase.index);
  },
});
