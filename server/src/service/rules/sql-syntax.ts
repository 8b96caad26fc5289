import { defineRule } from '../linting/rule';
import { parseSql } from '../sql/parser';
import { planSpan, sqlValues, type SqlValue } from '../sql/sqlValues';
import { LineIndex } from '../parsing/text';
import type { Range } from '../types';

const WHAT: Record<SqlValue['kind'], string> = {
  current_schema: 'The current schema',
  target_schema: 'The target schema',
  sql: 'The SQL of phase',
  rollback_sql: 'The rollback SQL of phase',
  upsert: 'The upsert of phase',
  query: 'A check query of phase',
  seed: 'The rehearsal seed',
  writes: 'The rehearsal writes',
};

/** "The upsert of phase 'backfill'", "The target schema". */
export function sqlValueLabel(v: SqlValue, phaseName?: string): string {
  const what = WHAT[v.kind];
  return what.endsWith('phase') ? `${what} ${phaseName ?? '?'}` : what;
}

function short(s: string, n = 60): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

export const rule = defineRule({
  meta: {
    id: 'sql-syntax',
    severity: 'error',
    description:
      'With `context.dialect: postgresql`, a SQL value PostgreSQL\'s parser rejects (reported at the error\'s line and column, in the plan or in the file a `{file: path}` names), or a `{file: path}` that cannot be read.',
    rationale:
      'SQL that does not parse fails the moment the phase starts, in production, with the plan half applied. ' +
      'migplan reads every SQL value of the plan with PostgreSQL\'s own parser, so a typo is found where it was written, at its line and column, while the plan is being written. ' +
      'A file the plan names must exist and stay inside the repository: the plan and its SQL are reviewed and versioned together.',
    fixable: false,
  },
  check(ctx) {
    const values = sqlValues(ctx.plan, ctx.files);
    for (const v of values) {
      const phase = v.phaseIndex !== undefined ? ctx.plan.phases.find((p) => p.index === v.phaseIndex) : undefined;
      const label = sqlValueLabel(v, phase ? (phase.id !== undefined ? `'${phase.id}'` : `#${phase.index + 1}`) : undefined);
      if (v.source.kind === 'file' && v.source.error !== undefined) {
        ctx.report({
          span: v.source.fileNode.reportSpan,
          message: `${label} names '${short(v.source.written, 40)}', which cannot be read.`,
          detail: `The file ${v.source.error}. Give the path of a SQL file relative to the plan's folder, inside the repository.`,
          data: { sql: v.id, file: v.source.written },
        });
        continue;
      }
      if (v.text === undefined) continue;
      const parse = parseSql(v.text);
      if (!parse?.error) continue;
      const { message, position } = parse.error;
      if (v.source.kind === 'file' && v.source.absolute) {
        const lines = new LineIndex(v.text);
        const range: Range = lines.rangeOf([position, Math.min(v.text.length, position + 1)]);
        ctx.report({
          span: v.source.fileNode.reportSpan,
          message: `${label} does not parse, in ${short(v.source.written, 30)} line ${range.start.line + 1}: ${short(message, 40)}.`,
          detail: `PostgreSQL's parser stops there: ${message}. Fix the SQL in the file.`,
          related: [{ span: v.source.fileNode.reportSpan, message: `PostgreSQL: ${message}`, file: { path: v.source.absolute, range } }],
          data: { sql: v.id, file: v.source.written, position },
        });
        continue;
      }
      ctx.report({
        span: planSpan(v, position, Math.min(v.text.length, position + tokenLength(v.text, position))),
        message: `${label} does not parse: ${short(message, 50)}.`,
        detail: `PostgreSQL's parser stops here: ${message}. Fix the SQL; migplan reads it as PostgreSQL will when the phase runs.`,
        data: { sql: v.id, position },
      });
    }
  },
});

/** The length of the token at `at` (a word, a quoted string's first character, or one character). */
function tokenLength(text: string, at: number): number {
  const m = /^[A-Za-z_][\w$]*|^\d+/.exec(text.slice(at, at + 64));
  return m ? m[0].length : 1;
}
