import type { RawEdit } from '../fixes';
import { insertPhaseKey, joinList, mergeInsertions } from '../phaseKinds';
import { defineRule } from '../rule';
import { isEmpty, phaseLabel } from '../ruleHelpers';

const UPSERT_TEMPLATE = 'TODO: INSERT ... ON CONFLICT (id) DO UPDATE ...';
const RESUME_TEMPLATE = 'TODO: restart from the last committed id, recorded after each batch';

export const rule = defineRule({
  meta: {
    id: 'backfill-idempotent',
    severity: 'error',
    description: 'A backfill phase lacks `idempotent: true`, an `upsert` (the idempotent write) or a `resume` (how a restart continues).',
    rationale:
      'A backfill over a large table will be interrupted: a deploy, a throttle, a failed batch. ' +
      'The method asks that it can be rerun from any point without duplicating or clobbering rows, which takes an idempotent write (an upsert or a guarded UPDATE) and a recorded position to resume from. ' +
      'Writing both down makes "just restart it" a safe answer at 3 a.m.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'backfill') return;
    const node = phase.node;
    const missing: string[] = [];
    const edits: RawEdit[] = [];
    let onlyFalse = false;

    // A non-boolean `idempotent` is the schema's: treated as absent, not reported.
    const idem = node.get('idempotent');
    if (idem === undefined) {
      missing.push('`idempotent: true`');
      edits.push(insertPhaseKey(ctx.edits, phase, 'idempotent', true));
    } else if (idem.bool() === false) {
      missing.push('`idempotent: true` (it is marked false)');
      edits.push(ctx.edits.replaceValue(idem, true));
      onlyFalse = true;
    }

    for (const [key, what, template] of [
      ['upsert', 'an `upsert` (the idempotent write)', UPSERT_TEMPLATE],
      ['resume', 'a `resume` (how a restart continues)', RESUME_TEMPLATE],
    ] as const) {
      const v = node.get(key);
      if (v === undefined) {
        missing.push(what);
        edits.push(insertPhaseKey(ctx.edits, phase, key, template));
      } else if (isEmpty(v)) {
        missing.push(what.replace(/^an? /, 'a non-empty '));
        edits.push(ctx.edits.replaceValue(v, template));
      }
    }
    if (missing.length === 0) return;
    onlyFalse = onlyFalse && missing.length === 1;

    ctx.report({
      span: onlyFalse ? idem!.reportSpan : node.missingSpan,
      message:
        `${phaseLabel(phase)} is not shown to be idempotent and restartable: it lacks ${joinList(missing)}. ` +
        'A backfill gets interrupted and rerun; without an idempotent write and a way to resume, a rerun duplicates or overwrites rows. ' +
        'Make the write safe to repeat, say how a restart continues, and mark the phase `idempotent: true`.',
      fix: {
        title: onlyFalse ? 'Set idempotent: true' : 'Add idempotent: true and upsert/resume templates',
        edits: mergeInsertions(edits),
      },
    });
  },
});
