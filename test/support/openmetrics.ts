// A strict parser of the OpenMetrics 1.0 text format (the spec's ABNF, prometheus.io's
// OpenMetrics specification), for the tests of --output openmetrics: the npm parsers of the format
// (parse-prometheus-text-format, last released years ago) read Prometheus 0.0.4 text and accept
// what OpenMetrics refuses, so this one throws on anything the spec does not allow: a line of no
// known form, an escape it lacks, a family's samples apart or before its metadata, a second TYPE,
// a sample name that is not its gauge's, a UNIT the name does not end with, a label set twice,
// anything after `# EOF` or no `# EOF`.

const TYPES = new Set(["counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown"]);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: string;
  help?: string;
  unit?: string;
  samples: Sample[];
}

/** An escaped-string's value; throws on an escape the format lacks, a bare quote or a line feed. */
function unescaped(text: string, where: string): string {
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "\n" || c === '"') throw new Error(`${where}: unescaped ${JSON.stringify(c)}`);
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === "\\") out += "\\";
    else if (next === '"') out += '"';
    else if (next === "n") out += "\n";
    else throw new Error(`${where}: bad escape \\${next ?? ""}`);
  }
  return out;
}

/** `{a="x",b="y"}` from position 0 of text; returns the labels and the length read. */
function parseLabels(text: string, where: string): { labels: Record<string, string>; length: number } {
  const labels: Record<string, string> = {};
  let i = 1;
  while (text[i] !== "}") {
    const eq = text.indexOf("=", i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label ${name} value not quoted`);
    let end = eq + 2;
    while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
    if (end >= text.length) throw new Error(`${where}: label ${name} value not closed`);
    labels[name] = unescaped(text.slice(eq + 2, end), where);
    i = end + 1;
    if (text[i] === ",") i += 1;
    else if (text[i] !== "}") throw new Error(`${where}: expected , or } after label ${name}`);
  }
  return { labels, length: i + 1 };
}

function parseSample(line: string, where: string): Sample {
  const nameEnd = line.search(/[{ ]/);
  const name = line.slice(0, nameEnd);
  if (nameEnd < 0 || !METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name in ${JSON.stringify(line)}`);
  const { labels, length } = line[nameEnd] === "{" ? parseLabels(line.slice(nameEnd), where) : { labels: {}, length: 0 };
  const rest = line.slice(nameEnd + length);
  const parts = rest.split(" ");
  if (parts[0] !== "" || parts.length < 2 || parts.length > 3) throw new Error(`${where}: expected " value [timestamp]" in ${JSON.stringify(line)}`);
  const value = parts[1] ?? "";
  if (!NUMBER.test(value)) throw new Error(`${where}: bad value ${JSON.stringify(value)}`);
  if (parts[2] !== undefined && !NUMBER.test(parts[2])) throw new Error(`${where}: bad timestamp ${JSON.stringify(parts[2])}`);
  return { name, labels, value: Number(value.replace(/^\+?Inf$/, "Infinity").replace(/^-Inf$/, "-Infinity")) };
}

function familyOf(families: Map<string, MetricFamily>, name: string, seen: string[], where: string): MetricFamily {
  if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad family name ${name}`);
  const last = seen[seen.length - 1];
  if (last !== name) {
    if (families.has(name)) throw new Error(`${where}: family ${name} interleaved with another`);
    families.set(name, { name, type: "unknown", samples: [] });
    seen.push(name);
  }
  return families.get(name) as MetricFamily;
}

function metadata(line: string, families: Map<string, MetricFamily>, seen: string[], where: string): void {
  const match = /^# (TYPE|HELP|UNIT) (\S+)(?: (.*))?$/.exec(line);
  if (!match) throw new Error(`${where}: a comment of no known form: ${JSON.stringify(line)}`);
  const [, kind, name = "", text = ""] = match;
  const family = familyOf(families, name, seen, where);
  if (family.samples.length > 0) throw new Error(`${where}: ${kind} of ${name} after its samples`);
  if (kind === "TYPE") {
    if (!TYPES.has(text)) throw new Error(`${where}: unknown type ${text}`);
    if (family.type !== "unknown") throw new Error(`${where}: second TYPE of ${name}`);
    family.type = text;
  } else if (kind === "HELP") {
    if (family.help !== undefined) throw new Error(`${where}: second HELP of ${name}`);
    family.help = unescaped(text, where);
  } else {
    if (family.unit !== undefined) throw new Error(`${where}: second UNIT of ${name}`);
    if (text && !name.endsWith(`_${text}`)) throw new Error(`${where}: ${name} does not end with its unit ${text}`);
    family.unit = text;
  }
}

function addSample(sample: Sample, families: Map<string, MetricFamily>, seen: string[], where: string): void {
  const familyName = seen[seen.length - 1];
  const family = familyName === undefined ? undefined : families.get(familyName);
  const allowed = family && (family.type === "gauge" || family.type === "unknown" ? [family.name] : [family.name, `${family.name}_total`]);
  if (!family || !allowed?.includes(sample.name)) throw new Error(`${where}: sample ${sample.name} outside its family's metadata`);
  const key = JSON.stringify([sample.name, Object.entries(sample.labels).sort()]);
  if (family.samples.some((s) => JSON.stringify([s.name, Object.entries(s.labels).sort()]) === key)) {
    throw new Error(`${where}: ${sample.name} with the same labels twice`);
  }
  family.samples.push(sample);
}

/** Every family, in order; throws naming the line on anything the format does not allow. */
export function parseOpenMetrics(text: string): MetricFamily[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines[lines.length - 1] !== "# EOF") throw new Error("no # EOF as the last line");
  const families = new Map<string, MetricFamily>();
  const seen: string[] = [];
  lines.slice(0, -1).forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (line === "") throw new Error(`${where}: empty line`);
    if (line === "# EOF") throw new Error(`${where}: # EOF before the end`);
    if (line.startsWith("#")) metadata(line, families, seen, where);
    else addSample(parseSample(line, where), families, seen, where);
  });
  return [...families.values()];
}
