// What every subcommand (job, merge, policy, check-policy) shares: a yargs parser whose errors are
// one UsageError line naming the command (an unknown flag as typed, with did-you-mean), --help laid
// out as every command's (settings/help.ts: its page around yargs' options, to the terminal's width
// or COLUMNS), --no-color, and the report options (written by report-output.ts, as a probe run
// writes its report).
import yargs, { type Argv } from "yargs";
import { UsageError } from "../../core/usage-error.js";
import { FILE_FORMATS, type FileOption, FORMATS, fileOptionOf, STDOUT_FORMATS } from "../../report/formats.js";
import { unknownArguments } from "../settings/did-you-mean.js";
import { type HelpPage, helpText } from "../settings/help.js";
import { pushgatewayUrl } from "../settings/validate.js";
import { helpColumns, helpWidth } from "../start/help-width.js";
import { HelpText } from "./command.js";

/** The width a subcommand's --help is wrapped to. */
const subcommandWidth = (): number => helpWidth(helpColumns(process.stdout, process.env));

/** `kfp-s3-probe NAME`'s parser: no --version of its own, errors as one line that points to its --help. */
export function subcommandParser(argv: string[], name: string): Argv {
  const parser: Argv = yargs(argv)
    .scriptName(`kfp-s3-probe ${name}`)
    // Flags are read by their names on the command line; camelCase twins would only double error messages.
    .parserConfiguration({ "camel-case-expansion": false })
    .version(false)
    // English whatever LANG says, as the bundle (which ships no yargs locales) always spoke.
    .detectLocale(false)
    .wrap(subcommandWidth())
    .exitProcess(false)
    .fail((message, error) => {
      const oneLine = (message ?? error?.message ?? "bad usage").replace(/\s*\n\s*/g, " ");
      // Every name the parser knows, its options' and their aliases.
      const known = parser.parsed ? Object.keys(parser.parsed.aliases) : [];
      throw new UsageError(`${name}: ${unknownArguments(oneLine, argv, known) ?? oneLine} (see kfp-s3-probe ${name} --help)`);
    });
  return parser;
}

/** The parsed arguments, or the command's --help (its page around the options) when it was asked for. */
export async function parseOrHelp<T>(parser: Argv<T>, argv: string[], page: HelpPage) {
  let help: HelpText | undefined;
  // Last among the options, after the command's own: --no-color, accepted by every command, and --help.
  parser
    .option("color", { type: "boolean", describe: "--no-color: no colour (as NO_COLOR=1); there is colour only in a text report on a terminal" })
    .help("help")
    .alias("help", "h");
  const args = await parser.parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) help = new HelpText(helpText(page, subcommandWidth(), output));
  });
  return help ?? args;
}

/** --output (-o), each report file's flag (FORMATS: --junit, --sarif, --html, --metrics) and --pushgateway, as the probe itself has them. */
export function withReportOptions<T>(parser: Argv<T>) {
  return parser
    .option("output", { alias: "o", type: "string", choices: STDOUT_FORMATS, default: "text", describe: "format on stdout" })
    .options(REPORT_FILE_OPTIONS)
    .option("pushgateway", { type: "string", coerce: pushgatewayUrl, describe: "also push the metrics to this Pushgateway URL" });
}

/** Each format's file flag, in FORMATS' order. */
const REPORT_FILE_OPTIONS = Object.fromEntries(
  FILE_FORMATS.map((format) => [fileOptionOf(format), { type: "string", describe: FORMATS[format].file.short }]),
) as Record<FileOption, { type: "string"; describe: string }>;
