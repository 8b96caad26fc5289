import type { Phase } from '../parsing/plan';
import { defineRule } from '../linting/rule';

export const rule = defineRule({
  meta: {
    id: 'duplicate-id',
    severity: 'error',
    description: 'Two phases share an `id`.',
    rationale:
      'Phase ids are how a plan refers to its phases: `point_of_no_return` names one, and reviews, runbooks and status updates say which phase the migration is in. ' +
      'Two phases with one id make every such reference ambiguous.',
    fixable: false,
  },
  check(ctx) {
    const first = new Map<string, Phase>();
    for (const phase of ctx.plan.phases) {
      // Ids that are not strings are the schema's to report.
      if (phase.id === undefined) continue;
      const earlier = first.get(phase.id);
      if (!earlier) {
        first.set(phase.id, phase);
        continue;
      }
      ctx.report({
        span: phase.node.get('id')!.reportSpan,
        message:
          `Phase #${phase.index + 1} reuses the id '${phase.id}' of phase #${earlier.index + 1}: \`point_of_no_return\`, reviews and runbooks refer to phases by id, so each must be unique. ` +
          'Give this phase an id of its own.',
        related: [{ span: earlier.node.get('id')!.reportSpan, message: `Phase #${earlier.index + 1} uses the id '${phase.id}' first` }],
      });
    }
  },
});
