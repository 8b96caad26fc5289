/**
 * The JSON Schemas of the format, compiled once, lazily. This is the only
 * module that uses ajv: it can be swapped for ajv's standalone precompiled
 * validators without touching the rules.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import planSchemaJson from '../../../schemas/migplan.schema.json';
import configSchemaJson from '../../../schemas/migplanrc.schema.json';

export type SchemaError = ErrorObject;
export type { ValidateFunction };

/** The plan schema as data (for messages, suggestions and completion). */
export const PLAN_SCHEMA: JsonSchema = planSchemaJson as JsonSchema;
/** The `.migplanrc.json` schema as data. */
export const CONFIG_SCHEMA: JsonSchema = configSchemaJson as JsonSchema;

/** The subset of JSON Schema (draft-07) the format's schemas use, plus the editor annotations. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  markdownDescription?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  examples?: unknown[];
  properties?: Record<string, JsonSchema | boolean>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  if?: JsonSchema;
  then?: JsonSchema;
  defaultSnippets?: Array<{ label: string; description?: string; body: unknown }>;
}

/** Non-standard keywords the schemas carry for editors (VS Code, yaml-language-server). */
const EDITOR_KEYWORDS = ['markdownDescription', 'defaultSnippets'] as const;

let ajv: Ajv | undefined;
let planValidator: ValidateFunction | undefined;
let configValidator: ValidateFunction | undefined;

function instance(): Ajv {
  if (!ajv) {
    // strict: unknown keywords, ignored keywords and type mistakes in the schemas are errors.
    // allowUnionTypes: `from`/`to` of a change are a string or a list (`type: [string, array]`).
    ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const keyword of EDITOR_KEYWORDS) ajv.addKeyword({ keyword, metaSchema: keyword === 'markdownDescription' ? { type: 'string' } : { type: 'array' } });
  }
  return ajv;
}

/** The validator of a plan (`*.migplan.yaml` as plain data). */
export function getPlanValidator(): ValidateFunction {
  planValidator ??= instance().compile(PLAN_SCHEMA);
  return planValidator;
}

/** The validator of `.migplanrc.json`. */
export function getConfigValidator(): ValidateFunction {
  configValidator ??= instance().compile(CONFIG_SCHEMA);
  return configValidator;
}
