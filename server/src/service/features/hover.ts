/**
 * Hover: what a key means (from the schema), what a diagnostic's rule is
 * about, what a value such as `24h` or `21GiB` means in words, and how many
 * batches a backfill runs.
 */
import { sqlHover, sqlValueAt } from './sql';
import { hasSqlDialect, type SqlFiles } from '../sql/sqlValues';
import type { PathSegment, PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import { ruleDocUrl } from '../linting/ruleDocs';
import { RULES_BY_ID } from '../rules';
import type { JsonSchema } from '../parsing/schemaValidator';
import type { Diagnostic, Span } from '../types';
import { conditionDurationMs, parseCondition, parseDuration, parsePercentage, parseReleases, parseSize, PATTERNS, type Condition } from '../parsing/values';
import { changedTables, KIND_DESCRIPTIONS } from './snippets';
import {
  diagnosticSpan,
  formatCount,
  isPhaseKind,
  isPhasePath,
  kindSpecificKeys,
  locate,
  ownerKind,
  phaseOfPath,
  plural,
  scalarDisplay,
  schemaAt,
  within,
} from './shared';
import type { ServiceHover } from './types';

const SEPARATOR = '\n\n---\n\n';

interface Section {
  text: string;
  span: Span;
}

/** Hover at `offset`: the diagnostics there first, then the key or value under it. */
export function hover(plan: PlanDocument, offset: number, diagnostics: readonly Diagnostic[], files?: SqlFiles): ServiceHover | undefined {
  const sections: Section[] = [];
  try {
    sections.push(...diagnosticSections(plan, offset, diagnostics));
  } catch {
    // A malformed diagnostic must not hide the rest.
  }
  try {
    // Inside SQL: the table or column under the cursor, as it is at that point of the plan.
    const sql = sqlHover(plan, offset, files);
    if (sql) sections.push({ text: sql.contents, span: sql.span });
    if (sql || sqlValueAt(plan, offset, files)) return sections.length > 0 ? { contents: sections.map((s) => s.text).join(SEPARATOR), span: smallest(sections) } : undefined;
  } catch {
    // The SQL layer is best effort here too.
  }
  try {
    // With a problem under the cursor, the problem is what the hover is about: the key's own
    // description would say again what the problem's detail says.
    sections.push(...nodeSections(plan, offset, sections.length === 0));
  } catch {
    // Hover is best effort on a broken tree.
  }
  if (sections.length === 0) return undefined;
  // The smallest span among the sections that contains the offset.
  return { contents: sections.map((s) => s.text).join(SEPARATOR), span: smallest(sections) };
}

/** The smallest span among the sections (the one that contains the offset most closely). */
function smallest(sections: readonly Section[]): Span {
  return sections.map((s) => s.span).reduce((a, b) => (b[1] - b[0] < a[1] - a[0] ? b : a));
}

// ------------------------------------------------------------------ diagnostics

function diagnosticSections(plan: PlanDocument, offset: number, diagnostics: readonly Diagnostic[]): Section[] {
  const out: Section[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const span = diagnosticSpan(plan, d);
    // The end counts: a text cursor right after a word is on it (keyboard hover).
    const hit = within(span, offset, true);
    if (!hit || seen.has(d.rule)) continue;
    seen.add(d.rule);
    const rule = RULES_BY_ID.get(d.rule);
    if (!rule) continue;
    const { meta } = rule;
    // The editor shows the message itself above this hover; this adds what it does not say:
    // why, and what to do. The rule's rationale is on its page, one click away.
    const fix = d.data?.fix ? ` Quick fix: ${d.data.fix.title}.` : '';
    const why = d.detail ?? meta.description;
    out.push({
      text: `**\`${meta.id}\`** (${d.severity}): ${why}${fix}\n\n[Rule documentation](${ruleDocUrl(meta.id)})`,
      span,
    });
  }
  return out;
}

// ------------------------------------------------------------------ keys and values

/** The schema at a plan path (indexes: items). */
function schemaOfPath(path: readonly PathSegment[]): JsonSchema | undefined {
  return schemaAt(path.map((s) => (typeof s === 'number' ? 0 : s)));
}

/** `a.b[].c` for a plan path. */
function dotted(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? '[]' : i === 0 ? s : `.${s}`)).join('').replace(/\.\[\]/g, '[]');
}

function nodeSections(plan: PlanDocument, offset: number, describeKey = true): Section[] {
  const hit = locate(plan, offset) ?? locate(plan, offset, true);
  if (!hit) return [];
  const { node } = hit;
  const path = node.path;
  const key = path[path.length - 1];
  const out: Section[] = [];
  if (hit.onKey && typeof key === 'string') {
    const span = node.keySpan!;
    const keyText = describeKey ? keySection(plan, node, path, key) : undefined;
    if (keyText) out.push({ text: keyText, span });
    const estimate = estimateFor(plan, node, path, key);
    if (estimate) out.push({ text: estimate, span });
    return out;
  }
  if (node.isMap || node.isSeq) return out;
  const span = node.span;
  // A value: under a key, or an item of a list under a key.
  const owner = typeof key === 'string' ? key : undefined;
  if (owner !== undefined) {
    const meaning = valueSection(plan, node, path, owner);
    if (meaning) out.push({ text: meaning, span });
    const estimate = estimateFor(plan, node, path, owner);
    if (estimate) out.push({ text: estimate, span });
  }
  return out;
}

function keySection(plan: PlanDocument, node: PNode, path: readonly PathSegment[], key: string): string | undefined {
  const schema = schemaOfPath(path);
  if (!schema) return `**\`${key}\`**: not a key of the plan format here (\`${dotted(path)}\`).`;
  const lines: string[] = [];
  const head = schema.description ?? schema.title;
  lines.push(`**\`${key}\`**${head ? `: ${head}` : ''}`);
  if (path.length === 3 && isPhasePath(path)) {
    const owner = ownerKind(key);
    const phaseKind = phaseOfPath(plan, path)?.get('kind')?.text();
    if (owner !== undefined) {
      lines.push(owner === phaseKind || phaseKind === undefined ? `_Only in \`${owner}\` phases._` : `_Only in \`${owner}\` phases; this phase is \`${phaseKind}\`._`);
    }
  }
  // The long description when there is one (it starts where the short one does); else the short one alone.
  if (schema.markdownDescription && schema.markdownDescription !== head) lines[0] = `**\`${key}\`**`;
  if (schema.markdownDescription && schema.markdownDescription !== head) lines.push(schema.markdownDescription);
  void node;
  return lines.join('\n\n');
}

/** The meaning of a key as a phrase to put after a value: "how long the cutover runs...". */
function meaningOf(schema: JsonSchema | undefined): string {
  const d = schema?.description;
  if (!d) return '';
  const first = d.split(/(?<=\.)\s|:\s/)[0].replace(/\.$/, '');
  const lower = /^[A-Z][a-z]/.test(first) ? first.charAt(0).toLowerCase() + first.slice(1) : first;
  return `: ${lower}`;
}

const DURATION_UNITS: Array<[number, string]> = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
  [1, 'millisecond'],
];

/** `1 day`, `1 hour 30 minutes`, `2 weeks`, `250 milliseconds`. */
export function durationWords(ms: number): string {
  if (ms === 0) return '0 seconds';
  const weekMs = 7 * 86_400_000;
  if (ms % weekMs === 0) return plural(ms / weekMs, 'week');
  const parts: string[] = [];
  let rest = ms;
  for (const [size, name] of DURATION_UNITS) {
    if (rest >= size) {
      const n = size === 1 ? Math.round(rest * 1000) / 1000 : Math.floor(rest / size);
      parts.push(plural(n, name));
      rest -= n * size;
    }
    if (parts.length === 2) break;
  }
  if (parts.length === 0) return `${formatCount(ms, 3)} milliseconds`;
  return (rest > 0.0005 && parts.length === 2 ? 'about ' : '') + parts.join(' ');
}

/** Bytes in words: `22,548,578,304 bytes (21 GiB)`. */
function bytesWords(bytes: number): string {
  return `${formatCount(bytes, 0)} bytes`;
}

function valueSection(plan: PlanDocument, node: PNode, path: readonly PathSegment[], key: string): string | undefined {
  const schema = schemaOfPath(path);
  const raw = scalarDisplay(node);
  if (!schema || raw === undefined) return undefined;
  const shown = `\`${raw}\``;
  const meaning = meaningOf(schema);
  const patterns = [schema.pattern, ...(schema.anyOf ?? []).map((a) => a.pattern)];
  if (key === 'when' || key === 'expect') return conditionSection(raw, key);
  if (key === 'kind' && path.length === 3 && isPhasePath(path) && isPhaseKind(raw)) return kindSection(raw, hasSqlDialect(plan));
  if (key === 'point_of_no_return' && path.length === 1) return ponrSection(plan, raw);
  if (patterns.includes(PATTERNS.duration)) {
    const ms = parseDuration(raw);
    if (ms !== undefined) return `${shown} = ${durationWords(ms)}${meaning}.${durationExtra(node, key, ms)}`;
  }
  if (patterns.includes(PATTERNS.releaseSpan)) {
    const n = parseReleases(raw);
    if (n !== undefined) return `${shown}${meaning}: ${plural(n, 'release')} ship${n === 1 ? 's' : ''} between the cutover and the cleanup.`;
  }
  if (schema.pattern === PATTERNS.percentage) {
    const p = parsePercentage(raw);
    if (p !== undefined) return `${shown} = ${formatCount(p, 4)} percent${meaning}.${percentExtra(plan, key, p)}`;
  }
  if (schema.pattern === PATTERNS.size) {
    const b = parseSize(raw);
    if (b !== undefined) return `${shown} = ${bytesWords(b)}${meaning}.${sizeExtra(node, b)}`;
  }
  return undefined;
}

function kindSection(kind: string, sql: boolean): string {
  const keys = kindSpecificKeys(kind, sql);
  const own = keys.length > 0 ? ` Its own keys: ${keys.map((k) => `\`${k}\``).join(', ')}.` : ' It takes no kind-specific keys.';
  return `\`${kind}\`: ${KIND_DESCRIPTIONS[kind] ?? 'a phase kind'}.${own}`;
}

function ponrSection(plan: PlanDocument, id: string): string {
  const phase = plan.phases.find((p) => p.id === id);
  if (!phase) return `No phase has the id \`${id}\`. The phase ids are: ${plan.phases.map((p) => p.id).filter((x) => x !== undefined).map((x) => `\`${x}\``).join(', ') || 'none yet'}.`;
  const kind = phase.node.get('kind')?.text();
  return `Phase ${phase.index + 1} of ${plan.phases.length}, \`${id}\`${kind !== undefined ? ` (${kind})` : ''}: from this phase on, rolling back needs a restore from backup.`;
}

function durationExtra(node: PNode, key: string, ms: number): string {
  if (key !== 'max_replica_lag') return '';
  const phase = node.parent?.parent;
  let lowest: { ms: number; text: string } | undefined;
  for (const t of phase?.get('triggers')?.items() ?? []) {
    const when = t.get('when')?.text();
    const c = when !== undefined ? parseCondition(when) : undefined;
    const at = c && c.metric.includes('replica_lag') ? conditionDurationMs(c) : undefined;
    if (at !== undefined && (!lowest || at < lowest.ms)) lowest = { ms: at, text: when! };
  }
  if (!lowest) return '';
  return ` It is ${ms < lowest.ms ? 'below' : 'not below'} the phase's replica-lag trigger \`${lowest.text}\`${ms < lowest.ms ? ', so the backfill slows down before a rollback is needed' : ': the rollback would fire before the throttle slows anything'}.`;
}

function percentExtra(plan: PlanDocument, key: string, p: number): string {
  if (key !== 'latency_budget') return '';
  const p99Text = plan.root?.get('assessment')?.get('baseline')?.get('p99')?.text();
  const p99 = p99Text !== undefined ? parseDuration(p99Text) : undefined;
  if (p99 === undefined) return ' With a baseline P99 in `assessment.baseline`, the latency it allows would show here.';
  const allowed = p99 * (1 + p / 100);
  return ` With the baseline P99 of ${p99Text}, P99 may reach ${formatCount(allowed, 2)}ms.`;
}

function sizeExtra(node: PNode, bytes: number): string {
  const rows = node.parent?.get('rows')?.num();
  if (rows === undefined || rows <= 0) return '';
  return ` About ${formatCount(Math.round(bytes / rows), 0)} bytes per row for ${plural(rows, 'row')}.`;
}

const OP_WORDS: Record<string, string> = {
  '>': 'is above',
  '>=': 'is at least',
  '<': 'is below',
  '<=': 'is at most',
  '=': 'equals',
  '==': 'equals',
  '!=': 'differs from',
};

function conditionSection(raw: string, key: string): string {
  const c: Condition | undefined = parseCondition(raw);
  if (!c) {
    return `\`${raw}\` is not a condition: write \`<metric> <op> <value> [of baseline] [for <duration>]\`, e.g. \`replica_lag > 30s for 1m\`.`;
  }
  let value: string;
  if (c.value) {
    const unit = c.value.unit;
    const ms = unit !== undefined ? parseDuration(`${c.value.number}${unit}`) : undefined;
    value = `${formatCount(c.value.number, 6)}${unit === undefined ? '' : unit === 'rows' || unit === 'x' ? ` ${unit}` : unit}`;
    if (ms !== undefined) value += ` (${durationWords(ms)})`;
  } else value = `\`${c.otherMetric ?? ''}\``;
  const base = c.ofBaseline ? ' of its baseline' : '';
  const sustained = c.forMs !== undefined ? `, sustained for ${durationWords(c.forMs)}` : '';
  const what = key === 'when' ? 'Fires when' : 'Passes when';
  return `${what} \`${c.metric}\` ${OP_WORDS[c.op] ?? c.op} ${value}${base}${sustained}.`;
}

// ------------------------------------------------------------------ backfill estimate

interface TableRows {
  table: string;
  rows: number;
}

/** Rows of the tables the changes touch (data_volume entries), or of every data_volume entry when none match. */
function affectedRows(plan: PlanDocument): TableRows[] {
  const volumes: TableRows[] = [];
  for (const dv of plan.root?.get('context')?.get('data_volume')?.items() ?? []) {
    const table = dv.get('table')?.text();
    const rows = dv.get('rows')?.num();
    if (table !== undefined && rows !== undefined && rows >= 0) volumes.push({ table, rows });
  }
  const changed = new Set(changedTables(plan).map((t) => t.toLowerCase()));
  const affected = volumes.filter((v) => changed.has(v.table.toLowerCase()));
  return affected.length > 0 ? affected : volumes;
}

/** `2.3s`, `250ms`, `1h 30m`. */
function perBatch(ms: number): string {
  if (ms < 1000) return `${formatCount(ms, ms < 10 ? 1 : 0)}ms`;
  if (ms < 60_000) return `${formatCount(ms / 1000, 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`.replace(/ 0s$/, '');
  return `${formatCount(ms / 3_600_000, 1)}h`;
}

function estimateFor(plan: PlanDocument, node: PNode, path: readonly PathSegment[], key: string): string | undefined {
  if (key === 'batch_size' && path.length === 3 && isPhasePath(path)) return batchEstimate(plan, node);
  if (key === 'rows' && path[0] === 'context' && path[1] === 'data_volume') return rowsEstimate(plan, node);
  return undefined;
}

function durationEstimate(plan: PlanDocument): { text: string; ms: number; basis?: string } | undefined {
  const de = plan.root?.get('assessment')?.get('duration_estimate');
  const text = de?.get('duration')?.text();
  const ms = text !== undefined ? parseDuration(text) : undefined;
  if (text === undefined || ms === undefined) return undefined;
  const basis = de?.get('basis')?.text();
  return { text, ms, ...(basis !== undefined ? { basis } : {}) };
}

function batchEstimate(plan: PlanDocument, batchNode: PNode): string {
  const lines = ['**Backfill estimate**'];
  const batch = batchNode.num();
  if (batch === undefined || !Number.isInteger(batch) || batch <= 0) {
    lines.push('With `batch_size` a positive integer (such as 5000), the number of batches would show here.');
    return lines.join('\n\n');
  }
  const tables = affectedRows(plan);
  if (tables.length === 0) {
    lines.push(
      `Batches of ${plural(batch, 'row')}. Add the row counts of the affected tables to \`context.data_volume\` (\`rows\`) to estimate how many batches the backfill runs.`,
    );
    return lines.join('\n\n');
  }
  let total = 0;
  const rows = tables.map((t) => {
    const n = Math.ceil(t.rows / batch);
    total += n;
    return `- \`${t.table}\`: ${plural(t.rows, 'row')} / ${formatCount(batch)} = **${plural(n, 'batch', 'batches')}**`;
  });
  lines.push(rows.join('\n'));
  if (tables.length > 1) lines.push(`${plural(total, 'batch', 'batches')} in all.`);
  const de = durationEstimate(plan);
  if (de && total > 0) {
    lines.push(
      `The duration estimate is ${de.text}${de.basis ? ` (${de.basis})` : ''}: if the backfill took all of it, each batch would take about ${perBatch(de.ms / total)}.`,
    );
  } else if (!de) {
    lines.push('With `assessment.duration_estimate.duration` (measured on production-scale data), the time per batch would show here.');
  }
  return lines.join('\n\n');
}

function rowsEstimate(plan: PlanDocument, rowsNode: PNode): string | undefined {
  const rows = rowsNode.num();
  if (rows === undefined || rows < 0) return undefined;
  const table = rowsNode.parent?.get('table')?.text();
  const lines = [`**${plural(rows, 'row')}**${table ? ` in \`${table}\`` : ''}`];
  const backfills = plan.phases.filter((p) => p.kind === 'backfill');
  const withBatch = backfills.map((p) => ({ p, batch: p.node.get('batch_size')?.num() })).filter((x): x is { p: (typeof backfills)[number]; batch: number } => x.batch !== undefined && Number.isInteger(x.batch) && x.batch > 0);
  if (withBatch.length === 0) {
    lines.push(backfills.length === 0 ? 'No backfill phase yet; with one that sets `batch_size`, the number of batches would show here.' : 'With a `batch_size` in the backfill phase, the number of batches would show here.');
    return lines.join('\n\n');
  }
  for (const { p, batch } of withBatch) {
    const n = Math.ceil(rows / batch);
    lines.push(`${plural(n, 'batch', 'batches')} of ${formatCount(batch)} in phase ${p.id !== undefined ? `'${p.id}'` : `#${p.index + 1}`}.`);
  }
  return lines.join('\n\n');
}
