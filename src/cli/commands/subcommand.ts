// What every subcommand (job, merge, policy, check-policy) shares: a yargs parser whose errors are
// one UsageError line naming the command, --help printed and answered, and the report options
// (written by report-output.ts, as a probe run writes its report).
import yargs, { type Argv } from "yargs";
import { UsageError } from "../../core/usage-error.js";
import { STDOUT_FORMATS } from "../../report/formats.js";
import { pushgatewayUrl } from "../settings/validate.js";
import { HelpText } from "./command.js";

/** `kfp-s3-probe NAME`'s parser: no --version of its own, errors as one line that points to its --help. */
export function subcommandParser(argv: string[], name: string): Argv {
  return (
    yargs(argv)
      .scriptName(`kfp-s3-probe ${name}`)
      .version(false)
      // English whatever LANG says, as the bundle (which ships no yargs locales) always spoke.
      .detectLocale(false)
      .help("help")
      .exitProcess(false)
      .fail((message, error) => {
        throw new UsageError(`${name}: ${(message ?? error?.message ?? "bad usage").replace(/\s*\n\s*/g, " ")} (see kfp-s3-probe ${name} --help)`);
      })
  );
}

/** The parsed arguments, or the help text when --help was asked for. */
export async function parseOrHelp<T>(parser: Argv<T>, argv: string[]) {
  let help: HelpText | undefined;
  const args = await parser.parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) help = new HelpText(`${output}\n`);
  });
  return help ?? args;
}

/** --output, --junit, --sarif, --html, --metrics and --pushgateway, as the probe itself has them. */
export function withReportOptions<T>(parser: Argv<T>) {
  return parser
    .option("output", { type: "string", choices: STDOUT_FORMATS, default: "text", describe: "format on stdout" })
    .option("junit", { type: "string", describe: "also write JUnit XML to FILE" })
    .option("sarif", { type: "string", describe: "also write SARIF 2.1.0 to FILE" })
    .option("html", { type: "string", describe: "also write a self-contained HTML page to FILE" })
    .option("metrics", { type: "string", describe: "also write OpenMetrics text to FILE" })
    .option("pushgateway", { type: "string", coerce: pushgatewayUrl, describe: "also push the metrics to this Pushgateway URL" });
}
