import { findPlaceholders, quoteValue, type Placeholder } from '../linting/placeholders';
import { defineRule, type RuleContext } from '../linting/rule';
import { fieldLabel, sentenceCase } from '../linting/ruleHelpers';

function report(ctx: RuleContext, p: Placeholder): void {
  const subject = sentenceCase(fieldLabel(ctx.plan, p.path));
  const condition = p.why.startsWith('a condition') || p.why === 'a placeholder metric';
  ctx.report({
    span: p.span,
    // A long value is quoted where its marker is.
    message: condition
      ? `${subject} ${p.why === 'a placeholder metric' ? 'has a placeholder metric' : 'compares a metric with itself'}: ${quoteValue(p.value, 20)}.`
      : `${subject} is not filled in: ${quoteValue(p.value.includes('\n') ? ctx.plan.slice(p.span) : p.value, 24)}.`,
    detail: condition
      ? `It is ${p.why}, so it cannot fail and proves nothing. Write the comparison that tells a correct result from a wrong one, such as \`divergent_rows = 0\` or \`count(new) = count(old)\`.`
      : `It is ${p.why}, standing where the author's answer belongs; a plan that carries it has not been thought through there, and nothing downstream (the checklist, the rendered plan, a reviewer) can trust it. ` +
        'Replace it with the real answer. Only the author can: no quick fix writes it.',
    data: { path: p.path, value: p.value },
  });
}

export const rule = defineRule({
  meta: {
    id: 'placeholder',
    severity: 'error',
    description: 'A field holds a placeholder or an empty answer (`TODO`, `TBD`, `?`, `n/a`, `-`, `yes` where a sentence or a name is needed), or a condition compares a metric with itself.',
    rationale:
      'A plan is a promise that someone has thought each step through. ' +
      'A `TODO`, a `?` or a bare `yes` where the method asks who signs off, how a restart continues or what the schema looks like keeps the form of an answer without its content, and a reviewer skimming a long plan takes it for one. ' +
      'The template, the snippets and the quick fixes write such placeholders wherever only the author can answer, so that this rule lists exactly what is left to decide; a condition such as `ok = ok` is always true and checks nothing.',
    fixable: false,
  },
  check(ctx) {
    const root = ctx.plan.root!;
    for (const [key, value] of root.entries()) {
      if (key === 'phases' && value.isSeq) {
        // Phases that are mappings are checkPhase's; the others (scalars in the list) are read here.
        const items = value.items();
        for (let i = 0; i < items.length; i++) if (!items[i].isMap) for (const p of findPlaceholders(items[i], ['phases', i], ctx.plan.text)) report(ctx, p);
        continue;
      }
      if (key.startsWith('x-')) continue;
      for (const p of findPlaceholders(value, [key], ctx.plan.text)) report(ctx, p);
    }
  },
  checkPhase(phase, ctx) {
    for (const p of findPlaceholders(phase.node, ['phases', phase.index], ctx.plan.text)) report(ctx, p);
  },
});
