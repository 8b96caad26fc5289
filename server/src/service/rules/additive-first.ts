import type { Phase, PlanDocument } from '../plan';
import { defineRule } from '../rule';
import { phaseName } from '../ruleHelpers';

/** The SQL words, in capitals, anywhere. */
const SQL_WORDS = /\b(?:DROP|RENAME)\b/;
/** drop/rename, in any case, followed by column(s), table(s) or index(es). */
const DESTRUCTIVE = /\b(?:drop|rename)\s+(?:columns?|tables?|index(?:es)?)\b/i;

const cleanups = new WeakMap<PlanDocument, Phase | undefined>();

/** The plan's first cleanup phase: the phases before it (all when there is none) stay additive. */
function firstCleanup(plan: PlanDocument): Phase | undefined {
  if (!cleanups.has(plan)) cleanups.set(plan, plan.phases.find((p) => p.kind === 'cleanup'));
  return cleanups.get(plan);
}

/** Whether a step drops or renames something. */
function isDestructiveStep(step: string): boolean {
  return SQL_WORDS.test(step) || DESTRUCTIVE.test(step);
}

export const rule = defineRule({
  meta: {
    id: 'additive-first',
    severity: 'warning',
    description: 'A step of a phase listed before the first cleanup phase (all phases when there is none) drops or renames something.',
    rationale:
      'The method keeps every change additive until cleanup: new columns and tables are added next to the old ones, and nothing is dropped or renamed while anything may still read the old shape or a rollback may need it. ' +
      'A drop or rename before cleanup turns a flag flip of a rollback into a restore from backup, and breaks consumers that have not moved yet.',
    fixable: false,
  },
  phaseContext(plan) {
    const cleanup = firstCleanup(plan);
    return cleanup ? `${cleanup.index} ${phaseName(cleanup)}` : '';
  },
  checkPhase(phase, ctx) {
    const cleanup = firstCleanup(ctx.plan);
    if (cleanup && phase.index >= cleanup.index) return;
    for (const step of phase.node.get('steps')?.items() ?? []) {
      const text = step.str();
      if (text === undefined || !isDestructiveStep(text)) continue;
      ctx.report({
        span: step.reportSpan,
        message: cleanup
          ? `A step of phase ${phaseName(phase)} drops or renames something before the cleanup phase ${phaseName(cleanup)} (${JSON.stringify(text.trim())}): ` +
            'until cleanup the old shape must stay, for consumers that have not moved yet and for a cheap rollback. ' +
            'Keep this phase additive (add the new next to the old) and move the drop or rename to cleanup.'
          : `A step of phase ${phaseName(phase)} drops or renames something (${JSON.stringify(text.trim())}), and the plan has no cleanup phase to do it in: ` +
            'until the new shape is verified the old one must stay, for consumers that have not moved yet and for a cheap rollback. ' +
            'Keep this phase additive (add the new next to the old) and do the drop or rename in a cleanup phase.',
      });
    }
  },
});
