import { visit, type Node as YNode } from 'yaml';
import type { PlanDocument } from './plan';
import type { Span } from './types';

/** A `# migplan-ignore <rule> -- <reason>` comment and the node it applies to. */
export interface IgnoreComment {
  /** The comment, from `#` to the end of its line. */
  span: Span;
  rule: string;
  reason?: string;
  /** The node it silences: [start, end). Undefined when nothing follows it. */
  target?: Span;
}

const MARK = 'migplan-ignore';
const COMMENT_RE = /#\s*migplan-ignore\b[ \t]*([^\s#]*)(?:[ \t]+--[ \t]*(.*?))?[ \t]*$/;

/** Finds the ignore comments of a plan (cheap when there are none). */
export function findIgnoreComments(plan: PlanDocument): IgnoreComment[] {
  const { text, lines } = plan;
  if (!text.includes(MARK)) return [];
  const inScalars = scalarSpans(plan);
  const starts = nodeStarts(plan);
  const out: IgnoreComment[] = [];
  for (let at = text.indexOf(MARK); at !== -1; at = text.indexOf(MARK, at + MARK.length)) {
    const line = lines.lineOf(at);
    const lineStart = lines.lineStart(line);
    const lineText = lines.lineText(line);
    const hash = lineText.lastIndexOf('#', at - lineStart);
    if (hash < 0 || (hash > 0 && !/[ \t]/.test(lineText[hash - 1]))) continue;
    const hashOffset = lineStart + hash;
    if (inScalars.some(([s, e]) => hashOffset >= s && hashOffset < e)) continue;
    const m = COMMENT_RE.exec(lineText.slice(hash));
    if (!m) continue;
    const reason = m[2]?.trim();
    const comment: IgnoreComment = { span: [hashOffset, lines.lineEnd(line)], rule: m[1] ?? '' };
    if (reason) comment.reason = reason;
    const alone = lineText.slice(0, hash).trim() === '';
    const targetLine = alone ? nextContentLine(plan, line + 1) : line;
    if (targetLine !== undefined) comment.target = targetOn(plan, targetLine, starts);
    out.push(comment);
  }
  return out;
}

function nextContentLine(plan: PlanDocument, from: number): number | undefined {
  for (let l = from; l < plan.lines.lineCount; l++) {
    const t = plan.lines.lineText(l).trim();
    if (t !== '' && !t.startsWith('#')) return l;
  }
  return undefined;
}

/** The node starting on a line: a list item with all in it, or a map entry with all under it. */
function targetOn(plan: PlanDocument, line: number, starts: Map<number, number>): Span | undefined {
  const text = plan.lines.lineText(line);
  const lineStart = plan.lines.lineStart(line);
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
  return [begin, end ?? plan.lines.lineEnd(line)];
}

/** Start offset → end offset of every map entry (from its key) and sequence item. */
function nodeStarts(plan: PlanDocument): Map<number, number> {
  const starts = new Map<number, number>();
  const put = (s: number | undefined, e: number | undefined): void => {
    if (s === undefined || e === undefined) return;
    starts.set(s, Math.max(e, starts.get(s) ?? e));
  };
  if (!plan.doc) return starts;
  visit(plan.doc, {
    Pair(_, pair) {
      const k = pair.key as YNode | null;
      const v = pair.value as YNode | null;
      put(k?.range?.[0], v?.range?.[1] ?? k?.range?.[1]);
    },
    Seq(_, seq) {
      for (const item of seq.items) {
        const n = item as YNode | null;
        if (n?.range) put(n.range[0], n.range[1]);
      }
    },
  });
  return starts;
}

/** Spans of scalar values (where a `#` is text, not a comment). */
function scalarSpans(plan: PlanDocument): Span[] {
  const spans: Span[] = [];
  if (!plan.doc) return spans;
  visit(plan.doc, {
    Scalar(_, node) {
      if (node.range && node.range[1] > node.range[0]) spans.push([node.range[0], node.range[1]]);
    },
  });
  return spans;
}
