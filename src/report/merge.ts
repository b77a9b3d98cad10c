// `kfp-s3-probe merge`: the reports of the shards of one run (--shard I/N, or the pods of an
// Indexed Job) as one report, with one summary and one exit code, decided as a single run's is.
import { exitCodeOf } from "../core/exit-codes.js";
import { parseShard } from "../core/shard.js";
import { countVerdicts, isFatalErrorKind } from "../core/summary.js";
import { UsageError } from "../core/usage-error.js";
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type Report } from "./model.js";

const REPORT_LINE_START = `{"schema":"${REPORT_SCHEMA}"`;

/** A report file, or a pod's log that holds one (stderr's finding lines around a one-line JSON report). */
export function reportFromText(text: string, source: string, command = "merge"): Report {
  const line = text.trimStart().startsWith("{") ? text : text.split("\n").find((l) => l.startsWith(REPORT_LINE_START));
  if (line === undefined)
    throw new UsageError(
      `${command}: ${source} holds no kfp-s3-probe JSON report (${command === "merge" ? "run the shards" : "write it"} with --output json)`,
    );
  let report: Report;
  try {
    report = JSON.parse(line) as Report;
  } catch {
    throw new UsageError(`${command}: ${source} is not valid JSON (a report cut short?)`);
  }
  if (report.schema !== REPORT_SCHEMA || report.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new UsageError(`${command}: ${source} is not a ${REPORT_SCHEMA} v${REPORT_SCHEMA_VERSION} report`);
  }
  return report;
}

/** The shards must be of one store, bucket and layout, and cover each shard once, each identity once. */
function checkShards(reports: { report: Report; source: string }[]): void {
  const [first, ...rest] = reports;
  if (!first) throw new UsageError("merge: name at least one report");
  for (const { report, source } of rest) {
    for (const [what, a, b] of [
      ["endpoint", first.report.store.endpoint, report.store.endpoint],
      ["bucket", first.report.store.bucket, report.store.bucket],
      ["layout", first.report.layout, report.layout],
      ["matrix", first.report.options.matrix, report.options.matrix],
    ] as const) {
      if (a !== b) throw new UsageError(`merge: ${source} probed ${what} ${b}, ${first.source} ${a}: shards of one run share it`);
    }
  }
  const seen = new Map<string, string>();
  for (const { report, source } of reports) {
    const label = report.options.shard ?? "unsharded";
    if (seen.has(label)) throw new UsageError(`merge: ${source} and ${seen.get(label)} are both shard ${label}`);
    seen.set(label, source);
  }
  const owner = new Map<string, string>();
  for (const { report, source } of reports) {
    for (const identity of report.identities) {
      const other = owner.get(identity.name);
      if (other) throw new UsageError(`merge: ${identity.name} is in ${other} and in ${source}: each identity belongs to one shard`);
      owner.set(identity.name, source);
    }
  }
  const count = parseShard(first.report.options.shard ?? "0/1")?.count ?? 1;
  if (seen.size !== count) {
    const missing = Array.from({ length: count }, (_, i) => `${i}/${count}`).filter((label) => !seen.has(label));
    throw new UsageError(`merge: shard(s) ${missing.join(", ")} missing: merge every shard of the run, or the verdicts are not the whole run's`);
  }
}

const unique = <T>(items: T[]): T[] => [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];

function mergedCleanup(reports: Report[]): Report["cleanup"] {
  const unverified = reports.flatMap((r) => r.cleanup.unverifiedUploads ?? []);
  return {
    created: reports.reduce((n, r) => n + r.cleanup.created, 0),
    removed: reports.reduce((n, r) => n + r.cleanup.removed, 0),
    leftovers: reports.flatMap((r) => r.cleanup.leftovers),
    ...(unverified.length > 0 ? { unverifiedUploads: unverified } : {}),
  };
}

/** The shards' requests added up; not counted where any shard's report did not count them (an older tool). */
function mergedRequests(reports: Report[]): Report["requests"] {
  if (reports.some((r) => !r.requests)) return null;
  return {
    sent: reports.reduce((n, r) => n + (r.requests?.sent ?? 0), 0),
    retries: reports.reduce((n, r) => n + (r.requests?.retries ?? 0), 0),
  };
}

/** One report of the whole run: identities, checks and leftovers of every shard; diagnoses once each. */
export function mergeReports(inputs: { report: Report; source: string }[]): Report {
  checkShards(inputs);
  const reports = [...inputs]
    .map((i) => i.report)
    .sort((a, b) => (a.options.shard ?? "").localeCompare(b.options.shard ?? "", "en", { numeric: true }));
  const first = reports[0] as Report;
  const started = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const finished = Math.max(...reports.map((r) => Date.parse(r.startedAt) + r.durationMs));
  const checks = reports.flatMap((r) => r.checks);
  const cleanup = mergedCleanup(reports);
  const interruptedBy = reports.find((r) => r.interruptedBy)?.interruptedBy ?? null;
  const counts = countVerdicts(checks);
  const fatalError = checks.some((c) => isFatalErrorKind(c.errorKind));
  const leftovers = cleanup.leftovers.length + (cleanup.unverifiedUploads?.length ?? 0);
  return {
    ...first,
    runId: reports.map((r) => r.runId).join(","),
    startedAt: new Date(started).toISOString(),
    durationMs: finished - started,
    interruptedBy,
    options: { ...first.options, shard: null },
    identities: reports.flatMap((r) => r.identities),
    notes: unique(reports.flatMap((r) => r.notes)),
    diagnoses: unique(reports.flatMap((r) => r.diagnoses)),
    disagreements: reports.flatMap((r) => r.disagreements ?? []),
    checks,
    summary: counts,
    cleanup,
    requests: mergedRequests(reports),
    exitCode: exitCodeOf({ counts, fatalError }, { kind: "finished", leftovers, ...(interruptedBy ? { interruptedBy } : {}) }),
  };
}
