/**
 * The method's building blocks as data: the integrity check and rollback
 * trigger each phase kind starts from, a skeleton per phase kind, a context
 * skeleton and a consumer stub. Quick fixes insert them now; editor snippets
 * will offer them later.
 *
 * Every value here satisfies the schema and the rule it is inserted for:
 * conditions parse (values.ts parseCondition), triggers carry numeric
 * thresholds, kind-specific keys hold the values the method prescribes (batch
 * 5000, ramp 1/10/50/100, soak 24h, latency budget 10%, grace 2 releases,
 * 0.1% error-rate and 30s lag thresholds). Where only the author can know the
 * answer (downtime tolerance, revert time, data-loss acceptability, the
 * idempotency claim, who signs off, measurements and their dates), the value
 * is a `TODO:` placeholder, which the `placeholder` rule reports.
 *
 * Strings hold no flow indicators (`,[]{}`) unless they are quoted when
 * written (every `TODO: ` text is), so a value reads back the same when a fix
 * writes it inside a flow collection (`[...]`, `{...}`).
 */
import { Flow, isCommentLine, itemLines, type Edits, type RawEdit, type YValue } from './fixes';
import type { PNode } from '../parsing/node';
import type { PhaseKind, PlanDocument } from '../parsing/plan';
import { placeholderWhy } from './placeholders';
import { detectEol, trimEndOffset } from '../parsing/text';

/** A map to write into a plan. */
export type YMap = { [key: string]: YValue };

/** An integrity check: `{name, expect}`, `expect` a condition. */
export type CheckTemplate = { name: string; expect: string };

/** A rollback trigger: `{when, action}`, `when` a condition with a numeric threshold. */
export type TriggerTemplate = { when: string; action: string };

// ------------------------------------------------------------ checks, triggers

/** The integrity check the method recommends at the boundary of each phase kind. */
export const RECOMMENDED_CHECKS: Readonly<Record<PhaseKind, CheckTemplate>> = {
  'dual-write': { name: 'divergent rows', expect: 'divergent_rows = 0' },
  backfill: { name: 'rows left', expect: 'rows_left = 0' },
  cutover: { name: 'read latency', expect: 'p99 <= 110% of baseline' },
  verification: { name: 'checksums', expect: 'checksum(old) = checksum(new)' },
  cleanup: { name: 'old column unused', expect: 'queries_on_old_column = 0' },
  custom: { name: 'invariant holds', expect: 'violating_rows = 0' },
};

/** The rollback trigger the method recommends for each phase kind, with a numeric threshold. */
export const RECOMMENDED_TRIGGERS: Readonly<Record<PhaseKind, TriggerTemplate>> = {
  'dual-write': { when: 'dual_write_error_rate > 0.1% for 5m', action: 'Disable the new write path and revert the deployment' },
  backfill: { when: 'replica_lag > 30s for 1m', action: 'Pause the backfill and halve the batch size' },
  cutover: { when: 'read_error_rate > 0.1% for 5m', action: 'Set the flag back to 0%' },
  verification: { when: 'consumer_diff_rows > 0', action: 'Hold cleanup and route reads back to the old schema' },
  cleanup: { when: 'error_rate > 0.1% for 5m', action: 'Restore from the pre-cleanup backup' },
  custom: { when: 'error_rate > 0.1% for 5m', action: 'TODO: stop this phase and undo it' },
};

/** The recommended check of a kind (a phase of no known kind gets the custom one), as a value to insert. */
export function recommendedCheck(kind: PhaseKind | undefined): YMap {
  const c = RECOMMENDED_CHECKS[kind ?? 'custom'];
  return { name: c.name, expect: c.expect };
}

/** The recommended trigger of a kind (a phase of no known kind gets the custom one), as a value to insert. */
export function recommendedTrigger(kind: PhaseKind | undefined): YMap {
  const t = RECOMMENDED_TRIGGERS[kind ?? 'custom'];
  return { when: t.when, action: t.action };
}

// ------------------------------------------------------------ phase texts

/** Placeholders for a phase's entry criteria, steps and exit criteria. */
export const CRITERIA_TODO: Readonly<Record<'entry' | 'steps' | 'exit', string>> = {
  entry: 'TODO: what must be true before this phase starts',
  steps: 'TODO: what is done in this phase',
  exit: 'TODO: the observable condition that ends this phase',
};

/** Placeholder rollback procedures, with a hint of the usual answer per kind. */
export const ROLLBACK_TODO: Readonly<Record<PhaseKind, string>> = {
  'dual-write': 'TODO: how this phase is undone (e.g. revert the release that writes both shapes)',
  backfill: 'TODO: how this phase is undone (e.g. stop the backfill and clear the new columns)',
  cutover: 'TODO: how this phase is undone (e.g. set the flag back to 0%)',
  verification: 'TODO: how this phase is undone (e.g. route reads back to the old schema)',
  cleanup: 'TODO: how this phase is undone (e.g. restore from the pre-cleanup backup)',
  custom: 'TODO: how this phase is undone',
};

/** The rollback placeholder of a kind (a phase of no known kind gets the generic one). */
export function rollbackTodo(kind: PhaseKind | undefined): string {
  return ROLLBACK_TODO[kind ?? 'custom'];
}

/** Entry criteria, steps and exit criteria of a new phase of each kind. */
const PHASE_TEXTS: Readonly<Record<PhaseKind, { entry: string; steps: string[]; exit: string }>> = {
  'dual-write': {
    entry: 'TODO: the additive schema change (new columns or tables) is deployed',
    steps: ['TODO: deploy the release that writes both the old and the new shape', 'TODO: log a comparison of old and new values on every write'],
    exit: 'TODO: the divergence query returns zero rows for 24h',
  },
  backfill: {
    entry: 'TODO: dual-write exit criteria met',
    steps: ['TODO: run the backfill script in id-ordered batches', 'TODO: log batch number and rows processed and the estimated time remaining'],
    exit: 'TODO: every row has the new shape',
  },
  cutover: {
    entry: 'TODO: backfill exit criteria met and spot check clean',
    steps: ['TODO: route reads through the flag at each ramp stage', 'TODO: compare shadow reads and log every mismatch'],
    exit: 'TODO: 100% of reads on the new shape for the whole soak period',
  },
  verification: {
    entry: 'TODO: soak period finished with no trigger fired',
    steps: ['TODO: compare row counts and checksums between old and new', 'TODO: re-run every downstream consumer and diff its output'],
    exit: 'TODO: sign-off recorded from the data owner',
  },
  cleanup: {
    entry: 'TODO: verification signed off and the grace period has passed',
    steps: ['TODO: remove the dual-write code and the flag', 'TODO: remove the old schema and update the runbook'],
    exit: 'TODO: old schema gone and no errors for 48h',
  },
  custom: {
    entry: CRITERIA_TODO.entry,
    steps: [CRITERIA_TODO.steps],
    exit: CRITERIA_TODO.exit,
  },
};

/** Kind-specific keys of a new phase, with values their rules accept. */
function kindKeys(kind: PhaseKind, signOff: string | undefined): YMap {
  switch (kind) {
    case 'backfill':
      return {
        batch_size: 5000,
        throttle: { max_replica_lag: '5s' },
        idempotent: IDEMPOTENT_TODO,
        upsert: 'TODO: the idempotent write (an upsert or an UPDATE guarded on the new columns being empty)',
        resume: 'TODO: restart from the last committed id recorded after each batch',
      };
    case 'cutover':
      return { flag: 'TODO: the feature flag that routes reads', ramp: new Flow([1, 10, 50, 100]), shadow_reads: true, soak: '24h', latency_budget: '10%' };
    case 'verification':
      return { sign_off: signOffTodo(signOff) };
    case 'cleanup':
      return { grace_period: '2 releases' };
    default:
      return {};
  }
}

export interface PhaseSkeletonOptions {
  /** The phase id (default: the kind, which is a valid id). */
  id?: string;
  /** The plan's owner, named in the sign-off placeholder of a verification phase (who signs off is the author's decision). */
  signOff?: string;
}

/** The idempotency claim is the author's to make, once the upsert and the resume are shown safe to repeat. */
export const IDEMPOTENT_TODO = 'TODO: true once the upsert and the resume are safe to repeat';

/** A sign-off placeholder, naming the plan's owner when there is one. */
export function signOffTodo(owner?: string): string {
  return owner && placeholderWhy(owner, 'text') === undefined ? `TODO: the data owner who signs off (the plan's owner is ${owner})` : 'TODO: the data owner who signs off';
}

/**
 * A complete phase of a kind: id, kind, entry, steps, exit, the kind's own
 * keys, the recommended check and trigger, and a rollback placeholder, in the
 * order the example plan writes them.
 */
export function phaseSkeleton(kind: PhaseKind, options: PhaseSkeletonOptions = {}): YMap {
  const t = PHASE_TEXTS[kind];
  return {
    id: options.id ?? kind,
    kind,
    entry: [t.entry],
    steps: [...t.steps],
    exit: [t.exit],
    ...kindKeys(kind, options.signOff),
    checks: [recommendedCheck(kind)],
    triggers: [recommendedTrigger(kind)],
    rollback: rollbackTodo(kind),
  };
}

/** `base`, or `base-2`, `base-3`... : the first that is not in `taken`. */
export function freshPhaseId(base: string, taken: Iterable<string | undefined>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

// ------------------------------------------------------------ context, consumers

/** The five `context` fields the method asks for, in the order a plan writes them. */
export const CONTEXT_FIELDS = ['current_schema', 'target_schema', 'data_volume', 'downtime', 'rollback_requirements'] as const;
export type ContextField = (typeof CONTEXT_FIELDS)[number];

/** Every key of `context`, in the order a plan writes them. */
export const CONTEXT_KEY_ORDER = ['engine', 'current_schema', 'target_schema', 'changes', 'data_volume', 'downtime', 'rollback_requirements'] as const;

/** A `data_volume` entry for a table (a TODO table when none is known). */
export function dataVolumeStub(table?: string): YMap {
  return { table: table ?? 'TODO_table', rows: 'TODO: row count today', size: 'TODO: size today, such as 21GiB', growth: 'TODO: growth per month' };
}

/**
 * The value a missing `context` field starts from. `tables` (the tables the
 * plan's changes touch) give one `data_volume` entry each.
 */
export function contextFieldTemplate(field: ContextField, tables: readonly string[] = []): YValue {
  switch (field) {
    case 'current_schema':
      return 'TODO: tables, columns, relationships, indexes and constraints today';
    case 'target_schema':
      return 'TODO: the end state';
    case 'data_volume':
      return tables.length > 0 ? tables.map((t) => dataVolumeStub(t)) : [dataVolumeStub()];
    case 'downtime':
      return { zero_downtime: 'TODO: true or false, whether the service may go down' };
    case 'rollback_requirements':
      return { max_revert_time: 'TODO: how fast a revert must be, such as 15m', data_loss_acceptable: 'TODO: true or false' };
  }
}

/** A `context` section with the method's five fields. */
export function contextSkeleton(tables: readonly string[] = []): YMap {
  const out: YMap = {};
  for (const f of CONTEXT_FIELDS) out[f] = contextFieldTemplate(f, tables);
  return out;
}

/** A `consumers` entry for a table whose readers and writers are not yet cataloged. */
export function consumerStub(table: string): YMap {
  return {
    name: `TODO: ${table} consumer`,
    kind: 'TODO: service, job, query, report, etl, cache, search-index, api, event, analytics or other',
    access: 'TODO: read, write or read-write',
    tables: new Flow([table]),
    migration_path: 'TODO: how and when it moves to the new shape',
  };
}

// ------------------------------------------------------------ layout of inserted blocks

function isBlank(plan: PlanDocument, line: number): boolean {
  return line >= 0 && line < plan.yamlLines.lineCount && plan.yamlLines.lineText(line).trim() === '';
}

/** The first line of a node together with the comment lines directly above it. */
function leadLine(plan: PlanDocument, offset: number): number {
  let line = plan.yamlLines.lineOf(offset);
  while (line > 0 && isCommentLine(plan, line - 1)) line--;
  return line;
}

/**
 * Whether sibling blocks (top-level sections, phases) are set apart by blank
 * lines: some sibling after the first has a blank line above it (above its
 * leading comments). `starts` are the siblings' first offsets (a key, or an
 * item's dash), in order.
 */
export function blankSeparated(plan: PlanDocument, starts: readonly number[]): boolean {
  return starts.slice(1).some((s) => isBlank(plan, leadLine(plan, s) - 1));
}

/**
 * Sets an inserted block (an edit of Edits.insertEntry / insertItem at a line
 * boundary) apart by a blank line, as its siblings are when `separated`.
 */
export function spaceLikeSiblings(plan: PlanDocument, edit: RawEdit, separated: boolean): RawEdit {
  if (!separated || edit.span[0] !== edit.span[1]) return edit;
  const eol = detectEol(plan.text);
  if (edit.text.startsWith(eol)) {
    // Appended after a sibling: a blank line before it.
    return { span: edit.span, text: eol + edit.text };
  }
  if (edit.text.endsWith(eol)) {
    // Inserted before a sibling: a blank line after it, and one before when it follows another block.
    const line = plan.yamlLines.lineOf(edit.span[0]);
    const prev = line > 0 ? plan.yamlLines.lineText(line - 1).trim() : '';
    const lead = prev !== '' && !prev.endsWith(':') ? eol : '';
    return { span: edit.span, text: lead + edit.text + eol };
  }
  return edit;
}

/**
 * Whether a map or list is written where it is used, not reached through an
 * alias (`- *phase`): an edit can only go into the node as written.
 */
export function writtenInPlace(node: PNode): boolean {
  return node.yaml === node.node;
}

/**
 * Fills an empty list (`key: []`) with `items`: written as a block list under
 * its key when the map around it is a block map, else inline.
 */
export function fillEmptyList(edits: Edits, seq: PNode, items: YValue[]): RawEdit {
  const plan = edits.plan;
  const open = seq.isFlow && seq.items().length === 0 && seq.keySpan && !seq.parent?.isFlow ? openBracket(plan, seq) : undefined;
  if (open !== undefined) {
    // Only the `[]` goes: an anchor or a tag before it, and comments around it, stay where they are
    // (`checks: &c [] # TODO(ana)` becomes `checks: &c # TODO(ana)` with the items below).
    const style = edits.style;
    const lines = plan.yamlLines;
    const close = trimEndOffset(plan.text, open, seq.span[1]);
    const openLine = lines.lineOf(open);
    const ownLine = plan.text.slice(lines.lineStart(openLine), open).trim() === '';
    let start = open;
    if (ownLine && openLine > 0) start = lines.lineEnd(openLine - 1);
    else while (start > 0 && (plan.text[start - 1] === ' ' || plan.text[start - 1] === '\t')) start--;
    const lineEnd = lines.lineEnd(lines.lineOf(close));
    const after = plan.text.slice(close, lineEnd);
    const col = lines.column(seq.keySpan![0]) + (style.seqIndent ? style.indent : 0);
    return { span: [start, lineEnd], text: after + style.eol + items.flatMap((it) => itemLines(it, col, style)).join(style.eol) };
  }
  return edits.replaceValue(seq, items);
}

/** The `[` of an empty flow list under a key: past the colon, anchors, tags, comments and line breaks. */
function openBracket(plan: PlanDocument, seq: PNode): number | undefined {
  const text = plan.text;
  let i = text.indexOf(':', seq.keySpan![1]) + 1;
  const end = seq.span[1];
  while (i < end) {
    const c = text[i];
    if (c === '[') return i;
    if (c === '#') {
      while (i < end && text[i] !== '\n') i++;
    } else if (c === '&' || c === '!') {
      while (i < end && !/\s/.test(text[i])) i++;
    } else if (/\s/.test(c)) i++;
    else return undefined;
  }
  return undefined;
}

/**
 * Inserts a phase into the `phases` list before item `index` (or at the end),
 * set apart by blank lines when the other phases are. An empty `phases: []`
 * becomes a block list.
 */
export function insertPhase(edits: Edits, phases: PNode, phase: YMap, index?: number): RawEdit {
  const plan = edits.plan;
  const items = phases.items();
  if (items.length === 0) return fillEmptyList(edits, phases, [phase]);
  const starts = items.map((it) => it.dashOffset ?? it.span[0]);
  return spaceLikeSiblings(plan, edits.insertItem(phases, phase, index), blankSeparated(plan, starts));
}
