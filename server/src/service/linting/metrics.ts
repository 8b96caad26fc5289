/**
 * What a condition's metric measures, read from the words of its name
 * (`replication_lag`, `seconds_behind_master`, `dual_write_error_rate`,
 * `p99_latency`), not one spelling; and the method's thresholds for them.
 */
import type { PNode } from '../parsing/node';
import { conditionDurationMs, parseCondition, type Condition } from '../parsing/values';

/** The method's rollback thresholds. */
export const METHOD_ERROR_RATE_PERCENT = 0.1;
export const METHOD_LAG_MS = 30_000;
/** The latency budget when a plan states none: P99 may rise 10% over baseline. */
export const METHOD_LATENCY_BUDGET_PERCENT = 10;

/** The words of a metric name: `replica_lag_seconds` → replica, lag, seconds. */
export function metricWords(metric: string): string[] {
  return metric.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

/** Lag of something that is not a database replica (a queue, a stream consumer). */
const NOT_REPLICA = new Set(['consumer', 'kafka', 'queue', 'event', 'events', 'stream', 'cdc', 'etl', 'job', 'jobs', 'cache']);

/** Replication lag, however it is spelt: replica_lag, replication_lag, repl_lag, slave_lag, seconds_behind_master, replay_delay. */
export function isLagMetric(metric: string): boolean {
  const words = metricWords(metric);
  if (words.some((w) => NOT_REPLICA.has(w))) return false;
  if (words.includes('lag')) return true;
  const joined = words.join('_');
  if (/seconds_behind_(master|source|primary)/.test(joined)) return true;
  return words.includes('delay') && words.some((w) => /^(replica|replicas|replication|repl|slave|standby|replay|apply|wal)$/.test(w));
}

/** A share of failing requests or writes: error_rate, dual_write_error_rate, write_failure_rate, http_5xx_rate. */
export function isErrorRateMetric(c: Condition): boolean {
  if (c.value?.unit !== '%' || c.ofBaseline) return false;
  return metricWords(c.metric).some((w) => /^(error|errors|err|failure|failures|failed|fail|5xx|exceptions?)$/.test(w));
}

/** A P99 latency: p99, p99_latency, read_latency_p99 (other percentiles are not the budget's). */
export function isP99Metric(metric: string): boolean {
  const words = metricWords(metric);
  if (words.some((w) => /^p(50|75|90|95|999)$/.test(w) || w === 'median' || w === 'avg' || w === 'mean')) return false;
  return words.includes('p99') || words.includes('latency');
}

/** A replica-lag trigger of a phase: its node, text and threshold. */
export interface LagTrigger {
  when: PNode;
  text: string;
  ms: number;
}

/** A phase's replica-lag triggers with a duration threshold (`for` clauses and `of baseline` aside). */
export function lagTriggers(phase: PNode): LagTrigger[] {
  const out: LagTrigger[] = [];
  for (const t of phase.get('triggers')?.items() ?? []) {
    const when = t.get('when');
    const text = when?.str();
    if (!when || text === undefined) continue;
    const c = parseCondition(text);
    if (!c || !isLagMetric(c.metric) || c.ofBaseline || (c.op !== '>' && c.op !== '>=')) continue;
    const ms = conditionDurationMs(c);
    if (ms !== undefined) out.push({ when, text, ms });
  }
  return out;
}

/** Whether a phase has a trigger on replica lag (whatever its threshold's form). */
export function hasLagTrigger(phase: PNode): boolean {
  for (const t of phase.get('triggers')?.items() ?? []) {
    const text = t.get('when')?.str();
    const c = text === undefined ? undefined : parseCondition(text);
    if (c && isLagMetric(c.metric)) return true;
  }
  return false;
}
