/**
 * What a crashed child process said, for a one-line message: used by the
 * PGlite engine (its worker) and the extension (the rehearsal child). No
 * dependencies, so that the extension's bundle takes nothing else with it.
 */

/** The last line of a child's stderr that says something (an uncaught error's message, not its stack), at most 200 characters. */
export function lastWords(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s/.test(l) && !/^Node\.js v/.test(l) && !/^\^+$/.test(l));
  const line = lines[lines.length - 1] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
