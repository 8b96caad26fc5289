import { Flow } from '../linting/fixes';
import { cutoverMode, insertPhaseKey, joinList, trimmedReportSpan } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { isEmpty, phaseLabel } from '../linting/ruleHelpers';

const RAMP = [1, 10, 50, 100];
/** The largest step up between two stages: 10 times the share of traffic. */
const MAX_JUMP = 10;
const FLAG_TODO = 'TODO: feature flag name';

/** What is wrong with a ramp of valid numbers, or an empty list when nothing is. */
function rampProblems(ramp: number[]): string[] {
  if (ramp.length === 0) return ['is empty'];
  const out: string[] = [];
  const drop = ramp.findIndex((n, i) => i > 0 && n <= ramp[i - 1]);
  if (drop > 0) out.push(`is not strictly increasing (${ramp[drop - 1]} then ${ramp[drop]})`);
  if (ramp[ramp.length - 1] !== 100) out.push(`ends at ${ramp[ramp.length - 1]}, not 100`);
  if (ramp[0] > 10) out.push(`starts at ${ramp[0]}, above 10`);
  const jump = ramp.findIndex((n, i) => i > 0 && ramp[i - 1] > 0 && n > ramp[i - 1] * MAX_JUMP);
  if (jump > 0) out.push(`jumps from ${ramp[jump - 1]} to ${ramp[jump]}, over ${MAX_JUMP}x`);
  return out;
}

export const rule = defineRule({
  meta: {
    id: 'cutover-ramp',
    severity: 'error',
    description:
      'A flag cutover (`mode: flag`, the default) has no `flag`, or a `ramp` that is missing, not strictly increasing, not ending at 100, starting above 10 percent or jumping more than 10x between stages.',
    rationale:
      'The method moves reads to the new shape behind a feature flag, in stages, so that a problem reaches a small share of traffic first and rolling back is a flag flip, not a deploy. ' +
      'The ramp has to start small (10% or less), only ever go up, by at most ten times the traffic from one stage to the next, and end with all traffic on the new path; otherwise the cutover is a big bang (`[5, 100]` moves 95% of traffic in one step) or never finishes. ' +
      'A cutover by an atomic swap or by an online schema change tool (`mode: swap`, `mode: tool`) has no flag to ramp.',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'cutover' || cutoverMode(phase) !== 'flag') return;
    const node = phase.node;
    const flag = node.get('flag');
    if (flag === undefined || isEmpty(flag)) {
      ctx.report({
        span: flag ? flag.reportSpan : node.missingSpan,
        message:
          `${phaseLabel(phase)} ${flag ? 'has an empty flag' : 'names no feature flag'}: without one, moving reads is a deploy and so is rolling it back. ` +
          'Name the `flag` that routes reads to the new shape.',
        fix: { title: 'Add a feature flag placeholder', edits: [flag ? ctx.edits.replaceValue(flag, FLAG_TODO) : insertPhaseKey(ctx.edits, phase, 'flag', FLAG_TODO)] },
      });
    }

    const ramp = node.get('ramp');
    const fixTitle = `Set ramp to [${RAMP.join(', ')}]`;
    if (ramp === undefined) {
      ctx.report({
        span: node.missingSpan,
        message:
          `${phaseLabel(phase)} has no ramp: all traffic would move at once. ` +
          `Add a \`ramp\` of flag percentages that starts at 10 or less, rises strictly and ends at 100, such as [${RAMP.join(', ')}].`,
        fix: { title: fixTitle, edits: [insertPhaseKey(ctx.edits, phase, 'ramp', new Flow(RAMP))], preferred: true },
      });
      return;
    }
    // Not a list, or items that are not numbers in (0, 100]: the schema's to report.
    if (!ramp.isSeq) return;
    const values = ramp.items().map((it) => it.num());
    if (values.some((n) => n === undefined || n <= 0 || n > 100)) return;
    const problems = rampProblems(values as number[]);
    if (problems.length === 0) return;
    ctx.report({
      span: trimmedReportSpan(ctx.plan, ramp),
      message: `${phaseLabel(phase)} has the ramp [${values.join(', ')}], which ${problems[0]}.`,
      detail:
        `It does not stage the cutover: it ${joinList(problems)}. ` +
        `A ramp starts with 10% of traffic or less, only goes up, at most ${MAX_JUMP} times the traffic per stage, and ends at 100, such as [${RAMP.join(', ')}].`,
      fix: { title: fixTitle, edits: [ctx.edits.replaceValue(ramp, new Flow(RAMP))], preferred: true },
    });
  },
});
