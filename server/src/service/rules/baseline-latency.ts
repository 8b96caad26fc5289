import { baselineOf } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';

export const rule = defineRule({
  meta: {
    id: 'baseline-latency',
    severity: 'warning',
    description: '`assessment.baseline` is missing or lacks P50 or P99 query latency.',
    rationale:
      'Every latency check during the rollout is relative: a rollback trigger like "p99 > 110% of baseline" needs the baseline. ' +
      'The method records P50 and P99 on the affected tables before anything changes, since once dual writes start the old numbers can no longer be measured.',
    fixable: false,
  },
  check(ctx) {
    const baseline = baselineOf(ctx.plan);
    if (!baseline) return; // an invalid assessment or baseline: the schema's
    const b = baseline.node;
    const missing = b ? (['p50', 'p99'] as const).filter((k) => b.get(k) === undefined) : ['p50', 'p99'];
    if (missing.length === 0) return;
    const what = missing.length === 2 ? 'P50 and P99' : missing[0].toUpperCase();
    ctx.report({
      span: b ? b.missingSpan : baseline.missingAt!,
      message: b
        ? `The latency baseline lacks ${what}: once dual writes start, today's latency cannot be measured any more, and checks relative to the baseline have nothing to compare with. Add \`${missing.join('` and `')}\` measured on the affected tables.`
        : `The ${baseline.noAssessment ? 'plan has no assessment, so no' : 'assessment records no'} latency baseline: once dual writes start, today's latency cannot be measured any more, and checks relative to the baseline have nothing to compare with. Add \`assessment.baseline\` with \`p50\` and \`p99\` measured on the affected tables.`,
    });
  },
});
