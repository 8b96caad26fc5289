/**
 * The value forms of the format (durations, percentages, sizes, release
 * spans, conditions). The JSON Schema's patterns are built from the same
 * sources (see PATTERNS) so the schema and the rules agree on what parses.
 */

const NUM = '\\d+(?:\\.\\d+)?';
const DURATION_UNITS = ['ms', 's', 'm', 'h', 'd', 'w'] as const;
const SIZE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'KB', 'MB', 'GB', 'TB', 'B'] as const;

export const PATTERNS = {
  duration: `^${NUM}(?:ms|s|m|h|d|w)$`,
  percentage: `^${NUM}%$`,
  size: `^${NUM}(?:${SIZE_UNITS.join('|')})$`,
  releaseSpan: '^\\d+ releases?$',
  date: '^\\d{4}-\\d{2}-\\d{2}(?:[Tt ][0-9:.]+(?:[Zz]|[+-]\\d{2}:?\\d{2})?)?$',
  phaseId: '^[a-z0-9][a-z0-9-]*$',
} as const;

const MS: Record<(typeof DURATION_UNITS)[number], number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SIZE_BYTES: Record<(typeof SIZE_UNITS)[number], number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

const DURATION_RE = new RegExp(`^(${NUM})(ms|s|m|h|d|w)$`);
const PERCENT_RE = new RegExp(`^(${NUM})%$`);
const SIZE_RE = new RegExp(`^(${NUM})(${SIZE_UNITS.join('|')})$`);
const RELEASES_RE = /^(\d+) releases?$/;

/** Milliseconds of a duration such as `24h`, or undefined. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION_RE.exec(s.trim());
  return m ? Number(m[1]) * MS[m[2] as keyof typeof MS] : undefined;
}

/** The number of a percentage such as `10%`, or undefined. */
export function parsePercentage(s: string): number | undefined {
  const m = PERCENT_RE.exec(s.trim());
  return m ? Number(m[1]) : undefined;
}

/** Bytes of a size such as `21GiB`, or undefined. */
export function parseSize(s: string): number | undefined {
  const m = SIZE_RE.exec(s.trim());
  return m ? Number(m[1]) * SIZE_BYTES[m[2] as keyof typeof SIZE_BYTES] : undefined;
}

/** The count of a release span such as `2 releases`, or undefined. */
export function parseReleases(s: string): number | undefined {
  const m = RELEASES_RE.exec(s.trim());
  return m ? Number(m[1]) : undefined;
}

export const DAY_MS = MS.d;
export const HOUR_MS = MS.h;

/** Human form of milliseconds: `1h 30m`, `45s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, secs] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= secs) {
      parts.push(`${Math.floor(rest / secs)}${unit}`);
      rest %= secs;
    }
  }
  return parts.slice(0, 2).join(' ');
}

// ---------------------------------------------------------------- conditions

export type Operator = '>' | '>=' | '<' | '<=' | '=' | '==' | '!=';

export interface ConditionValue {
  number: number;
  /** `%`, a duration or size unit, `x`, `rows`, or undefined. */
  unit?: string;
}

export interface Condition {
  metric: string;
  op: Operator;
  /** A numeric threshold, or undefined when compared with another metric. */
  value?: ConditionValue;
  /** The other metric, when the right side is one. */
  otherMetric?: string;
  ofBaseline: boolean;
  /** Milliseconds of the `for <duration>` clause. */
  forMs?: number;
}

const METRIC = '[a-z_][a-z0-9_.()]*';
const VALUE_UNITS = ['%', ...DURATION_UNITS, ...SIZE_UNITS, 'x', 'rows'];
// Longest first, so `ms` wins over `m` and `KiB` over `B`.
const UNIT_ALT = VALUE_UNITS.slice()
  .sort((a, b) => b.length - a.length)
  .join('|');
const CONDITION_RE = new RegExp(
  `^\\s*(${METRIC})\\s*(>=|<=|==|!=|>|<|=)\\s*` +
    `(?:(-?${NUM})(?: ?(${UNIT_ALT}))?|(${METRIC}))` +
    `(\\s+of\\s+baseline)?` +
    `(?:\\s+for\\s+(${NUM}(?:ms|s|m|h|d|w)))?\\s*$`,
);

/** The grammar a condition must follow, for messages. */
export const CONDITION_FORM = '<metric> <op> <value> [of baseline] [for <duration>]';

/** Parses `when`/`expect` conditions such as `replica_lag > 30s for 1m`. */
export function parseCondition(s: string): Condition | undefined {
  const m = CONDITION_RE.exec(s);
  if (!m) return undefined;
  const c: Condition = { metric: m[1], op: m[2] as Operator, ofBaseline: m[6] !== undefined };
  if (m[3] !== undefined) c.value = m[4] !== undefined ? { number: Number(m[3]), unit: m[4] } : { number: Number(m[3]) };
  else c.otherMetric = m[5];
  if (m[7] !== undefined) c.forMs = parseDuration(m[7]);
  return c;
}

/** Milliseconds of a condition's threshold when it is a duration (unitless counts as seconds). */
export function conditionDurationMs(c: Condition): number | undefined {
  if (!c.value) return undefined;
  const { number, unit } = c.value;
  if (unit === undefined) return number * 1000;
  return unit in MS ? number * MS[unit as keyof typeof MS] : undefined;
}
