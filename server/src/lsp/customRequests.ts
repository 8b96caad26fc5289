/**
 * migplan's own requests (protocol.ts): the phase tree, the rendered
 * Markdown for the preview, the server's identity and its memory.
 */
import { planTree } from '../service/features';
import { renderPlan } from '../service/rendering/render';
import {
  MEMORY_REQUEST,
  PLAN_TREE_REQUEST,
  RENDER_REQUEST,
  SERVER_INFO_REQUEST,
  type MemoryResult,
  type PlanTreeNode,
  type PlanTreeResult,
  type PlanUriParams,
  type RenderResultMessage,
  type ServerInfoResult,
} from '../protocol';
import type { Session } from './session';

export function registerCustomRequests(session: Session, info: { version: string; codeCache?: string }): void {
  const { connection } = session;

  connection.onRequest(PLAN_TREE_REQUEST, (params: PlanUriParams): PlanTreeResult | null =>
    session.guard('plan tree', null, () => {
      const found = session.analysed(params.uri);
      if (!found) return null;
      const { doc, a } = found;
      const convert = (n: ReturnType<typeof planTree>['nodes'][number]): PlanTreeNode => {
        const { span, children, ...rest } = n;
        const out: PlanTreeNode = { ...rest };
        if (span) out.range = session.spanRange(a, span);
        if (children) out.children = children.map(convert);
        return out;
      };
      return { uri: doc.uri, version: a.version, nodes: planTree(a.plan, a.diagnostics, a.config).nodes.map(convert) };
    }),
  );

  connection.onRequest(RENDER_REQUEST, (params: PlanUriParams): RenderResultMessage | null =>
    session.guard('render', null, () => {
      const found = session.analysed(params.uri);
      if (!found) return null;
      const { doc, a } = found;
      const r = renderPlan(a.plan, a.diagnostics, a.config);
      const items = a.plan.root?.get('phases')?.items() ?? [];
      const headings = r.phaseHeadings.flatMap((h) => {
        const item = items[h.index];
        if (!item) return [];
        const start = item.dashOffset ?? item.span[0];
        return [{ markdownLine: h.line, anchor: h.anchor, range: session.spanRange(a, [start, item.span[1]]) }];
      });
      return { uri: doc.uri, version: a.version, markdown: r.markdown, headings };
    }),
  );

  connection.onRequest(SERVER_INFO_REQUEST, (): ServerInfoResult => {
    session.refuseAfterShutdown('server info');
    return { pid: process.pid, version: info.version, execArgv: process.execArgv, codeCache: info.codeCache ?? 'not used' };
  });

  connection.onRequest(MEMORY_REQUEST, (): MemoryResult => {
    session.refuseAfterShutdown('memory');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, collected: gc !== undefined };
  });
}
