import type { Phase } from '../parsing/plan';
import { defineRule } from '../linting/rule';
import { KIND_ORDER, phaseLabel, phaseName } from '../linting/ruleHelpers';

function rank(p: Phase): number {
  return p.kind === undefined ? -1 : KIND_ORDER.indexOf(p.kind);
}

export const rule = defineRule({
  meta: {
    id: 'phase-order',
    severity: 'warning',
    description: 'Phase kinds are out of the order dual-write, backfill, cutover, verification, cleanup (`custom` phases are ignored).',
    rationale:
      'Each phase of the method relies on the one before it: the backfill is only correct while dual-write keeps new writes in both shapes, the cutover needs complete data, verification needs reads on the new shape, and cleanup needs the sign-off. ' +
      'A phase listed out of that order either runs on a state that is not ready or was misfiled, and readers of the plan follow the list.',
    fixable: false,
  },
  check(ctx) {
    const ordered = ctx.plan.phases.filter((p) => rank(p) >= 0);
    // The first phase seen of each rank: the first earlier phase that should come after a phase is
    // the earliest of those of a higher rank (one pass, however many phases).
    const firstOfRank: Array<Phase | undefined> = KIND_ORDER.map(() => undefined);
    for (let i = 0; i < ordered.length; i++) {
      const phase = ordered[i];
      const r = rank(phase);
      let earlier: Phase | undefined;
      for (let k = r + 1; k < firstOfRank.length; k++) {
        const q = firstOfRank[k];
        if (q && (!earlier || q.index < earlier.index)) earlier = q;
      }
      firstOfRank[r] ??= phase;
      if (!earlier) continue;
      const kindNode = phase.node.get('kind')!;
      ctx.report({
        span: kindNode.reportSpan,
        message: `${phaseLabel(phase)} is a ${phase.kind} phase listed after ${earlier.kind} phase ${phaseName(earlier)}.`,
        detail: `The method's order is ${KIND_ORDER.join(', ')}, and each phase relies on the ones before it. Move it before ${phaseName(earlier)}.`,
        related: [{ span: earlier.node.get('kind')!.reportSpan, message: `${phaseLabel(earlier)}, a ${earlier.kind} phase, is listed earlier` }],
      });
    }
  },
});
