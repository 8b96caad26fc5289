/**
 * Generates large plans from the example: its header, then many more
 * consumers and phases (extra phases are `custom` copies of the dual-write
 * phase, so a generated plan lints clean unless errors are asked for).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'split-user-name.migplan.yaml');

export function generatePlan(targetLines: number, errors = 0): string {
  const example = fs.readFileSync(EXAMPLE, 'utf8');
  const phasesAt = example.indexOf('\nphases:\n') + 1;
  const ponrAt = example.indexOf('\npoint_of_no_return:');
  const head = example.slice(0, phasesAt);
  const phases = example.slice(phasesAt, ponrAt + 1);
  const tail = example.slice(ponrAt + 1);
  const dualWrite = phases.slice(phases.indexOf('  - id: dual-write'), phases.indexOf('  - id: backfill'));
  const extra: string[] = [];
  let lines = (head + phases + tail).split('\n').length;
  const per = dualWrite.split('\n').length - 1;
  for (let i = 1; lines < targetLines; i++) {
    let block = dualWrite.replace('id: dual-write', `id: step-${i}`).replace('kind: dual-write', 'kind: custom');
    if (i <= errors) {
      // Alternate a few kinds of mistakes: a vague trigger, a missing exit, an unknown key.
      if (i % 3 === 0) block = block.replace(/when: .*/, 'when: if something goes wrong');
      else if (i % 3 === 1) block = block.replace(/ {4}exit:\n(?: {6}- .*\n)+/, '');
      else block = block.replace('    rollback:', '    rolback:');
    }
    extra.push(block);
    lines += per;
  }
  // Custom phases go between verification and cleanup, where extra work usually sits.
  const cleanupAt = phases.indexOf('  - id: cleanup');
  return head + phases.slice(0, cleanupAt) + extra.join('') + phases.slice(cleanupAt) + tail;
}
