import { defineRule } from '../linting/rule';

/** Reported by the engine's suppression pass (suppress.ts, lint.ts); this file carries the metadata. */
export const rule = defineRule({
  meta: {
    id: 'unused-ignore',
    severity: 'warning',
    description:
      'A `# migplan-ignore` comment silences nothing: no diagnostic of its rule starts in the node below it, the rule does not exist, or the rule is `yaml-syntax` or `schema`, which cannot be ignored.',
    rationale:
      'Stale suppressions hide future problems: once the plan is fixed, a leftover ignore comment would silently swallow the next regression of the same rule in that node. Removing unused ones keeps every suppression deliberate.',
    fixable: true,
  },
  check() {
    // Found while applying suppressions, after every other rule has run.
  },
});
