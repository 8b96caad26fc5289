/**
 * migplan's custom LSP messages, shared by the server and the VS Code client.
 * Plain types only (no transport imports), so both sides can import this file.
 */
import type { PlanTreeNodeKind, PlanTreeNodeSpans } from './service/features/planTree';
import type { Range } from './service/types';

/** Request: the phase tree of a plan, for the tree view. */
export const PLAN_TREE_REQUEST = 'migplan/planTree';
/** Request: the plan rendered as Markdown, for the preview and "Export as Markdown". */
export const RENDER_REQUEST = 'migplan/render';
/** Notification (server → client): a plan was re-analysed; tree and preview may refresh. */
export const PLAN_CHANGED_NOTIFICATION = 'migplan/planChanged';

/** Request (no params): the server process's id and version, for tests and bug reports. */
export const SERVER_INFO_REQUEST = 'migplan/serverInfo';

/**
 * The server's memory (process.memoryUsage()), after a full garbage
 * collection when the process runs with --expose-gc (the leak benchmark
 * starts it so; otherwise `collected` is false).
 */
export const MEMORY_REQUEST = 'migplan/memory';

export interface MemoryResult {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  collected: boolean;
}

export interface ServerInfoResult {
  pid: number;
  version: string;
  /** The Node options the server process runs with. */
  execArgv: string[];
  /**
   * What became of the V8 code cache when the `migplan-language-server`
   * command loaded the bundle ('accepted', 'rejected', 'stale', 'absent'), or
   * 'not used' when the bundle was started directly (as the VS Code client does).
   */
  codeCache: string;
}

/**
 * Node options the server is started with, by the VS Code client and by the
 * `migplan-language-server` command's shebang (a test keeps the two equal).
 * They bound the V8 heap's growth: a 2 MiB young generation (the default
 * grows to 16 MiB per semi-space under a parser's allocation rate) and a
 * heap that grows 20% past what is live before the next full collection.
 * On a 3,000-line plan this takes the server's peak RSS from ~115 to ~90 MiB
 * and on a 30,000-line plan from ~245 to ~115 MiB, for a few ms more per edit
 * (see README, Performance).
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2', '--heap-growing-percent=20'];

export interface PlanUriParams {
  uri: string;
}

export interface PlanChangedParams {
  uri: string;
  version: number;
}

export type { PlanTreeNodeKind };

/** A node of the tree view: the service's node, with a range where clicking it goes. */
export interface PlanTreeNode extends Omit<PlanTreeNodeSpans, 'span' | 'children'> {
  /** Where clicking the node goes. */
  range?: Range;
  children?: PlanTreeNode[];
}

export interface PlanTreeResult {
  uri: string;
  version: number;
  /** Phases in order, then a "Quality checklist" node. */
  nodes: PlanTreeNode[];
}

export interface RenderHeading {
  /** 0-based line of the heading in the Markdown. */
  markdownLine: number;
  /** A stable anchor for the heading (e.g. `phase-backfill`). */
  anchor: string;
  /** Where the phase starts in the plan. */
  range: Range;
}

export interface RenderResultMessage {
  uri: string;
  version: number;
  markdown: string;
  headings: RenderHeading[];
}
