// The process's streams, environment and signals, passed in so that tests can give their own.
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** What `merge -` reads; absent where a test gives none. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where SIGINT/SIGTERM come from; a test can pass its own emitter. */
  signals: NodeJS.EventEmitter;
}

/** The terminal's width; COLUMNS, or 100, where stdout is not a terminal (at least 60). */
export function terminalWidth(io: Io): number {
  const columns = io.stdout.isTTY && io.stdout.columns > 0 ? io.stdout.columns : Number(io.env.COLUMNS) || 100;
  return Math.max(60, columns);
}
