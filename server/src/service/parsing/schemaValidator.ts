/**
 * The JSON Schemas of the format and their validators. The validators are
 * precompiled at build time (scripts/gen-validators.mjs, ajv standalone), so
 * nothing compiles a schema at start-up and ajv's compiler is not loaded.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as planValidate } from '../generated/planValidator';
import { validate as configValidate } from '../generated/configValidator';
import planSchemaJson from '../../../../schemas/migplan.schema.json';
import configSchemaJson from '../../../../schemas/migplanrc.schema.json';

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

/** The validator of a plan (`*.migplan.yaml` as plain data). */
export function getPlanValidator(): ValidateFunction {
  return planValidate as ValidateFunction;
}

/** The validator of `.migplanrc.json`. */
export function getConfigValidator(): ValidateFunction {
  return configValidate as ValidateFunction;
}
