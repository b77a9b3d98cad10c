// Report formats as one table: a name, where it goes (stdout, where --output may choose it; a file,
// where its flag names one) and its renderer. Every format renders the same Report. Reading the
// command line needs only the names, so a renderer is loaded when a report is written in its format.
import type { Report } from "./model.js";
import type { TextOptions } from "./text.js";

interface RenderOptions {
  colour: boolean;
  /** Text: the columns to fit, and the view. */
  text?: TextOptions;
}

type Render = (report: Report, options: RenderOptions) => string;

interface ReportFormat {
  /** stdout: may be chosen by --output; file: only written where its flag says. */
  destination: "stdout" | "file";
  /** The flag that names a file for it, beside whatever goes to stdout: its words in the run's --help and in a subcommand's, its place in the report's settings. */
  file?: { flag: `--${string}`; describe: string; short: string; report: number };
  load: () => Promise<Render>;
}

/** In the order their files are written. */
export const FORMATS = {
  text: {
    destination: "stdout",
    load: async () => {
      const { renderText } = await import("./text.js");
      return (report, { colour, text }) => renderText(report, colour, text);
    },
  },
  // One line: the smallest and fastest to write, and findable in a pod log among stderr's lines (merge does).
  json: { destination: "stdout", load: async () => (report) => `${JSON.stringify(report)}\n` },
  junit: {
    destination: "file",
    file: {
      flag: "--junit",
      describe: "also write a JUnit XML report to this file (one testcase per cell and per KFP component)",
      short: "also write JUnit XML to FILE",
      report: 17,
    },
    load: async () => (await import("./junit.js")).renderJunit,
  },
  sarif: {
    destination: "stdout",
    file: {
      flag: "--sarif",
      describe: "also write a SARIF 2.1.0 report to this file (for code-scanning dashboards; one rule per cause)",
      short: "also write SARIF 2.1.0 to FILE",
      report: 18,
    },
    load: async () => (await import("./sarif.js")).renderSarif,
  },
  html: {
    destination: "stdout",
    file: {
      flag: "--html",
      describe: "also write the report as one self-contained HTML page to this file (the matrix as a heatmap, with filters)",
      short: "also write a self-contained HTML page to FILE",
      report: 18.1,
    },
    load: async () => (await import("./html.js")).renderHtml,
  },
  openmetrics: {
    destination: "stdout",
    file: {
      flag: "--metrics",
      describe: "also write OpenMetrics text to this file (for node_exporter's textfile collector: name it *.prom)",
      short: "also write OpenMetrics text to FILE",
      report: 18.2,
    },
    load: async () => (await import("./openmetrics.js")).renderOpenMetrics,
  },
} as const satisfies Record<string, ReportFormat>;

export type FormatName = keyof typeof FORMATS;
/** The formats a flag names a file for. */
export type FileFormatName = { [F in FormatName]: (typeof FORMATS)[F] extends { file: object } ? F : never }[FormatName];
/** The option that names a format's file: its flag without the dashes (`--metrics` for openmetrics). */
export type FileOption = { [F in FileFormatName]: (typeof FORMATS)[F]["file"]["flag"] extends `--${infer Name}` ? Name : never }[FileFormatName];

/** The keys of a literal object are exactly its key type (TypeScript types Object.keys as string[]). */
const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];
/** The formats --output may choose. */
export const STDOUT_FORMATS: readonly FormatName[] = FORMAT_NAMES.filter((name) => FORMATS[name].destination === "stdout");
export const FILE_FORMATS = FORMAT_NAMES.filter((name): name is FileFormatName => "file" in FORMATS[name]);
export const fileOptionOf = <F extends FileFormatName>(format: F) => FORMATS[format].file.flag.slice(2) as FileOption;

/** The format's renderer, loaded now. */
export const rendererOf = (name: FormatName): Promise<Render> => FORMATS[name].load();
