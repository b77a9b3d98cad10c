// The shape of every command, as kubectl's cli-runtime has it: options (read the command line) →
// complete (fill in what the options leave: files read, settings resolved) → validate (refuse what
// cannot run, in one line, before anything is sent) → run. main (../main.ts) runs the four in
// order, writes a help text and turns an error into its one line, for every command alike.
import { EXIT_CODES } from "../../core/exit-codes.js";
import type { Redactor } from "../../report/redact.js";
import type { Io } from "../io.js";
import type { HelpRow } from "../settings/help.js";

/** What main hands every command. */
export interface CommandContext {
  io: Io;
  /** Every output goes through it; a command adds the secrets it loads. */
  redactor: Redactor;
  /** SIGINT or SIGTERM, if one came while the command was starting (nothing sent yet). */
  earlySignal(): string | undefined;
  /** The tool's commands (the run's --help lists them). */
  commands: readonly HelpRow[];
}

/** --help was asked for: the text to print, and nothing else is done. */
export class HelpText {
  constructor(readonly text: string) {}
}

export interface Command<Options, Completed> {
  name: string;
  options(argv: string[], context: CommandContext): Promise<Options | HelpText>;
  complete(options: Options, context: CommandContext): Promise<Completed>;
  validate(completed: Completed): void;
  run(completed: Completed, context: CommandContext): Promise<number>;
}

/** A command as main runs it, whatever its own types. */
export interface Runnable {
  execute(argv: string[], context: CommandContext): Promise<number>;
}

/** The four steps in order; --help is written and ends the command with 0. */
export function defineCommand<Options, Completed>(command: Command<Options, Completed>): Command<Options, Completed> & Runnable {
  return {
    ...command,
    async execute(argv, context) {
      const options = await command.options(argv, context);
      if (options instanceof HelpText) {
        context.io.stdout.write(options.text);
        return EXIT_CODES.asExpected;
      }
      const completed = await command.complete(options, context);
      command.validate(completed);
      return command.run(completed, context);
    },
  };
}
