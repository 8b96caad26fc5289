/**
 * Where each rule's documentation lives: docs/rules/<id>.md, generated from
 * the rule's metadata (`npm run docs`), in the repository (package.json's
 * `repository`) and in the VS Code package. The CLI, SARIF and the language
 * server link to the repository's file; the VS Code client turns those links
 * into the packaged page shown in the Markdown preview.
 */

/** The repository, as package.json's `repository.url` names it (without `.git`); a test holds the two equal. */
export const REPOSITORY_URL = 'https://github.com/migplan/migplan';

/** The folder of the rule pages in the repository, as a web address (a rule's page is `<base><id>.md`). */
export const RULE_DOCS_BASE = `${REPOSITORY_URL}/blob/main/docs/rules/`;

/** The documentation page of a rule: the repository's file at its path. */
export function ruleDocUrl(id: string): string {
  return `${RULE_DOCS_BASE}${id}.md`;
}

/** The rule id of a link made by ruleDocUrl; undefined for any other link. */
export function ruleOfDocUrl(url: string): string | undefined {
  if (!url.startsWith(RULE_DOCS_BASE)) return undefined;
  const m = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/.exec(url.slice(RULE_DOCS_BASE.length));
  return m?.[1];
}
