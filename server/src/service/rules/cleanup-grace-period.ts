import { insertPhaseKey } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { phaseLabel } from '../linting/ruleHelpers';
import { DAY_MS, parseDuration, parseReleases } from '../parsing/values';

const DEFAULT = '2 releases';
const MIN_MS = 7 * DAY_MS;

export const rule = defineRule({
  meta: {
    id: 'cleanup-grace-period',
    severity: 'warning',
    description: 'A cleanup phase has no `grace_period`, or one under 1 release (or 7d).',
    rationale:
      'Cleanup drops the old shape, which usually cannot be undone without a restore. ' +
      'The method waits at least a release after cutover first, so that every deployed version, rolled-back build, cron job and cached client has stopped using the old columns or tables before they go.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'cleanup') return;
    const v = phase.node.get('grace_period');
    if (v === undefined) {
      ctx.report({
        span: phase.node.missingSpan,
        message:
          `${phaseLabel(phase)} has no grace period: the old shape could be dropped while a deployed release or a late job still uses it. ` +
          `Add \`grace_period\` of at least 1 release (or 7d), such as ${DEFAULT}.`,
        fix: { title: `Add grace_period: ${DEFAULT}`, edits: [insertPhaseKey(ctx.edits, phase, 'grace_period', DEFAULT)], preferred: true },
      });
      return;
    }
    // Neither a release span nor a duration: the schema's to report.
    const s = v.str();
    if (s === undefined) return;
    const releases = parseReleases(s);
    const ms = releases === undefined ? parseDuration(s) : undefined;
    const short = releases !== undefined ? releases < 1 : ms !== undefined && ms < MIN_MS;
    if (!short) return;
    ctx.report({
      span: v.reportSpan,
      message:
        `${phaseLabel(phase)} waits only ${s.trim()} before dropping the old shape: a release still running, or a rollback to it, may read what cleanup removes. ` +
        `Wait at least 1 release (or 7d), such as ${DEFAULT}.`,
      fix: { title: `Set grace_period to ${DEFAULT}`, edits: [ctx.edits.replaceValue(v, DEFAULT)], preferred: true },
    });
  },
});
