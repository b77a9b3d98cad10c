// A report written as every command writes one: the chosen format on stdout (colour and width from
// the terminal), and JUnit and SARIF files beside it; all of it through the run's redactor.
import { writeFile } from "node:fs/promises";
import { UsageError } from "../../core/usage-error.js";
import { FILE_FORMATS, type FileFormatName, FORMATS, type FormatName, rendererOf } from "../../report/formats.js";
import type { Report } from "../../report/model.js";
import type { TextOptions } from "../../report/text.js";
import { type Io, terminalWidth } from "../io.js";

/** The format on stdout (unless stdout is false), and a file for each format a flag names one for (junit, sarif). */
export type ReportOutputs = {
  output: string;
  stdout?: boolean;
  view?: TextOptions["view"];
} & Partial<Record<FileFormatName, string | undefined>>;

export async function writeReport(report: Report, outputs: ReportOutputs, io: Io, redact: (text: string) => string = (text) => text): Promise<void> {
  const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
  const text = { width: terminalWidth(io), ...(outputs.view ? { view: outputs.view } : {}) };
  const render = await rendererOf(outputs.output as FormatName);
  if (outputs.stdout !== false) io.stdout.write(redact(render(report, { colour, text })));
  for (const format of FILE_FORMATS) {
    const file = outputs[format];
    if (!file) continue;
    const renderFile = await rendererOf(format);
    try {
      await writeFile(file, redact(renderFile(report, { colour: false })));
    } catch (error) {
      throw new UsageError(`cannot write ${FORMATS[format].flag} ${file} (${(error as NodeJS.ErrnoException).code ?? "unwritable"})`);
    }
  }
}
