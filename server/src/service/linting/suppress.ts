import { visit, type Node as YNode } from 'yaml';
import type { PlanDocument } from '../parsing/plan';
import type { Span } from '../types';

/** A `# migplan-ignore <rule> -- <reason>` comment and the node it applies to. */
export interface IgnoreComment {
  /** The comment, from `#` to the end of its line. */
  span: Span;
  rule: string;
  reason?: string;
  /** Text after the rule that is not introduced by `--`: a reason written without it. */
  loose?: string;
  /** The node it silences: [start, end). Undefined when nothing follows it. */
  target?: Span;
}

const MARK = 'migplan-ignore';
/**
 * The comment's syntax: the rule, and after ` -- ` the reason, up to the end
 * of the line; or, third, text after the rule without the ` -- ` (a reason
 * written wrong, reported as no reason).
 */
const COMMENT_RE = /#\s*migplan-ignore\b[ \t]*([^\s#]*)(?:[ \t]+--[ \t]*(.*?)|[ \t]+(?!--)(\S.*?))?[ \t]*$/;
/**
 * COMMENT_RE without its reason, which runs to the end of the line: once
 * ` --` has matched there, `(.*?)[ \t]*$` always matches the rest of the line
 * (unless it holds a U+2028 or U+2029, which `.` does not match: such lines
 * take COMMENT_RE), so this finds the same match and the same rule, and the
 * reason is the rest of the line. `g`: it is run from an offset on.
 */
const COMMENT_HEAD_RE = /#\s*migplan-ignore\b[ \t]*([^\s#]*)(?:([ \t]+--)[ \t]*|[ \t]*$|([ \t]+)(?!--)(?=\S))/g;
const LINE_SEPARATORS = /[\u2028\u2029]/;

/** The rule and the (untrimmed) reason a COMMENT_RE match gives, or null when there is none. */
type Parsed = { rule: string | undefined; reason: string | undefined; loose: string | undefined } | null;

/**
 * Finds the ignore comments of a plan (cheap when there are none). Linear in
 * the text plus a binary search per occurrence of the marker: however many
 * comments, scalars and lines there are, and however many comments share a
 * line or a target, each line is read a bounded number of times.
 */
export function findIgnoreComments(plan: PlanDocument): IgnoreComment[] {
  // YAML's lines, not LSP's: a lone CR is no line break in a comment (the comment runs on past it).
  const { text, yamlLines: lines } = plan;
  if (!text.includes(MARK)) return [];
  const { scalars, starts } = indexNodes(plan);
  const next = new NextContentLine(plan);
  const targets = new Targets(plan, starts);
  const out: IgnoreComment[] = [];
  // What is known about the current line: the occurrences on one line are read left to right, each
  // from where the one before it left off.
  let line = -1;
  let lineStart = 0;
  let lineText = '';
  let firstContent = -1;
  let plainLine = true;
  /** The last occurrence's offset in the line, and the `#` before it (-1: none). */
  let lastAt = -1;
  let hash = -1;
  /** The parse of the comment starting at the last `#` parsed, and where its match starts. */
  let parsedHash = -1;
  let parsed: Parsed = null;
  let matchAt = -1;
  for (let at = text.indexOf(MARK); at !== -1; at = text.indexOf(MARK, at + MARK.length)) {
    const l = lines.lineOf(at);
    if (l !== line) {
      line = l;
      lineStart = lines.lineStart(l);
      lineText = lines.lineText(l);
      firstContent = lineText.search(/\S/);
      plainLine = !LINE_SEPARATORS.test(lineText);
      lastAt = -1;
      hash = -1;
      parsedHash = -1;
      parsed = null;
      matchAt = -1;
    }
    // The last `#` at or before the marker (lineText.lastIndexOf('#', rel)), looking back only as
    // far as the previous occurrence on this line.
    const rel = at - lineStart;
    for (let i = rel; i > lastAt; i--) {
      if (lineText.charCodeAt(i) === 35 /* # */) {
        hash = i;
        break;
      }
    }
    lastAt = rel;
    if (hash < 0 || (hash > 0 && !/[ \t]/.test(lineText[hash - 1]))) continue;
    const hashOffset = lineStart + hash;
    if (scalars.contains(hashOffset)) continue;
    if (hash !== parsedHash) {
      // COMMENT_RE.exec(lineText.slice(hash)): its first match at or after this `#`. When the last
      // parse matched at or after this `#`, nothing between them matched: the same match.
      if (parsedHash < 0 || (parsed !== null && matchAt < hash)) {
        const m = parseComment(lineText, hash, plainLine);
        parsed = m ? { rule: m.rule, reason: m.reason, loose: m.loose } : null;
        matchAt = m ? m.at : -1;
      }
      parsedHash = hash;
    }
    if (!parsed) continue;
    const reason = parsed.reason?.trim();
    const comment: IgnoreComment = { span: [hashOffset, lines.lineEnd(line)], rule: parsed.rule ?? '' };
    if (reason) comment.reason = reason;
    const loose = parsed.loose?.trim();
    if (loose) comment.loose = loose;
    const alone = firstContent === hash;
    const targetLine = alone ? next.from(line + 1) : line;
    if (targetLine !== undefined) comment.target = targets.on(targetLine);
    out.push(comment);
  }
  return out;
}

/** COMMENT_RE's first match in `lineText` at or after `from`: where it starts, its rule and its reason. */
function parseComment(lineText: string, from: number, plain: boolean): { at: number; rule: string | undefined; reason: string | undefined; loose: string | undefined } | undefined {
  if (!plain) {
    const m = COMMENT_RE.exec(lineText.slice(from));
    return m ? { at: from + m.index, rule: m[1], reason: m[2], loose: m[3] } : undefined;
  }
  COMMENT_HEAD_RE.lastIndex = from;
  const m = COMMENT_HEAD_RE.exec(lineText);
  if (!m) return undefined;
  const rest = m[2] !== undefined || m[3] !== undefined ? lineText.slice(COMMENT_HEAD_RE.lastIndex) : undefined;
  return { at: m.index, rule: m[1], reason: m[2] !== undefined ? rest : undefined, loose: m[3] !== undefined ? rest : undefined };
}

/**
 * The first line at or after a given one that is neither blank nor a
 * comment. Asked for lines in increasing order (the comments'): an answer
 * holds for every line up to it, so each line is read once.
 */
class NextContentLine {
  private askedFrom = -1;
  private answer: number | undefined;

  constructor(private readonly plan: PlanDocument) {}

  from(from: number): number | undefined {
    if (this.askedFrom >= 0 && from >= this.askedFrom && (this.answer === undefined || from <= this.answer)) return this.answer;
    this.askedFrom = from;
    this.answer = undefined;
    const lines = this.plan.yamlLines;
    for (let l = from; l < lines.lineCount; l++) {
      const t = lines.lineText(l).trim();
      if (t !== '' && !t.startsWith('#')) {
        this.answer = l;
        break;
      }
    }
    return this.answer;
  }
}

/** The node each line starts, as targetOn finds it; the last line's kept (stacked comments share it). */
class Targets {
  private line = -1;
  private span: Span | undefined;

  constructor(
    private readonly plan: PlanDocument,
    private readonly starts: Map<number, number>,
  ) {}

  on(line: number): Span | undefined {
    if (line !== this.line) {
      this.line = line;
      this.span = targetOn(this.plan, line, this.starts);
    }
    return this.span ? [this.span[0], this.span[1]] : undefined;
  }
}

/** The node starting on a line: a list item with all in it, or a map entry with all under it. */
function targetOn(plan: PlanDocument, line: number, starts: Map<number, number>): Span | undefined {
  const text = plan.yamlLines.lineText(line);
  const lineStart = plan.yamlLines.lineStart(line);
  const first = text.search(/\S/);
  if (first < 0) return undefined;
  const begin = lineStart + first;
  let end = starts.get(begin);
  // `- - x` / `- key: v`: a list item whose content starts after the dash.
  let i = first;
  while (end === undefined && text[i] === '-' && /[ \t]/.test(text[i + 1] ?? '')) {
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    end = starts.get(lineStart + i);
  }
  return [begin, end ?? plan.yamlLines.lineEnd(line)];
}

/**
 * One walk of the document: the spans of its scalars (where a `#` is text,
 * not a comment), and the start → end offset of every map entry (from its
 * key) and sequence item.
 */
function indexNodes(plan: PlanDocument): { scalars: Spans; starts: Map<number, number> } {
  const scalarStarts: number[] = [];
  const scalarEnds: number[] = [];
  const starts = new Map<number, number>();
  const put = (s: number | undefined, e: number | undefined): void => {
    if (s === undefined || e === undefined) return;
    starts.set(s, Math.max(e, starts.get(s) ?? e));
  };
  if (plan.doc) {
    visit(plan.doc, {
      Scalar(_, node) {
        const r = node.range;
        if (r && r[1] > r[0]) {
          scalarStarts.push(r[0]);
          scalarEnds.push(r[1]);
        }
      },
      Pair(_, pair) {
        const k = pair.key as YNode | null;
        const v = pair.value as YNode | null;
        put(k?.range?.[0], v?.range?.[1] ?? k?.range?.[1]);
      },
      Seq(_, seq) {
        for (const item of seq.items) {
          const r = (item as YNode | null)?.range;
          if (r) put(r[0], r[1]);
        }
      },
    });
  }
  return { scalars: new Spans(scalarStarts, scalarEnds), starts };
}

/** Spans, sorted by start, for "is this offset inside any of them" by binary search (they may overlap). */
class Spans {
  private readonly starts: Float64Array;
  /** The largest end among the spans up to each index (in start order). */
  private readonly reach: Float64Array;

  constructor(starts: readonly number[], ends: readonly number[]) {
    const n = starts.length;
    let order: number[] | undefined;
    for (let i = 1; i < n && order === undefined; i++) if (starts[i] < starts[i - 1]) order = Array.from(starts.keys()).sort((a, b) => starts[a] - starts[b]);
    this.starts = new Float64Array(n);
    this.reach = new Float64Array(n);
    let reach = -Infinity;
    for (let k = 0; k < n; k++) {
      const i = order ? order[k] : k;
      this.starts[k] = starts[i];
      reach = Math.max(reach, ends[i]);
      this.reach[k] = reach;
    }
  }

  /** Whether some span holds `offset`: start <= offset < end. */
  contains(offset: number): boolean {
    // The last span starting at or before the offset; the furthest any of those reaches.
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.reach[lo - 1] > offset;
  }
}
