import { insertPhaseKey } from '../linting/phaseKinds';
import { placeholderWhy } from '../linting/placeholders';
import type { PlanDocument } from '../parsing/plan';
import { defineRule } from '../linting/rule';
import { isEmpty, phaseLabel } from '../linting/ruleHelpers';
import { signOffTodo } from '../linting/templates';

/** The plan's owner, who must be the one signing off; undefined when missing or a placeholder. */
function ownerOf(plan: PlanDocument): string | undefined {
  const owner = plan.root?.get('owner')?.text()?.trim();
  return owner !== undefined && placeholderWhy(owner, 'text') === undefined ? owner : undefined;
}

/** Words that name a role or a group, not who it is: they do not make two names the same. */
const GENERIC = new Set([
  'the', 'and', 'team', 'data', 'owner', 'owners', 'lead', 'manager', 'engineer', 'engineers', 'engineering', 'on', 'call', 'oncall',
  'sre', 'dba', 'dbas', 'platform', 'squad', 'group', 'of', 'for', 'from', 'by', 'with', 'signs', 'sign', 'off', 'approval', 'approves',
  'head', 'senior', 'staff', 'principal', 'product', 'service', 'services', 'duty', 'person', 'people', 'whoever', 'someone', 'responsible',
]);

/** The words of a name that identify someone: `data-platform team (Dana Ortiz)` → dana, ortiz. */
function nameWords(s: string): Set<string> {
  return new Set(s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2 && !GENERIC.has(w)));
}

/** Whether a sign-off names the owner: they share a word that is not a role. */
export function namesOwner(signOff: string, owner: string): boolean {
  const a = nameWords(owner);
  if (a.size === 0) return true; // an owner named only by role: nothing to compare
  for (const w of nameWords(signOff)) if (a.has(w)) return true;
  return false;
}

export const rule = defineRule({
  meta: {
    id: 'verification-sign-off',
    severity: 'error',
    description: "A verification phase has no `sign_off` (or an empty one), or its sign-off does not name the plan's `owner`.",
    rationale:
      'Verification ends the last phase that can still be undone cheaply; after it, cleanup drops the old shape. ' +
      'The method asks that the named data owner signs off on the checks before that happens, so the decision to pass the point of no return is made by someone accountable for the data, not by default, and not by whoever is on call that day. ' +
      'Who that is is the author\'s decision: the quick fix writes a placeholder that names the owner, never the owner.',
    fixable: true,
  },
  phaseContext(plan) {
    return ownerOf(plan) ?? '';
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'verification') return;
    const owner = ownerOf(ctx.plan);
    const v = phase.node.get('sign_off');
    const text = v?.text();
    if (v !== undefined && text !== undefined) {
      // A placeholder is the placeholder rule's; a sign-off by someone else than the owner is this rule's.
      if (owner === undefined || placeholderWhy(text, 'text') !== undefined || namesOwner(text, owner)) return;
      ctx.report({
        span: v.reportSpan,
        message: `${phaseLabel(phase)} is signed off by '${short(text)}', not the plan's owner.`,
        detail:
          `The plan's owner is '${owner}'. The data owner accepts the results before cleanup passes the point of no return; a role such as the on-call engineer is not accountable for the data. ` +
          "Name the owner (or a person of the owner's team) in `sign_off`, or make that person the plan's `owner`.",
        data: { signOff: text, owner },
      });
      return;
    }
    if (v !== undefined && !isEmpty(v)) return; // not a string: the schema's
    const value = signOffTodo(owner);
    ctx.report({
      span: v ? v.reportSpan : phase.node.missingSpan,
      message: `${phaseLabel(phase)} ${v ? 'has an empty sign_off' : 'names nobody who signs off'}.`,
      detail:
        'Cleanup would then follow without the data owner having accepted the results. ' +
        `Set \`sign_off\` to the data owner who approves${owner ? `, such as the plan's owner, '${owner}'` : ''}.`,
      fix: {
        title: 'Add a sign_off placeholder',
        edits: [v ? ctx.edits.replaceValue(v, value) : insertPhaseKey(ctx.edits, phase, 'sign_off', value)],
      },
    });
  },
});

function short(s: string): string {
  const t = s.trim();
  return t.length > 30 ? `${t.slice(0, 29)}…` : t;
}
