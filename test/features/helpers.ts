/**
 * Helpers of the editor-feature tests: cursors marked in text, and a VS Code
 * snippet checker that expands a snippet as the editor would.
 */
import * as path from 'node:path';
import type { ServiceCompletion } from '../../server/src/service/features/types';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { EXAMPLES, read } from '../helpers';

export const EXAMPLE_TEXT = read(path.join(EXAMPLES, 'split-user-name.migplan.yaml'));
export const DRAFT_TEXT = read(path.join(EXAMPLES, 'draft-rename-orders-total.migplan.yaml'));

/** A text with a `|` cursor mark: the text without it and the cursor's offset. */
export function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset < 0) throw new Error('no | in text');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

/**
 * `base` with `insert` put right after the first occurrence of `after`; the
 * `|` in `insert` marks the cursor.
 */
export function insertAt(base: string, after: string, insert: string): { text: string; offset: number } {
  const i = base.indexOf(after);
  if (i < 0) throw new Error(`not in text: ${after}`);
  const at = i + after.length;
  const c = cursor(insert);
  return { text: base.slice(0, at) + c.text + base.slice(at), offset: at + c.offset };
}

/** The offset of `needle` in `text` plus `delta` (throws when absent). */
export function offsetOf(text: string, needle: string, delta = 0): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`not in text: ${needle}`);
  return i + delta;
}

export function parse(text: string): PlanDocument {
  return new PlanDocument(text);
}

// ------------------------------------------------------------------ snippets

/**
 * Expands a VS Code snippet (TextMate syntax) to the text it inserts with
 * every placeholder left at its default and every choice at its first
 * option. Throws on what VS Code would not read as intended: an unescaped
 * `$` that starts nothing, an unescaped `}` outside a placeholder, an
 * unterminated placeholder, a tabstop used twice with different defaults.
 */
export function expandSnippet(snippet: string): string {
  let i = 0;
  const defaults = new Map<number, string>();
  const parse = (inPlaceholder: boolean): string => {
    let out = '';
    while (i < snippet.length) {
      const c = snippet[i];
      if (c === '\\') {
        const n = snippet[i + 1];
        if (n === '$' || n === '}' || n === '\\') {
          out += n;
          i += 2;
          continue;
        }
        // A backslash before anything else is literal in VS Code; the migplan snippets never write one.
        throw new Error(`stray backslash at ${i}: ${snippet.slice(i, i + 10)}`);
      }
      if (c === '}') {
        if (inPlaceholder) return out;
        throw new Error(`unescaped } at ${i}: ${snippet.slice(Math.max(0, i - 20), i + 5)}`);
      }
      if (c === '$') {
        const simple = /^\$(\d+)/.exec(snippet.slice(i));
        if (simple) {
          i += simple[0].length;
          out += defaults.get(Number(simple[1])) ?? '';
          continue;
        }
        const open = /^\$\{(\d+)([:|}])/.exec(snippet.slice(i));
        if (!open) throw new Error(`unescaped $ at ${i}: ${snippet.slice(i, i + 10)}`);
        const n = Number(open[1]);
        i += open[0].length;
        if (open[2] === '}') {
          out += defaults.get(n) ?? '';
          continue;
        }
        if (open[2] === ':') {
          const inner = parse(true);
          if (snippet[i] !== '}') throw new Error(`unterminated placeholder \${${n}:`);
          i++;
          if (defaults.has(n) && defaults.get(n) !== inner) throw new Error(`tabstop ${n} has two defaults`);
          defaults.set(n, inner);
          out += inner;
          continue;
        }
        // A choice: options up to `|}`, with `\,` `\|` `\\` escapes.
        const options: string[] = [];
        let cur = '';
        for (;;) {
          if (i >= snippet.length) throw new Error(`unterminated choice \${${n}|`);
          const ch = snippet[i];
          if (ch === '\\') {
            cur += snippet[i + 1];
            i += 2;
          } else if (ch === ',') {
            options.push(cur);
            cur = '';
            i++;
          } else if (ch === '|' && snippet[i + 1] === '}') {
            options.push(cur);
            i += 2;
            break;
          } else {
            cur += ch;
            i++;
          }
        }
        defaults.set(n, options[0]);
        out += options[0];
        continue;
      }
      out += c;
      i++;
    }
    if (inPlaceholder) throw new Error('unterminated placeholder');
    return out;
  };
  return parse(false);
}

/** The tabstop numbers a snippet uses, in order of first appearance. */
export function tabstops(snippet: string): number[] {
  const out: number[] = [];
  for (const m of snippet.matchAll(/(?<!\\)\$\{?(\d+)/g)) {
    const n = Number(m[1]);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * Applies a completion as VS Code does by default: the insert text (snippets
 * expanded) replaces the `replace` span, and its lines after the first get
 * the leading whitespace of the line it starts on (insertTextMode
 * adjustIndentation).
 */
export function applyCompletion(text: string, offset: number, c: ServiceCompletion): string {
  const [s, e] = c.replace ?? [offset, offset];
  const body = c.snippet ? expandSnippet(c.insertText) : c.insertText;
  const lineStart = text.lastIndexOf('\n', s - 1) + 1;
  const lead = /^[ \t]*/.exec(text.slice(lineStart, s))![0];
  const adjusted = body.split('\n').map((l, i) => (i === 0 ? l : lead + l)).join('\n');
  return text.slice(0, s) + adjusted + text.slice(e);
}

export function labels(list: readonly ServiceCompletion[], kind?: ServiceCompletion['kind']): string[] {
  return list.filter((c) => kind === undefined || c.kind === kind).map((c) => c.label);
}
