import type { Position, Range, Span } from '../types';

/**
 * Maps offsets (UTF-16 code units) to LSP positions and back.
 *
 * LSP counts a lone CR as a line break; YAML (the `yaml` package, as every
 * parser of the format here) does not: there it is a character of a comment
 * or a scalar. `yamlBreaks` builds the index of YAML's lines, which edits
 * must be laid out by (an entry inserted "at the end of a line" would
 * otherwise land inside a comment that holds a CR).
 */
export class LineIndex {
  /** Where each line starts (a typed table: a long plan has a hundred thousand lines). */
  private readonly starts: Int32Array;

  constructor(
    readonly text: string,
    yamlBreaks = false,
  ) {
    if (!text.includes('\r') || (yamlBreaks && !hasLoneCr(text))) {
      // Only \n breaks: indexOf is several times faster than a loop over every character.
      let count = 1;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
      const starts = new Int32Array(count);
      let k = 1;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
      this.starts = starts;
      return;
    }
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        else if (yamlBreaks) continue;
        starts.push(i + 1);
      }
    }
    this.starts = Int32Array.from(starts);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    let end = this.starts[line + 1];
    if (this.text.charCodeAt(end - 1) === 10) end--;
    if (this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(o);
    // Never between the \r and \n of a CRLF: that is the end of the line.
    return { line, character: Math.min(o, this.lineEnd(line)) - this.starts[line] };
  }

  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const start = this.starts[pos.line];
    return Math.max(start, Math.min(start + Math.max(0, pos.character), this.lineEnd(pos.line)));
  }

  rangeOf(span: Span): Range {
    return { start: this.positionAt(span[0]), end: this.positionAt(span[1]) };
  }

  /** Column of the first offset on its line. */
  column(offset: number): number {
    return offset - this.starts[this.lineOf(offset)];
  }
}

/** Whether a text has a CR that is not the first half of a CRLF. */
export function hasLoneCr(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) return true;
  return false;
}

/** The file's line break: CRLF when its first line break is one. */
export function detectEol(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text.charCodeAt(i - 1) === 13 ? '\r\n' : '\n';
}

export function stripBom(text: string): { text: string; bom: boolean } {
  return text.charCodeAt(0) === 0xfeff ? { text: text.slice(1), bom: true } : { text, bom: false };
}

/**
 * Offset just after the last non-whitespace character before `end`. A lone
 * CR (not before a LF) is not a line break here, as in yamlLines: the `yaml`
 * package reads it as text of a plain scalar (`42\r`), so a node's span keeps it.
 */
export function trimEndOffset(text: string, start: number, end: number): number {
  let e = Math.min(end, text.length);
  for (;;) {
    if (e <= start) return e;
    const c = text.charCodeAt(e - 1);
    if (c === 13 ? text.charCodeAt(e) !== 10 : !isYamlSpace(c)) return e;
    e--;
  }
}

/**
 * White space as YAML has it: space, tab and the line breaks. Anything else
 * (a form feed, a no-break space, U+2028) is text of a value, which a trim
 * must not take off the end of it.
 */
export function isYamlSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}
