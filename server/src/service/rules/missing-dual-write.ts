import { cutoverMode } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { freshPhaseId, insertPhase, phaseSkeleton, writtenInPlace } from '../linting/templates';

export const rule = defineRule({
  meta: {
    id: 'missing-dual-write',
    severity: 'error',
    description:
      'The plan has no `dual-write` phase (a big-bang cutover), though its change has two shapes (no `context.single_shape`) and no cutover leaves the copying to an online schema change tool (`mode: tool`).',
    rationale:
      'The method starts a rollout by writing both the old and the new shape, so that the two stay in sync while the backfill runs and reads move over gradually. ' +
      'Without a dual-write phase the switch happens all at once: writes made during the backfill are lost or diverge, and going back means losing what was written in the new shape. ' +
      'Dual-writing is what keeps every later phase reversible. ' +
      'Two techniques need no dual-write phase: a change that keeps one shape both old and new code use (a constraint added `NOT VALID` and validated later; say why in `context.single_shape`), and an online schema change tool such as gh-ost that keeps its copy in sync itself (a cutover with `mode: tool`).',
    fixable: true,
  },
  check(ctx) {
    const root = ctx.plan.root!;
    const phases = root.get('phases');
    // `phases` missing or not a list is the schema's to report.
    if (!phases?.isSeq || !phases.keySpan) return;
    if (ctx.plan.phases.some((p) => p.kind === 'dual-write')) return;
    // One shape, said why (a placeholder there is the placeholder rule's), or a tool that keeps its copy in sync.
    const context = root.get('context');
    if (context?.isMap && context.get('single_shape')?.text() !== undefined) return;
    if (ctx.plan.phases.some((p) => p.kind === 'cutover' && cutoverMode(p) === 'tool')) return;
    const id = freshPhaseId('dual-write', ctx.plan.phases.map((p) => p.id));
    ctx.report({
      span: phases.keySpan,
      message:
        'The plan has no dual-write phase, so it is a big-bang migration: writes made while the data moves are not kept in both shapes, and there is no period where old and new stay in sync and reads can move back cheaply. ' +
        'Add a `dual-write` phase, before the first phase, in which every write goes to both the old and the new shape; or, when the change keeps one shape, say why in `context.single_shape`.',
      // Through an alias (`phases: *list`) the list is written elsewhere: no edit in place.
      ...(writtenInPlace(phases)
        ? { fix: { title: 'Insert a dual-write phase before the first phase', edits: [insertPhase(ctx.edits, phases, phaseSkeleton('dual-write', { id }), 0)] } }
        : {}),
    });
  },
});
