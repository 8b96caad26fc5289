import { hasLagTrigger } from '../linting/metrics';
import { defineRule } from '../linting/rule';
import { isEmpty, phaseLabel, phaseName } from '../linting/ruleHelpers';
import { fillEmptyList, RECOMMENDED_TRIGGERS, recommendedTrigger, writtenInPlace } from '../linting/templates';
import { CONDITION_FORM, parseCondition } from '../parsing/values';

export const rule = defineRule({
  meta: {
    id: 'rollback-trigger',
    severity: 'error',
    description:
      "A phase has no rollback `triggers`, a trigger's `when` is not a condition with a threshold, such as `replica_lag > 30s for 1m`, or a backfill has no trigger on replication lag.",
    rationale:
      'The method decides before a phase starts when it will be rolled back, as numeric thresholds on metrics someone watches. ' +
      'In the middle of an incident "if something goes wrong" is argued about while the damage grows; `error_rate > 0.1% for 5m` is not. ' +
      'A threshold also tells whoever is on call that rolling back is expected of them, not a judgement call. ' +
      'A backfill is the phase that loads the replicas most: it always needs a trigger on replication lag (however the metric is named), which its throttle stays below.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    const node = phase.node;
    const triggers = node.get('triggers');
    const recommended = RECOMMENDED_TRIGGERS[phase.kind ?? 'custom'];
    if (triggers === undefined || (triggers.isSeq && isEmpty(triggers))) {
      const missing = triggers === undefined;
      ctx.report({
        span: missing ? node.missingSpan : triggers.reportSpan,
        message:
          `${phaseLabel(phase)} has ${missing ? 'no rollback triggers' : 'an empty `triggers` list'}: nobody has decided when it is rolled back, so that gets argued during the incident. ` +
          `Add a trigger with a numeric threshold and its action, e.g. \`when: ${recommended.when}\`.`,
        // Through an alias (`- *phase`) the phase is written elsewhere: no edit in place.
        ...(missing && !writtenInPlace(node) ? {} : { fix: {
          title: `Insert the recommended trigger '${recommended.when}'`,
          edits: [
            missing
              ? ctx.edits.insertEntry(node, 'triggers', [recommendedTrigger(phase.kind)], { after: ['checks'], before: ['rollback'] })
              : fillEmptyList(ctx.edits, triggers, [recommendedTrigger(phase.kind)]),
          ],
        } }),
      });
      return;
    }
    // `triggers` that is not a list, items that are not maps, a `when` that is not a string: the schema's.
    // A `when` of the wrong type may be the lag trigger, written wrong: the schema's to report first.
    const readable = triggers.isSeq && triggers.items().every((t) => t.isMap && t.get('when')?.str() !== undefined);
    if (phase.kind === 'backfill' && readable && !hasLagTrigger(node)) {
      const lag = recommendedTrigger('backfill');
      ctx.report({
        span: triggers.keySpan ?? triggers.reportSpan,
        message: `${phaseLabel(phase)} has no rollback trigger on replication lag.`,
        detail:
          'A backfill loads the primary and its replicas more than any other phase; without a lag threshold, reads served by replicas go stale until someone notices, and the throttle has nothing to stay below. ' +
          `Add \`when: ${String(lag.when)}\` with its action.`,
        ...(writtenInPlace(triggers) ? { fix: { title: `Insert the trigger '${String(lag.when)}'`, edits: [ctx.edits.insertItem(triggers, lag)] } } : {}),
      });
    }
    for (const trigger of triggers.items()) {
      const when = trigger.get('when');
      const text = when?.str();
      if (when === undefined || text === undefined || parseCondition(text) !== undefined) continue;
      ctx.report({
        span: when.reportSpan,
        message: `Trigger '${text.trim().length > 36 ? `${text.trim().slice(0, 35)}…` : text.trim()}' of phase ${phaseName(phase)} is not a threshold.`,
        detail: `In an incident nobody can tell whether it has fired. Write it as \`${CONDITION_FORM}\`, e.g. \`${recommended.when}\`.`,
        fix: { title: `Replace with the threshold '${recommended.when}'`, edits: [ctx.edits.replaceValue(when, recommended.when)] },
        data: { when: text },
      });
    }
  },
});
