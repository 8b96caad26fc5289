import { defineRule } from '../linting/rule';
import { isEmpty, phaseLabel } from '../linting/ruleHelpers';
import { CRITERIA_TODO, fillEmptyList, writtenInPlace } from '../linting/templates';

const LISTS = ['entry', 'steps', 'exit'] as const;
type ListKey = (typeof LISTS)[number];

/** How messages speak of each list, why it matters, and what satisfies the rule. */
const TEXT: Readonly<Record<ListKey, { name: string; why: string; add: string; one: string }>> = {
  entry: {
    name: 'entry criteria',
    why: 'without them the phase can start before what it depends on is true',
    add: 'an `entry` list of conditions that must hold before it starts',
    one: 'condition that must hold before it starts',
  },
  steps: {
    name: 'steps',
    why: 'without them nobody knows what is actually done, in what order',
    add: 'a `steps` list of what is done',
    one: 'step',
  },
  exit: {
    name: 'exit criteria',
    why: 'without them nobody can tell when the phase is done',
    add: 'an `exit` list of observable conditions',
    one: 'observable condition that ends it',
  },
};

/** Keys a phase writes before each list, and the keys that follow it. */
const AFTER: Readonly<Record<ListKey, string[]>> = {
  entry: ['id', 'kind', 'title'],
  steps: ['id', 'kind', 'title', 'entry'],
  exit: ['id', 'kind', 'title', 'entry', 'steps'],
};
const BEFORE: Readonly<Record<ListKey, string[]>> = {
  entry: ['steps', 'exit', 'checks', 'triggers', 'rollback'],
  steps: ['exit', 'checks', 'triggers', 'rollback'],
  exit: ['checks', 'triggers', 'rollback'],
};

export const rule = defineRule({
  meta: {
    id: 'phase-criteria',
    severity: 'error',
    description: 'A phase lacks `entry` criteria, `steps` or `exit` criteria, or one of these lists is empty.',
    rationale:
      'The method gives every phase explicit entry criteria, steps and exit criteria. ' +
      'Entry criteria stop a phase from starting on a state that is not ready; exit criteria are the observable proof that it is finished and the next one may begin. ' +
      'Without them a phased rollout degrades into a sequence of hopes, and nobody can say which phase the migration is in.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    const node = phase.node;
    for (const key of LISTS) {
      const value = node.get(key);
      // `key:` with nothing after it, or a value that is not a list, is the schema's.
      if (value !== undefined && !(value.isSeq && isEmpty(value))) continue;
      const { name, why, add, one } = TEXT[key];
      const missing = value === undefined;
      ctx.report({
        span: missing ? node.missingSpan : value.reportSpan,
        message: missing
          ? `${phaseLabel(phase)} has no ${name}: ${why}. Add ${add}.`
          : `${phaseLabel(phase)} has an empty \`${key}\` list: ${why}. List at least one ${one}.`,
        // Through an alias (`- *phase`) the phase is written elsewhere: no edit in place.
        ...(missing && !writtenInPlace(node) ? {} : { fix: {
          title: `Insert ${key === 'steps' ? "'steps'" : `'${key}' criteria`} with a TODO`,
          edits: [
            missing
              ? ctx.edits.insertEntry(node, key, [CRITERIA_TODO[key]], { after: AFTER[key], before: BEFORE[key] })
              : fillEmptyList(ctx.edits, value, [CRITERIA_TODO[key]]),
          ],
        } }),
        data: { key },
      });
    }
  },
});
