import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES_BY_ID } from './service/rules';
import type { LintConfig, SeveritySetting } from './service/types';
import { parseDuration } from './service/parsing/values';

export const CONFIG_FILE = '.migplanrc.json';
const SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'info', 'off'];

export class ConfigError extends Error {}

/** The nearest `.migplanrc.json` in `dir` or above it. */
export function findConfigFile(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    const f = path.join(d, CONFIG_FILE);
    if (fs.existsSync(f)) return f;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** Checks a parsed config object; throws ConfigError naming the first problem. */
export function validateConfig(value: unknown, where: string): LintConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where}: must be a JSON object like {"rules": {"cutover-soak": "off"}}`);
  for (const key of Object.keys(value)) {
    if (key !== 'rules' && key !== '$schema' && key !== 'maxRestoreTestAge') throw new ConfigError(`${where}: unknown key '${key}' (expected "rules" or "maxRestoreTestAge")`);
  }
  const age = (value as { maxRestoreTestAge?: unknown }).maxRestoreTestAge;
  if (age !== undefined && (typeof age !== 'string' || parseDuration(age) === undefined || parseDuration(age) === 0)) {
    throw new ConfigError(`${where}: "maxRestoreTestAge" must be a duration such as "180d", not ${JSON.stringify(age)}`);
  }
  const settings: LintConfig = age !== undefined ? { maxRestoreTestAge: age as string } : {};
  const rules = (value as { rules?: unknown }).rules;
  if (rules === undefined) return settings;
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw new ConfigError(`${where}: "rules" must be an object mapping rule ids to error, warning, info or off`);
  const out: Record<string, SeveritySetting> = {};
  for (const [id, sev] of Object.entries(rules)) {
    if (!RULES_BY_ID.has(id)) throw new ConfigError(`${where}: unknown rule '${id}'`);
    if (typeof sev !== 'string' || !SETTINGS.includes(sev as SeveritySetting)) throw new ConfigError(`${where}: rule '${id}' must be one of ${SETTINGS.join(', ')}, not ${JSON.stringify(sev)}`);
    out[id] = sev as SeveritySetting;
  }
  return { ...settings, rules: out };
}

/** Reads and checks a config file; throws ConfigError with a one-line message. */
export function loadConfigFile(file: string): LintConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON (${(err as Error).message})`);
  }
  return validateConfig(value, file);
}

/** Merges configs: later ones win per rule and per setting. */
export function mergeConfigs(...configs: Array<LintConfig | undefined>): LintConfig {
  const rules: Record<string, SeveritySetting> = {};
  const out: LintConfig = { rules };
  for (const c of configs) {
    Object.assign(rules, c?.rules ?? {});
    if (c?.maxRestoreTestAge !== undefined) out.maxRestoreTestAge = c.maxRestoreTestAge;
    if (c?.today !== undefined) out.today = c.today;
  }
  return out;
}

/**
 * The day dates are judged against, from the environment (MIGPLAN_TODAY,
 * `YYYY-MM-DD`), for reproducible runs such as tests and CI; undefined: today.
 */
export function todayFromEnv(env: NodeJS.ProcessEnv = process.env): LintConfig {
  const t = env.MIGPLAN_TODAY?.trim();
  return t && /^\d{4}-\d{2}-\d{2}$/.test(t) ? { today: t } : {};
}
