import { insertPhaseKey } from '../phaseKinds';
import { defineRule } from '../rule';
import type { PlanDocument } from '../plan';
import { isEmpty, phaseLabel } from '../ruleHelpers';

const TODO = 'TODO: the data owner who signs off';

/** The plan's owner, who a verification's sign-off defaults to. */
function ownerOf(plan: PlanDocument): string | undefined {
  return plan.root?.get('owner')?.text()?.trim();
}

export const rule = defineRule({
  meta: {
    id: 'verification-sign-off',
    severity: 'error',
    description: 'A verification phase has no `sign_off` (or an empty one).',
    rationale:
      'Verification ends the last phase that can still be undone cheaply; after it, cleanup drops the old shape. ' +
      'The method asks that a named data owner signs off on the checks before that happens, so the decision to pass the point of no return is made by someone accountable for the data, not by default.',
    fixable: true,
  },
  phaseContext(plan) {
    return ownerOf(plan) ?? '';
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'verification') return;
    const owner = ownerOf(ctx.plan);
    const value = owner ?? TODO;
    const v = phase.node.get('sign_off');
    if (v !== undefined && !isEmpty(v)) return; // present (a non-string is the schema's)
    ctx.report({
      span: v ? v.reportSpan : phase.node.missingSpan,
      message:
        `${phaseLabel(phase)} ${v ? 'has an empty sign_off' : 'names nobody who signs off'}: cleanup would then follow without the data owner having accepted the results. ` +
        `Set \`sign_off\` to the person or team who approves${owner ? `, such as the plan's owner, '${owner}'` : ''}.`,
      fix: {
        title: owner ? `Set sign_off to the plan's owner, '${owner}'` : 'Add a sign_off placeholder',
        edits: [v ? ctx.edits.replaceValue(v, value) : insertPhaseKey(ctx.edits, phase, 'sign_off', value)],
        preferred: owner !== undefined,
      },
    });
  },
});
