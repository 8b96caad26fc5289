import type { PNode } from '../parsing/node';
import type { Phase } from '../parsing/plan';
import { defineRule, type RawRelated } from '../linting/rule';
import { missingRootKeySpan, phaseLabel, phaseName } from '../linting/ruleHelpers';
import { blankSeparated, spaceLikeSiblings } from '../linting/templates';
import { PATTERNS } from '../parsing/values';

const PHASE_ID = new RegExp(PATTERNS.phaseId);

/** Kinds that are still reversible without a restore when the plan has no verification phase. */
const REVERSIBLE_KINDS = new Set(['dual-write', 'backfill', 'cutover']);

/** A rollback that goes back to a backup: a restore, a point-in-time recovery. */
const RESTORE = /\brestor(?:e|es|ed|ing)\b(?:[^.;]|\.(?=\S)){0,60}\b(?:backup|snapshot|dump|pitr)s?\b|\b(?:backup|snapshot|dump)s?\b(?:[^.;]|\.(?=\S)){0,40}\brestor(?:e|ed|ing)\b|\bPITR\b|\bpoint[- ]in[- ]time (?:recovery|restore)\b/i;
/** "no restore needed", "without a restore": a rollback that says it needs none. */
const NEGATED = /\b(?:no|not|never|without|nor|avoids?)\b[^.;]{0,30}\b(?:restor|backup|pitr|point[- ]in[- ]time)/i;

/** Whether a rollback procedure needs a restore from backup. */
export function needsRestore(rollback: string): boolean {
  return RESTORE.test(rollback) && !NEGATED.test(rollback);
}

/** Where to point at a phase: its id, else its first key. */
function phaseSpan(p: Phase): readonly [number, number] {
  return p.node.get('id')?.reportSpan ?? p.node.missingSpan;
}

export const rule = defineRule({
  meta: {
    id: 'point-of-no-return',
    severity: 'error',
    description:
      '`point_of_no_return` is missing, names no phase, names a phase listed before the first verification phase (with none: a dual-write, backfill or cutover phase), or comes after a phase whose rollback already needs a restore from backup.',
    rationale:
      'The method marks one point of no return: the first phase whose rollback needs a restore from backup instead of a flag flip or a redeploy. ' +
      'Everyone involved must know where it is, and it must come after the migration has been verified, so that nothing irreversible happens to data nobody has checked. ' +
      'Usually it is the cleanup phase that drops the old schema.',
    fixable: true,
  },
  check(ctx) {
    const { plan, edits } = ctx;
    const root = plan.root!;
    // Without a list of phases there is nothing to point at (the schema reports `phases`).
    if (!root.get('phases')?.isSeq) return;
    const phases = plan.phases;
    const verification = phases.find((p) => p.kind === 'verification');
    const tooEarly = (p: Phase): boolean => (verification ? p.index < verification.index : p.kind !== undefined && REVERSIBLE_KINDS.has(p.kind));
    // The phase the fixes point at: the first cleanup phase with a well-formed id (the schema's fix
    // would rewrite any other), when it is itself a valid answer.
    const cleanup = phases.find((p) => p.kind === 'cleanup' && p.id !== undefined && PHASE_ID.test(p.id));
    const target = cleanup && !tooEarly(cleanup) ? cleanup : undefined;
    const setTo = (node: PNode) =>
      target ? { fix: { title: `Set point_of_no_return to '${target.id}'`, edits: [edits.replaceValue(node, target.id!)] } } : {};
    const usually = target ? `usually the cleanup phase ('${target.id}')` : 'usually the cleanup phase';
    const hint = `Set it to the first phase whose rollback needs a restore from backup, ${usually}.`;

    const pnr = root.get('point_of_no_return');
    if (pnr === undefined) {
      const fix = target
        ? {
            title: `Insert point_of_no_return: ${target.id}`,
            edits: [
              spaceLikeSiblings(
                plan,
                edits.insertEntry(root, 'point_of_no_return', target.id!),
                blankSeparated(plan, root.entries().map(([, v]) => v.keySpan?.[0] ?? v.span[0])),
              ),
            ],
          }
        : undefined;
      ctx.report({
        // Where it goes: after the last section (the fix appends it there), usually `phases`.
        span: missingRootKeySpan(root, {}),
        message: 'The plan has no `point_of_no_return`.',
        detail:
          'Nobody can tell from it after which phase undoing the migration needs a restore from backup. ' +
          `Add \`point_of_no_return: <phase id>\` naming the first phase whose rollback needs a restore, ${usually}.`,
        ...(fix ? { fix } : {}),
      });
      return;
    }
    // `point_of_no_return:` with nothing after it, or a number, is the schema's.
    const id = pnr.str();
    if (id === undefined) return;
    const named = phases.find((p) => p.id === id);
    if (!named) {
      ctx.report({
        span: pnr.reportSpan,
        message: `\`point_of_no_return\` names '${id.length > 30 ? `${id.slice(0, 29)}…` : id}', which is not a phase of this plan.`,
        detail: `The plan then does not say where undoing stops being cheap. ${hint}`,
        ...setTo(pnr),
      });
      return;
    }
    if (!tooEarly(named)) {
      // A phase before the declared point whose own rollback is a restore: the real point is earlier.
      for (const p of phases) {
        if (p.index >= named.index) break;
        const rollback = p.node.get('rollback');
        const text = rollback?.text();
        if (!rollback || text === undefined || !needsRestore(text)) continue;
        ctx.report({
          span: rollback.reportSpan,
          message: `The rollback of phase ${phaseName(p)} needs a restore, before the point of no return ${phaseName(named)}.`,
          detail:
            `Its rollback (${JSON.stringify(text.trim().length > 80 ? `${text.trim().slice(0, 79)}…` : text.trim())}) goes back to a backup, so undoing this phase already loses what was written since: the point of no return is here, not at ${phaseName(named)}. ` +
            'Either make the phase undoable without a restore (keep the old data until cleanup), or move `point_of_no_return` to it and verify before it runs.',
          related: [{ span: pnr.reportSpan, message: 'The declared point of no return' }],
        });
      }
      return;
    }
    const related: RawRelated[] = verification
      ? [{ span: phaseSpan(verification), message: `the first verification phase, ${phaseName(verification)}` }]
      : [{ span: phaseSpan(named), message: `${phaseLabel(named)}, a ${named.kind} phase` }];
    const why = verification
      ? `it comes before the first verification phase ${phaseName(verification)}, so undoing would need a restore from backup before anyone has verified the new data`
      : `it is a ${named.kind} phase, and with no verification phase nothing has been verified when it runs`;
    ctx.report({
      span: pnr.reportSpan,
      message: `\`point_of_no_return\` names phase ${phaseName(named)}, before anything is verified.`,
      detail: `${why[0].toUpperCase()}${why.slice(1)}. The point of no return belongs after verification. ${hint}`,
      related,
      ...setTo(pnr),
    });
  },
});
