// The plan preview's page script. Loaded by nonce under a strict CSP: it
// never writes inline styles or scripts, and no link in the preview navigates.
/* global acquireVsCodeApi, window, document, Element, setTimeout, clearTimeout */
(function () {
  'use strict';

  const vscode = acquireVsCodeApi();
  const body = document.body;
  const content = document.getElementById('content');
  const uri = body.dataset.uri || '';
  let seq = Number(body.dataset.seq || '0');

  // migplan.preview.fontSize: through the CSSOM, which the CSP allows (style attributes it does not).
  const fontSize = Number(body.dataset.fontSize || '0');
  if (fontSize > 0) document.documentElement.style.setProperty('--migplan-font-size', fontSize + 'px');

  // The scroll position survives reloads of the page (hidden tab, new settings) through the webview state.
  const state = vscode.getState();
  if (state && state.uri === uri && typeof state.scrollY === 'number') {
    window.scrollTo(0, state.scrollY);
  }
  let saveTimer;
  function saveState() {
    vscode.setState({ uri: uri, scrollY: window.scrollY });
  }
  saveState();
  window.addEventListener(
    'scroll',
    function () {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(saveState, 100);
    },
    { passive: true },
  );

  /** The phase headings with their plan lines, in document order. */
  function phaseHeadings() {
    return Array.from(content.querySelectorAll('[data-line]'))
      .map(function (el) {
        return { el: el, line: Number(el.getAttribute('data-line')) };
      })
      .filter(function (h) {
        return Number.isFinite(h.line);
      });
  }

  /** Scrolls so the part of the preview rendered from plan line `line` is at the top (interpolated between phases). */
  function scrollToLine(line) {
    const headings = phaseHeadings();
    if (headings.length === 0) return;
    let before;
    let after;
    for (const h of headings) {
      if (h.line <= line) before = h;
      else if (!after) after = h;
    }
    const top = function (h) {
      return h.el.getBoundingClientRect().top + window.scrollY;
    };
    let y;
    if (!before) {
      y = 0;
    } else if (!after) {
      y = top(before);
    } else {
      const fraction = (line - before.line) / Math.max(1, after.line - before.line);
      y = top(before) + fraction * (top(after) - top(before));
    }
    window.scrollTo(0, Math.max(0, y - 8));
  }

  window.addEventListener('message', function (event) {
    const message = event.data;
    if (!message || typeof message !== 'object') return;
    if (message.type === 'update' && message.uri === uri && typeof message.html === 'string') {
      const y = window.scrollY;
      content.innerHTML = message.html;
      seq = message.seq;
      window.scrollTo(0, y);
    } else if (message.type === 'scrollToLine' && typeof message.line === 'number') {
      scrollToLine(message.line);
    }
  });

  function reveal(heading) {
    vscode.postMessage({ type: 'reveal', anchor: heading.getAttribute('data-anchor') });
  }

  function onClick(event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const link = target.closest('a');
    if (link) {
      // Captured before VS Code's own link handling: nothing leaves the preview.
      event.preventDefault();
      event.stopPropagation();
      const href = link.getAttribute('href');
      if (event.type === 'click' && href && href.charAt(0) === '#') {
        const to = document.getElementById(decodeURIComponent(href.slice(1)));
        if (to) to.scrollIntoView();
      }
      return;
    }
    const heading = target.closest('[data-anchor]');
    if (heading && event.type === 'click') reveal(heading);
  }
  document.addEventListener('click', onClick, true);
  document.addEventListener('auxclick', onClick, true);
  document.addEventListener('keydown', function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (target && target.hasAttribute('data-anchor') && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      reveal(target);
    }
  });

  vscode.postMessage({ type: 'ready', seq: seq });
})();
