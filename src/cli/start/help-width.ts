// How wide --help is, apart from its words (help.ts): the quick --help (quick.ts) needs only this.

/** The width --help is wrapped to: the terminal's, at most 110; 100 where there is none. */
export function helpWidth(columns: number | undefined): number {
  return Math.min(110, columns || 100);
}

/** The widths the build renders --help at ahead of time (the common terminals, and no terminal). */
export const PRERENDERED_HELP_WIDTHS = [80, 100, 110];
