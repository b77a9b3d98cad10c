// The command line, read by yargs from the FIELDS table: types, choices, aliases and --help's
// options. It gives only what the command line says; defaults and the environment are layers of
// settings.ts. The forms people type are read without it (command-line.ts); this reads the rest,
// and renders --help (its layout and words: help.ts).
import yargs, { type Options } from "yargs";
import { UsageError } from "../../core/usage-error.js";
import { helpColumns, helpWidth } from "../start/help-width.js";
import { type ParsedCommandLine, usageErrorOf } from "./command-line.js";
import { FIELDS, type Field, type FieldName, type Layer, type RawValue } from "./fields.js";
import { type HelpRow, helpText, runPage } from "./help.js";

function optionOf(field: FieldName): Options {
  const spec: Field = FIELDS[field];
  const type = spec.kind === "strings" ? "string" : spec.kind;
  return {
    type,
    ...(spec.kind === "strings" ? { array: true } : {}),
    ...(spec.choices ? { choices: spec.choices } : {}),
    ...(spec.alias ? { alias: [...spec.alias] } : {}),
    // A default worked out at run time is said in the flag's words, not as one fixed value.
    ...(spec.defaultValue !== undefined && !spec.computedDefault ? { defaultDescription: String(spec.defaultValue) } : {}),
    describe: spec.describe,
  };
}

function buildParser(argv: string[], width: number, ownFlags: readonly string[] = []) {
  const options = Object.fromEntries((Object.keys(FIELDS) as FieldName[]).map((field) => [field, optionOf(field)]));
  return (
    yargs(argv)
      .scriptName("kfp-s3-probe")
      // Flags are read by their names on the command line; camelCase twins would only double error messages.
      .parserConfiguration({ "camel-case-expansion": false })
      .options(options)
      .strict()
      .version(false)
      // English whatever LANG says: as the bundle (which ships no yargs locales) always spoke, and as
      // the help texts rendered by the build must read on every builder's machine.
      .detectLocale(false)
      .help("help")
      .alias("help", "h")
      .wrap(width)
      .exitProcess(false)
      .fail((message, error) => {
        if (error instanceof UsageError) throw error;
        throw usageErrorOf(message ?? error?.message ?? "bad usage", argv, ownFlags);
      })
  );
}

/** The run's --help at a width: its page around the options yargs lays out (the build keeps a few, for a fast --help). */
export async function renderHelp(width: number, commands: readonly HelpRow[]): Promise<string> {
  let options = "";
  await buildParser(["--help"], width).parseAsync(["--help"], {}, (_error, _argv, output) => {
    options = output;
  });
  return helpText(runPage(commands), width, options);
}

/** The command line as yargs reads it; `ownFlags`: a command's flags beyond the run's (sweep's), for did-you-mean. */
export async function parseCommandLine(
  argv: string[],
  writeHelp: (text: string) => void,
  commands: readonly HelpRow[],
  ownFlags: readonly string[] = [],
): Promise<ParsedCommandLine> {
  let helpShown = false;
  const width = helpWidth(helpColumns(process.stdout, process.env));
  const args = await buildParser(argv, width, ownFlags).parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) {
      helpShown = true;
      writeHelp(helpText(runPage(commands), width, output));
    }
  });
  const flags: Layer = {};
  for (const field of Object.keys(FIELDS) as FieldName[]) {
    const value = (args as Record<string, unknown>)[field];
    if (value !== undefined) flags[field] = value as RawValue;
  }
  return { flags, positional: args._.map(String), helpShown: helpShown || args.help === true };
}
