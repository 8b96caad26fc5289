'use strict';
// Loads a bundle from dist/ for the two commands, with the V8 code cache that
// `npm run build` writes next to it (`<bundle>.v8cache`): V8 then skips
// parsing and compiling the bundle's start-up code (about 20 ms of the
// language server's cold start). The cache is used only while the bundle is
// the very file it was made from (recorded in the cache's first line: the
// same size and modification time, or, where a copy did not keep the time
// (`npm pack` resets it), the same size and content hash); V8 itself refuses
// a cache from another Node version or other V8 flags, and the bundle is then
// compiled from source as usual.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { Buffer } = require('node:buffer');

/** The cache file of a bundle. */
function cachePath(file) {
  return file + '.v8cache';
}

/** The stamp that ties a cache to one build of the bundle. */
function stampOf(file) {
  const st = fs.statSync(file);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

/** FNV-1a (32 bits) of a file's bytes, as hex: no crypto module at start (the server loads it on first use). */
function contentHash(file) {
  const buf = fs.readFileSync(file);
  let h = 0x811c9dc5;
  for (let i = 0; i < buf.length; i++) {
    h ^= buf[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The cache's data when it was made from this build of the bundle, else a reason. */
function readCache(file) {
  let buf;
  try {
    buf = fs.readFileSync(cachePath(file));
  } catch {
    return { status: 'absent' };
  }
  const nl = buf.indexOf(10);
  try {
    const stamp = JSON.parse(buf.subarray(0, nl).toString('utf8'));
    const now = stampOf(file);
    // (to the millisecond: copies that keep modification times may round below that; a copy
    // that does not is read once more, for its hash)
    const same = nl > 0 && stamp.size === now.size && (Math.abs(stamp.mtimeMs - now.mtimeMs) < 1 || (typeof stamp.hash === 'string' && stamp.hash === contentHash(file)));
    if (same) return { status: 'fits', data: buf.subarray(nl + 1) };
  } catch {
    // a damaged header: treated as stale
  }
  return { status: 'stale' };
}

/** Compiles and runs a CommonJS bundle as `require` would, returning its script and exports. */
function run(file, cachedData) {
  const source = fs.readFileSync(file, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { script, exports: mod.exports };
}

/**
 * Loads `file`; `codeCache` says what became of its cache: 'accepted',
 * 'rejected' (by V8: another Node version or other flags), 'stale' (made from
 * another build) or 'absent'.
 */
function loadBundle(file) {
  const cache = readCache(file);
  if (cache.status !== 'fits') return { exports: require(file), codeCache: cache.status };
  const { script, exports } = run(file, cache.data);
  return { exports, codeCache: script.cachedDataRejected ? 'rejected' : 'accepted' };
}

/**
 * Writes `file`'s cache from this process (its Node and flags), after running
 * the bundle's top level and then `warm(exports)`, so that the functions the
 * warm-up compiled are in the cache too.
 */
async function writeCodeCache(file, warm) {
  const { script, exports } = run(file, undefined);
  if (warm) await warm(exports);
  const header = Buffer.from(JSON.stringify({ ...stampOf(file), hash: contentHash(file) }) + '\n', 'utf8');
  fs.writeFileSync(cachePath(file), Buffer.concat([header, script.createCachedData()]));
}

module.exports = { loadBundle, writeCodeCache };
