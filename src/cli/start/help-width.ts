// How wide --help is, apart from its words (help.ts): the quick --help (quick.ts) needs only this.

/** The width --help is wrapped to: the terminal's (or COLUMNS), within 80 to 100; 100 where none is known. */
export function helpWidth(columns: number | undefined): number {
  return Math.max(80, Math.min(100, columns || 100));
}

/** The columns --help is for: the terminal's where stdout is one, else COLUMNS (a pipe has no width of its own). */
export function helpColumns(stdout: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number | undefined {
  if (stdout.isTTY && stdout.columns) return stdout.columns;
  return Number(env.COLUMNS) || undefined;
}

/** The widths the build renders --help at ahead of time (a narrow terminal, and the widest, which a pipe gets). */
export const PRERENDERED_HELP_WIDTHS = [80, 100];
