import { assessmentOf } from '../phaseKinds';
import { defineRule } from '../rule';

const WEAK: Record<string, string> = {
  staging: 'staging data is smaller and colder than production, so it underestimates lock waits, replica lag and I/O',
  guess: 'a guess is not a measurement',
};

export const rule = defineRule({
  meta: {
    id: 'duration-estimate',
    severity: 'warning',
    description: 'The assessment has no `duration_estimate`, or its basis is `staging` or `guess`.',
    rationale:
      'How long the backfill and cutover take decides the maintenance windows, the on-call rota and whether the batch size is right. ' +
      'The method asks for an estimate measured against production-scale data (production or a production replica): staging runs and guesses are routinely off by an order of magnitude.',
    fixable: false,
  },
  check(ctx) {
    const a = assessmentOf(ctx.plan);
    if (a.state === 'invalid') return;
    const est = a.state === 'map' ? a.node.get('duration_estimate') : undefined;
    if (est === undefined) {
      ctx.report({
        span: a.state === 'map' ? a.node.missingSpan : a.span,
        message:
          `The ${a.state === 'map' ? 'assessment' : 'plan'} has no duration estimate: nobody knows whether the backfill takes an hour or a week, so windows and batch sizes are chosen blind. ` +
          'Time a run against production-scale data and add `assessment.duration_estimate` with its `basis` and `duration`.',
      });
      return;
    }
    // A non-mapping estimate or a basis that is not a string: the schema's.
    const basis = est.isMap ? est.get('basis') : undefined;
    const b = basis?.str();
    if (!basis || b === undefined || !(b in WEAK)) return;
    ctx.report({
      span: basis.reportSpan,
      message:
        `The duration estimate is based on '${b}': ${WEAK[b]}. ` +
        'Measure it against production-scale data (basis `production` or `production-replica`).',
    });
  },
});
