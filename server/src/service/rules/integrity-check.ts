import { defineRule } from '../rule';
import { isEmpty, phaseLabel, phaseName } from '../ruleHelpers';
import { fillEmptyList, RECOMMENDED_CHECKS, recommendedCheck, writtenInPlace } from '../templates';
import { CONDITION_FORM, parseCondition } from '../values';

export const rule = defineRule({
  meta: {
    id: 'integrity-check',
    severity: 'error',
    description: "A phase has no `checks`, or a check's `expect` is not a condition such as `count(new) = count(old)`.",
    rationale:
      'The method puts an integrity check at every phase boundary: row counts, checksums, divergence or spot-check queries that prove the data is still right before the next phase builds on it. ' +
      'A check only helps when its expected result is a comparison someone (or a script) can evaluate, not a feeling. ' +
      'Corruption found at the boundary where it happened is cheap to undo; found after cleanup, it needs a restore.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    const node = phase.node;
    const checks = node.get('checks');
    const example = RECOMMENDED_CHECKS[phase.kind ?? 'custom'];
    if (checks === undefined || (checks.isSeq && isEmpty(checks))) {
      const missing = checks === undefined;
      ctx.report({
        span: missing ? node.missingSpan : checks.reportSpan,
        message:
          `${phaseLabel(phase)} has ${missing ? 'no integrity checks' : 'an empty `checks` list'}: nothing proves the data is still right before the next phase builds on it. ` +
          `Add a check with an expected result, e.g. \`{name: ${example.name}, expect: ${example.expect}}\`.`,
        // Through an alias (`- *phase`) the phase is written elsewhere: no edit in place.
        ...(missing && !writtenInPlace(node) ? {} : { fix: {
          title: `Insert the recommended check '${example.name}'`,
          edits: [
            missing
              ? ctx.edits.insertEntry(node, 'checks', [recommendedCheck(phase.kind)], { before: ['triggers', 'rollback'] })
              : fillEmptyList(ctx.edits, checks, [recommendedCheck(phase.kind)]),
          ],
        } }),
      });
      return;
    }
    // `checks` that is not a list, items that are not maps, an `expect` that is not a string: the schema's.
    for (const check of checks.items()) {
      const expect = check.get('expect');
      const text = expect?.str();
      if (expect === undefined || text === undefined || parseCondition(text) !== undefined) continue;
      const name = check.get('name')?.text();
      ctx.report({
        span: expect.reportSpan,
        message:
          `${name !== undefined ? `Check '${name}'` : 'A check'} of phase ${phaseName(phase)} expects ${JSON.stringify(text)}, which is not a condition: nobody can evaluate whether it passed. ` +
          `Write it as \`${CONDITION_FORM}\`, e.g. \`${example.expect}\`.`,
        data: { expect: text },
      });
    }
  },
});
