import { insertPhaseKey } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { phaseLabel } from '../linting/ruleHelpers';
import { HOUR_MS, parseDuration } from '../parsing/values';

const MIN_MS = 24 * HOUR_MS;
const DEFAULT = '24h';

export const rule = defineRule({
  meta: {
    id: 'cutover-soak',
    severity: 'warning',
    description: 'A cutover phase has no `soak` period, or one under 24h.',
    rationale:
      'Once all traffic is on the new path, the method waits before verification and cleanup: nightly jobs, weekly reports and daily traffic peaks only show up over time. ' +
      'A soak of at least a day covers one full traffic cycle while rolling back is still a flag flip.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'cutover') return;
    const v = phase.node.get('soak');
    if (v === undefined) {
      ctx.report({
        span: phase.node.missingSpan,
        message:
          `${phaseLabel(phase)} has no soak period: nightly jobs and daily peaks may not have run on the new path before it is declared done. ` +
          'Add a `soak` of at least 24h at 100% before verification starts.',
        fix: { title: `Add soak: ${DEFAULT}`, edits: [insertPhaseKey(ctx.edits, phase, 'soak', DEFAULT)], preferred: true },
      });
      return;
    }
    // A value that is not a duration is the schema's to report.
    const s = v.str();
    const ms = s === undefined ? undefined : parseDuration(s);
    if (ms === undefined || ms >= MIN_MS) return;
    ctx.report({
      span: v.reportSpan,
      message:
        `${phaseLabel(phase)} soaks for only ${s!.trim()}: under 24h the new path has not seen a full daily cycle of traffic and jobs. ` +
        'Soak for at least 24h at 100% before verification starts.',
      fix: { title: `Set soak to ${DEFAULT}`, edits: [ctx.edits.replaceValue(v, DEFAULT)], preferred: true },
    });
  },
});
