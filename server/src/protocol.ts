/**
 * migplan's custom LSP messages, shared by the server and the VS Code client.
 * Plain types only (no transport imports), so both sides can import this file.
 */
import type { Range } from './service/types';

/** Request: the phase tree of a plan, for the tree view. */
export const PLAN_TREE_REQUEST = 'migplan/planTree';
/** Request: the plan rendered as Markdown, for the preview and "Export as Markdown". */
export const RENDER_REQUEST = 'migplan/render';
/** Notification (server → client): a plan was re-analysed; tree and preview may refresh. */
export const PLAN_CHANGED_NOTIFICATION = 'migplan/planChanged';

/** Request (no params): the server process's id and version, for tests and bug reports. */
export const SERVER_INFO_REQUEST = 'migplan/serverInfo';

export interface ServerInfoResult {
  pid: number;
  version: string;
}

export interface PlanUriParams {
  uri: string;
}

export interface PlanChangedParams {
  uri: string;
  version: number;
}

export type PlanTreeNodeKind = 'phase' | 'section' | 'item' | 'checklist' | 'checklist-item';

export interface PlanTreeNode {
  label: string;
  kind: PlanTreeNodeKind;
  /** Shown after the label (e.g. the phase kind, a value, "3 problems"). */
  description?: string;
  /** The phase kind, for the icon (phase nodes). */
  phaseKind?: string;
  /** Problems whose range starts inside this node. */
  problems?: number;
  /** Checklist items: ticked or not. */
  passed?: boolean;
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
