import type { Rule } from '../linting/rule';
import { rule as yamlSyntax } from './yaml-syntax';
import { rule as schema } from './schema';
import { rule as contextMissing } from './context-missing';
import { rule as renameNeedsConsumers } from './rename-needs-consumers';
import { rule as phaseCriteria } from './phase-criteria';
import { rule as integrityCheck } from './integrity-check';
import { rule as rollbackTrigger } from './rollback-trigger';
import { rule as rollbackProcedure } from './rollback-procedure';
import { rule as pointOfNoReturn } from './point-of-no-return';
import { rule as missingDualWrite } from './missing-dual-write';
import { rule as missingPhase } from './missing-phase';
import { rule as phaseOrder } from './phase-order';
import { rule as additiveFirst } from './additive-first';
import { rule as backfillIdempotent } from './backfill-idempotent';
import { rule as backfillBatchSize } from './backfill-batch-size';
import { rule as backfillThrottle } from './backfill-throttle';
import { rule as cutoverRamp } from './cutover-ramp';
import { rule as cutoverShadowReads } from './cutover-shadow-reads';
import { rule as cutoverSoak } from './cutover-soak';
import { rule as cutoverLatency } from './cutover-latency';
import { rule as verificationSignOff } from './verification-sign-off';
import { rule as consumersCataloged } from './consumers-cataloged';
import { rule as cleanupGracePeriod } from './cleanup-grace-period';
import { rule as durationEstimate } from './duration-estimate';
import { rule as backupRestore } from './backup-restore';
import { rule as baselineLatency } from './baseline-latency';
import { rule as duplicateId } from './duplicate-id';
import { rule as ignoreReason } from './ignore-reason';
import { rule as unusedIgnore } from './unused-ignore';
import { rule as placeholder } from './placeholder';
import { rule as implausibleValue } from './implausible-value';
import { rule as triggerThreshold } from './trigger-threshold';
import { rule as backfillKeyRange } from './backfill-key-range';
import { rule as sqlSyntax } from './sql-syntax';
import { rule as sqlFolded } from './sql-folded';
import { rule as sqlIrreversible } from './sql-irreversible';
import { rule as sqlBlocking } from './sql-blocking';
import { rule as sqlLockTimeout } from './sql-lock-timeout';
import { rule as sqlRollbackMissing } from './sql-rollback-missing';
import { rule as sqlUnknownName } from './sql-unknown-name';
import { rule as sqlUpsert } from './sql-upsert';
import { rule as sqlSchemaChanges } from './sql-schema-changes';

/** The rule catalog, in the spec's order. Every file in this folder is registered here (a test checks it). */
export const RULES: readonly Rule[] = [
  yamlSyntax,
  schema,
  placeholder,
  implausibleValue,
  contextMissing,
  renameNeedsConsumers,
  phaseCriteria,
  integrityCheck,
  rollbackTrigger,
  triggerThreshold,
  rollbackProcedure,
  pointOfNoReturn,
  missingDualWrite,
  missingPhase,
  phaseOrder,
  additiveFirst,
  backfillIdempotent,
  backfillKeyRange,
  backfillBatchSize,
  backfillThrottle,
  cutoverRamp,
  cutoverShadowReads,
  cutoverSoak,
  cutoverLatency,
  verificationSignOff,
  consumersCataloged,
  cleanupGracePeriod,
  durationEstimate,
  backupRestore,
  baselineLatency,
  duplicateId,
  sqlSyntax,
  sqlFolded,
  sqlIrreversible,
  sqlBlocking,
  sqlLockTimeout,
  sqlRollbackMissing,
  sqlUnknownName,
  sqlUpsert,
  sqlSchemaChanges,
  ignoreReason,
  unusedIgnore,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
