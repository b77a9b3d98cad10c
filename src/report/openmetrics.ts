// --output openmetrics, --metrics FILE: the run as OpenMetrics text (for node_exporter's textfile
// collector, or a Pushgateway): per identity and verdict the checks, leftovers, diagnoses, per
// identity and KFP component whether it works, the duration, the start time and the exit code. Every family is a gauge (a run's figures, not a
// counter that grows), so the same text is also valid Prometheus text (0.0.4) without `# EOF`.
// Labels carry names only (identity, verdict, bucket, kind, component): never a key, a key id or an endpoint.
import { VERDICT_NAMES } from "../core/verdicts.js";
import { leftoverCount, type Report } from "./model.js";

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  unit?: string;
  samples: { labels: Labels; value: number }[];
}

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text, an escaped-string as a label value is. */
const escapeHelp = escapeLabelValue;

function labelSet(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

/** A number as the format writes it: integers plain, others with the digits they have. */
function numberText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

function familyLines(family: Family): string[] {
  return [
    `# TYPE ${family.name} gauge`,
    ...(family.unit ? [`# UNIT ${family.name} ${family.unit}`] : []),
    `# HELP ${family.name} ${escapeHelp(family.help)}`,
    ...family.samples.map((s) => `${family.name}${labelSet(s.labels)} ${numberText(s.value)}`),
  ];
}

function checkCounts(report: Report, bucket: Labels): Family["samples"] {
  const counts = new Map<string, number>();
  for (const check of report.checks) counts.set(`${check.identity}\n${check.verdict}`, (counts.get(`${check.identity}\n${check.verdict}`) ?? 0) + 1);
  const names = [...new Set([...report.identities.map((i) => i.name), ...report.checks.map((c) => c.identity)])];
  return names.flatMap((identity) =>
    VERDICT_NAMES.map((verdict) => ({ labels: { ...bucket, identity, verdict }, value: counts.get(`${identity}\n${verdict}`) ?? 0 })),
  );
}

function families(report: Report): Family[] {
  const bucket = { bucket: report.store.bucket };
  const diagnoses = new Map<string, number>();
  for (const d of report.diagnoses) diagnoses.set(d.kind, (diagnoses.get(d.kind) ?? 0) + 1);
  return [
    { name: "kfp_s3_probe_checks", help: "Checks of the run, by identity and verdict.", samples: checkCounts(report, bucket) },
    {
      name: "kfp_s3_probe_leftovers",
      help: "Probe objects and uploads the run could not remove (kfp-s3-probe sweep --delete removes them).",
      samples: [{ labels: bucket, value: leftoverCount(report.cleanup) }],
    },
    {
      name: "kfp_s3_probe_diagnoses",
      help: "Diagnoses across identities (shared keys, another profile's keys, public access), by kind.",
      samples: [...diagnoses].map(([kind, value]) => ({ labels: { ...bucket, kind }, value })),
    },
    {
      name: "kfp_s3_probe_component_works",
      help: "1 where the KFP component works with the identity's keys, 0 where it fails; no sample where none of its requests was decided.",
      samples: (report.components ?? [])
        .filter((c) => !c.unjudged)
        .map((c) => ({
          labels: { ...bucket, identity: c.identity, component: c.component },
          value: c.works ? 1 : 0,
        })),
    },
    {
      name: "kfp_s3_probe_duration_seconds",
      unit: "seconds",
      help: "How long the run took.",
      samples: [{ labels: bucket, value: report.durationMs / 1000 }],
    },
    {
      name: "kfp_s3_probe_start_time_seconds",
      unit: "seconds",
      help: "When the run started, in seconds since the Unix epoch.",
      samples: [{ labels: bucket, value: Date.parse(report.startedAt) / 1000 }],
    },
    {
      name: "kfp_s3_probe_exit_code",
      help: "The run's exit code (0: as expected; see kfp-s3-probe --help).",
      samples: [{ labels: bucket, value: report.exitCode }],
    },
    {
      name: "kfp_s3_probe_proven",
      help: "1 when the answer is proven for all keys (the policies in hand), 0 when sampled or partial.",
      samples: [{ labels: bucket, value: report.assurance.status === "proven" ? 1 : 0 }],
    },
  ];
}

export function renderOpenMetrics(report: Report): string {
  return `${[...families(report).flatMap(familyLines), "# EOF"].join("\n")}\n`;
}

/** The same families as Prometheus text 0.0.4, what a Pushgateway takes: no `# UNIT`, no `# EOF`. */
export function prometheusText(openMetrics: string): string {
  return openMetrics
    .split("\n")
    .filter((line) => !line.startsWith("# UNIT ") && line !== "# EOF")
    .join("\n");
}
