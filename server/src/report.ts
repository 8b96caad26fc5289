import { RULES } from './service/rules';
import { REPOSITORY_URL, RULE_DOCS_BASE, ruleDocUrl } from './service/linting/ruleDocs';
import type { Diagnostic, RuleMeta, Severity } from './service/types';

export { RULE_DOCS_BASE, ruleDocUrl };

export interface FileResult {
  /** As shown to the user: relative to the working directory, with `/`; bytes of a name that are not UTF-8 as `\xNN`. */
  path: string;
  /** The bytes `path` stands for, when they are not UTF-8 (SARIF percent-encodes these, not the escapes). */
  rawPath?: Buffer;
  diagnostics: Diagnostic[];
}

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
}

export function summarize(results: FileResult[]): Summary {
  const s: Summary = { files: results.length, errors: 0, warnings: 0, infos: 0 };
  for (const r of results)
    for (const d of r.diagnostics) {
      if (d.severity === 'error') s.errors++;
      else if (d.severity === 'warning') s.warnings++;
      else s.infos++;
    }
  return s;
}

/** `{"files": [...], "summary": {...}}` exactly as the spec shows (ranges 0-based). */
export function formatJson(results: FileResult[], extra: Record<string, unknown> = {}): string {
  const files = results.map((r) => ({
    path: r.path,
    diagnostics: r.diagnostics.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, ...(d.detail ? { detail: d.detail } : {}), range: d.range })),
  }));
  return JSON.stringify({ files, summary: summarize(results), ...extra }, null, 2) + '\n';
}

const COLORS: Record<Severity | 'dim' | 'bold', [string, string]> = {
  error: ['\x1b[31m', '\x1b[39m'],
  warning: ['\x1b[33m', '\x1b[39m'],
  info: ['\x1b[36m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

/** C0 and C1 controls, DEL, and the bidi controls (embeddings, overrides, isolates, marks). */
const CONTROL_RE = /[\x00-\x1f\x7f-\x9f\p{Bidi_Control}]/gu;
const SHORT_ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text from a plan or a file name made safe for a terminal: control
 * characters are written as escapes (`\x1b`, `\r`, `\u202e`), so a plan
 * cannot move the cursor, erase or recolour a line, start a new one, or
 * reorder what is shown.
 */
export function escapeControls(s: string): string {
  return s.replace(CONTROL_RE, (c) => {
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) return short;
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `path:line:col severity rule message`, 1-based like compilers, one per line,
 * then a summary line; `verbose`: each message's detail indented under it.
 */
export function formatText(results: FileResult[], color: boolean, verbose = false): string {
  const paint = (kind: keyof typeof COLORS, s: string): string => (color ? COLORS[kind][0] + s + COLORS[kind][1] : s);
  const lines: string[] = [];
  for (const r of results)
    for (const d of r.diagnostics) {
      // Everything but the numbers and the severity can come from the plan or its name.
      const where = `${escapeControls(r.path)}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
      lines.push(`${where} ${paint(d.severity, d.severity)} ${paint('dim', escapeControls(d.rule))} ${escapeControls(d.message)}`);
      if (verbose && d.detail) lines.push(`    ${escapeControls(d.detail)}`);
    }
  const s = summarize(results);
  const problems = s.errors + s.warnings + s.infos;
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')} in ${plural(s.files, 'file')}`;
  lines.push(problems === 0 ? `No problems in ${plural(s.files, 'file')}.` : paint('bold', counts));
  return lines.join('\n') + '\n';
}

/** What encodeURIComponent leaves as it is. */
const URI_KEEP = /[A-Za-z0-9\-_.!~*'()]/;

function percentEncode(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && URI_KEEP.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A shown path as a URI reference: each segment percent-encoded (`#`, `?`,
 * `%`, `:` and spaces are data in a file name, syntax in a URI), `/` kept;
 * the bytes of a name that is not UTF-8 are encoded as they are. An absolute
 * path becomes a `file:` URI.
 */
export function pathUri(shown: string, raw?: Buffer): string {
  const bytes = raw ?? Buffer.from(shown, 'utf8');
  const segments: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      segments.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  const drive = process.platform === 'win32' && segments.length > 1 && /^[A-Za-z]:$/.test(segments[0].toString('latin1'));
  const encoded = segments.map((s, i) => (drive && i === 0 ? s.toString('latin1') : percentEncode(s))).join('/');
  if (drive) return `file:///${encoded}`;
  if (shown.startsWith('/')) return `file://${encoded}`;
  return encoded;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0 with the whole catalog as rule metadata. */
export function formatSarif(results: FileResult[], version: string, moreRules: readonly RuleMeta[] = []): string {
  const metas = [...RULES.map((r) => r.meta), ...moreRules];
  const index = new Map(metas.map((m, i) => [m.id, i]));
  const uris = results.map((r) => pathUri(r.path, r.rawPath));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'migplan',
            version,
            informationUri: REPOSITORY_URL,
            rules: metas.map((m) => ({
              id: m.id,
              name: m.id,
              shortDescription: { text: m.description },
              fullDescription: { text: m.rationale },
              helpUri: ruleDocUrl(m.id),
              help: { text: `${m.description} ${m.rationale}` },
              defaultConfiguration: { level: SARIF_LEVEL[m.severity] },
              properties: { fixable: m.fixable },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        artifacts: uris.map((uri) => ({ location: { uri } })),
        results: results.flatMap((r, artifactIndex) =>
          r.diagnostics.map((d) => ({
            ruleId: d.rule,
            ...(index.has(d.rule) ? { ruleIndex: index.get(d.rule) } : {}),
            level: SARIF_LEVEL[d.severity],
            message: { text: d.detail ? `${d.message} ${d.detail}` : d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: uris[artifactIndex], index: artifactIndex },
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
