import type { PNode } from '../parsing/node';
import { assessmentOf } from '../linting/phaseKinds';
import { defineRule, type RuleContext } from '../linting/rule';
import { parseDuration } from '../parsing/values';

/** An estimate that does not fit in the downtime window it has to run in. */
function windowCheck(ctx: RuleContext, est: PNode): void {
  const downtime = ctx.plan.root?.get('context')?.get('downtime');
  if (!downtime?.isMap || downtime.get('zero_downtime')?.bool() !== false) return;
  const window = downtime.get('window');
  const w = window?.str() !== undefined ? parseDuration(window.str()!) : undefined;
  const duration = est.isMap ? est.get('duration') : undefined;
  const d = duration?.str() !== undefined ? parseDuration(duration.str()!) : undefined;
  if (!window || !duration || w === undefined || d === undefined || d <= w || w === 0) return;
  ctx.report({
    span: duration.reportSpan,
    message: `The duration estimate (${duration.str()!.trim()}) is longer than the downtime window (${window.str()!.trim()}).`,
    detail:
      'Work that must finish inside the window will still be running when it closes, with the service down or half migrated. ' +
      'Make the slow part online (a batched backfill outside the window), negotiate a longer window, or split the migration.',
    related: [{ span: window.reportSpan, message: 'The downtime window' }],
  });
}

const WEAK: Record<string, string> = {
  staging: 'staging data is smaller and colder than production, so it underestimates lock waits, replica lag and I/O',
  guess: 'a guess is not a measurement',
};

export const rule = defineRule({
  meta: {
    id: 'duration-estimate',
    severity: 'warning',
    description: 'The assessment has no `duration_estimate`, its basis is `staging` or `guess`, or it is longer than the downtime window.',
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
    windowCheck(ctx, est);
    if (!basis || b === undefined || !(b in WEAK)) return;
    ctx.report({
      span: basis.reportSpan,
      message:
        `The duration estimate is based on '${b}': ${WEAK[b]}. ` +
        'Measure it against production-scale data (basis `production` or `production-replica`).',
    });
  },
});
