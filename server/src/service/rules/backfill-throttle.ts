import type { PNode } from '../parsing/node';
import { durationText, insertPhaseKey } from '../linting/phaseKinds';
import type { RawRelated } from '../linting/rule';
import { defineRule } from '../linting/rule';
import { phaseLabel } from '../linting/ruleHelpers';
import { lagTriggers, type LagTrigger } from '../linting/metrics';
import { formatDuration, parseDuration } from '../parsing/values';

const DEFAULT = '5s';
const DEFAULT_MS = 5000;

/** The phase's lowest replication-lag trigger (the metric read by its meaning: replica_lag, replication_lag, seconds_behind_master…). */
function lowestLagTrigger(phase: PNode): LagTrigger | undefined {
  let lowest: LagTrigger | undefined;
  for (const t of lagTriggers(phase)) if (!lowest || t.ms < lowest.ms) lowest = t;
  return lowest;
}

/** `5s`, or half the lowest trigger threshold when 5s would not be below it. */
function fixValue(trigger: LagTrigger | undefined): string | undefined {
  if (!trigger || DEFAULT_MS < trigger.ms) return DEFAULT;
  return durationText(trigger.ms / 2);
}

function human(ms: number): string {
  return ms > 0 && ms < 1 ? `${ms}ms` : formatDuration(ms);
}

export const rule = defineRule({
  meta: {
    id: 'backfill-throttle',
    severity: 'warning',
    description: "A backfill phase has no `throttle.max_replica_lag`, or one not below the phase's own replication-lag rollback trigger (`replica_lag`, `replication_lag`, `seconds_behind_master`…).",
    rationale:
      'A backfill competes with production traffic; the method throttles it on replica lag so that reads served by replicas stay fresh. ' +
      'The throttle has to act before the rollback trigger does: if the backfill only slows down at the lag that aborts the phase, the throttle never helps. ' +
      'A throttle well under the trigger keeps the backfill running slowly instead of rolling it back.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'backfill') return;
    const node = phase.node;
    const trigger = lowestLagTrigger(node);
    const value = fixValue(trigger);
    const below = trigger ? ` (below the ${human(trigger.ms)} of its replica-lag trigger)` : '';
    const throttle = node.get('throttle');
    if (throttle === undefined) {
      ctx.report({
        span: node.missingSpan,
        message:
          `${phaseLabel(phase)} has no throttle: a backfill running flat out builds replica lag and serves stale reads until a trigger aborts it. ` +
          `Add \`throttle: {max_replica_lag: ...}\`${value ? `, such as ${value}${below}` : ''}.`,
        fix: value ? { title: `Add throttle with max_replica_lag: ${value}`, edits: [insertPhaseKey(ctx.edits, phase, 'throttle', { max_replica_lag: value })], preferred: true } : undefined,
      });
      return;
    }
    if (!throttle.isMap) return; // null or a scalar: the schema's
    const lag = throttle.get('max_replica_lag');
    if (lag === undefined) {
      ctx.report({
        span: throttle.missingSpan,
        message:
          `${phaseLabel(phase)} has a throttle without max_replica_lag: nothing says when the backfill slows down to let replicas catch up. ` +
          `Add \`max_replica_lag\`${value ? `, such as ${value}${below}` : ''}.`,
        fix: value ? { title: `Add max_replica_lag: ${value}`, edits: [ctx.edits.insertEntry(throttle, 'max_replica_lag', value)], preferred: true } : undefined,
      });
      return;
    }
    const s = lag.str();
    const ms = s === undefined ? undefined : parseDuration(s);
    if (ms === undefined || !trigger || ms < trigger.ms) return;
    const related: RawRelated[] = [{ span: trigger.when.reportSpan, message: `The replica-lag rollback trigger, at ${human(trigger.ms)}` }];
    ctx.report({
      span: lag.reportSpan,
      message: `${phaseLabel(phase)} throttles at ${s!.trim()} of lag, not below its lag trigger at ${human(trigger.ms)}.`,
      detail:
        `Its trigger '${trigger.text.trim()}' rolls the phase back before the throttle (\`max_replica_lag: ${s!.trim()}\`) has slowed the backfill down. ` +
        `Set max_replica_lag below ${human(trigger.ms)}${value ? `, such as ${value}` : ''}.`,
      related,
      fix: value ? { title: `Set max_replica_lag to ${value}`, edits: [ctx.edits.replaceValue(lag, value)], preferred: true } : undefined,
    });
  },
});
