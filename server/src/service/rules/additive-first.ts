import { cutoverMode } from '../linting/phaseKinds';
import type { Phase, PlanDocument } from '../parsing/plan';
import { defineRule } from '../linting/rule';
import { phaseName } from '../linting/ruleHelpers';

/** Work that destroys data: a table or column dropped, rows deleted or truncated. */
const DESTROYS = [
  /\bDROP\s+(?:TABLE|COLUMN|SCHEMA|DATABASE)\b|\bTRUNCATE\b|\bDELETE\s+FROM\b/,
  /\b(?:drop|dropping|drops|remove|removing|removes)\s+(?:the\s+|its\s+|an?\s+)?(?:old\s+|source\s+|legacy\s+|existing\s+)?(?:columns?|tables?)\b/i,
  /\b(?:delete|deleting|deletes|purge|purging|purges|truncate|truncating|truncates)\b[^.;]{0,40}\brows?\b|\btruncate\b/i,
];
/** Work that removes or renames what readers and a rollback rely on: renames, dropped indexes, constraints, views, defaults. */
const BREAKS = [
  /\b(?:DROP|RENAME)\b/,
  /\b(?:drop|dropping|drops|rename|renaming|renames|remove|removing|removes)\s+(?:the\s+|its\s+|an?\s+)?(?:old\s+|source\s+|legacy\s+|existing\s+)?(?:columns?|tables?|index(?:es)?|constraints?|foreign[- ]keys?|fks?|not[- ]null|check\s+constraints?|unique\s+constraints?|views?)\b/i,
];

/** Whether a step does something that cannot be undone without a restore, or that breaks what still reads the old shape. */
export function isIrreversibleStep(step: string): boolean {
  return DESTROYS.some((re) => re.test(step)) || BREAKS.some((re) => re.test(step));
}

/** Whether a step destroys data (what even a swap's own transaction must not do). */
function destroysData(step: string): boolean {
  return DESTROYS.some((re) => re.test(step));
}

const boundaries = new WeakMap<PlanDocument, { phase?: Phase; by: 'point of no return' | 'cleanup' }>();

/**
 * Where irreversible work may start: the phase `point_of_no_return` names,
 * else the first cleanup phase (all phases stay additive when there is neither).
 */
function boundary(plan: PlanDocument): { phase?: Phase; by: 'point of no return' | 'cleanup' } {
  let b = boundaries.get(plan);
  if (!b) {
    const id = plan.root?.get('point_of_no_return')?.str();
    const named = id !== undefined ? plan.phases.find((p) => p.id === id) : undefined;
    b = named ? { phase: named, by: 'point of no return' } : { phase: plan.phases.find((p) => p.kind === 'cleanup'), by: 'cleanup' };
    boundaries.set(plan, b);
  }
  return b;
}

export const rule = defineRule({
  meta: {
    id: 'additive-first',
    severity: 'warning',
    description:
      'A step of a phase before the point of no return (or, when it names no phase, before the first cleanup phase) drops, renames or truncates something, removes a constraint or deletes rows. Inside a `swap` or `tool` cutover, the renames and what moves with them are the cutover: only dropped tables or columns and deleted rows count there.',
    rationale:
      'The method keeps every change additive until the point of no return: new columns and tables are added next to the old ones, and nothing is dropped, renamed or deleted while anything may still read the old shape or a rollback may need it. ' +
      'Irreversible work before that point turns a flag flip of a rollback into a restore from backup, and breaks consumers that have not moved yet; the plan then misstates where its point of no return is. ' +
      'A cutover by an atomic swap or by an online schema change tool is a rename by design, done in one short transaction with the old table kept: it is not flagged.',
    fixable: false,
  },
  phaseContext(plan) {
    const b = boundary(plan);
    return b.phase ? `${b.phase.index} ${phaseName(b.phase)} ${b.by}` : '';
  },
  checkPhase(phase, ctx) {
    const { phase: until, by } = boundary(ctx.plan);
    if (until && phase.index >= until.index) return;
    // A swap or a tool's cutover is renames, and the constraints, indexes and defaults that move with
    // them, in one short transaction, undone by the reverse swap: only destroyed data counts there.
    const swap = phase.kind === 'cutover' && cutoverMode(phase) !== 'flag';
    for (const step of phase.node.get('steps')?.items() ?? []) {
      const text = step.str();
      if (text === undefined || !(swap ? destroysData(text) : isIrreversibleStep(text))) continue;
      const shown = text.trim().length > 60 ? `${text.trim().slice(0, 59)}…` : text.trim();
      ctx.report({
        span: step.reportSpan,
        message: until
          ? `A step of phase ${phaseName(phase)} cannot be undone, before the ${by} ${phaseName(until)}.`
          : `A step of phase ${phaseName(phase)} cannot be undone, and the plan has no cleanup phase.`,
        detail:
          `The step ${JSON.stringify(shown)} drops, renames or deletes something. ` +
          'Until the point of no return the old shape and its data must stay, for consumers that have not moved yet and for a cheap rollback. ' +
          (until
            ? `Keep this phase additive (add the new next to the old) and move this step to ${phaseName(until)}${by === 'point of no return' ? ', or move the point of no return to this phase' : ''}.`
            : 'Keep this phase additive (add the new next to the old) and do it in a cleanup phase.'),
        data: { step: text },
      });
    }
  },
});
