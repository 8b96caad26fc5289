/**
 * The findings of a rehearsal: rule ids, severities and documentation, as the
 * lint rules have theirs (docs/rules.md lists them beside the rules). They
 * need a database, so they are not lint rules: `migplan rehearse` and the
 * editor's Rehearse command report them.
 */
import type { RuleMeta } from '../service/types';

export type RehearseRule =
  | 'rehearse-sql'
  | 'rehearse-check-failed'
  | 'rehearse-check-blind'
  | 'rehearse-not-idempotent'
  | 'rehearse-not-restartable'
  | 'rehearse-backfill-stalls'
  | 'rehearse-rollback'
  | 'rehearse-target-schema'
  | 'rehearse-rewrite'
  | 'rehearse-seed';

export const REHEARSE_RULES: Record<RehearseRule, RuleMeta> = {
  'rehearse-sql': {
    id: 'rehearse-sql',
    severity: 'error',
    description: 'A statement of the plan failed on PostgreSQL (the server\'s message, at its position).',
    rationale: 'SQL that parses can still fail: a type that does not match, a column that a previous phase dropped, a lock it could not get. The rehearsal runs it in order, as production would.',
    fixable: false,
  },
  'rehearse-check-failed': {
    id: 'rehearse-check-failed',
    severity: 'error',
    description: 'A check\'s expect did not hold on its query\'s row after the phase ran.',
    rationale: 'A check that fails in rehearsal will fail in production: the phase does not do what its exit criteria say.',
    fixable: false,
  },
  'rehearse-check-blind': {
    id: 'rehearse-check-blind',
    severity: 'error',
    description: 'The phase\'s checks still passed with a wrong value injected in a new column (or a row removed from the written table).',
    rationale: 'A check that cannot fail certifies nothing. Checks at every phase boundary are only worth having if a corrupted row makes one of them fail.',
    fixable: false,
  },
  'rehearse-not-idempotent': {
    id: 'rehearse-not-idempotent',
    severity: 'error',
    description: 'Running every backfill batch again changed the written table, or failed.',
    rationale: 'Batches are retried after timeouts and deploys: a backfill that is not idempotent corrupts data when it is retried.',
    fixable: false,
  },
  'rehearse-not-restartable': {
    id: 'rehearse-not-restartable',
    severity: 'error',
    description: 'A backfill stopped after a random batch and started again from the first gave another result than an uninterrupted run.',
    rationale: 'A backfill of hours will be interrupted; restarting it must give the same data.',
    fixable: false,
  },
  'rehearse-backfill-stalls': {
    id: 'rehearse-backfill-stalls',
    severity: 'error',
    description: 'An upsert without batch bounds still changed rows after twice the runs the rows need.',
    rationale: 'A backfill that never reaches zero changed rows never ends.',
    fixable: false,
  },
  'rehearse-rollback': {
    id: 'rehearse-rollback',
    severity: 'error',
    description: 'The rollback_sql failed, left the catalog unlike before the phase, or changed the original columns\' data.',
    rationale: 'A rollback is tested, not written: the one you need at 3 a.m. must put back what the phase changed without losing data.',
    fixable: false,
  },
  'rehearse-target-schema': {
    id: 'rehearse-target-schema',
    severity: 'error',
    description: 'After the last phase, the catalog differs from target_schema.',
    rationale: 'The plan must end where it says it ends: a column left behind, an index never built or a constraint missing is found here, not in production.',
    fixable: false,
  },
  'rehearse-rewrite': {
    id: 'rehearse-rewrite',
    severity: 'warning',
    description: 'A statement rewrote or scanned a table under a lock that blocks writes (with the rehearsed and extrapolated time).',
    rationale: 'Writes wait for the whole rewrite: at production volume that is downtime. The measured time, scaled to the declared rows, says how much.',
    fixable: false,
  },
  'rehearse-seed': {
    id: 'rehearse-seed',
    severity: 'error',
    description: 'The rehearsal data could not be made: the seed failed, or rows for a table could not be generated from its DDL.',
    rationale: 'Without data, nothing about the backfill, the checks or the rollbacks is proven.',
    fixable: false,
  },
};
