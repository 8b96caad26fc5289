import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlanHtml } from '../../client/src/previewHtml';
import { renderMarkdown } from '../../server/src/service/rendering/render';
import { lint } from '../../server/src/service/linting/lint';
import { EXAMPLES, read } from '../helpers';

describe('preview HTML', () => {
  it('shows the checklist\'s task markers as boxes, and leaves other brackets alone', () => {
    const html = renderPlanHtml({ markdown: '- [x] done\n- [ ] open\n\nA [x] in text\n', headings: [] });
    assert.match(html, /<li>\u2611 done<\/li>/);
    assert.match(html, /<li>\u2610 open<\/li>/);
    assert.match(html, /<p>A \[x\] in text<\/p>/);
  });

  it('renders the example\'s checklist as seven ticked boxes', () => {
    const { plan, diagnostics } = lint(read(`${EXAMPLES}/split-user-name.migplan.yaml`));
    const html = renderPlanHtml({ markdown: renderMarkdown(plan, diagnostics), headings: [] });
    assert.equal((html.match(/<li>\u2611 /g) ?? []).length, 7);
    assert.ok(!html.includes('[x]'));
  });
});
