/** Results of the editor features of the language service, in offsets (the server converts them to LSP ranges). */
import type { Span } from '../types';

export type CompletionKind = 'property' | 'value' | 'snippet';

export interface ServiceCompletion {
  label: string;
  kind: CompletionKind;
  /** Text to insert; a snippet (with $1, ${1:placeholder}) when `snippet` is true. */
  insertText: string;
  snippet: boolean;
  /** The text the completion replaces (the word being typed); insert at the cursor when absent. */
  replace?: Span;
  /** One line shown next to the label. */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Sort key: lower first. */
  sortText?: string;
}

export interface ServiceHover {
  /** Markdown. */
  contents: string;
  span: Span;
}

export type SymbolKind = 'section' | 'phase' | 'list' | 'item' | 'field';

export interface ServiceSymbol {
  name: string;
  detail?: string;
  kind: SymbolKind;
  /** The whole node. */
  span: Span;
  /** The part to select/reveal (a key, a phase's id). */
  selectionSpan: Span;
  children: ServiceSymbol[];
}

export interface ServiceFoldingRange {
  /** 0-based lines. */
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}
