/**
 * What a statement does to the tables it names, read from PostgreSQL's parse
 * tree: drops, renames, type changes, row deletions, index builds, constraint
 * additions, and the lock each takes (PostgreSQL's documented lock levels,
 * https://www.postgresql.org/docs/current/explicit-locking.html).
 */
import { tooDeep } from './parser';

/** The lock levels, weakest to strongest. */
export const LOCKS = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'] as const;
export type Lock = (typeof LOCKS)[number];

export type OperationKind =
  | 'drop-table'
  | 'rename-table'
  | 'drop-column'
  | 'rename-column'
  | 'alter-column-type'
  | 'drop-constraint'
  | 'rename-constraint'
  | 'truncate'
  | 'delete'
  | 'create-index'
  | 'drop-index'
  | 'add-column'
  | 'set-not-null'
  | 'add-foreign-key'
  | 'add-check'
  | 'add-unique'
  | 'validate-constraint'
  | 'vacuum-full'
  | 'cluster'
  | 'set-lock-timeout'
  | 'other-alter';

export interface Operation {
  kind: OperationKind;
  /** The table it acts on (lower case, `public.` taken off), when there is one. */
  table?: string;
  column?: string;
  /** A constraint's or an index's name. */
  name?: string;
  /** The lock it takes on `table`. */
  lock: Lock;
  /** Whether it reads or rewrites every row under that lock (a scan or a rewrite of the table). */
  scansTable: boolean;
  /** Byte offset (in the SQL text) of what to point at: the table's name, or the command. */
  location?: number;
  /** create-index, drop-index: CONCURRENTLY. */
  concurrent?: boolean;
  /** add-foreign-key, add-check: NOT VALID. */
  notValid?: boolean;
  /** add-check: the one column it makes NOT NULL (`CHECK (c IS NOT NULL)`). */
  notNullOf?: string;
  /** add-column: its DEFAULT calls a volatile function (a rewrite in PostgreSQL 11 and later). */
  volatileDefault?: boolean;
  /** set-lock-timeout: the value. */
  value?: string;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The one key of a node `{ Kind: {...} }` and its body. */
export function nodeOf(v: unknown): { kind: string; body: Json } | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const body = obj(o[keys[0]]);
  return body ? { kind: keys[0], body } : undefined;
}

/** A RangeVar's name: `users`, `audit.events` (the `public` schema taken off). */
export function relationName(rv: unknown): string | undefined {
  const o = obj(nodeOf(rv)?.kind === 'RangeVar' ? nodeOf(rv)!.body : rv);
  const name = str(o?.relname);
  if (name === undefined) return undefined;
  const schema = str(o?.schemaname);
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

function locationOf(v: unknown): number | undefined {
  const o = obj(nodeOf(v)?.body ?? v);
  return typeof o?.location === 'number' ? o.location : undefined;
}

/** The names of a qualified name list (`[{String: {sval: 'a'}}, …]`), joined with `.`. */
function qualified(list: unknown): string | undefined {
  const parts = arr(list).map((x) => str(obj(nodeOf(x)?.body)?.sval));
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  const names = parts as string[];
  return names[0] === 'public' && names.length > 1 ? names.slice(1).join('.') : names.join('.');
}

/** Functions whose value changes from row to row (a DEFAULT calling one rewrites the table). */
const VOLATILE = new Set(['random', 'gen_random_uuid', 'uuid_generate_v4', 'uuid_generate_v1', 'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'uuidv7']);

/** Whether an expression calls a volatile function. */
function callsVolatile(expr: unknown): boolean {
  let found = false;
  const walk = (v: unknown): void => {
    if (found || v === null || typeof v !== 'object') return;
    const n = nodeOf(v);
    if (n?.kind === 'FuncCall') {
      const name = qualified(n.body.funcname)?.split('.').pop();
      if (name && VOLATILE.has(name)) found = true;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v as Json)) walk(x);
  };
  walk(expr);
  return found;
}

/** The column a `CHECK (c IS NOT NULL)` is about. */
function notNullColumn(expr: unknown): string | undefined {
  const n = nodeOf(expr);
  if (n?.kind !== 'NullTest' || n.body.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const ref = nodeOf(n.body.arg);
  if (ref?.kind !== 'ColumnRef') return undefined;
  const fields = arr(ref.body.fields).map((f) => str(obj(nodeOf(f)?.body)?.sval));
  return fields.length === 1 ? fields[0] : undefined;
}

/** Operations by statement node: parses are cached, so a plan linted again asks for the same nodes. */
const opsCache = new WeakMap<object, Operation[]>();

/** The operations of one statement (`stmts[i].stmt`). */
export function operationsOf(stmt: unknown): Operation[] {
  if (typeof stmt !== 'object' || stmt === null || tooDeep(stmt)) return [];
  let ops = opsCache.get(stmt);
  if (!ops) opsCache.set(stmt, (ops = computeOperations(stmt)));
  return ops;
}

function computeOperations(stmt: unknown): Operation[] {
  const n = nodeOf(stmt);
  if (!n) return [];
  const b = n.body;
  switch (n.kind) {
    case 'AlterTableStmt': {
      if (b.objtype !== 'OBJECT_TABLE') return [];
      const table = relationName(b.relation);
      const at = locationOf(b.relation);
      return arr(b.cmds).flatMap((c): Operation[] => {
        const cmd = obj(nodeOf(c)?.body);
        if (!cmd) return [];
        const column = str(cmd.name);
        const base = { table, location: at };
        switch (cmd.subtype) {
          case 'AT_DropColumn':
            return [{ ...base, kind: 'drop-column', column, lock: 'AccessExclusiveLock', scansTable: false }];
          case 'AT_AlterColumnType':
            return [{ ...base, kind: 'alter-column-type', column, lock: 'AccessExclusiveLock', scansTable: true }];
          case 'AT_DropConstraint':
            return [{ ...base, kind: 'drop-constraint', name: column, lock: 'AccessExclusiveLock', scansTable: false }];
          case 'AT_SetNotNull':
            return [{ ...base, kind: 'set-not-null', column, lock: 'AccessExclusiveLock', scansTable: true }];
          case 'AT_ValidateConstraint':
            return [{ ...base, kind: 'validate-constraint', name: column, lock: 'ShareUpdateExclusiveLock', scansTable: true }];
          case 'AT_AddColumn': {
            const def = obj(nodeOf(cmd.def)?.body);
            const defaults = arr(def?.constraints).map((x) => obj(nodeOf(x)?.body)).filter((x) => x?.contype === 'CONSTR_DEFAULT');
            const volatileDefault = defaults.some((d) => callsVolatile(d?.raw_expr));
            return [{ ...base, kind: 'add-column', column: str(def?.colname), lock: 'AccessExclusiveLock', scansTable: volatileDefault, volatileDefault }];
          }
          case 'AT_AddConstraint': {
            const con = obj(nodeOf(cmd.def)?.body);
            const notValid = con?.skip_validation === true;
            const name = str(con?.conname);
            if (con?.contype === 'CONSTR_FOREIGN') return [{ ...base, kind: 'add-foreign-key', name, notValid, lock: 'ShareRowExclusiveLock', scansTable: !notValid }];
            if (con?.contype === 'CONSTR_CHECK') {
              const notNullOf = notNullColumn(con.raw_expr);
              return [{ ...base, kind: 'add-check', name, notValid, lock: 'AccessExclusiveLock', scansTable: !notValid, ...(notNullOf ? { notNullOf } : {}) }];
            }
            if (con?.contype === 'CONSTR_UNIQUE' || con?.contype === 'CONSTR_PRIMARY') {
              // USING INDEX takes over a built index: no scan.
              const usingIndex = str(con.indexname) !== undefined;
              return [{ ...base, kind: 'add-unique', name, lock: 'AccessExclusiveLock', scansTable: !usingIndex }];
            }
            return [{ ...base, kind: 'other-alter', lock: 'AccessExclusiveLock', scansTable: false }];
          }
          default:
            return [{ ...base, kind: 'other-alter', lock: 'AccessExclusiveLock', scansTable: false }];
        }
      });
    }
    case 'RenameStmt': {
      const table = relationName(b.relation);
      const location = locationOf(b.relation);
      if (b.renameType === 'OBJECT_TABLE') return [{ kind: 'rename-table', table, name: str(b.newname), location, lock: 'AccessExclusiveLock', scansTable: false }];
      if (b.renameType === 'OBJECT_COLUMN') return [{ kind: 'rename-column', table, column: str(b.subname), location, lock: 'AccessExclusiveLock', scansTable: false }];
      if (b.renameType === 'OBJECT_TABCONSTRAINT') return [{ kind: 'rename-constraint', table, name: str(b.subname), location, lock: 'AccessExclusiveLock', scansTable: false }];
      return [];
    }
    case 'DropStmt': {
      const names = arr(b.objects).map((o) => qualified(obj(nodeOf(o)?.body)?.items ?? (Array.isArray(o) ? o : undefined)));
      if (b.removeType === 'OBJECT_TABLE') return names.map((table): Operation => ({ kind: 'drop-table', table, lock: 'AccessExclusiveLock', scansTable: false }));
      if (b.removeType === 'OBJECT_INDEX') {
        const concurrent = b.concurrent === true;
        return names.map((name): Operation => ({ kind: 'drop-index', name, concurrent, lock: concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', scansTable: false }));
      }
      return [];
    }
    case 'TruncateStmt':
      return arr(b.relations).map((r): Operation => ({ kind: 'truncate', table: relationName(r), location: locationOf(r), lock: 'AccessExclusiveLock', scansTable: false }));
    case 'DeleteStmt':
      return [{ kind: 'delete', table: relationName(b.relation), location: locationOf(b.relation), lock: 'RowExclusiveLock', scansTable: false }];
    case 'IndexStmt': {
      const concurrent = b.concurrent === true;
      return [{ kind: 'create-index', table: relationName(b.relation), name: str(b.idxname), location: locationOf(b.relation), concurrent, lock: concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock', scansTable: true }];
    }
    case 'VacuumStmt': {
      const full = arr(b.options).some((o) => str(obj(nodeOf(o)?.body)?.defname) === 'full');
      if (!full || b.is_vacuumcmd !== true) return [];
      return arr(b.rels).map((r): Operation => {
        const rel = obj(nodeOf(r)?.body)?.relation;
        return { kind: 'vacuum-full', table: relationName(rel), location: locationOf(rel), lock: 'AccessExclusiveLock', scansTable: true };
      });
    }
    case 'ClusterStmt':
      return [{ kind: 'cluster', table: relationName(b.relation), location: locationOf(b.relation), lock: 'AccessExclusiveLock', scansTable: true }];
    case 'VariableSetStmt': {
      if (str(b.name) !== 'lock_timeout') return [];
      const arg = obj(nodeOf(arr(b.args)[0])?.body);
      const value = str(obj(arg?.sval)?.sval) ?? (typeof obj(arg?.ival)?.ival === 'number' ? String(obj(arg?.ival)?.ival) : undefined);
      return [{ kind: 'set-lock-timeout', lock: 'AccessShareLock', scansTable: false, ...(value !== undefined ? { value } : {}) }];
    }
    default:
      return [];
  }
}

/** What blocks what: an ACCESS EXCLUSIVE lock blocks reads and writes; SHARE and stronger block writes. */
export function blocks(lock: Lock): 'reads and writes' | 'writes' | undefined {
  if (lock === 'AccessExclusiveLock') return 'reads and writes';
  const i = LOCKS.indexOf(lock);
  return i >= LOCKS.indexOf('ShareLock') ? 'writes' : undefined;
}
