// The command line, read by yargs from the FIELDS table: types, choices and --help. It gives only
// what the command line says; defaults and the environment are layers of settings.ts. The forms
// people type are read without it (command-line.ts); this reads the rest, and renders --help.
import yargs, { type Options } from "yargs";
import { UsageError } from "../../core/usage-error.js";
import { helpWidth } from "../start/help-width.js";
import { type ParsedCommandLine, usageErrorOf } from "./command-line.js";
import { FIELDS, type Field, type FieldName, type Layer, type RawValue } from "./fields.js";
import { EPILOGUE } from "./help.js";

function optionOf(field: FieldName): Options {
  const spec: Field = FIELDS[field];
  const type = spec.kind === "strings" ? "string" : spec.kind;
  return {
    type,
    ...(spec.kind === "strings" ? { array: true } : {}),
    ...(spec.choices ? { choices: spec.choices } : {}),
    ...(spec.defaultValue !== undefined ? { defaultDescription: String(spec.defaultValue) } : {}),
    describe: spec.describe,
  };
}

function buildParser(argv: string[], usage: string, width = helpWidth(process.stdout.columns)) {
  const options = Object.fromEntries((Object.keys(FIELDS) as FieldName[]).map((field) => [field, optionOf(field)]));
  return (
    yargs(argv)
      .scriptName("kfp-s3-probe")
      // Flags are read by their names on the command line; camelCase twins would only double error messages.
      .parserConfiguration({ "camel-case-expansion": false })
      .usage(usage)
      .options(options)
      .epilogue(EPILOGUE)
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
        throw usageErrorOf(message ?? error?.message ?? "bad usage");
      })
  );
}

/** The --help text at a width, as the parser prints it (the build keeps a few, for a fast --help). */
export async function renderHelp(width: number, usage: string): Promise<string> {
  let text = "";
  await buildParser(["--help"], usage, width).parseAsync(["--help"], {}, (_error, _argv, output) => {
    text = `${output}\n`;
  });
  return text;
}

export async function parseCommandLine(argv: string[], writeHelp: (text: string) => void, usage: string): Promise<ParsedCommandLine> {
  let helpShown = false;
  const args = await buildParser(argv, usage).parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) {
      helpShown = true;
      writeHelp(`${output}\n`);
    }
  });
  const flags: Layer = {};
  for (const field of Object.keys(FIELDS) as FieldName[]) {
    const value = (args as Record<string, unknown>)[field];
    if (value !== undefined) flags[field] = value as RawValue;
  }
  return { flags, positional: args._.map(String), helpShown: helpShown || args.help === true };
}
