/**
 * What the editor asks about a place in a plan: completion, hover, the
 * outline, folding, definition, references and rename. Each reads the document's
 * one analysis and answers in the client's positions.
 */
import { pathToFileURL } from 'node:url';
import { CompletionItemKind, ErrorCodes, FoldingRangeKind, InsertTextFormat, ResponseError, SymbolKind, type CompletionItem, type DocumentSymbol, type PrepareRenameResult, type WorkspaceEdit } from 'vscode-languageserver/node';
import { complete, definition, documentSymbols, foldingRanges, hover, prepareRename, references, rename } from '../service/features';
import type { ServiceSymbol } from '../service/features/types';
import { sqlDefinition } from '../service/features/sql';
import type { Analysis, Session } from './session';

const SYMBOL_KINDS: Record<ServiceSymbol['kind'], SymbolKind> = {
  section: SymbolKind.Namespace,
  phase: SymbolKind.Class,
  list: SymbolKind.Array,
  item: SymbolKind.Field,
  field: SymbolKind.Property,
};

function toSymbol(session: Session, a: Analysis, s: ServiceSymbol): DocumentSymbol {
  const range = session.spanRange(a, s.span);
  const selection = session.spanRange(a, s.selectionSpan);
  const sym: DocumentSymbol = { name: s.name || '(unnamed)', kind: SYMBOL_KINDS[s.kind], range, selectionRange: selection, children: s.children.map((c) => toSymbol(session, a, c)) };
  if (s.detail) sym.detail = s.detail;
  return sym;
}

export function registerLanguageFeatures(session: Session): void {
  const { connection } = session;

  connection.onCompletion((params) =>
    session.guard('completion', [] as CompletionItem[], () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return [];
      const { doc, a } = found;
      return complete(a.plan, session.offsetOf(a, params.position), { snippets: !session.clientSnippets, files: session.sqlFilesFor(doc.uri) }).map((c): CompletionItem => {
        const item: CompletionItem = {
          label: c.label,
          kind: c.kind === 'property' ? CompletionItemKind.Property : c.kind === 'value' ? CompletionItemKind.Value : CompletionItemKind.Snippet,
          insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
        };
        if (c.replace) item.textEdit = { range: session.spanRange(a, c.replace), newText: c.insertText };
        else item.insertText = c.insertText;
        if (c.detail) item.detail = c.detail;
        if (c.documentation) item.documentation = { kind: 'markdown', value: c.documentation };
        if (c.sortText) item.sortText = c.sortText;
        if (c.command) item.command = c.command;
        return item;
      });
    }),
  );

  connection.onHover((params) =>
    session.guard('hover', null, () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return null;
      const { doc, a } = found;
      const h = hover(a.plan, session.offsetOf(a, params.position), a.diagnostics, session.sqlFilesFor(doc.uri));
      return h ? { contents: { kind: 'markdown' as const, value: h.contents }, range: session.spanRange(a, h.span) } : null;
    }),
  );

  connection.onDocumentSymbol((params) =>
    session.guard('document symbols', [] as DocumentSymbol[], () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return [];
      return documentSymbols(found.a.plan).map((s) => toSymbol(session, found.a, s));
    }),
  );

  connection.onFoldingRanges((params) =>
    session.guard('folding ranges', [], () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return [];
      return foldingRanges(found.a.plan).map((f) => ({ startLine: f.startLine, endLine: f.endLine, ...(f.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : f.kind === 'region' ? { kind: FoldingRangeKind.Region } : {}) }));
    }),
  );

  connection.onDefinition((params) =>
    session.guard('definition', null, () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return null;
      const { doc, a } = found;
      const offset = session.offsetOf(a, params.position);
      // Inside SQL: from a table or column to the statement that created it (in the plan, or in a SQL file it names).
      const sql = sqlDefinition(a.plan, offset, session.sqlFilesFor(doc.uri));
      if (sql) return 'file' in sql ? { uri: pathToFileURL(sql.file).href, range: sql.range } : { uri: doc.uri, range: session.spanRange(a, sql.span) };
      const span = definition(a.plan, offset);
      return span ? { uri: doc.uri, range: session.spanRange(a, span) } : null;
    }),
  );

  connection.onReferences((params) =>
    session.guard('references', [], () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return [];
      const { doc, a } = found;
      return references(a.plan, session.offsetOf(a, params.position), params.context.includeDeclaration).map((span) => ({ uri: doc.uri, range: session.spanRange(a, span) }));
    }),
  );

  // Rename a phase id (from the id or from point_of_no_return). A refusal is an error response: the editor shows its message.
  connection.onPrepareRename((params) =>
    session.guard<PrepareRenameResult | ResponseError<void> | null>('prepare rename', null, () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return null;
      const { a } = found;
      const r = prepareRename(a.plan, session.offsetOf(a, params.position));
      if (!r) return null;
      if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
      return { range: session.spanRange(a, r.span), placeholder: r.placeholder };
    }),
  );

  connection.onRenameRequest((params) =>
    session.guard<WorkspaceEdit | ResponseError<void> | null>('rename', null, () => {
      const found = session.analysed(params.textDocument.uri);
      if (!found) return null;
      const { doc, a } = found;
      const r = rename(a.plan, session.offsetOf(a, params.position), params.newName);
      if (!r) return new ResponseError(ErrorCodes.InvalidRequest, 'Only a phase id (a phase\'s id, or the value of point_of_no_return) can be renamed.');
      if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
      return session.workspaceEdit(doc, r.map((e) => ({ range: session.spanRange(a, e.span), newText: e.newText })));
    }),
  );
}
