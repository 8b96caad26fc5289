/** Where each rule's documentation lives (generated from the rule's metadata into docs/rules/). */
export const RULE_DOCS_BASE = 'https://migplan.dev/docs/rules/';

/** The documentation page of a rule. */
export function ruleDocUrl(id: string): string {
  return `${RULE_DOCS_BASE}${id}`;
}
