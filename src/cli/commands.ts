// Every subcommand: its name, its line in the tool's --help, and its module, loaded only when it
// runs (so --help, a usage error and each command load what they need alone; the bundle is split
// in chunks along these imports). A word that names no command is the probe run's first flag.
import type { Runnable } from "./commands/command.js";
import type { HelpRow } from "./settings/help.js";

interface CommandRow {
  name: string;
  /** What it does, in the tool's --help. */
  summary: string;
  load: () => Promise<{ command: Runnable }>;
}

export const COMMANDS: readonly CommandRow[] = [
  { name: "sweep", summary: "find (and with --delete remove) what killed probe runs left in the bucket", load: () => import("./commands/sweep.js") },
  { name: "job", summary: "print a Kubernetes Job that runs the probe in the cluster", load: () => import("./commands/job.js") },
  { name: "merge", summary: "combine the reports of a sharded run (files or pod logs) into one", load: () => import("./commands/merge.js") },
  { name: "diff", summary: "what changed between two reports of the same install", load: () => import("./commands/diff.js") },
  { name: "policy", summary: "print the policy each identity needs, exactly, in the store's form", load: () => import("./commands/policy.js") },
  {
    name: "check-policy",
    summary: "judge policy documents offline, as a run would judge the store",
    load: () => import("./commands/check-policy.js"),
  },
];

/** The probe run: what the command line means when its first word names no command. */
export const RUN_COMMAND = (): Promise<{ command: Runnable }> => import("./commands/run.js");

/** The commands as the run's --help lists them. */
export function toolCommands(): HelpRow[] {
  return [...COMMANDS.map((row) => [row.name, row.summary] as const), ["--version", "the version"]];
}
