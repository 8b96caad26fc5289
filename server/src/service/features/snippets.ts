/**
 * Snippets built from the method's templates (templates.ts) in the plan's own
 * style (fixes.ts entryLines/itemLines), with their placeholders turned into
 * VS Code snippet tabstops.
 *
 * Indentation: the first line of a snippet starts where it is inserted; the
 * other lines are indented relative to the leading whitespace of the line it
 * is inserted on, which is how VS Code inserts multi-line completions (LSP
 * `insertTextMode` adjustIndentation, its default).
 */
import { itemLines, scalarText, styleOf, type Style, type YValue } from '../linting/fixes';
import { PHASE_KINDS, type PhaseKind, type PlanDocument } from '../parsing/plan';
import { PLAN_TEMPLATE } from '../linting/planTemplate';
import { consumerStub, freshPhaseId, phaseSkeleton, recommendedCheck, recommendedTrigger } from '../linting/templates';
import { propertySchema, schemaAt, ITEM } from './shared';

/** Escapes literal text for a snippet: `$`, `}` and `\`. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** Escapes one option of a choice `${1|a,b|}`: `,`, `|` and `\` (and `$`, `}`). */
function escapeChoice(text: string): string {
  return text.replace(/[\\$},|]/g, (c) => `\\${c}`);
}

/** `${n|a,b,c|}`. */
export function choice(n: number, options: readonly string[]): string {
  return `\${${n}|${options.map(escapeChoice).join(',')}|}`;
}

/** `${n:text}`. */
export function placeholder(n: number, text: string): string {
  return `\${${n}:${escapeSnippet(text)}}`;
}

/** What a `TODO_<name>` identifier in a template becomes: a placeholder with this text, or a choice. */
export type SnippetSlots = ReadonlyMap<string, string | readonly string[]>;

const SLOT_RE = /"TODO: ((?:[^"\\\n]|\\.)*)"|'TODO: ((?:[^'\n]|'')*)'|TODO: ([^\n]*)|TODO_(\w+)/g;

function unquoteDouble(inner: string): string {
  try {
    const v: unknown = JSON.parse(`"${inner}"`);
    return typeof v === 'string' ? v : inner;
  } catch {
    return inner;
  }
}

/** Whether a text reads back as itself written plain after `key: ` or `- `. */
function plainSafe(text: string): boolean {
  return text !== '' && scalarText(text) === text;
}

/**
 * A template's YAML text as a snippet: literal text escaped, every `TODO: ...`
 * text (quoted or not) a placeholder without the `TODO: ` prefix (quoted when
 * it must be), every `TODO_<name>` a tabstop named after it (the same name:
 * the same tabstop, so VS Code mirrors it) or what `slots` says. Tabstops are
 * numbered in the order they appear.
 */
export function templateToSnippet(text: string, slots: SnippetSlots = new Map()): string {
  let out = '';
  let last = 0;
  let next = 1;
  const named = new Map<string, number>();
  SLOT_RE.lastIndex = 0;
  for (let m = SLOT_RE.exec(text); m; m = SLOT_RE.exec(text)) {
    out += escapeSnippet(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[4] !== undefined) {
      const name = m[4];
      const slot = slots.get(name);
      const known = named.get(name);
      if (known !== undefined) {
        out += `\${${known}}`;
        continue;
      }
      const n = next++;
      named.set(name, n);
      // Without a slot the default keeps its TODO_ name: left as it is, the placeholder rule reports it.
      out += Array.isArray(slot) ? choice(n, slot) : placeholder(n, typeof slot === 'string' ? slot : `TODO_${name}`);
      continue;
    }
    const n = next++;
    // The defaults keep their `TODO: `: a placeholder tabbed past stays a placeholder, which lint reports.
    if (m[3] !== undefined) {
      // Unquoted (in a block scalar, or a plain scalar): the text stays as it is.
      out += placeholder(n, `TODO: ${m[3].trimEnd()}`);
      continue;
    }
    const value = `TODO: ${m[1] !== undefined ? unquoteDouble(m[1]) : m[2].replace(/''/g, "'")}`;
    if (plainSafe(value)) out += placeholder(n, value);
    else {
      const q = m[1] !== undefined ? '"' : "'";
      out += `${q}${placeholder(n, `TODO: ${m[1] ?? m[2]}`)}${q}`;
    }
  }
  out += escapeSnippet(text.slice(last));
  return out;
}

/** Where a snippet for a new list item goes. */
export interface ItemSite {
  /** Column of the item's dash (typed or to be written). */
  dashColumn: number;
  /** Whether the `- ` is already on the line (the snippet starts after it). */
  dashTyped: boolean;
  /** Leading whitespace of the line the snippet is inserted on. */
  baseIndent: number;
}

/** Lines of a list item as snippet text for a site (first line unindented, the rest relative to the line's indentation). */
export function itemText(value: YValue, site: ItemSite, style: Style): string {
  const lines = itemLines(value, site.dashColumn, style);
  const first = site.dashTyped ? lines[0].slice(site.dashColumn + 2) : lines[0].slice(site.dashColumn);
  const rest = lines.slice(1).map((l) => l.slice(Math.min(site.baseIndent, l.length - l.trimStart().length)));
  return [first, ...rest].join('\n');
}

/** Short descriptions of the phase kinds (from the schema's phase snippets). */
export const KIND_DESCRIPTIONS: Readonly<Record<string, string>> = (() => {
  const out: Record<string, string> = {};
  for (const s of schemaAt(['phases', ITEM])?.defaultSnippets ?? []) {
    const m = /^phase: (.+)$/.exec(s.label);
    if (m && s.description) out[m[1]] = s.description;
  }
  out.custom ??= 'Anything else; takes no kind-specific keys';
  return out;
})();

export interface SnippetCompletion {
  label: string;
  detail: string;
  documentation: string;
  body: string;
}

/** The plan's phase ids (from the tree). */
export function phaseIds(plan: PlanDocument): string[] {
  return plan.phases.map((p) => p.id).filter((id): id is string => id !== undefined);
}

/** A whole phase of each kind, with a fresh id. */
export function phaseSnippets(plan: PlanDocument, site: ItemSite): SnippetCompletion[] {
  const style = styleOf(plan);
  const taken = phaseIds(plan);
  const owner = plan.root?.get('owner')?.text();
  return PHASE_KINDS.map((kind) => {
    const id = freshPhaseId(kind, taken);
    const value = phaseSkeleton(kind, { id: 'TODO_phase_id', ...(owner !== undefined && !owner.startsWith('TODO') ? { signOff: owner } : {}) });
    const text = itemText(value, site, style);
    return {
      label: `phase: ${kind}`,
      detail: KIND_DESCRIPTIONS[kind] ?? `A ${kind} phase`,
      documentation: `A complete \`${kind}\` phase: entry and exit criteria, steps, ${kindSummary(kind)}the recommended integrity check and rollback trigger, and a rollback procedure. Fill in the placeholders.`,
      body: templateToSnippet(text, new Map([['phase_id', id]])),
    };
  });
}

function kindSummary(kind: PhaseKind): string {
  switch (kind) {
    case 'backfill':
      return 'batch size, throttle, idempotent upsert and resume, ';
    case 'cutover':
      return 'flag, ramp, shadow reads, soak and latency budget, ';
    case 'verification':
      return 'sign-off, ';
    case 'cleanup':
      return 'grace period, ';
    default:
      return '';
  }
}

/** The recommended integrity check of a phase kind. */
export function checkSnippet(plan: PlanDocument, kind: PhaseKind | undefined, site: ItemSite): SnippetCompletion {
  const c = recommendedCheck(kind);
  const text = itemText({ name: 'TODO_check_name', expect: 'TODO_check_expect' }, site, styleOf(plan));
  return {
    label: `check: ${String(c.name)}`,
    detail: `Integrity check recommended for ${kind ?? 'custom'} phases`,
    documentation: `An integrity check at the phase boundary: \`${String(c.expect)}\`. \`expect\` is a condition: \`<metric> <op> <value> [of baseline] [for <duration>]\`.`,
    body: templateToSnippet(text, new Map([['check_name', String(c.name)], ['check_expect', String(c.expect)]])),
  };
}

/**
 * An integrity check with its SQL (plans with `context.dialect: postgresql`):
 * a query returning one row, and the condition on its columns. Its defaults
 * are placeholders the rules report until the SQL is written.
 */
export function checkQuerySnippet(plan: PlanDocument, site: ItemSite): SnippetCompletion {
  const value: YValue = {
    name: 'TODO: what must hold',
    query: 'SELECT count(*) AS TODO_violating_rows FROM TODO_table WHERE TODO_condition',
    expect: 'TODO_violating_rows = 0',
  };
  const text = itemText(value, site, styleOf(plan));
  return {
    label: 'check: SQL query',
    detail: 'Integrity check with a SQL query, for plans with `context.dialect: postgresql`',
    documentation: 'An integrity check whose `query` returns one row, and what its columns must be (`expect`). The query reads the schema as it is at this phase.',
    body: templateToSnippet(text, new Map([['violating_rows', 'violating_rows']])),
  };
}

/** The recommended rollback trigger of a phase kind. */
export function triggerSnippet(plan: PlanDocument, kind: PhaseKind | undefined, site: ItemSite): SnippetCompletion {
  const t = recommendedTrigger(kind);
  const action = String(t.action).replace(/^TODO: /, '');
  const text = itemText({ when: 'TODO_trigger_when', action: 'TODO_trigger_action' }, site, styleOf(plan));
  return {
    label: `trigger: ${String(t.when)}`,
    detail: `Rollback trigger recommended for ${kind ?? 'custom'} phases`,
    documentation: `A rollback trigger with a numeric threshold: when \`${String(t.when)}\`, ${action.charAt(0).toLowerCase()}${action.slice(1)}.`,
    body: templateToSnippet(text, new Map([['trigger_when', String(t.when)], ['trigger_action', String(t.action)]])),
  };
}

const CONSUMER_ITEM = schemaAt(['consumers', ITEM]);
const enumOf = (key: string): string[] => (propertySchema(CONSUMER_ITEM, key)?.enum ?? []).map(String);

/** The tables the plan's changes touch, in order, without repeats. */
export function changedTables(plan: PlanDocument): string[] {
  const out: string[] = [];
  for (const ch of plan.root?.get('context')?.get('changes')?.items() ?? []) {
    const t = ch.get('table')?.text();
    if (t !== undefined && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Every table the plan names (changes and data_volume). */
export function knownTables(plan: PlanDocument): string[] {
  const out = changedTables(plan);
  for (const dv of plan.root?.get('context')?.get('data_volume')?.items() ?? []) {
    const t = dv.get('table')?.text();
    if (t !== undefined && !out.includes(t)) out.push(t);
  }
  return out;
}

/** A consumer stub, for the first changed table no consumer lists yet. */
export function consumerSnippet(plan: PlanDocument, site: ItemSite): SnippetCompletion {
  const listed = new Set<string>();
  for (const c of plan.root?.get('consumers')?.items() ?? []) for (const t of c.get('tables')?.strings() ?? []) listed.add(t.toLowerCase());
  const tables = changedTables(plan);
  const table = tables.find((t) => !listed.has(t.toLowerCase())) ?? tables[0] ?? 'table';
  const stub = consumerStub('TODO_table');
  const value: YValue = { ...stub, name: 'TODO_consumer_name', kind: 'TODO_consumer_kind', access: 'TODO_consumer_access' };
  const kinds = enumOf('kind');
  const text = itemText(value, site, styleOf(plan));
  return {
    label: 'consumer',
    detail: `A reader or writer of ${table === 'table' ? 'the affected tables' : `'${table}'`}, with its migration path`,
    documentation: 'Catalog every consumer: services, jobs, reports, ETL, caches, search indexes, APIs and events, each with how and when it moves to the new shape.',
    body: templateToSnippet(
      text,
      new Map<string, string | string[]>([
        ['consumer_name', `TODO_${table.replace(/\W+/g, '_')}_consumer`],
        // Which kind it is and how it reads are the author's to say: the default is a placeholder.
        ['consumer_kind', ['TODO', ...kinds]],
        ['consumer_access', ['TODO', ...enumOf('access')]],
        ['table', table],
      ]),
    ),
  };
}

/** The whole plan of `migplan init`, as a snippet. */
export function planSnippet(): SnippetCompletion {
  return {
    label: 'plan',
    detail: 'A new migration plan with every section of the method',
    documentation: 'Context, consumers, assessment, the five phases of the method (dual-write, backfill, cutover, verification, cleanup) and the point of no return. Fill in the placeholders; `migplan lint` checks the rest.',
    // Without the template's header comment: it speaks of TODOs, which the snippet has turned into placeholders.
    body: templateToSnippet(PLAN_TEMPLATE.replace(/\r\n/g, '\n').replace(/^(?:#[^\n]*\n)+/, '')),
  };
}
