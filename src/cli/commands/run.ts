// The probe run, the command a command line names when its first word is no subcommand: every
// setting resolved from the flags, the environment, --config and --values; then the run itself
// (../run/probe.ts, and with it the AWS SDK), loaded only when it starts.

import type { ProbeConfig } from "../settings/config.js";
import type { Layer } from "../settings/fields.js";
import { readFlags, resolveConfig } from "../settings/resolve.js";
import { defineCommand, HelpText } from "./command.js";

export const command = defineCommand({
  name: "run",
  async options(argv: string[], { commands }): Promise<{ flags: Layer; positional: string[] } | HelpText> {
    const { flags, positional, helpShown, help } = await readFlags(argv, commands);
    return helpShown ? new HelpText(help) : { flags, positional };
  },
  complete: ({ flags, positional }, { io }): Promise<ProbeConfig> => resolveConfig(flags, positional, io.env),
  // Every setting is checked as it is resolved: a bad one has failed complete already.
  validate: () => undefined,
  async run(config, context) {
    return (await import("../run/probe.js")).probeRun(config, context);
  },
});
