/**
 * The byte-preservation property of fixes: after a fix (or a round of
 * fix-all), every comment of the YAML and every scalar value that no edit
 * replaced is still there, byte for byte. Checked by the fuzzer and by a test
 * over every fixture (test/preserve.test.ts).
 *
 * What counts as targeted: a scalar whose first character an edit replaces
 * (the edit rewrites it), and a comment on a line after the first line of a non-empty
 * edit's span (a block replaced with everything in it) or inside a pure
 * deletion (a comment removed by its fix). Anything else must come out as it
 * went in: a value an insertion or a cut changed (a block scalar's text split
 * by a new entry, its kept trailing lines moved), or a comment dropped from the
 * line an edit starts on, is a loss.
 */
import { Composer, Parser, visit } from 'yaml';
import type { RawEdit } from '../server/src/service/linting/fixes';
import { applyRawEdits } from '../server/src/service/linting/fixes';

interface Piece {
  start: number;
  end: number;
  text: string;
}

/** Comments of the text, from the yaml package's concrete syntax tree. */
function comments(text: string): Piece[] {
  const out: Piece[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    const t = node as { type?: unknown; offset?: unknown; source?: unknown };
    if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
      out.push({ start: t.offset, end: t.offset + t.source.length, text: t.source });
      return;
    }
    for (const v of Array.isArray(node) ? node : Object.values(node)) walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return out;
}

/** Scalars of the text: where each starts, and its value (exactly, as JSON). */
function scalars(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const composer = new Composer({ keepSourceTokens: false });
  for (const doc of composer.compose(new Parser().parse(text), true)) {
    visit(doc, {
      Scalar(_, node) {
        const r = node.range;
        if (r && r[1] > r[0]) out.set(r[0], JSON.stringify(node.value) ?? 'undefined');
      },
    });
  }
  return out;
}

/** Where an offset of the text before the edits is after them (edits ending at or before it move it). */
function mapOffset(offset: number, edits: readonly RawEdit[]): number {
  let delta = 0;
  for (const e of edits) if (e.span[1] <= offset) delta += e.text.length - (e.span[1] - e.span[0]);
  return offset + delta;
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * What the edits lose or change beyond what they target, as messages (empty:
 * the property holds). `before` is the text the edits' offsets are in (no BOM).
 */
export function preservationProblems(before: string, edits: readonly RawEdit[]): string[] {
  const problems: string[] = [];
  const text = before;
  const after = applyRawEdits(text, [...edits]);
  let beforeScalars: Map<number, string>;
  let beforeComments: Piece[];
  let afterScalars: Map<number, string>;
  try {
    beforeScalars = scalars(text);
    beforeComments = comments(text);
    afterScalars = scalars(after);
  } catch {
    return problems; // a text the yaml package cannot read has no pieces to keep
  }
  for (const [start, value] of beforeScalars) {
    // Replaced: an edit spans from its start to past its first character (the whole value it rewrites).
    if (edits.some((e) => e.span[0] <= start && e.span[1] > start)) continue;
    const at = mapOffset(start, edits);
    const now = afterScalars.get(at);
    if (now !== value) problems.push(`the value at ${start} changed: ${value.slice(0, 60)} became ${(now ?? 'nothing').slice(0, 60)}`);
  }
  // Comments: as a multiset, since a fix may write a comment it keeps again in its new text.
  const required = new Map<string, number>();
  for (const c of beforeComments) {
    const gone = edits.some((e) => {
      if (e.span[1] <= c.start || e.span[0] >= c.end) return false;
      if (e.text === '' && e.span[0] <= c.start && e.span[1] >= c.end) return true; // removed by its fix
      return e.span[0] <= c.start && e.span[1] >= c.end && lineOf(text, e.span[0]) < lineOf(text, c.start);
    });
    if (!gone) required.set(c.text, (required.get(c.text) ?? 0) + 1);
  }
  let afterComments: Piece[];
  try {
    afterComments = comments(after);
  } catch {
    afterComments = [];
  }
  const have = new Map<string, number>();
  for (const c of afterComments) have.set(c.text, (have.get(c.text) ?? 0) + 1);
  for (const [c, n] of required) if ((have.get(c) ?? 0) < n) problems.push(`a comment was lost or changed: ${JSON.stringify(c.slice(0, 60))}`);
  return problems;
}
