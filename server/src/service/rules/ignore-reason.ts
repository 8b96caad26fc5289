import { defineRule } from '../rule';

/** Reported by the engine's suppression pass (suppress.ts, lint.ts); this file carries the metadata. */
export const rule = defineRule({
  meta: {
    id: 'ignore-reason',
    severity: 'warning',
    description: 'A `# migplan-ignore` comment has no `-- reason`, so it silences nothing.',
    rationale:
      'Skipping a safeguard of the method is sometimes right, but the next reader (often during an incident) needs to know why. A suppression without a reason is a finding nobody can review, so it does not take effect until a reason is written.',
    fixable: true,
  },
  check() {
    // Found while applying suppressions, after every other rule has run.
  },
});
