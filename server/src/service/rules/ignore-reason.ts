import { defineRule } from '../linting/rule';

/** Reported by the engine's suppression pass (suppress.ts, lint.ts); this file carries the metadata. */
export const rule = defineRule({
  meta: {
    id: 'ignore-reason',
    severity: 'warning',
    description: 'A `# migplan-ignore` comment has no `-- reason`, or its reason is a placeholder (`TODO`, `?`, `n/a`…), so it silences nothing.',
    rationale:
      'Skipping a safeguard of the method is sometimes right, but the next reader (often during an incident) needs to know why. A suppression without a reason is a finding nobody can review, so it does not take effect until a real reason is written. ' +
      'No quick fix writes one: a reason only the author can give is not one a tool can make up.',
    fixable: false,
  },
  check() {
    // Found while applying suppressions, after every other rule has run.
  },
});
