/**
 * Helpers shared by the phase-kind rules (backfill-*, cutover-*,
 * verification-sign-off, cleanup-grace-period) and the assessment rules.
 */
import type { Edits, RawEdit, YValue } from './fixes';
import type { PNode } from '../parsing/node';
import type { Phase, PhaseKind, PlanDocument } from '../parsing/plan';
import { trimEndOffset } from '../parsing/text';
import type { Span } from '../types';
import { PATTERNS } from '../parsing/values';
import { missingRootKeySpan, rootKeyPlace } from './ruleHelpers';

const HEAD = ['id', 'kind', 'title', 'entry', 'steps', 'exit'];
const TAIL = ['checks', 'triggers', 'rollback'];

/** The kind-specific keys of each kind, in the order a plan writes them (as in the example plan). */
export const KIND_KEYS: Readonly<Record<PhaseKind, readonly string[]>> = {
  'dual-write': [],
  backfill: ['batch_size', 'throttle', 'idempotent', 'upsert', 'resume'],
  cutover: ['mode', 'flag', 'ramp', 'shadow_reads', 'soak', 'latency_budget'],
  verification: ['sign_off'],
  cleanup: ['grace_period'],
  custom: [],
};

/** How a cutover moves reads: `flag` (the default, also for a value the schema rejects), `swap` or `tool`. */
export type CutoverMode = 'flag' | 'swap' | 'tool';

export function cutoverMode(phase: Phase): CutoverMode {
  const m = phase.node.get('mode')?.str();
  return m === 'swap' || m === 'tool' ? m : 'flag';
}

/** The usual key order of a phase of a kind: common head, kind-specific keys, checks/triggers/rollback. */
function phaseKeyOrder(kind: PhaseKind | undefined): string[] {
  return [...HEAD, ...(kind ? KIND_KEYS[kind] : []), ...TAIL];
}

/**
 * Inserts `key: value` into a phase where a person would write it: after the
 * keys that usually precede it (the exit criteria, the kind's earlier keys),
 * else before checks/triggers/rollback.
 */
export function insertPhaseKey(edits: Edits, phase: Phase, key: string, value: YValue): RawEdit {
  const order = phaseKeyOrder(phase.kind);
  const i = order.indexOf(key);
  const after = i < 0 ? HEAD : order.slice(0, i);
  const before = i < 0 ? TAIL : order.slice(i + 1);
  return edits.insertEntry(phase.node, key, value, { after, before });
}

/** Replaces the value under `key` when the key is there, else inserts it at its place in the phase. */
export function setPhaseKey(edits: Edits, phase: Phase, key: string, value: YValue): RawEdit {
  const node = phase.node.get(key);
  return node ? edits.replaceValue(node, value) : insertPhaseKey(edits, phase, key, value);
}

/**
 * Joins insertions at the same offset into one edit, keeping their order.
 * (Two separate insertions at one position are applied in opposite orders by
 * LSP clients and by `applyRawEdits`; one edit reads the same everywhere.)
 */
export function mergeInsertions(list: RawEdit[]): RawEdit[] {
  const out: RawEdit[] = [];
  for (const e of list) {
    const same = e.span[0] === e.span[1] ? out.find((o) => o.span[0] === o.span[1] && o.span[0] === e.span[0]) : undefined;
    if (same) same.text += e.text;
    else out.push({ span: e.span, text: e.text });
  }
  return out;
}

/** The plan's `assessment` section, as the assessment rules see it. */
export type Assessment =
  /** No `assessment` key: report where it belongs (the key of the section it would follow). */
  | { state: 'absent'; span: Span }
  /** Present but not a mapping (null, a scalar, a list): the schema's to report. */
  | { state: 'invalid' }
  | { state: 'map'; node: PNode };

export function assessmentOf(plan: PlanDocument): Assessment {
  const root = plan.root;
  if (!root) return { state: 'invalid' };
  const a = root.get('assessment');
  if (a === undefined) return { state: 'absent', span: missingRootKeySpan(root, rootKeyPlace('assessment')) };
  return a.isMap ? { state: 'map', node: a } : { state: 'invalid' };
}

/**
 * Where `assessment.baseline` stands: its node when a mapping, the span for
 * a missing baseline (the assessment key, or without an assessment, where
 * it belongs), or undefined when an invalid value leaves it to the schema.
 */
export function baselineOf(plan: PlanDocument): { node?: PNode; missingAt?: Span; noAssessment?: boolean } | undefined {
  const a = assessmentOf(plan);
  if (a.state === 'invalid') return undefined;
  if (a.state === 'absent') return { missingAt: a.span, noAssessment: true };
  const b = a.node.get('baseline');
  if (b === undefined) return { missingAt: a.node.missingSpan };
  return b.isMap ? { node: b } : undefined;
}

const DURATION_RE = new RegExp(PATTERNS.duration);
const UNITS: Array<[string, number]> = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * A duration of the format (`30s`, `750ms`, `0.5ms`) no longer than `ms`, in
 * the largest unit that divides it; undefined when `ms` is not positive.
 */
export function durationText(ms: number): string | undefined {
  if (!(ms > 0) || !Number.isFinite(ms)) return undefined;
  for (const [unit, size] of UNITS) {
    if (ms >= size && Number.isInteger(ms / size)) return `${ms / size}${unit}`;
  }
  const thousandths = Math.floor(ms * 1000) / 1000;
  const text = `${thousandths}ms`;
  return thousandths > 0 && DURATION_RE.test(text) ? text : undefined;
}

/** `a`, `a and b`, `a, b, and c`. */
export function joinList(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

/** A node's report span without the trailing line break a block collection's range ends with. */
export function trimmedReportSpan(plan: PlanDocument, node: PNode): Span {
  const [s, e] = node.reportSpan;
  return [s, trimEndOffset(plan.text, s, e)];
}
