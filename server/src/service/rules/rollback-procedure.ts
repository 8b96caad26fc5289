import { defineRule } from '../linting/rule';
import { isEmpty, phaseLabel } from '../linting/ruleHelpers';
import { rollbackTodo, writtenInPlace } from '../linting/templates';

export const rule = defineRule({
  meta: {
    id: 'rollback-procedure',
    severity: 'error',
    description: 'A phase has no `rollback` procedure (or an empty one).',
    rationale:
      'The method asks how every phase is undone before it starts, not once a trigger has fired. ' +
      'Writing the procedure down shows whether undoing is a flag flip, a redeploy or a restore from backup, and how long it takes against the rollback requirements. ' +
      'A phase nobody knows how to undo is a point of no return whether or not the plan says so.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    const node = phase.node;
    const rollback = node.get('rollback');
    // `rollback:` with nothing after it, or a value that is not a string, is the schema's.
    if (rollback !== undefined && !(rollback.str() !== undefined && isEmpty(rollback))) return;
    const missing = rollback === undefined;
    const todo = rollbackTodo(phase.kind);
    ctx.report({
      span: missing ? node.missingSpan : rollback.reportSpan,
      message:
        `${phaseLabel(phase)} has ${missing ? 'no' : 'an empty'} rollback procedure: if a trigger fires nobody knows how to undo it, or whether that needs a restore. ` +
        'Add `rollback` with the steps that undo this phase and how long they take.',
      // Through an alias (`- *phase`) the phase is written elsewhere: no edit in place.
      ...(missing && !writtenInPlace(node)
        ? {}
        : {
            fix: {
              title: 'Insert a rollback procedure stub',
              edits: [missing ? ctx.edits.insertEntry(node, 'rollback', todo, { after: ['triggers', 'checks'] }) : ctx.edits.replaceValue(rollback, todo)],
            },
          }),
    });
  },
});
