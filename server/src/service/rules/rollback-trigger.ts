import { defineRule } from '../rule';
import { isEmpty, phaseLabel, phaseName } from '../ruleHelpers';
import { fillEmptyList, RECOMMENDED_TRIGGERS, recommendedTrigger, writtenInPlace } from '../templates';
import { CONDITION_FORM, parseCondition } from '../values';

export const rule = defineRule({
  meta: {
    id: 'rollback-trigger',
    severity: 'error',
    description: "A phase has no rollback `triggers`, or a trigger's `when` is not a condition with a threshold, such as `replica_lag > 30s for 1m`.",
    rationale:
      'The method decides before a phase starts when it will be rolled back, as numeric thresholds on metrics someone watches. ' +
      'In the middle of an incident "if something goes wrong" is argued about while the damage grows; `error_rate > 0.1% for 5m` is not. ' +
      'A threshold also tells whoever is on call that rolling back is expected of them, not a judgement call.',
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
    for (const trigger of triggers.items()) {
      const when = trigger.get('when');
      const text = when?.str();
      if (when === undefined || text === undefined || parseCondition(text) !== undefined) continue;
      ctx.report({
        span: when.reportSpan,
        message:
          `A rollback trigger of phase ${phaseName(phase)} fires when ${JSON.stringify(text)}, which is not a threshold: in an incident nobody can tell whether it has fired. ` +
          `Write it as \`${CONDITION_FORM}\`, e.g. \`${recommended.when}\`.`,
        fix: { title: `Replace with the threshold '${recommended.when}'`, edits: [ctx.edits.replaceValue(when, recommended.when)] },
        data: { when: text },
      });
    }
  },
});
