/**
 * Documents and diagnostics: each change is linted once the burst it came in
 * is through, for the newest version, and published with the plan-changed
 * notification the tree view and the preview follow. Settings, configuration
 * files and PostgreSQL's parser arriving all lint the open plans again.
 */
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, DidChangeWatchedFilesNotification, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import { PLAN_CHANGED_NOTIFICATION } from '../protocol';
import { ruleDocUrl } from '../service/linting/ruleDocs';
import { RULES_BY_ID } from '../service/rules';
import { loadSqlParser, onSqlParserLoaded } from '../service/sql/parser';
import type { Diagnostic } from '../service/types';
import type { Analysis, Session, Settings } from './session';

export function toLsp(session: Session, a: Analysis, d: Diagnostic, uri: string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: session.clientRange(a, d.range),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.rule,
    source: 'migplan',
    message: d.message,
  };
  if (RULES_BY_ID.has(d.rule)) out.codeDescription = { href: ruleDocUrl(d.rule) };
  // A related place in a SQL file the plan names is in that file (its own positions: no byte-order mark moved).
  if (d.related?.length) out.relatedInformation = d.related.map((r) => ({ location: r.file ? { uri: pathToFileURL(r.file).href, range: r.range } : { uri, range: session.clientRange(a, r.range) }, message: r.message }));
  if (d.data) out.data = d.data;
  return out;
}

export function registerDiagnostics(session: Session): void {
  const { connection, documents } = session;
  const pending = new Set<string>();

  function validate(uri: string): void {
    pending.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    session.guard('validation', undefined, () => {
      const a = session.analysisOf(doc);
      void connection.sendDiagnostics({ uri, version: a.version, diagnostics: a.diagnostics.map((d) => toLsp(session, a, d, uri)) });
      void connection.sendNotification(PLAN_CHANGED_NOTIFICATION, { uri, version: a.version });
    });
  }

  /**
   * Coalesces: however many changes arrive in one burst, the newest version is linted once.
   * The connection handles one queued message per event-loop turn, so validation waits for a
   * turn in which the document did not change (the queued changes are through), not just one turn.
   */
  function schedule(uri: string): void {
    if (pending.has(uri)) return;
    pending.add(uri);
    const settle = (seen: number | undefined): void => {
      setImmediate(() => {
        if (!pending.has(uri)) return;
        const version = documents.get(uri)?.version;
        if (version !== undefined && version !== seen) settle(version);
        else validate(uri);
      });
    };
    settle(undefined);
  }

  function revalidateAll(): void {
    session.forgetAll();
    for (const doc of documents.all()) schedule(doc.uri);
  }

  // PostgreSQL's parser loads in the background: until it has, the SQL rules are silent, and the
  // plans are linted again once it is ready. Requests are answered all along.
  void loadSqlParser();
  onSqlParserLoaded(() => {
    if (!session.shutDown) revalidateAll();
  });

  connection.onShutdown(() => {
    session.shutDown = true;
    pending.clear();
  });

  connection.onInitialized(() => {
    if (session.canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/.migplanrc.json' }] });
    }
    void session.pullSettings().then(revalidateAll);
  });

  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as { migplan?: Settings } | undefined)?.migplan;
    if (!session.canPullConfiguration && pushed) session.settings = pushed;
    session.forgetConfig(false);
    void session.pullSettings().then(revalidateAll);
  });

  connection.onDidChangeWatchedFiles(() => {
    session.forgetConfig(true);
    revalidateAll();
  });

  documents.onDidOpen((e) => schedule(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    session.forget(e.document.uri);
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
}
