// The process's streams, environment and signals, passed in so that tests can give their own.
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Where SIGINT/SIGTERM come from; a test can pass its own emitter. */
  signals: NodeJS.EventEmitter;
}
