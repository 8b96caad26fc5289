/** The editor features of the language service: transport-free, offset-based. */
export { complete } from './completion';
export { hover } from './hover';
export { documentSymbols, foldingRanges } from './symbols';
export { definition, references } from './navigation';
export { prepareRename, rename, type RenameEdit, type RenameRefusal, type RenameTarget } from './rename';
export { planTree, type PlanTreeNodeSpans, type PlanTreeSpans } from './planTree';
export type { CompletionKind, ServiceCompletion, ServiceFoldingRange, ServiceHover, ServiceSymbol, SymbolKind } from './types';
