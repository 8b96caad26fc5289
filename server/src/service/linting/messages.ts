/**
 * A diagnostic's message is one sentence that names the thing and the
 * problem (at most MAX_HEADLINE characters); the why and the what-to-do
 * follow as its detail. Rules may write both; a message written as one text
 * is split here: at its first colon when what precedes is the headline
 * ("Phase 'backfill' has no throttle: a backfill running flat out…"), else
 * after its first sentence.
 */

export const MAX_HEADLINE = 100;

/** Offsets of `: ` and `. ` (or `.` at the end) outside quotes and code spans. */
function boundaries(text: string): { colon?: number; stop?: number } {
  let quote = '';
  let colon: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote && (quote !== "'" || !/[A-Za-z]/.test(text[i + 1] ?? ''))) quote = '';
      continue;
    }
    if (c === '`' || c === '"') {
      quote = c;
      continue;
    }
    // A single quote opens a quotation after a space or a bracket (not an apostrophe: plan's).
    if (c === "'" && (i === 0 || /[\s([{]/.test(text[i - 1]))) {
      quote = c;
      continue;
    }
    const next = text[i + 1];
    if (c === ':' && next === ' ' && colon === undefined) colon = i;
    // A full stop ends a sentence before a space and a capital, a quote or a code span (not in "e.g. ", "0.1%").
    if ((c === '.' || c === '?' || c === '!') && (next === undefined || (next === ' ' && /[A-Z`'"(]/.test(text[i + 2] ?? '')))) {
      if (/\b(e\.g|i\.e|etc|vs)$/.test(text.slice(Math.max(0, i - 4), i))) continue;
      return { colon, stop: i };
    }
  }
  return { colon };
}

/** A sentence ends with a full stop (a parser's message may not). */
function fullStop(s: string): string {
  return /[.?!]$/.test(s) ? s : `${s}.`;
}

function capitalize(s: string): string {
  return s.length > 0 && /[a-z]/.test(s[0]) ? s[0].toUpperCase() + s.slice(1) : s;
}

/** A message split into its headline sentence and the rest. */
export function splitMessage(message: string, detail?: string): { message: string; detail?: string } {
  const text = message.trim();
  if (detail !== undefined) return { message: fullStop(text), detail: detail.trim() || undefined };
  const { colon, stop } = boundaries(text);
  // The first sentence when it is short enough; else what precedes its first colon.
  const sentenceEnd = stop ?? text.length - 1;
  if (sentenceEnd + 1 > MAX_HEADLINE && colon !== undefined && colon < sentenceEnd) {
    const rest = capitalize(text.slice(colon + 2).trim());
    return rest ? { message: `${text.slice(0, colon)}.`, detail: rest } : { message: `${text.slice(0, colon)}.` };
  }
  if (stop !== undefined && stop < text.length - 1) return { message: text.slice(0, stop + 1), detail: text.slice(stop + 2).trim() };
  return { message: fullStop(text) };
}
