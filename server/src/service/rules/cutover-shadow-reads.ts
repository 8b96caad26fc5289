import { cutoverMode, insertPhaseKey } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { phaseLabel } from '../linting/ruleHelpers';

export const rule = defineRule({
  meta: {
    id: 'cutover-shadow-reads',
    severity: 'warning',
    description: 'A flag cutover (`mode: flag`, the default) whose `shadow_reads` is missing or false.',
    rationale:
      'Before a read is served from the new shape, the method reads both shapes and compares them, logging every mismatch. ' +
      'Shadow reads find backfill bugs and dual-write gaps while the old path still answers users, when fixing them costs nothing. ' +
      'Without them the first sign of a mismatch is a user seeing wrong data.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    // A swap or a tool's cutover has no read path to shadow: it moves all reads at once, atomically.
    if (phase.kind !== 'cutover' || cutoverMode(phase) !== 'flag') return;
    const v = phase.node.get('shadow_reads');
    // A non-boolean value is the schema's to report.
    if (v !== undefined && v.bool() !== false) return;
    ctx.report({
      span: v ? v.reportSpan : phase.node.missingSpan,
      message:
        `${phaseLabel(phase)} ${v ? 'turns shadow reads off' : 'does not say it uses shadow reads'}: ` +
        'without reading both shapes and comparing them, a mismatch from the backfill or dual-write is first seen by users. ' +
        'Set `shadow_reads: true` and log every mismatch.',
      fix: {
        title: 'Set shadow_reads: true',
        edits: [v ? ctx.edits.replaceValue(v, true) : insertPhaseKey(ctx.edits, phase, 'shadow_reads', true)],
        preferred: true,
      },
    });
  },
});
