import { isErrorRateMetric, isLagMetric, isP99Metric, METHOD_ERROR_RATE_PERCENT, METHOD_LAG_MS, METHOD_LATENCY_BUDGET_PERCENT } from '../linting/metrics';
import type { PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import { defineRule } from '../linting/rule';
import { phaseName } from '../linting/ruleHelpers';
import { conditionDurationMs, formatDuration, parseCondition, parseDuration, parsePercentage, type Condition } from '../parsing/values';

/** The plan's latency budget (its first cutover's `latency_budget`) and baseline P99, for phases that state none. */
function planLatency(plan: PlanDocument): { budget?: number; p99Ms?: number } {
  const cutover = plan.phases.find((p) => p.kind === 'cutover');
  const b = cutover?.node.get('latency_budget')?.str();
  const p99 = plan.root?.get('assessment')?.get('baseline')?.get('p99')?.str();
  return { budget: b !== undefined ? parsePercentage(b) : undefined, p99Ms: p99 !== undefined ? parseDuration(p99) : undefined };
}

/** The condition rewritten with another threshold, keeping its metric, `of baseline` and `for` clause. */
function withThreshold(text: string, c: Condition, value: string): string {
  const forClause = /\s+for\s+\S+\s*$/.exec(text)?.[0].trim();
  return `${c.metric} ${c.op} ${value}${c.ofBaseline ? ' of baseline' : ''}${forClause ? ` ${forClause}` : ''}`;
}

function ms(n: number): string {
  return n < 1000 ? `${n}ms` : formatDuration(n);
}

export const rule = defineRule({
  meta: {
    id: 'trigger-threshold',
    severity: 'warning',
    description: "A rollback trigger is looser than the method: an error rate above 0.1%, replication lag above 30s, or P99 latency above the plan's latency budget.",
    rationale:
      'A trigger is there to roll a phase back while the damage is still small. ' +
      'The method sets the bar: roll back at an error rate of 0.1%, at 30s of replication lag, and when P99 latency leaves the latency budget (10% over baseline unless the plan says otherwise). ' +
      'A dual-write trigger at 2% lets one write in fifty fail before anyone acts; a P99 trigger at 150% of baseline with a 10% budget waits until the budget is blown five times over.',
    fixable: true,
  },
  phaseContext(plan) {
    const { budget, p99Ms } = planLatency(plan);
    return `${budget ?? ''} ${p99Ms ?? ''}`;
  },
  checkPhase(phase, ctx) {
    const own = phase.kind === 'cutover' ? phase.node.get('latency_budget')?.str() : undefined;
    const plan = planLatency(ctx.plan);
    const budget = (own !== undefined ? parsePercentage(own) : undefined) ?? plan.budget ?? METHOD_LATENCY_BUDGET_PERCENT;
    for (const t of phase.node.get('triggers')?.items() ?? []) {
      const when: PNode | undefined = t.get('when');
      const text = when?.str();
      const c = text === undefined ? undefined : parseCondition(text);
      if (!when || !c?.value || (c.op !== '>' && c.op !== '>=')) continue;
      const { number, unit } = c.value;
      let limit: string | undefined;
      let what = '';
      if (isErrorRateMetric(c) && number > METHOD_ERROR_RATE_PERCENT && number <= 100) {
        limit = `${METHOD_ERROR_RATE_PERCENT}%`;
        what = "the method's error-rate threshold";
      } else if (isLagMetric(c.metric) && !c.ofBaseline && unit !== '%') {
        const lag = conditionDurationMs(c);
        if (lag !== undefined && lag > METHOD_LAG_MS) {
          limit = ms(METHOD_LAG_MS);
          what = "the method's replication-lag threshold";
        }
      } else if (isP99Metric(c.metric) && c.ofBaseline && unit === '%' && number > 100 + budget) {
        limit = `${100 + budget}%`;
        what = `the latency budget of ${budget}%`;
      } else if (isP99Metric(c.metric) && !c.ofBaseline && plan.p99Ms !== undefined && unit !== undefined && unit !== '%') {
        const threshold = conditionDurationMs(c);
        const allowed = plan.p99Ms * (1 + budget / 100);
        if (threshold !== undefined && threshold > allowed) {
          limit = ms(Math.floor(allowed));
          what = `the baseline P99 plus the ${budget}% budget`;
        }
      }
      if (limit === undefined) continue;
      const fixed = withThreshold(text!, c, limit);
      ctx.report({
        span: when.reportSpan,
        message: `Trigger '${shorten(text!)}' of phase ${phaseName(phase)} is looser than ${limit}.`,
        detail:
          `It fires above ${what} (${limit}), so the phase keeps running while the damage it is meant to stop grows. ` +
          `Roll back at ${limit}: \`${fixed}\`.`,
        fix: { title: `Set the threshold to ${limit}`, edits: [ctx.edits.replaceValue(when, fixed)], preferred: true },
        data: { when: text, limit },
      });
    }
  },
});

function shorten(s: string): string {
  const t = s.trim();
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}
