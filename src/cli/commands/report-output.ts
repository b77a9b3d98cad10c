// A report written as every command writes one: the chosen format on stdout (colour and width from
// the terminal; no colour with NO_COLOR or --no-color), and the JUnit, SARIF, HTML and metrics files
// beside it, and the metrics pushed to a Pushgateway; all of it through the run's redactor.
import { writeFile } from "node:fs/promises";
import { UsageError } from "../../core/usage-error.js";
import { FILE_FORMATS, type FileOption, FORMATS, type FormatName, fileOptionOf, rendererOf } from "../../report/formats.js";
import type { Report } from "../../report/model.js";
import type { TextOptions } from "../../report/text.js";
import { type Io, terminalWidth } from "../io.js";

/** The format on stdout (unless stdout is false), a file for each format a flag names one for (junit, sarif, html, metrics), a Pushgateway. */
export type ReportOutputs = {
  output: string;
  stdout?: boolean;
  view?: TextOptions["view"];
  pushgateway?: URL | undefined;
  /** false: no colour (--no-color). */
  color?: boolean | undefined;
} & Partial<Record<FileOption, string | undefined>>;

/** Colour only on a terminal, and not where NO_COLOR (set, not empty) or --no-color turns it off. */
export function colourOn(io: Io, color: boolean | undefined, stream: "stdout" | "stderr" = "stdout"): boolean {
  return io[stream].isTTY === true && !io.env.NO_COLOR && color !== false;
}

export async function writeReport(report: Report, outputs: ReportOutputs, io: Io, redact: (text: string) => string = (text) => text): Promise<void> {
  const colour = colourOn(io, outputs.color);
  const text = { width: terminalWidth(io), ...(outputs.view ? { view: outputs.view } : {}) };
  const render = await rendererOf(outputs.output as FormatName);
  if (outputs.stdout !== false) io.stdout.write(redact(render(report, { colour, text })));
  for (const format of FILE_FORMATS) {
    const file = outputs[fileOptionOf(format)];
    if (!file) continue;
    const renderFile = await rendererOf(format);
    try {
      await writeFile(file, redact(renderFile(report, { colour: false })));
    } catch (error) {
      throw new UsageError(`cannot write ${FORMATS[format].file.flag} ${file} (${(error as NodeJS.ErrnoException).code ?? "unwritable"})`);
    }
  }
  if (outputs.pushgateway) await push(report, outputs.pushgateway, io, redact);
}

/** A push that fails is said on stderr; the run's exit code stands (its findings matter more than their delivery). */
async function push(report: Report, url: URL, io: Io, redact: (text: string) => string): Promise<void> {
  const { prometheusText, renderOpenMetrics } = await import("../../report/openmetrics.js");
  const { pushMetrics } = await import("../../report/pushgateway.js");
  const problem = await pushMetrics(url, report.store.bucket, redact(prometheusText(renderOpenMetrics(report))));
  if (problem) io.stderr.write(redact(`kfp-s3-probe: --pushgateway: the metrics were not pushed: ${problem}\n`));
}
