/**
 * Writes the rule catalog into the two places that list it for editors: the
 * `migplan.rules` setting of package.json and the `rules` of
 * schemas/migplanrc.schema.json (ids in catalog order, each described from its
 * rule's metadata). `npm run docs` runs it; test/snippets.test.ts and
 * test/schema.test.ts fail when a rule is missing from either.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../server/src/service/rules';

const ROOT = path.resolve(__dirname, '..', '..');
const LEVELS = ['error', 'warning', 'info', 'off'];

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

type Json = Record<string, unknown>;

export function updateRuleSettings(): void {
  const pkgFile = path.join(ROOT, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as Json;
  const setting = ((pkg.contributes as Json).configuration as { properties: Record<string, Json> }).properties['migplan.rules'];
  setting.propertyNames = { enum: RULES.map((r) => r.meta.id) };
  setting.properties = Object.fromEntries(
    RULES.map((r) => [r.meta.id, { type: 'string', enum: LEVELS, markdownDescription: `${r.meta.description} Default: \`${r.meta.severity}\`.` }]),
  );
  writeJson(pkgFile, pkg);

  const rcFile = path.join(ROOT, 'schemas', 'migplanrc.schema.json');
  const rc = JSON.parse(fs.readFileSync(rcFile, 'utf8')) as { properties: { rules: Json } };
  const rules = rc.properties.rules;
  rules.propertyNames = { enum: RULES.map((r) => r.meta.id) };
  rules.properties = Object.fromEntries(
    RULES.map((r) => {
      const { id, severity, description } = r.meta;
      const plain = description.replace(/`/g, '');
      const example = severity === 'error' ? 'warning' : 'off';
      return [
        id,
        {
          type: 'string',
          enum: LEVELS,
          description: `Severity of '${id}' (default ${severity}): ${plain}`,
          markdownDescription: `Severity of \`${id}\` (default \`${severity}\`). ${description}\n\nOne of \`error\`, \`warning\`, \`info\`, or \`off\` to turn the rule off.\n\n\`\`\`json\n"${id}": "${example}"\n\`\`\``,
        },
      ];
    }),
  );
  writeJson(rcFile, rc);
}

if (require.main === module) updateRuleSettings();
