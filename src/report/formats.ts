// Report formats as one table: a name, a renderer, and where it goes. --output picks the one on
// stdout; --junit FILE adds another to a file. Every format renders the same Report.
import { renderJunit } from "./junit.js";
import type { Report } from "./model.js";
import { renderSarif } from "./sarif.js";
import { findingLines, renderText, type TextOptions } from "./text.js";

interface RenderOptions {
  colour: boolean;
  /** Text: the columns to fit, and the view. */
  text?: TextOptions;
}

export interface ReportFormat {
  name: string;
  render: (report: Report, options: RenderOptions) => string;
  /** stdout: may be chosen by --output; file: only written where its flag says. */
  destination: "stdout" | "file";
  /** The flag that names a file for it, beside whatever goes to stdout. */
  flag?: string;
}

export type FormatName = "text" | "json" | "sarif" | "junit";

export const FORMATS: Record<FormatName, ReportFormat> = {
  text: { name: "text", render: (report, { colour, text }) => renderText(report, colour, text), destination: "stdout" },
  // One line: the smallest and fastest to write, and findable in a pod log among stderr's lines (merge does).
  json: { name: "json", render: (report) => `${JSON.stringify(report)}\n`, destination: "stdout" },
  sarif: { name: "sarif", render: (report) => renderSarif(report), destination: "stdout", flag: "--sarif" },
  junit: { name: "junit", render: (report) => renderJunit(report), destination: "file", flag: "--junit" },
};

/** Unattended (a Job, CI): one line per finding, for log search and alerts. */
export function findingLog(report: Report): string {
  return findingLines(report)
    .map((line) => `kfp-s3-probe: ${line}\n`)
    .join("");
}
