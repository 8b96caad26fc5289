import { isFastDocument } from '../parsing/fastParse';
import { Edits, applyRawEdits, commentRemovalKeepsValues, endKeepsBreaks, styleOf, untouchedValuesKept, type RawEdit, type RawFix } from './fixes';
import { PlanDocument, yamlErrorCount, type ParseOptions, type Phase } from '../parsing/plan';
import type { Report, Rule, RuleContext } from './rule';
import { RULES, RULES_BY_ID } from '../rules';
import { splitMessage } from './messages';
import type { SqlFiles } from '../sql/sqlValues';
import { placeholderWhy } from './placeholders';
import { findIgnoreComments } from './suppress';
import type { Diagnostic, Fix, LintConfig, Severity, SeveritySetting, Span } from '../types';

export interface LintOptions extends ParseOptions {
  config?: LintConfig;
  /** How SQL files a plan names (`{file: path}`) are read, and where the plan is. */
  files?: SqlFiles;
  /** The rules to run (default: the whole catalog). */
  rules?: readonly Rule[];
}

export interface LintResult {
  plan: PlanDocument;
  diagnostics: Diagnostic[];
}

/** The severity a rule runs at under a config, or 'off'. */
export function severityOf(ruleId: string, config: LintConfig | undefined): SeveritySetting {
  const set = config?.rules?.[ruleId];
  if (set) return set;
  return RULES_BY_ID.get(ruleId)?.meta.severity ?? 'error';
}

interface Found extends Report {
  rule: string;
}

/** Lints a plan's text (or an already parsed plan): diagnostics sorted by position. */
export function lint(input: string | PlanDocument, options: LintOptions = {}): LintResult {
  const plan = typeof input === 'string' ? new PlanDocument(input, options) : input;
  // Expanding aliases for the schema may add a problem (an alias bomb): do it before reading problems.
  if (plan.root && !plan.broken) void plan.json;
  const found: Found[] = plan.problems.map((p) => ({ rule: p.rule, span: p.span, message: p.message }));
  if (plan.root && !plan.broken) {
    const edits = new Edits(plan);
    const config = options.config ?? {};
    const phases = new PhaseResults(plan, config);
    for (const rule of options.rules ?? RULES) {
      if (severityOf(rule.meta.id, options.config) === 'off') continue;
      const id = rule.meta.id;
      try {
        rule.check?.({ plan, config, edits, ...(options.files ? { files: options.files } : {}), report: (r) => found.push({ ...r, rule: id }) });
        if (rule.checkPhase) phases.run(rule, edits, found);
      } catch (err) {
        // One rule's bug must not hide the others' results.
        const why = err instanceof Error ? err.message : String(err);
        found.push({ rule: id, span: plan.root.missingSpan, message: `Rule '${id}' failed internally and could not check this plan.`, detail: `${why}. Please report it.` });
      }
    }
  }
  const kept = applySuppressions(plan, found, options.config);
  const diagnostics: Diagnostic[] = [];
  for (const f of kept) {
    const sev = severityOf(f.rule, options.config);
    if (sev === 'off') continue;
    diagnostics.push(toDiagnostic(plan, f, sev));
  }
  diagnostics.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
  return { plan, diagnostics };
}

/** What one phase-level rule reported on a phase, and in which context. */
interface Made {
  context: string;
  reports: readonly Report[];
}

/** What the phase-level rules reported on one phase node, and under which conditions. */
interface PhaseEntry {
  index: number;
  /** The plan's layout, which fixes are written in. */
  style: string;
  /** Where the phase started when its reports were made. */
  start: number;
  byRule: Map<string, Made>;
}

/**
 * Reports of the phase-level rules, kept per phase node. An edit of a
 * fast-path plan re-parses only the phases it touched (fastReparse); the
 * others keep their nodes, only moved, so their reports are the ones made
 * before, moved as far as the phase moved. They are made again when the
 * phase's index (messages name phases without an id by it), the plan's
 * layout or the rule's phaseContext changed.
 */
const phaseEntries = new WeakMap<object, PhaseEntry>();

class PhaseResults {
  private readonly reuse: boolean;
  private styleKey: string | undefined;

  constructor(
    private readonly plan: PlanDocument,
    private readonly config: LintConfig,
  ) {
    // Only the fast path's nodes are kept across versions, and only they never stand for two phases
    // (an alias does: `- *phase`).
    this.reuse = plan.doc !== undefined && isFastDocument(plan.doc);
  }

  private get style(): string {
    if (this.styleKey === undefined) {
      const s = styleOf(this.plan);
      // What the lint runs under is part of it: a rule may judge by a setting or the day.
      this.styleKey = `${s.indent} ${s.seqIndent} ${JSON.stringify(s.eol)} ${this.config.today ?? ''} ${this.config.maxRestoreTestAge ?? ''}`;
    }
    return this.styleKey;
  }

  /** Runs a phase-level rule on every phase (or reuses its reports), adding them to `found`. */
  run(rule: Rule, edits: Edits, found: Found[]): void {
    const id = rule.meta.id;
    const context = rule.phaseContext?.(this.plan) ?? '';
    const phases = this.plan.phases;
    // The reports are kept from the first version that reused a previous one's nodes on: a plan
    // parsed from scratch may be the only version there is (the CLI, a file opened and closed), and
    // its first lint is what opening a long plan waits for.
    const keep = this.reuse && this.plan.generation > 0;
    let sink: Report[] = [];
    const ctx: RuleContext = { plan: this.plan, config: this.config, edits, report: (r) => sink.push(r) };
    // Indexed loops: this runs once per rule and phase, a long plan's first time in cold code.
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i];
      let reports = keep ? this.reused(rule, context, phase) : undefined;
      if (reports === undefined) {
        rule.checkPhase!(phase, ctx);
        reports = sink.length === 0 ? NONE : sink;
        if (sink.length > 0) sink = [];
        if (keep) this.store(rule, context, phase, reports);
      }
      for (let k = 0; k < reports.length; k++) found.push({ ...reports[k], rule: id });
    }
  }

  /** A phase's reports kept from an earlier version, moved to where the phase is now; undefined when there are none to reuse. */
  private reused(rule: Rule, context: string, phase: Phase): readonly Report[] | undefined {
    const node = phase.node.node;
    const entry = node ? phaseEntries.get(node) : undefined;
    if (!node?.range || !entry || !this.holds(entry, phase)) return undefined;
    const made = entry.byRule.get(rule.meta.id);
    if (!made || made.context !== context) return undefined;
    const start = node.range[0];
    return start === entry.start || made.reports.length === 0 ? made.reports : moveReports(made.reports, start - entry.start);
  }

  /** Whether an entry's reports were made under what holds now: the phase's index, the plan's layout. */
  private holds(entry: PhaseEntry, phase: Phase): boolean {
    return entry.index === phase.index && entry.style === this.style;
  }

  private store(rule: Rule, context: string, phase: Phase, reports: readonly Report[]): void {
    const node = phase.node.node;
    if (!node?.range) return;
    const start = node.range[0];
    let entry = phaseEntries.get(node);
    if (!entry || !this.holds(entry, phase)) {
      entry = { index: phase.index, style: this.style, start, byRule: new Map() };
      phaseEntries.set(node, entry);
    }
    // Kept where the phase was when the entry was made: later versions move them from there.
    entry.byRule.set(rule.meta.id, { context, reports: start === entry.start || reports.length === 0 ? reports : moveReports(reports, entry.start - start) });
  }
}

/** No reports (shared: most phases have none). */
const NONE: readonly Report[] = Object.freeze([]);

/** Reports moved by `delta` characters. */
function moveReports(reports: readonly Report[], delta: number): Report[] {
  const move = (s: Span): Span => [s[0] + delta, s[1] + delta];
  return reports.map((r) => ({
    ...r,
    span: move(r.span),
    ...(r.related ? { related: r.related.map((x) => ({ ...x, span: move(x.span) })) } : {}),
    ...(r.fix ? { fix: { ...r.fix, edits: r.fix.edits.map((e) => ({ ...e, span: move(e.span) })) } } : {}),
  }));
}

/**
 * The fix removing a comment, offered only when no value changes with it: in a
 * text with YAML errors the comment may be what keeps two lines apart (`2 # c`
 * over `4`), and a comment line can end a block scalar.
 */
function removal(plan: PlanDocument, edits: Edits, span: Span, title: string): { fix?: RawFix } {
  // Written inside another comment (`# see INC-1 # migplan-ignore …`): that comment is the author's, left whole.
  // (Conservative: a `#` in a quoted value before it on the line also counts.)
  const lines = plan.yamlLines;
  if (/(?:^|[ \t])#/.test(plan.text.slice(lines.lineStart(lines.lineOf(span[0])), span[0]))) return {};
  const edit = edits.removeComment(span);
  // A comment line can also end a block scalar (`key: >` over `# …` over ` text`): without it, the lines
  // below would join the value. Offered only when no value changes.
  if (!commentRemovalKeepsValues(plan, span, edit)) return {};
  return { fix: { title, edits: [edit], preferred: true } };
}

/** Rules no ignore comment silences: what they find makes every other check unreliable. */
export const UNIGNORABLE: ReadonlySet<string> = new Set(['yaml-syntax', 'schema']);

function applySuppressions(plan: PlanDocument, found: Found[], config: LintConfig | undefined): Found[] {
  const comments = findIgnoreComments(plan);
  if (comments.length === 0) return found;
  // The diagnostics a comment may silence, by rule, in the order of where they start: a comment's are
  // found by binary search, not by going through all of them (a plan can have thousands of both).
  const byRule = new Map<string, number[]>();
  for (let i = 0; i < found.length; i++) {
    const rule = found[i].rule;
    if (rule === 'unused-ignore' || rule === 'ignore-reason') continue;
    let bucket = byRule.get(rule);
    if (!bucket) byRule.set(rule, (bucket = []));
    bucket.push(i);
  }
  const startOf = (i: number): number => found[i].span[0];
  for (const bucket of byRule.values()) bucket.sort((a, b) => startOf(a) - startOf(b) || a - b);
  /** The first position in a bucket whose diagnostic starts at or after `x`. */
  const firstFrom = (bucket: readonly number[], x: number): number => {
    let lo = 0;
    let hi = bucket.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (startOf(bucket[mid]) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** The nodes the comments that apply silence, by rule. */
  const silencing = new Map<string, Span[]>();
  const edits = new Edits(plan);
  const out: Found[] = [];
  for (const c of comments) {
    const commentSpan: Span = c.span;
    const placeholder = c.reason !== undefined ? placeholderWhy(c.reason, 'text') : undefined;
    if (!c.reason || placeholder !== undefined) {
      // No fix: the reason is the author's to write, and a placeholder reason would silence nothing either.
      out.push({
        rule: 'ignore-reason',
        span: commentSpan,
        message: c.reason
          ? 'This migplan-ignore comment\'s reason is a placeholder, so it silences nothing.'
          : c.loose
            ? 'This migplan-ignore comment\'s reason does not follow `--`, so it silences nothing.'
            : 'This migplan-ignore comment has no reason, so it silences nothing.',
        detail: `Write why${c.rule ? ` '${c.rule}'` : ' the rule'} does not apply here, after \`--\`: '# migplan-ignore ${c.rule || '<rule>'} -- <reason>'.`,
      });
      continue;
    }
    if (UNIGNORABLE.has(c.rule)) {
      out.push({
        rule: 'unused-ignore',
        span: commentSpan,
        message: `'${c.rule}' cannot be ignored, so this migplan-ignore comment silences nothing.`,
        detail: `A ${c.rule === 'schema' ? 'value the format does not allow' : 'file that is not valid YAML'} is not read as written: every other check depends on it. Fix the ${c.rule === 'schema' ? 'value (keys starting with `x-` hold what the format has no field for)' : 'YAML'} and remove the comment.`,
        ...removal(plan, edits, commentSpan, 'Remove the migplan-ignore comment'),
      });
      continue;
    }
    const known = RULES_BY_ID.has(c.rule);
    let used = false;
    const bucket = known ? byRule.get(c.rule) : undefined;
    if (bucket && c.target) {
      const [s, e] = c.target;
      // The first diagnostic of the rule starting at or after s: the comment is used when it starts before e.
      const first = firstFrom(bucket, s);
      if (first < bucket.length && startOf(bucket[first]) < e) {
        used = true;
        let spans = silencing.get(c.rule);
        if (!spans) silencing.set(c.rule, (spans = []));
        spans.push([s, e]);
      }
    }
    // A rule turned off by configuration may be on elsewhere (the editor): its ignores are not unused.
    if (!used && known && severityOf(c.rule, config) === 'off') used = true;
    if (!used) {
      const why = !known
        ? `'${c.rule || '(none)'}' is not a migplan rule`
        : c.target
          ? `no '${c.rule}' diagnostic starts in the node it applies to`
          : 'no node follows it';
      out.push({
        rule: 'unused-ignore',
        span: commentSpan,
        message: `This migplan-ignore comment silences nothing: ${why}. Remove it, or move it above the node it is meant for.`,
        ...removal(plan, edits, commentSpan, 'Remove the unused migplan-ignore comment'),
      });
    }
  }
  // A diagnostic is silenced when it starts in a node a comment for its rule applies to: the nodes
  // and the diagnostics, both in order of where they start, are walked side by side.
  const silenced = new Uint8Array(found.length);
  for (const [rule, spans] of silencing) {
    const bucket = byRule.get(rule)!;
    spans.sort((a, b) => a[0] - b[0]);
    let k = 0;
    let reach = -Infinity;
    for (const i of bucket) {
      const start = startOf(i);
      while (k < spans.length && spans[k][0] <= start) reach = Math.max(reach, spans[k++][1]);
      if (start < reach) silenced[i] = 1;
    }
  }
  return [...found.filter((_, i) => silenced[i] === 0), ...out];
}

function toDiagnostic(plan: PlanDocument, f: Found, severity: Severity): Diagnostic {
  const { message, detail } = splitMessage(f.message, f.detail);
  const d: Diagnostic = { rule: f.rule, severity, message, range: plan.lines.rangeOf(f.span) };
  if (detail) d.detail = detail;
  if (f.fix || f.data) {
    d.data = { ...(f.data ?? {}) };
    if (f.fix && keepsWhatIsWritten(plan, f.fix)) d.data.fix = toFix(plan, f.fix);
  }
  if (f.related?.length) d.related = f.related.map((r) => (r.file ? { range: r.file.range, message: r.message, file: r.file.path } : { range: plan.lines.rangeOf(r.span), message: r.message }));
  return d;
}

/**
 * A fix that appends to a plan ending in a block scalar that keeps its line
 * breaks (`|+`) would add one to that value: offered only when, applied, it
 * leaves every value as it was.
 */
function keepsWhatIsWritten(plan: PlanDocument, fix: RawFix): boolean {
  const end = plan.text.length;
  if (!fix.edits.some((e) => e.span[0] === end) || !endKeepsBreaks(plan)) return true;
  return untouchedValuesKept(plan, fix.edits);
}

function toFix(plan: PlanDocument, fix: RawFix): Fix {
  const out: Fix = { title: fix.title, edits: fix.edits.map((e) => ({ range: plan.lines.rangeOf(e.span), newText: e.text })) };
  if (fix.preferred) out.preferred = true;
  return out;
}

/** The offset edits of a diagnostic's fix, read back through the plan it was computed on. */
export function fixEdits(plan: PlanDocument, d: Diagnostic): RawEdit[] {
  const fix = d.data?.fix;
  if (!fix) return [];
  return fix.edits.map((e) => ({ span: [plan.lines.offsetAt(e.range.start), plan.lines.offsetAt(e.range.end)] as const, text: e.newText }));
}

export interface FixAllResult {
  text: string;
  /** Fixes applied over all rounds. */
  applied: number;
  /** Diagnostics of the final text. */
  diagnostics: Diagnostic[];
  /**
   * Placeholder diagnostics of the final text (rule `placeholder`): values
   * such as the `TODO: …` a fix writes where only the author can decide.
   */
  placeholders: number;
  /**
   * Set when nothing was fixed because the text has YAML errors: with a
   * duplicate key or a misplaced line, which node a fix edits is a guess.
   */
  blockedByYaml?: true;
}

/** How many of `diagnostics` are placeholders left to fill. */
export function placeholderCount(diagnostics: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of diagnostics) if (d.rule === 'placeholder') n++;
  return n;
}

/**
 * One line saying what fix-all changed: `fixed 12 problems in 2 files; 9
 * placeholders left to fill` (`files` only when given and something was
 * fixed; the placeholder clause only when there are any).
 */
export function fixSummary(fixed: number, placeholders: number, files?: number): string {
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  let line = `fixed ${count(fixed, 'problem')}`;
  if (files !== undefined && fixed > 0) line += ` in ${count(files, 'file')}`;
  if (placeholders > 0) line += `; ${count(placeholders, 'placeholder')} left to fill`;
  return line;
}

/**
 * Applies every available fix, re-linting between rounds until none is left
 * (`onRound` sees each round's text, without a BOM, and the edits applied to it)
 * (fixes whose edits overlap wait for the next round). Schema fixes (a kind's
 * spelling, a value's form) change what every other rule sees, so a round
 * that has any applies only those; unused ignore comments are removed last,
 * once no other fix can change what they would silence. Keeps a BOM. Applies nothing to a text
 * with YAML errors (the quick fixes one by one stay available in the editor).
 */
export function fixAll(text: string, options: LintOptions = {}, maxRounds = 100, onRound?: (before: string, edits: readonly RawEdit[]) => void): FixAllResult {
  let current = text;
  let applied = 0;
  let result = lint(current, options);
  void result.plan.json; // expanding aliases can add a YAML problem
  if (result.plan.problems.some((p) => p.rule === 'yaml-syntax')) {
    return { text, applied: 0, diagnostics: result.diagnostics, placeholders: placeholderCount(result.diagnostics), blockedByYaml: true };
  }
  for (let round = 0; round < maxRounds; round++) {
    // Whether an ignore comment is used depends on what the other fixes change (a trigger rewritten
    // can make the finding it silences appear): unused ones are removed only once nothing else is left to fix.
    const all = result.diagnostics.filter((d) => d.data?.fix);
    const others = all.filter((d) => d.rule !== 'unused-ignore');
    const fixable = others.length > 0 ? others : all;
    const schema = fixable.filter((d) => d.rule === 'schema');
    // Schema fixes first, in a round of their own; when none of them can be applied, the others.
    const groups = schema.length > 0 && schema.length < fixable.length ? [schema, fixable] : [fixable];
    let step: { text: string; count: number; edits: RawEdit[] } | undefined;
    for (const group of groups) {
      step = applyRound(result.plan, group);
      if (step) break;
    }
    if (!step) break;
    onRound?.(result.plan.text, step.edits);
    applied += step.count;
    current = result.plan.bom ? `\uFEFF${step.text}` : step.text;
    result = lint(current, options);
  }
  return { text: current, applied, diagnostics: result.diagnostics, placeholders: placeholderCount(result.diagnostics) };
}

/**
 * One round of fix-all over some diagnostics: their non-overlapping fixes
 * together, unless that adds a YAML error (two fixes can clash, e.g. both
 * adding one key); then the first fix that alone adds none. Undefined when
 * nothing can be applied or nothing would change.
 */
function applyRound(plan: PlanDocument, diagnostics: Diagnostic[]): { text: string; count: number; edits: RawEdit[] } | undefined {
  const picked: RawEdit[][] = [];
  const taken: Span[] = [];
  for (const d of diagnostics) {
    const edits = fixEdits(plan, d);
    if (edits.length === 0 || edits.some((e) => taken.some((t) => overlaps(t, e.span)))) continue;
    for (const e of edits) taken.push(e.span);
    picked.push(edits);
  }
  // fix-all only runs on text without YAML errors: a candidate must have none either.
  const base = plan.text;
  const all = applyRawEdits(base, picked.flat());
  if (all !== base && yamlErrorCount(all) === 0) return { text: all, count: picked.length, edits: picked.flat() };
  // Some fix clashes with another or breaks the YAML on its own: leave out the ones that break it
  // alone and try the rest together, else one at a time.
  const sound = picked.filter((edits) => {
    const one = applyRawEdits(base, edits);
    return one !== base && yamlErrorCount(one) === 0;
  });
  if (sound.length > 1 && sound.length < picked.length) {
    const rest = applyRawEdits(base, sound.flat());
    if (rest !== base && yamlErrorCount(rest) === 0) return { text: rest, count: sound.length, edits: sound.flat() };
  }
  if (sound.length > 0) return { text: applyRawEdits(base, sound[0]), count: 1, edits: sound[0] };
  return undefined;
}

/** Whether `after` has no more YAML errors than `before` (a fix must not break the file). */
export function keepsYaml(before: string, after: string): boolean {
  return yamlErrorCount(after) <= yamlErrorCount(before);
}

/** Whether a fix's edits, applied to the plan, keep its YAML as sound as it was. */
export function fixKeepsYaml(plan: PlanDocument, edits: RawEdit[]): boolean {
  return keepsYaml(plan.text, applyRawEdits(plan.text, edits));
}

/** Spans overlap; two insertions at one offset count as overlapping (their order would matter). */
function overlaps(a: Span, b: Span): boolean {
  if (a[0] === a[1] || b[0] === b[1]) return a[0] <= b[1] && b[0] <= a[1];
  return a[0] < b[1] && b[0] < a[1];
}
