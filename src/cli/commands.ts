// Every subcommand: its name, its line in the tool's usage, and its module, loaded only when it
// runs (so --help, a usage error and each command load what they need alone; the bundle is split
// in chunks along these imports). A word that names no command is the probe run's first flag.
import type { Runnable } from "./commands/command.js";
import { ABOUT, RUN_FORMS } from "./settings/help.js";

interface CommandRow {
  name: string;
  /** Its line in `kfp-s3-probe --help`. */
  synopsis: string;
  load: () => Promise<{ command: Runnable }>;
}

export const COMMANDS: readonly CommandRow[] = [
  { name: "sweep", synopsis: "kfp-s3-probe sweep [--delete] ...", load: () => import("./commands/sweep.js") },
  { name: "job", synopsis: "kfp-s3-probe job --values values.yaml [--parallelism N]", load: () => import("./commands/job.js") },
  { name: "merge", synopsis: "kfp-s3-probe merge SHARD.json...", load: () => import("./commands/merge.js") },
  { name: "diff", synopsis: "kfp-s3-probe diff OLD.json NEW.json", load: () => import("./commands/diff.js") },
  { name: "policy", synopsis: "kfp-s3-probe policy --profile NAME", load: () => import("./commands/policy.js") },
  { name: "check-policy", synopsis: "kfp-s3-probe check-policy --profile NAME policy.json", load: () => import("./commands/check-policy.js") },
];

/** The probe run: what the command line means when its first word names no command. */
export const RUN_COMMAND = (): Promise<{ command: Runnable }> => import("./commands/run.js");

/** The tool's usage: the run's forms, then every command's line, two to a line, then --version. */
export function toolUsage(): string {
  const lines = [...COMMANDS.map((row) => row.synopsis), "kfp-s3-probe --version"];
  const paired: string[] = [];
  for (let i = 0; i < lines.length; i += 2) paired.push(`       ${lines.slice(i, i + 2).join("   ")}`);
  return `${RUN_FORMS}\n${paired.join("\n")}\n       (each command has its own --help)\n\n${ABOUT}`;
}
