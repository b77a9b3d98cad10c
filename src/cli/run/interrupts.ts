// Ctrl-C, SIGTERM and the --timeout deadline: the first stops the checks (cleanup still runs),
// a second signal abandons the cleanup too.
import type { Io } from "../io.js";

export class RunInterrupts {
  readonly checks = new AbortController();
  readonly cleanup = new AbortController();
  interruptedBy: "SIGINT" | "SIGTERM" | "deadline" | undefined;
  private readonly deadline: NodeJS.Timeout;
  private readonly onInt = this.onSignal("SIGINT");
  private readonly onTerm = this.onSignal("SIGTERM");

  constructor(
    private readonly io: Io,
    deadlineMs: number,
  ) {
    io.signals.on("SIGINT", this.onInt);
    io.signals.on("SIGTERM", this.onTerm);
    this.deadline = setTimeout(() => {
      this.interruptedBy ??= "deadline";
      this.checks.abort();
    }, deadlineMs);
  }

  private onSignal(signal: "SIGINT" | "SIGTERM") {
    return () => {
      if (this.interruptedBy && this.interruptedBy !== "deadline") {
        this.cleanup.abort();
        return;
      }
      this.interruptedBy = signal;
      this.io.stderr.write(`\nkfp-s3-probe: ${signal}: stopping and removing what the probe created (again to abandon the cleanup)\n`);
      this.checks.abort();
    };
  }

  release(): void {
    clearTimeout(this.deadline);
    this.io.signals.off("SIGINT", this.onInt);
    this.io.signals.off("SIGTERM", this.onTerm);
  }
}
