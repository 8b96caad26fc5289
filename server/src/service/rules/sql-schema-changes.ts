import type { PNode } from '../parsing/node';
import { defineRule } from '../linting/rule';
import { catalogDiff, type Difference } from '../sql/catalog';
import { timelineOf } from '../sql/timeline';

/** A name as the catalog keys it: lower case unless quoted, `public.` dropped. */
function norm(s: string): string {
  const t = s.trim();
  const unquoted = /^".*"$/.test(t) ? t.slice(1, -1) : t.toLowerCase();
  return unquoted.replace(/^public\./, '');
}

/** A string or a list of strings, normalized. */
function names(node: PNode | undefined): string[] {
  const s = node?.str();
  if (s !== undefined) return s.trim() === '' ? [] : [norm(s)];
  return (node?.strings() ?? []).filter((x) => x.trim() !== '').map(norm);
}

/** A column written as `col` or `table.col`: the column. */
function column(s: string, table: string): string {
  return s.startsWith(`${table}.`) ? s.slice(table.length + 1) : s;
}

interface Change {
  node: PNode;
  kind: string;
  table: string;
  columns: string[];
  from: string[];
  to: string[];
}

/** The differences a change stands for: whether one of them is in the schemas' difference. */
function hasCounterpart(c: Change, diff: readonly Difference[]): boolean {
  const has = (kind: Difference['kind'], table: string, name?: string): boolean => diff.some((d) => d.kind === kind && d.table === table && (name === undefined || d.name === name));
  const t = c.table;
  const cols = [...c.columns, ...c.from, ...c.to].map((x) => column(x, t));
  switch (c.kind) {
    case 'add-column':
      return [...c.columns, ...c.to].some((x) => has('missing-column', t, column(x, t)));
    case 'drop-column':
      return [...c.columns, ...c.from].some((x) => has('extra-column', t, column(x, t)));
    case 'rename-column':
    case 'split-column':
    case 'merge-columns':
      return c.from.some((x) => has('extra-column', t, column(x, t))) || c.to.some((x) => has('missing-column', t, column(x, t))) || (c.from.length + c.to.length === 0 && cols.some((x) => has('extra-column', t, x)));
    case 'change-type':
      return cols.some((x) => has('column-type', t, x));
    case 'add-table':
      return has('missing-table', t) || c.to.some((x) => has('missing-table', x));
    case 'drop-table':
      return has('extra-table', t) || c.from.some((x) => has('extra-table', x));
    case 'rename-table':
    case 'split-table':
    case 'merge-tables':
      return [t, ...c.from].some((x) => has('extra-table', x)) || [t, ...c.to].some((x) => has('missing-table', x));
    case 'add-index':
      return has('missing-index', t) || has('index-definition', t);
    case 'drop-index':
      return has('extra-index', t) || has('index-definition', t);
    case 'add-relationship':
      return has('missing-constraint', t) || has('constraint-definition', t);
    case 'drop-relationship':
      return has('extra-constraint', t) || has('constraint-definition', t);
    default:
      return true;
  }
}

/** Whether some change accounts for a column the target drops, or retypes. */
function listed(d: Difference, changes: readonly Change[]): boolean {
  const col = d.name ?? '';
  return changes.some((c) => {
    if (c.table !== d.table && !c.from.includes(d.table)) return false;
    const mentioned = [...c.columns, ...c.from].map((x) => column(x, c.table)).includes(col);
    if (d.kind === 'column-type') return c.kind === 'change-type' ? mentioned || c.columns.length + c.from.length === 0 : mentioned && c.kind !== 'drop-column';
    return mentioned || ['drop-table', 'rename-table', 'merge-tables', 'split-table'].includes(c.kind);
  });
}

function tableListed(d: Difference, changes: readonly Change[]): boolean {
  return changes.some((c) => ['drop-table', 'rename-table', 'merge-tables', 'split-table', 'other'].includes(c.kind) && (c.table === d.table || c.from.includes(d.table)));
}

export const rule = defineRule({
  meta: {
    id: 'sql-schema-changes',
    severity: 'warning',
    description:
      'With `context.dialect: postgresql` and both schemas written as SQL, `context.changes` does not match the difference between `current_schema` and `target_schema`: a change with no counterpart in the DDL, or a table or column the target drops (or a column it retypes) that no change lists.',
    rationale:
      '`changes` is what reviewers, consumers and the other rules read: who reads a dropped column, which phase may rename what. ' +
      'When it disagrees with the two schemas, one of them is wrong, and the plan protects the wrong thing: a column dropped by the DDL but missing from `changes` has no consumer check and no one told.',
    fixable: false,
  },
  check(ctx) {
    const context = ctx.plan.root?.get('context');
    if (!context?.isMap) return;
    const { current, target } = timelineOf(ctx.plan, ctx.files);
    if (!current || !target) return;
    const diff = catalogDiff(current, target);
    const changesNode = context.get('changes');
    const changes: Change[] = [];
    for (const item of changesNode?.isSeq ? changesNode.items() : []) {
      const kind = item.get('kind')?.str()?.trim();
      const table = item.get('table')?.str();
      if (!item.isMap || kind === undefined || table === undefined || table.trim() === '') continue;
      changes.push({ node: item, kind, table: norm(table), columns: names(item.get('column')), from: names(item.get('from')), to: names(item.get('to')) });
    }
    for (const c of changes) {
      if (c.kind === 'other' || hasCounterpart(c, diff)) continue;
      const col = c.columns[0] ?? (c.kind.endsWith('-column') || c.kind.endsWith('-columns') ? c.from[0] : undefined);
      const what = col !== undefined ? `${c.table}.${column(col, c.table)}` : c.table;
      ctx.report({
        span: c.node.get('kind')?.reportSpan ?? c.node.reportSpan,
        message: `The change ${c.kind} of ${what} has no counterpart in current_schema and target_schema.`,
        detail:
          'The two schemas do not differ the way this change says. Either the change is stale, or one of the schemas is: the target should show the end state, the current schema what production has today.',
        data: { kind: c.kind, table: c.table },
      });
    }
    const at = changesNode?.keySpan ?? context.get('target_schema')?.keySpan ?? context.reportSpan;
    for (const d of diff) {
      if (d.kind === 'extra-table' && !tableListed(d, changes)) {
        ctx.report({
          span: at,
          message: `target_schema drops table ${d.table}, but no change in \`changes\` lists it.`,
          detail: 'A dropped table breaks everything that reads it; list it (`kind: drop-table`, or the rename or merge it is part of) so that its consumers are checked and the phases judged against it.',
          data: { table: d.table },
        });
      } else if ((d.kind === 'extra-column' || d.kind === 'column-type') && !listed(d, changes)) {
        const verb = d.kind === 'extra-column' ? 'drops' : `changes the type of`;
        ctx.report({
          span: at,
          message: `target_schema ${verb} column ${d.table}.${d.name ?? '?'}, but no change in \`changes\` lists it.`,
          detail:
            d.kind === 'extra-column'
              ? 'A dropped column breaks everything that reads it; list it (`kind: drop-column`, or the rename, split or merge it is part of) so that its consumers are checked.'
              : `It goes from ${d.actual ?? '?'} to ${d.expected ?? '?'}. List it (\`kind: change-type\`) so that its consumers are checked and the phases judged against it.`,
          data: { table: d.table, column: d.name ?? '' },
        });
      }
    }
  },
});
