#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20
'use strict';
// The migplan language server for any LSP client: `migplan-language-server --stdio`.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'server.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('migplan-language-server: not built yet; run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(2);
}
if (!process.argv.some((a) => a === '--stdio' || a.startsWith('--node-ipc') || a.startsWith('--socket') || a.startsWith('--pipe'))) process.argv.push('--stdio');
const { loadBundle } = require('./load-bundle.js');
const { exports: server, codeCache } = loadBundle(bundle);
server.main({ codeCache });
