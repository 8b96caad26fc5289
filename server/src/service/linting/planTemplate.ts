/**
 * The plan `migplan init` writes: every section of the method, laid out like
 * the example. It writes a value only where the method prescribes one (batch
 * 5000, throttle below the 30s lag trigger, ramp 1/10/50/100, soak 24h,
 * latency budget 10%, grace 2 releases, 0.1% error-rate and 30s lag
 * thresholds, the point of no return at cleanup); everything only the author
 * knows (names, schemas, measurements and their dates, downtime tolerance,
 * revert time, data-loss acceptability, the idempotency claim, who signs off)
 * is a `TODO` placeholder, and so is each check's query (a check nobody has
 * written the query for checks nothing yet). It is schema-valid, and
 * `migplan lint` reports exactly its placeholders: what is left to do.
 */
export const PLAN_TEMPLATE = `# A migration plan. Replace every TODO; \`migplan lint\` checks the rest.
migplan: 1
title: "TODO: what changes, in one line"
owner: "TODO: the data owner who signs off"
summary: >
  TODO: why this migration is needed.

context:
  engine: "TODO: storage engine and topology"
  current_schema: |
    TODO: tables, columns, relationships, indexes and constraints today
  target_schema: |
    TODO: the end state
  changes:
    - kind: rename-column
      table: TODO_table
      column: TODO_column
      to: TODO_new_column
  data_volume:
    - table: TODO_table
      rows: "TODO: row count today"
      size: "TODO: size today, such as 21GiB"
      growth: "TODO: growth per month"
  downtime:
    zero_downtime: "TODO: true or false, whether the service may go down"
  rollback_requirements:
    max_revert_time: "TODO: how fast a revert must be, such as 15m"
    data_loss_acceptable: "TODO: true or false"

consumers:
  - name: "TODO: service, job, report, ETL, cache, index, API or event"
    kind: service
    access: read-write
    tables: [TODO_table]
    migration_path: "TODO: how and when it moves to the new shape"

assessment:
  foreign_keys: "TODO: foreign-key dependencies and cascade behaviour"
  baseline:
    p50: "TODO: P50 latency measured on the affected tables, such as 3ms"
    p99: "TODO: P99 latency measured on the affected tables"
  duration_estimate:
    basis: "TODO: production or production-replica"
    duration: "TODO: how long a run on production-scale data took"
    measured_on: "TODO: the day it ran, YYYY-MM-DD"
  backup_restore_tested: "TODO: the day a restore was last tested, YYYY-MM-DD"

phases:
  - id: dual-write
    kind: dual-write
    entry:
      - "TODO: additive schema change deployed"
    steps:
      - "TODO: write both the old and the new shape on every write"
    exit:
      - "TODO: no divergence between old and new for 24h"
    checks:
      - name: divergent rows
        query: "TODO: the query that measures it"
        expect: divergent_rows = 0
    triggers:
      - when: dual_write_error_rate > 0.1% for 5m
        action: "TODO: disable the new write path"
    rollback: "TODO: how this phase is undone"

  - id: backfill
    kind: backfill
    entry:
      - Dual-write exit criteria met
    steps:
      - "TODO: copy existing rows in id-ordered batches"
    exit:
      - "TODO: every row has the new shape"
    batch_size: 5000
    throttle:
      max_replica_lag: 5s
    idempotent: "TODO: true once the upsert and the resume are safe to repeat"
    upsert: "TODO: the idempotent write, e.g. UPDATE ... WHERE new_column IS NULL"
    resume: "TODO: how a restart continues, e.g. from the last committed id"
    checks:
      - name: rows left
        query: "TODO: the query that measures it"
        expect: rows_left = 0
    triggers:
      - when: replica_lag > 30s for 1m
        action: Pause the backfill and halve the batch size
    rollback: "TODO: how this phase is undone"

  - id: cutover
    kind: cutover
    entry:
      - Backfill exit criteria met
    steps:
      - "TODO: move reads to the new shape at each ramp stage"
    exit:
      - 100% of reads on the new shape for the whole soak period
    flag: "TODO_flag_name"
    ramp: [1, 10, 50, 100]
    shadow_reads: true
    soak: 24h
    latency_budget: 10%
    checks:
      - name: read latency
        query: "TODO: the query that measures it"
        expect: p99 <= 110% of baseline
    triggers:
      - when: read_error_rate > 0.1% for 5m
        action: Set the flag back to 0%
    rollback: Set the flag back to 0%.

  - id: verification
    kind: verification
    entry:
      - Soak period finished with no trigger fired
    steps:
      - "TODO: compare old and new, re-run every consumer and diff its output"
    exit:
      - Sign-off recorded from the data owner
    sign_off: "TODO: the data owner"
    checks:
      - name: checksums
        query: "TODO: the query that measures it"
        expect: checksum(old) = checksum(new)
    triggers:
      - when: consumer_diff_rows > 0
        action: Hold cleanup and route reads back through the flag
    rollback: Route reads back through the flag; nothing has been dropped yet.

  - id: cleanup
    kind: cleanup
    entry:
      - Verification signed off
    steps:
      - "TODO: remove dual-write code, the flag, and the old shape"
    exit:
      - "TODO: old shape gone; no errors in 48h"
    grace_period: 2 releases
    checks:
      - name: old shape gone
        query: "TODO: the query that measures it"
        expect: queries_on_old_column = 0
    triggers:
      - when: error_rate > 0.1% for 5m
        action: Restore from the pre-cleanup backup
    rollback: Restore from the pre-cleanup backup. This is past the point of no return.

point_of_no_return: cleanup
`;
