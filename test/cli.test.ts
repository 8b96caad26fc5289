import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../server/src/cli';
import { lint } from '../server/src/service/linting/lint';
import { EXAMPLES, ROOT, read } from './helpers';

const EXAMPLE = path.join(EXAMPLES, 'split-user-name.migplan.yaml');

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-cli-'));
}

function run(args: string[], cwd = ROOT, color = false): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { cwd, stdout: (s) => (out += s), stderr: (s) => (err += s), color });
  return { code, out, err };
}

/** The example with the cutover's soak removed and the verification sign-off gone. */
function brokenPlan(): string {
  return read(EXAMPLE).replace('    soak: 24h\n', '').replace('    sign_off: Dana Ortiz (data owner)\n', '');
}

describe('migplan lint', () => {
  it('passes the example with exit 0', () => {
    const r = run(['lint', EXAMPLE]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out, 'No problems in 1 file.\n');
  });

  it('prints path:line:col severity rule message and exits 1 on errors', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'a.migplan.yaml'), brokenPlan());
    const r = run(['lint', 'a.migplan.yaml'], dir);
    assert.equal(r.code, 1);
    const lines = r.out.trimEnd().split('\n');
    const diagLines = lines.slice(0, -1);
    assert.ok(diagLines.length >= 2);
    for (const l of diagLines) assert.match(l, /^a\.migplan\.yaml:\d+:\d+ (error|warning|info) [a-z-]+ \S.*$/);
    assert.ok(diagLines.some((l) => / error verification-sign-off /.test(l)));
    assert.ok(diagLines.some((l) => / warning cutover-soak /.test(l)));
    assert.match(lines[lines.length - 1], /^1 error, 1 warning, 0 infos in 1 file$/);
    assert.doesNotMatch(r.out, /\x1b\[/, 'no colour when not on a TTY');
    assert.match(run(['lint', 'a.migplan.yaml'], dir, true).out, /\x1b\[31merror\x1b\[39m/);
  });

  it('reports 1-based positions in text and 0-based in JSON, as the spec shows', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'a.migplan.yaml'), brokenPlan());
    const text = run(['lint', 'a.migplan.yaml'], dir).out;
    const json = JSON.parse(run(['lint', '--format', 'json', 'a.migplan.yaml'], dir).out);
    assert.deepEqual(Object.keys(json), ['files', 'summary']);
    assert.deepEqual(json.summary, { files: 1, errors: 1, warnings: 1, infos: 0 });
    const [file] = json.files;
    assert.equal(file.path, 'a.migplan.yaml');
    for (const d of file.diagnostics) {
      assert.deepEqual(Object.keys(d), d.detail === undefined ? ['rule', 'severity', 'message', 'range'] : ['rule', 'severity', 'message', 'detail', 'range']);
      assert.ok(d.message.length <= 100, d.message);
      assert.ok(text.includes(`a.migplan.yaml:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.rule} ${d.message}\n`));
      // The text format shows the first sentence only; --verbose adds the rest under it.
      if (d.detail) assert.ok(!text.includes(d.detail));
    }
    const verbose = run(['lint', '--verbose', 'a.migplan.yaml'], dir).out;
    const withDetail = file.diagnostics.filter((d: { detail?: string }) => d.detail);
    assert.ok(withDetail.length > 0);
    for (const d of withDetail) assert.ok(verbose.includes(`${d.message}\n    ${d.detail}\n`), verbose);
  });

  it('writes SARIF 2.1.0 with rule metadata and help URIs', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'a.migplan.yaml'), brokenPlan());
    const r = run(['lint', '--format=sarif', 'a.migplan.yaml'], dir);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.out);
    assert.equal(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    const rules = run0.tool.driver.rules as Array<{ id: string; helpUri: string; shortDescription: { text: string } }>;
    assert.ok(rules.length >= 29);
    for (const rule of rules) assert.match(rule.helpUri, new RegExp(`/docs/rules/${rule.id}\\.md$`));
    assert.equal(run0.results.length, 2);
    for (const res of run0.results) {
      assert.equal(rules[res.ruleIndex].id, res.ruleId);
      assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
      assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'a.migplan.yaml');
    }
  });

  it('recurses into folders for *.migplan.yaml and *.migplan.yml only', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'plans', 'nested'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.copyFileSync(EXAMPLE, path.join(dir, 'plans', 'a.migplan.yaml'));
    fs.copyFileSync(EXAMPLE, path.join(dir, 'plans', 'nested', 'b.migplan.yml'));
    fs.writeFileSync(path.join(dir, 'plans', 'other.yaml'), 'not: a plan\n');
    fs.writeFileSync(path.join(dir, 'node_modules', 'x.migplan.yaml'), 'broken: [\n');
    const json = JSON.parse(run(['lint', '--format', 'json', '.'], dir).out);
    assert.deepEqual(json.files.map((f: { path: string }) => f.path), ['plans/a.migplan.yaml', 'plans/nested/b.migplan.yml']);
  });

  it('applies every fix with --fix, keeps a BOM and CRLF, and leaves a file that re-lints without fixable problems', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'a.migplan.yaml');
    const original = '\uFEFF' + brokenPlan().replace(/\n/g, '\r\n');
    fs.writeFileSync(file, original);
    const r = run(['lint', '--fix', 'a.migplan.yaml'], dir);
    // Who signs off is the author's decision: the fix leaves a placeholder, which is an error until filled in.
    assert.equal(r.code, 1, r.out);
    const fixed = fs.readFileSync(file, 'utf8');
    assert.ok(fixed.startsWith('\uFEFF'), 'BOM kept');
    assert.doesNotMatch(fixed.replace(/\r\n/g, ''), /\n/, 'line endings stay CRLF');
    assert.match(fixed, /soak: 24h\r\n/);
    assert.match(fixed, /sign_off: "TODO: the data owner who signs off \(the plan's owner is data-platform team \(Dana Ortiz\)\)"\r\n/);
    assert.deepEqual(lint(fixed).diagnostics.map((d) => d.rule), ['placeholder']);
    const again = run(['lint', '--fix', 'a.migplan.yaml'], dir);
    assert.equal(again.code, 1);
    assert.equal(fs.readFileSync(file, 'utf8'), fixed, 'a second --fix changes nothing');
  });

  it('--fix ends with one line saying what it changed, over all files; beside JSON and SARIF on stderr', () => {
    const dir = tmpdir();
    // Two fixes (soak, and a sign-off placeholder) + one fix (soak) + nothing to fix.
    fs.writeFileSync(path.join(dir, 'a.migplan.yaml'), brokenPlan());
    fs.writeFileSync(path.join(dir, 'b.migplan.yaml'), read(EXAMPLE).replace('    soak: 24h\n', ''));
    fs.copyFileSync(EXAMPLE, path.join(dir, 'c.migplan.yaml'));
    const names = ['a.migplan.yaml', 'b.migplan.yaml', 'c.migplan.yaml'];
    const copy = (to: string): void => {
      fs.mkdirSync(path.join(dir, to));
      for (const n of names) fs.copyFileSync(path.join(dir, n), path.join(dir, to, n));
    };
    copy('json');
    copy('sarif');
    const r = run(['lint', '--fix', ...names], dir);
    assert.equal(r.code, 1, r.out + r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[lines.length - 2], '1 error, 0 warnings, 0 infos in 3 files');
    assert.equal(lines[lines.length - 1], 'fixed 3 problems in 2 files; 1 placeholder left to fill');
    assert.equal(r.err, '');
    assert.equal(fs.readFileSync(path.join(dir, 'c.migplan.yaml'), 'utf8'), read(EXAMPLE), 'a clean plan is not written');
    // Nothing left to fix: it says so, and the placeholder still waits.
    assert.equal(run(['lint', '--fix', ...names], dir).out.trimEnd().split('\n').pop(), 'fixed 0 problems; 1 placeholder left to fill');
    assert.equal(run(['lint', '--fix', 'c.migplan.yaml'], dir).out, 'No problems in 1 file.\nfixed 0 problems\n');
    // Without --fix, no such line.
    assert.doesNotMatch(run(['lint', ...names], dir).out, /fixed/);

    // JSON and SARIF stay one document on stdout, the same as without the line; the line goes to stderr.
    const json = run(['lint', '--fix', '--format', 'json', '.'], path.join(dir, 'json'));
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.out), JSON.parse(run(['lint', '--format', 'json', '.'], path.join(dir, 'json')).out));
    assert.equal(json.err, 'migplan: fixed 3 problems in 2 files; 1 placeholder left to fill\n');
    const sarif = run(['lint', '--fix', '--format', 'sarif', '.'], path.join(dir, 'sarif'));
    assert.equal(JSON.parse(sarif.out).version, '2.1.0');
    assert.equal(sarif.err, 'migplan: fixed 3 problems in 2 files; 1 placeholder left to fill\n');
  });

  it('--fix leaves a plan with YAML errors as it is and says why', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'a.migplan.yaml');
    // A duplicate key: which of the two mappings a fix would edit is a guess.
    const original = brokenPlan().replace('title:', 'owner: someone\ntitle:');
    fs.writeFileSync(file, original);
    const r = run(['lint', '--fix', 'a.migplan.yaml'], dir);
    assert.equal(r.code, 1);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    assert.match(r.err, /a\.migplan\.yaml: not fixed, it has YAML errors; fix those first/);
    assert.match(r.out, /yaml-syntax/);
  });

  it('uses the nearest .migplanrc.json, or --config', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'plans'));
    fs.writeFileSync(path.join(dir, 'plans', 'a.migplan.yaml'), brokenPlan());
    fs.writeFileSync(path.join(dir, '.migplanrc.json'), JSON.stringify({ rules: { 'verification-sign-off': 'warning', 'cutover-soak': 'off' } }));
    const json = JSON.parse(run(['lint', '--format', 'json', 'plans'], dir).out);
    assert.deepEqual(json.summary, { files: 1, errors: 0, warnings: 1, infos: 0 });
    fs.writeFileSync(path.join(dir, 'strict.json'), JSON.stringify({ rules: { 'cutover-soak': 'error' } }));
    const strict = run(['lint', '--format', 'json', '--config', 'strict.json', 'plans'], dir);
    assert.equal(strict.code, 1);
    assert.deepEqual(JSON.parse(strict.out).summary, { files: 1, errors: 2, warnings: 0, infos: 0 });
  });

  for (const [name, setup, args, expected] of [
    ['a missing path', () => {}, ['lint', 'nope.migplan.yaml'], /^migplan: nope\.migplan\.yaml: no such file or folder\n$/],
    ['a folder with no plans', (d: string) => fs.mkdirSync(path.join(d, 'empty')), ['lint', 'empty'], /^migplan: empty: no \*\.migplan\.yaml files in this folder\n$/],
    ['a non-YAML file', (d: string) => fs.writeFileSync(path.join(d, 'notes.txt'), 'hello'), ['lint', 'notes.txt'], /^migplan: notes\.txt: not a YAML file/],
    ['binary bytes', (d: string) => fs.writeFileSync(path.join(d, 'bin.migplan.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])), ['lint', 'bin.migplan.yaml'], /^migplan: bin\.migplan\.yaml: not a text file/],
    ['invalid UTF-8', (d: string) => fs.writeFileSync(path.join(d, 'latin1.migplan.yaml'), Buffer.from('title: caf\xe9\n', 'latin1')), ['lint', 'latin1.migplan.yaml'], /^migplan: latin1\.migplan\.yaml: not valid UTF-8 text\n$/],
    ['an unreadable path', (d: string) => fs.writeFileSync(path.join(d, 'file'), 'x'), ['lint', 'file/a.migplan.yaml'], /^migplan: file\/a\.migplan\.yaml: cannot read \(ENOTDIR\)\n$/],
    ['an unknown option', () => {}, ['lint', '--frmat', 'json', 'x'], /^migplan: unknown option '--frmat'\n$/],
    ['an unknown format', () => {}, ['lint', '--format', 'xml', 'x'], /^migplan: unknown format 'xml'/],
    ['an unknown command', () => {}, ['lnit'], /^migplan: unknown command 'lnit'/],
    ['a bad config', (d: string) => fs.writeFileSync(path.join(d, 'c.json'), '{"rules": {"no-such-rule": "off"}}'), ['lint', '--config', 'c.json', '.'], /^migplan: .*c\.json: unknown rule 'no-such-rule'\n$/],
    ['a config that is not JSON', (d: string) => fs.writeFileSync(path.join(d, 'c.json'), '{rules'), ['lint', '--config', 'c.json', '.'], /^migplan: .*c\.json: invalid JSON/],
  ] as const) {
    it(`exits 2 with a one-line error on ${name}`, () => {
      const dir = tmpdir();
      (setup as (d: string) => void)(dir);
      const r = run([...args], dir);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.out, '');
      assert.match(r.err, expected);
      assert.equal(r.err.trimEnd().split('\n').length, 1);
    });
  }
});

describe('migplan render', () => {
  it('prints Markdown to stdout or writes -o OUT', () => {
    const dir = tmpdir();
    const r = run(['render', EXAMPLE], dir);
    assert.equal(r.code, 0);
    assert.match(r.out, /^# Split users\.name into first\\?_name and last\\?_name/m);
    assert.equal(run(['render', EXAMPLE, '-o', 'plan.md'], dir).code, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'plan.md'), 'utf8'), r.out);
  });

  it('refuses a folder with exit 2', () => {
    const r = run(['render', 'test'], ROOT);
    assert.equal(r.code, 2);
  });
});

describe('migplan init', () => {
  it('writes a template whose only findings are its placeholders, one per TODO line, and refuses to overwrite', () => {
    const dir = tmpdir();
    const r = run(['init', 'new.migplan.yaml'], dir);
    assert.equal(r.code, 0, r.err);
    const text = fs.readFileSync(path.join(dir, 'new.migplan.yaml'), 'utf8');
    const { diagnostics } = lint(text);
    assert.deepEqual([...new Set(diagnostics.map((d) => d.rule))], ['placeholder']);
    const todoLines = text.split('\n').map((l, i) => (/TODO/.test(l) && !l.startsWith('#') ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(diagnostics.map((d) => d.range.start.line), todoLines);
    assert.equal(run(['lint', 'new.migplan.yaml'], dir).code, 1, 'a template is not a plan that passes');
    fs.writeFileSync(path.join(dir, 'new.migplan.yaml'), 'mine\n');
    const again = run(['init', 'new.migplan.yaml'], dir);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists; not overwriting/);
    assert.equal(fs.readFileSync(path.join(dir, 'new.migplan.yaml'), 'utf8'), 'mine\n');
  });

  it('defaults to migration.migplan.yaml', () => {
    const dir = tmpdir();
    assert.equal(run(['init'], dir).code, 0);
    assert.ok(fs.existsSync(path.join(dir, 'migration.migplan.yaml')));
  });
});

describe('the migplan executable', () => {
  const bin = path.join(ROOT, 'bin', 'migplan.js');
  it('exits with the documented codes and never prints a stack trace', () => {
    const ok = spawnSync(process.execPath, [bin, 'lint', EXAMPLE], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const missing = spawnSync(process.execPath, [bin, 'lint', 'does/not/exist.migplan.yaml'], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'migplan: does/not/exist.migplan.yaml: no such file or folder\n');
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), JSON.parse(read(path.join(ROOT, 'package.json'))).version);
  });

  it('loads its bundle through the code cache the build wrote (the shebang runs Node without options)', () => {
    const loader = path.join(ROOT, 'bin', 'load-bundle.js');
    const script = `process.stdout.write(require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(path.join(ROOT, 'dist', 'cli.js'))}).codeCache)`;
    assert.equal(fs.readFileSync(bin, 'utf8').split('\n')[0], '#!/usr/bin/env node');
    assert.equal(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout, 'accepted');
  });
});
