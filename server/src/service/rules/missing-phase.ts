import { defineRule } from '../linting/rule';
import { freshPhaseId, insertPhase, phaseSkeleton, writtenInPlace } from '../linting/templates';

/** Kinds that must be done before verification. */
const BEFORE_VERIFICATION = new Set(['dual-write', 'backfill', 'cutover']);

export const rule = defineRule({
  meta: {
    id: 'missing-phase',
    severity: 'warning',
    description: 'The plan has no `verification` phase, or no `cleanup` phase.',
    rationale:
      'After the cutover the method verifies: counts, checksums and every downstream consumer compared between old and new, signed off by the data owner, before anything irreversible happens. ' +
      'It then asks not to skip cleanup: dual-write code, feature flags and old columns left behind become the next migration\'s surprise and keep costing writes and storage. ' +
      'Both are phases of their own, with criteria, checks and a rollback.',
    fixable: true,
  },
  check(ctx) {
    const { plan } = ctx;
    const phases = plan.root!.get('phases');
    // `phases` missing or not a list is the schema's to report.
    if (!phases?.isSeq || !phases.keySpan) return;
    const list = plan.phases;
    const ids = list.map((p) => p.id);
    const owner = plan.root!.get('owner')?.text()?.trim();
    const firstCleanup = list.find((p) => p.kind === 'cleanup');
    // Through an alias (`phases: *list`) the list is written elsewhere: no edit in place.
    const inPlace = writtenInPlace(phases);

    if (!list.some((p) => p.kind === 'verification')) {
      // After the last dual-write/backfill/cutover phase, and before the first cleanup phase.
      const lastRollout = [...list].reverse().find((p) => p.kind !== undefined && BEFORE_VERIFICATION.has(p.kind));
      let at: number | undefined = lastRollout ? lastRollout.index + 1 : undefined;
      if (firstCleanup && (at === undefined || firstCleanup.index < at)) at = firstCleanup.index;
      if (at !== undefined && at >= phases.items().length) at = undefined;
      const skeleton = phaseSkeleton('verification', { id: freshPhaseId('verification', ids), ...(owner ? { signOff: owner } : {}) });
      ctx.report({
        span: phases.keySpan,
        message:
          'The plan has no verification phase: nothing compares old and new (counts, checksums, every consumer\'s output) or records the data owner\'s sign-off before cleanup makes the change irreversible. ' +
          'Add a `verification` phase after the cutover and before cleanup.',
        ...(inPlace ? { fix: { title: 'Insert a verification phase', edits: [insertPhase(ctx.edits, phases, skeleton, at)] } } : {}),
        data: { kind: 'verification' },
      });
    }

    if (!firstCleanup) {
      ctx.report({
        span: phases.keySpan,
        message:
          'The plan has no cleanup phase: dual-write code, feature flags and the old schema stay behind, keep costing writes and storage, and surprise the next migration. Do not skip cleanup. ' +
          'Add a `cleanup` phase at the end that removes them after a grace period.',
        ...(inPlace
          ? { fix: { title: 'Insert a cleanup phase at the end', edits: [insertPhase(ctx.edits, phases, phaseSkeleton('cleanup', { id: freshPhaseId('cleanup', ids) }))] } }
          : {}),
        data: { kind: 'cleanup' },
      });
    }
  },
});
