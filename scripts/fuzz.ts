/**
 * `npm run fuzz -- --seed S --count N`: a seeded, reproducible fuzzer of the
 * language service (engine in fuzzLib.ts). Each input is a mutation of an
 * example plan or a yaml-test-suite case (of its YAML, or of the SQL in its
 * SQL values); it must not crash lint, fix-all,
 * the single quick fixes or the renderer, must give ranges inside the
 * document and the same result twice, finish in time, and fix-all must keep
 * the YAML parsing, keep the lines no fix touches, and be idempotent.
 *
 * The checks run in a worker thread watched by this one: an input that gives
 * no result within --hang-ms is a `hang`, and the worker is replaced.
 *
 * A failure prints the seed, the input index and the input shrunk, and writes
 * the shrunk input to test/fuzz/found-<seed>-<index>.migplan.yaml, which
 * test/fuzz.test.ts then runs as a fixture.
 *
 * Options: --seed S (default 1), --count N (default 1000), --start I (first
 * index, default 0), --index I (only that input: print it and its result),
 * --limit MS (time limit per input, default 200), --hang-ms MS (default
 * 15000), --shrink-ms MS (default 20000), --reports K (failures shrunk per
 * signature, default 2; a shrunk input already written is not written again),
 * --out DIR (where to write them, default test/fuzz), --no-write (do not
 * write them), --progress N (a line every N inputs on stderr), --kinds LIST
 * (the mutations to draw from, comma-separated: names, or the groups `sql`
 * (the sql-* mutations of SQL values, files and the dialect), `yaml` (the
 * others) and `all` (the default); with SQL mutations only, the inputs start
 * from the plans with SQL).
 *
 * SQL is parsed (the worker loads PostgreSQL's parser before the first
 * input), and `{file: path}` values read the in-memory files of
 * FUZZ_SQL_FILES (plan in /repo/plans, repository /repo).
 * Exit code 1 when anything failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  FAILURE_KINDS,
  FOUND_DIR,
  PLAN_SIZE_CHARS,
  isPlanSized,
  checkInput,
  failureSignature,
  foundPath,
  generateInput,
  loadSeeds,
  selectMutations,
  shrinkAsync,
  shrinkFailure,
  type CheckResult,
  type Failure,
} from './fuzzLib';
import { loadSqlParser, sqlParserState } from '../server/src/service/sql/parser';

interface Args {
  seed: number;
  count: number;
  start: number;
  index?: number;
  limit: number;
  hangMs: number;
  shrinkMs: number;
  reports: number;
  write: boolean;
  out: string;
  progress: number;
  /** The --kinds list as given ('all' by default). */
  kinds: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seed: 1, count: 1000, start: 0, limit: 200, hangMs: 15_000, shrinkMs: 20_000, reports: 2, write: true, out: FOUND_DIR, progress: 0, kinds: 'all' };
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) {
      console.error(`fuzz: ${name} needs a non-negative number`);
      process.exit(2);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--seed':
        args.seed = num(a, argv[++i]) >>> 0;
        break;
      case '--count':
        args.count = num(a, argv[++i]);
        break;
      case '--start':
        args.start = num(a, argv[++i]);
        break;
      case '--index':
        args.index = num(a, argv[++i]);
        break;
      case '--limit':
        args.limit = num(a, argv[++i]);
        break;
      case '--hang-ms':
        args.hangMs = num(a, argv[++i]);
        break;
      case '--shrink-ms':
        args.shrinkMs = num(a, argv[++i]);
        break;
      case '--reports':
        args.reports = num(a, argv[++i]);
        break;
      case '--progress':
        args.progress = num(a, argv[++i]);
        break;
      case '--out':
        if (!argv[i + 1]) {
          console.error('fuzz: --out needs a folder');
          process.exit(2);
        }
        args.out = path.resolve(argv[++i]);
        break;
      case '--no-write':
        args.write = false;
        break;
      case '--kinds':
        args.kinds = argv[++i] ?? '';
        try {
          selectMutations(args.kinds);
        } catch (err) {
          console.error(`fuzz: --kinds: ${(err as Error).message}`);
          process.exit(2);
        }
        break;
      default:
        console.error(
          `fuzz: unknown option ${a}\nusage: fuzz [--seed S] [--count N] [--start I] [--index I] [--limit MS] [--hang-ms MS] [--shrink-ms MS] [--reports K] [--progress N] [--kinds LIST] [--out DIR] [--no-write]`,
        );
        process.exit(2);
    }
  }
  return args;
}

// ------------------------------------------------------------------ the worker

type Job = { type: 'check'; index: number } | { type: 'shrink'; text: string; failure: Failure } | { type: 'time'; text: string };

type Reply =
  | { type: 'ready' }
  | { type: 'check'; index: number; result: CheckResult; origin: string; mutations: string[]; text?: string; warnings: Array<[string, number]> }
  | { type: 'shrink'; text: string }
  | { type: 'time'; ms: number };

interface WorkerInit {
  seed: number;
  limit: number;
  shrinkMs: number;
  kinds: string;
}

/**
 * The yaml package reports some oddities (a collection used as a key) with
 * process.emitWarning, which Node prints to stderr once per call: counted here
 * and summarised instead of flooding the output.
 */
const runtimeWarnings = new Map<string, number>();
function captureWarnings(): void {
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const key = text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/: ".*"\. Set/, ': "…". Set');
    if (/Keys with collection values/.test(text)) runtimeWarnings.set(key, (runtimeWarnings.get(key) ?? 0) + 1);
    else (original as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

async function workerMain(): Promise<void> {
  const { seed, limit, shrinkMs, kinds } = workerData as WorkerInit;
  const port = parentPort!;
  captureWarnings();
  // PostgreSQL's parser, before any input: without it the SQL rules stay silent.
  await loadSqlParser();
  const parser = sqlParserState();
  if (parser.state !== 'ready') throw new Error(`the SQL parser did not load: ${parser.failure ?? parser.state}`);
  const seeds = loadSeeds();
  const pool = selectMutations(kinds);
  // Warm up the JIT, so the first inputs are not timed cold.
  for (const s of [...seeds.plans, ...seeds.corpus.slice(0, 40)]) checkInput(s.text, { timing: false });
  runtimeWarnings.clear();
  port.on('message', (job: Job) => {
    if (job.type === 'check') {
      const input = generateInput(seed, job.index, seeds, pool);
      const result = checkInput(input.text, { timeLimitMs: limit });
      const warnings = [...runtimeWarnings];
      runtimeWarnings.clear();
      const reply: Reply = { type: 'check', index: job.index, result, origin: input.origin, mutations: input.mutations, warnings };
      if (result.failures.length > 0) reply.text = input.text;
      port.postMessage(reply);
    } else if (job.type === 'shrink') {
      port.postMessage({ type: 'shrink', text: shrinkFailure(job.text, job.failure, { timeLimitMs: limit, maxMs: shrinkMs }) } satisfies Reply);
    } else {
      // Everything a check does, untimed inside: a hang may be in any of it.
      const t0 = performance.now();
      checkInput(job.text, { timing: false });
      port.postMessage({ type: 'time', ms: performance.now() - t0 } satisfies Reply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies Reply);
}

/** A worker that runs one job at a time and is replaced when a job overruns. */
class Watched {
  private worker!: Worker;
  private ready!: Promise<void>;
  private pending: ((r: Reply) => void) | undefined;
  restarts = 0;

  constructor(private readonly init: WorkerInit) {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(__filename, { workerData: this.init });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (m: Reply): void => {
        if (m.type !== 'ready') return;
        this.worker.off('message', onReady);
        resolve();
      };
      this.worker.on('message', onReady);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: Reply) => {
      if (m.type === 'ready') return;
      const p = this.pending;
      this.pending = undefined;
      p?.(m);
    });
  }

  /** The job's reply, or undefined when it took longer than `ms` (the worker is then replaced). */
  async run(job: Job, ms: number): Promise<Reply | undefined> {
    await this.ready;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        void this.worker.terminate();
        this.restarts++;
        this.spawn();
        resolve(undefined);
      }, ms);
      this.pending = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

// ------------------------------------------------------------------ the run

function fmtMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

interface Shrunk {
  text: string;
  index: number;
  signature: string;
  file?: string;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const init: WorkerInit = { seed: args.seed, limit: args.limit, shrinkMs: args.shrinkMs, kinds: args.kinds };
  const pool = selectMutations(args.kinds);
  const worker = new Watched(init);

  if (args.index !== undefined) {
    const reply = await worker.run({ type: 'check', index: args.index }, args.hangMs);
    const seeds = loadSeeds();
    const input = generateInput(args.seed, args.index, seeds, pool);
    console.log(`seed ${args.seed}${args.kinds !== 'all' ? ` (--kinds ${args.kinds})` : ''} input #${args.index}: ${input.origin} + ${input.mutations.join(', ')}`);
    console.log('----- input');
    console.log(input.text);
    console.log('-----');
    console.log(`as a string: ${JSON.stringify(input.text)}`);
    await worker.close();
    if (reply?.type !== 'check') {
      console.log(`hang: no result within ${args.hangMs} ms`);
      process.exit(1);
    }
    const r = reply.result;
    console.log(`${r.lines} lines, ${r.chars} chars, ${fmtMs(r.ms)}`);
    for (const f of r.failures) console.log(`${f.kind} [${f.op}] ${f.detail}`);
    if (r.failures.length === 0) console.log('no failure');
    process.exit(r.failures.length ? 1 : 0);
  }

  const started = performance.now();
  const seeds = loadSeeds();
  const byKind = new Map<string, number>(FAILURE_KINDS.map((k) => [k, 0]));
  const bySignature = new Map<string, number>();
  const reported = new Map<string, number>();
  const shrunk = new Map<string, Shrunk>();
  const warnings = new Map<string, number>();
  let inputs = 0;
  let failedInputs = 0;
  let crashes = 0;
  let roundTrips = 0;
  let fixesApplied = 0;
  let fixRounds = 0;
  let quickFixes = 0;
  const unsound = new Map<string, { n: number; index: number }>();
  let slowest = { ms: 0, index: -1, lines: 0, chars: 0 };
  let slowestBig = { ms: 0, index: -1, lines: 0, chars: 0 };
  let bigInputs = 0;
  const origins = { plans: 0, corpus: 0 };
  const planNames = new Set([...seeds.plans, ...seeds.sql].map((p) => p.name));
  const mutationCounts = new Map<string, number>();

  const report = async (index: number, text: string, how: string, f: Failure): Promise<void> => {
    let small: string;
    if (f.kind === 'hang') {
      // Shrink while all the checks still take over a second (watched, one worker run each).
      const budget = Math.max(1000, Math.min(args.hangMs, 3000));
      small = await shrinkAsync(
        text,
        async (t) => {
          const r = await worker.run({ type: 'time', text: t }, budget);
          return r === undefined || (r.type === 'time' && r.ms > 1000);
        },
        { maxMs: args.shrinkMs * 3 },
      );
    } else {
      const r = await worker.run({ type: 'shrink', text, failure: f }, args.shrinkMs + args.hangMs);
      small = r?.type === 'shrink' ? r.text : text;
    }
    console.log(`\nFAIL seed ${args.seed}${args.kinds !== 'all' ? ` --kinds ${args.kinds}` : ''} input #${index} (${how}): ${f.kind} [${f.op}] ${f.detail}`);
    console.log(`shrunk from ${text.length} to ${small.length} chars:`);
    console.log('-----');
    console.log(small.length > 4000 ? `${small.slice(0, 4000)}\n… (${small.length - 4000} more chars)` : small);
    console.log('-----');
    console.log(`as a string: ${JSON.stringify(small.slice(0, 4000))}${small.length > 4000 ? ' …' : ''}`);
    const seen = shrunk.get(small);
    if (seen) {
      console.log(`(the same shrunk input as #${seen.index}${seen.file ? `, ${seen.file}` : ''})`);
      return;
    }
    const entry: Shrunk = { text: small, index, signature: failureSignature(f) };
    shrunk.set(small, entry);
    if (args.write) {
      fs.mkdirSync(args.out, { recursive: true });
      const file = foundPath(args.seed, index, args.out);
      fs.writeFileSync(file, small);
      entry.file = path.relative(process.cwd(), file);
      console.log(`written to ${entry.file}`);
    }
  };

  const end = args.start + args.count;
  for (let index = args.start; index < end; index++) {
    const reply = await worker.run({ type: 'check', index }, args.hangMs);
    inputs++;
    let failures: Failure[];
    let text: string;
    let how: string;
    if (reply?.type === 'check') {
      const r = reply.result;
      if (planNames.has(reply.origin)) origins.plans++;
      else origins.corpus++;
      for (const [w, n] of reply.warnings) warnings.set(w, (warnings.get(w) ?? 0) + n);
      quickFixes += r.quickFixesApplied;
      for (const u of r.unsoundQuickFixes) {
        const key = u.split(':')[0] + ' →' + u.split('→')[1];
        const e = unsound.get(key);
        if (e) e.n++;
        else unsound.set(key, { n: 1, index });
      }
      if (r.fixesApplied > 0) {
        roundTrips++;
        fixesApplied += r.fixesApplied;
        fixRounds += r.fixRounds;
      }
      const stat = { ms: r.ms, index, lines: r.lines, chars: r.chars };
      if (isPlanSized(r.lines, r.chars)) {
        if (r.ms > slowest.ms) slowest = stat;
      } else {
        bigInputs++;
        if (r.ms > slowestBig.ms) slowestBig = stat;
      }
      failures = r.failures;
      text = reply.text ?? '';
      how = `${reply.origin} + ${reply.mutations.join(', ')}`;
      for (const m of reply.mutations) mutationCounts.set(m, (mutationCounts.get(m) ?? 0) + 1);
    } else {
      const input = generateInput(args.seed, index, seeds, pool);
      if (planNames.has(input.origin)) origins.plans++;
      else origins.corpus++;
      failures = [{ kind: 'hang', op: 'check', detail: `no result within ${args.hangMs} ms (${input.text.length} chars)` }];
      text = input.text;
      how = `${input.origin} + ${input.mutations.join(', ')}`;
    }
    if (failures.length > 0) {
      failedInputs++;
      const kinds = new Set<string>();
      const signatures = new Set<string>();
      let shrank = false;
      if (failures.some((f) => f.kind === 'crash' || f.kind === 'rule-crash')) crashes++;
      for (const f of failures) {
        if (!kinds.has(f.kind)) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
        kinds.add(f.kind);
        const sig = failureSignature(f);
        if (signatures.has(sig)) continue;
        signatures.add(sig);
        bySignature.set(sig, (bySignature.get(sig) ?? 0) + 1);
        // One shrink per input: its first failure whose signature still has reports left.
        if (!shrank && (reported.get(sig) ?? 0) < args.reports) {
          shrank = true;
          reported.set(sig, (reported.get(sig) ?? 0) + 1);
          await report(index, text, how, f);
        }
      }
    }
    if (args.progress > 0 && (index - args.start + 1) % args.progress === 0) {
      const s = (performance.now() - started) / 1000;
      console.error(`… ${index - args.start + 1}/${args.count} inputs, ${failedInputs} failing, ${s.toFixed(0)} s`);
    }
  }
  await worker.close();

  const wall = (performance.now() - started) / 1000;
  const kinds = [...byKind].map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`\nseed ${args.seed}, inputs ${args.start}..${end - 1}, kinds: ${args.kinds}`);
  console.log(`inputs: ${inputs} (${origins.plans} from plans, ${origins.corpus} from the corpus; ${bigInputs} over 300 lines or ${PLAN_SIZE_CHARS} characters)`);
  console.log(`mutations applied: ${[...mutationCounts].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(', ')}`);
  console.log(`crashes: ${crashes}`);
  console.log(`check failures by kind (inputs): ${kinds}`);
  for (const [sig, n] of [...bySignature].sort()) console.log(`  ${sig}: ${n}`);
  console.log(`slowest plan-sized input (<= 300 lines, <= ${PLAN_SIZE_CHARS} characters): ${fmtMs(slowest.ms)} (#${slowest.index}, ${slowest.lines} lines, ${slowest.chars} chars)`);
  if (bigInputs > 0) console.log(`slowest larger input (not held to the limit): ${fmtMs(slowestBig.ms)} (#${slowestBig.index}, ${slowestBig.lines} lines, ${slowestBig.chars} chars)`);
  console.log(`fix round-trips: ${roundTrips} inputs fixed and checked (${fixesApplied} fixes in ${fixRounds} rounds), ${quickFixes} single quick fixes applied`);
  if (unsound.size > 0) {
    console.log(`single fixes whose edits would leave the YAML worse (counted, not failed: an editor must not be offered them): ${[...unsound.values()].reduce((a, b) => a + b.n, 0)}`);
    for (const [k, v] of [...unsound].sort((a, b) => b[1].n - a[1].n).slice(0, 15)) console.log(`  ${v.n}× ${k} (first #${v.index})`);
  }
  for (const [w, n] of warnings) console.log(`runtime warnings (process.emitWarning from yaml): ${n}× ${w}`);
  if (worker.restarts > 0) console.log(`worker restarts after a hang or a slow shrink: ${worker.restarts}`);
  if (shrunk.size > 0) {
    console.log(`distinct shrunk inputs: ${shrunk.size}`);
    for (const s of shrunk.values()) console.log(`  #${s.index} ${s.signature}: ${JSON.stringify(s.text).slice(0, 160)}${s.file ? ` (${s.file})` : ''}`);
  }
  console.log(`wall time: ${wall.toFixed(1)} s`);
  process.exit(failedInputs > 0 ? 1 : 0);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  });
} else {
  // A failure to start (the parser did not load) is thrown: the worker's 'error' event, which fails the run.
  workerMain().catch((err: unknown) => {
    throw err;
  });
}
