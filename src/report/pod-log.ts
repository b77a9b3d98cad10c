// The reports in what `merge` is given: a report file (one line, or pretty-printed), a pod's log as
// `kubectl logs` prints it (stderr's lines before or after the one-line report), or the logs of
// several pods in one stream (`kubectl logs -l SELECTOR`, with or without --prefix and
// --timestamps). Found by their first characters, wherever they stand.
import { UsageError } from "../core/usage-error.js";
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type Report } from "./model.js";

const REPORT_LINE_START = `{"schema":"${REPORT_SCHEMA}"`;
/** Every line the tool writes on stderr begins so (findings, warnings, errors). */
const STDERR_MARK = "kfp-s3-probe: ";
/** `kubectl logs --prefix`: `[pod/NAME/CONTAINER] ` before each line. */
const KUBECTL_PREFIX = /^\[pod\/([^/\]]+)\/[^\]]*\] /;
/** `kubectl logs --timestamps`: the kubelet's RFC 3339 time and a space before each line. */
const KUBELET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}) /;

export interface FoundReport {
  report: Report;
  /** The input, and the pod where kubectl named it. */
  source: string;
}

/** A pod (or a whole input) whose log holds no report: its last line says why (a usage error, a crash). */
export interface Unreported {
  source: string;
  lastLine: string;
}

export interface ReadInput {
  reports: FoundReport[];
  unreported: Unreported[];
}

function checked(report: Report, source: string, command: string): Report {
  if (report.schema !== REPORT_SCHEMA || report.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new UsageError(`${command}: ${source} is not a ${REPORT_SCHEMA} v${REPORT_SCHEMA_VERSION} report`);
  }
  return report;
}

/** A whole input that is one JSON document (a report file, also pretty-printed), or undefined. */
function wholeDocument(text: string): unknown {
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Each pod's lines, kubectl's prefix and the kubelet's timestamp taken off; "" for lines without a prefix. */
function linesByPod(text: string): Map<string, string[]> {
  const pods = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    if (raw === "") continue;
    const prefix = KUBECTL_PREFIX.exec(raw);
    const pod = prefix?.[1] ?? "";
    const line = (prefix ? raw.slice(prefix[0].length) : raw).replace(KUBELET_TIMESTAMP, "");
    const lines = pods.get(pod) ?? [];
    lines.push(line);
    pods.set(pod, lines);
  }
  return pods;
}

function parsed(text: string): Report | undefined {
  try {
    return JSON.parse(text) as Report;
  } catch {
    return undefined;
  }
}

/**
 * A report line the container runtime split: it logs a line longer than its limit (containerd:
 * 16 KiB) as parts, and a stderr line logged between two parts is printed glued to the end of the
 * first, the rest of the report on the next line. The parts are put together again without the
 * stderr lines (each begins with STDERR_MARK), until they parse; the last line used is returned.
 */
function rejoined(lines: string[], start: number): { report: Report; end: number } | undefined {
  const whole = parsed(lines[start] ?? "");
  if (whole) return { report: whole, end: start };
  const parts: string[] = [];
  for (let at = start; at < lines.length; at += 1) {
    const line = lines[at] ?? "";
    if (at > start && line.startsWith(REPORT_LINE_START)) return undefined;
    const mark = at > start && line.startsWith(STDERR_MARK) ? 0 : line.indexOf(STDERR_MARK);
    parts.push(mark >= 0 ? line.slice(0, mark) : line);
    const report = parsed(parts.join(""));
    if (report) return { report, end: at };
  }
  return undefined;
}

/** The reports in one pod's lines (or an unprefixed input's), in order. */
function reportsInLines(lines: string[], source: string, command: string): Report[] {
  const reports: Report[] = [];
  for (let at = 0; at < lines.length; at += 1) {
    if (!lines[at]?.startsWith(REPORT_LINE_START)) continue;
    const found = rejoined(lines, at);
    if (!found) throw new UsageError(`${command}: ${source} is not valid JSON (a report cut short?)`);
    reports.push(checked(found.report, source, command));
    at = found.end;
  }
  return reports;
}

function lastLineOf(lines: string[]): string {
  return [...lines].reverse().find((line) => line.trim() !== "") ?? "";
}

/** Every report in one input (a file, or stdin), named by the input and, where kubectl gave it, the pod. */
export function reportsInText(text: string, input: string, command = "merge"): ReadInput {
  const whole = wholeDocument(text);
  if (whole !== undefined) return { reports: [{ report: checked(whole as Report, input, command), source: input }], unreported: [] };
  const result: ReadInput = { reports: [], unreported: [] };
  for (const [pod, lines] of linesByPod(text)) {
    const named = pod ? `${input} (pod/${pod})` : input;
    const reports = reportsInLines(lines, named, command);
    if (reports.length === 0) result.unreported.push({ source: named, lastLine: lastLineOf(lines) });
    reports.forEach((report, index) => {
      result.reports.push({ report, source: reports.length > 1 ? `${named} (report ${index + 1})` : named });
    });
  }
  // An empty input is no pod's log either: it still says which input held nothing.
  if (result.reports.length === 0 && result.unreported.length === 0) result.unreported.push({ source: input, lastLine: "" });
  return result;
}

/** One report from a text (a file, or a pod's log): the first it holds; `command` names who reads it in errors. */
export function reportFromText(text: string, source: string, command = "merge"): Report {
  const { reports } = reportsInText(text, source, command);
  const [first] = reports;
  if (!first)
    throw new UsageError(
      `${command}: ${source} holds no kfp-s3-probe JSON report (${command === "merge" ? "run the shards" : "write it"} with --output json)`,
    );
  return first.report;
}
