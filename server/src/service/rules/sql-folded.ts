import { defineRule } from '../linting/rule';
import { sqlValues } from '../sql/sqlValues';
import { sqlValueLabel } from './sql-syntax';

export const rule = defineRule({
  meta: {
    id: 'sql-folded',
    severity: 'warning',
    description: 'With `context.dialect: postgresql`, a SQL value is written as a folded block scalar (`>`), which joins its lines with spaces.',
    rationale:
      'YAML folds a `>` block: its line breaks become spaces, so the SQL PostgreSQL receives is not the SQL on the page. ' +
      'A `--` comment then runs on to the end of the folded text and swallows the statements after it, and positions of errors no longer match the lines shown. ' +
      'A literal block (`|`) keeps the SQL as written.',
    fixable: true,
  },
  check(ctx) {
    for (const v of sqlValues(ctx.plan, ctx.files)) {
      if (v.source.kind !== 'inline' || !v.source.folded) continue;
      const phase = v.phaseIndex !== undefined ? ctx.plan.phases.find((p) => p.index === v.phaseIndex) : undefined;
      const label = sqlValueLabel(v, phase ? (phase.id !== undefined ? `'${phase.id}'` : `#${phase.index + 1}`) : undefined);
      const at = v.node.span[0];
      const header = /^>([1-9]?[+-]?|[+-]?[1-9]?)/.exec(ctx.plan.text.slice(at, at + 3));
      const comments = /--/.test(v.text ?? '');
      ctx.report({
        span: [at, at + (header ? header[0].length : 1)],
        message: `${label} is a folded block (\`>\`), which joins its lines.`,
        detail:
          `PostgreSQL receives the SQL with its line breaks turned into spaces${comments ? ': here a `--` comment swallows everything after it' : ''}, and error positions no longer match the lines shown. ` +
          'Write it as a literal block (`|`).',
        ...(header ? { fix: { title: 'Write it as a literal block (|)', edits: [{ span: [at, at + 1] as const, text: '|' }], preferred: true } } : {}),
        data: { sql: v.id },
      });
    }
  },
});
