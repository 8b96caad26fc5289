import { baselineOf, insertPhaseKey } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { phaseLabel } from '../linting/ruleHelpers';
import { parsePercentage } from '../parsing/values';

const MAX = 10;
const DEFAULT = '10%';

export const rule = defineRule({
  meta: {
    id: 'cutover-latency',
    severity: 'warning',
    description: 'A cutover phase has no `latency_budget` or one over 10%, or the plan has a cutover but no baseline P99 in `assessment`.',
    rationale:
      'The method compares latency during the cutover with a baseline measured beforehand, and rolls back when P99 grows by more than a budget. ' +
      'A budget over 10% lets a missing index or a slow join through to all traffic, and a budget without a measured baseline P99 cannot be checked at all.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'cutover') return;
    const v = phase.node.get('latency_budget');
    if (v === undefined) {
      ctx.report({
        span: phase.node.missingSpan,
        message:
          `${phaseLabel(phase)} has no latency budget: nothing says how much slower the new path may be before the cutover rolls back. ` +
          `Add a \`latency_budget\` (the P99 increase over baseline that rolls the cutover back) of at most ${MAX}%.`,
        fix: { title: `Add latency_budget: ${DEFAULT}`, edits: [insertPhaseKey(ctx.edits, phase, 'latency_budget', DEFAULT)], preferred: true },
      });
      return;
    }
    // A value that is not a percentage is the schema's to report.
    const s = v.str();
    const pct = s === undefined ? undefined : parsePercentage(s);
    if (pct === undefined || pct <= MAX) return;
    ctx.report({
      span: v.reportSpan,
      message:
        `${phaseLabel(phase)} allows P99 latency ${s!.trim()} over baseline: above ${MAX}% a missing index or slow query reaches all traffic before anyone acts. ` +
        `Set a budget of at most ${MAX}%.`,
      fix: { title: `Set latency_budget to ${DEFAULT}`, edits: [ctx.edits.replaceValue(v, DEFAULT)], preferred: true },
    });
  },
  check(ctx) {
    if (!ctx.plan.phases.some((p) => p.kind === 'cutover')) return;
    const baseline = baselineOf(ctx.plan);
    if (!baseline) return; // an invalid assessment or baseline: the schema's
    if (baseline.node && baseline.node.get('p99') !== undefined) return;
    ctx.report({
      span: baseline.node ? baseline.node.missingSpan : baseline.missingAt!,
      message:
        'The plan has a cutover but no baseline P99 latency (`assessment.baseline.p99`): a latency budget is a percentage of that baseline, so without it nobody can tell when the cutover is too slow. ' +
        'Measure P99 of the queries on the affected tables before the migration and record it.',
    });
  },
});
