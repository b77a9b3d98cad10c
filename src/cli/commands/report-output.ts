// A report written as every command writes one: the chosen format on stdout (colour and width from
// the terminal), and JUnit and SARIF files beside it; all of it through the run's redactor.
import { writeFile } from "node:fs/promises";
import { UsageError } from "../../core/usage-error.js";
import { FORMATS, type FormatName } from "../../report/formats.js";
import type { Report } from "../../report/model.js";
import type { TextOptions } from "../../report/text.js";
import { type Io, terminalWidth } from "../io.js";

export interface ReportOutputs {
  output: string;
  junit?: string | undefined;
  sarif?: string | undefined;
  view?: TextOptions["view"];
}

export async function writeReport(report: Report, outputs: ReportOutputs, io: Io, redact: (text: string) => string = (text) => text): Promise<void> {
  const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
  const text = { width: terminalWidth(io), ...(outputs.view ? { view: outputs.view } : {}) };
  io.stdout.write(redact(FORMATS[outputs.output as FormatName].render(report, { colour, text })));
  const files: [FormatName, string | undefined][] = [
    ["junit", outputs.junit],
    ["sarif", outputs.sarif],
  ];
  for (const [format, file] of files) {
    if (!file) continue;
    try {
      await writeFile(file, redact(FORMATS[format].render(report, { colour: false })));
    } catch (error) {
      throw new UsageError(`cannot write --${format} ${file} (${(error as NodeJS.ErrnoException).code ?? "unwritable"})`);
    }
  }
}
