// `kfp-s3-probe merge`: the reports of the shards of one run (--shard I/N, or the pods of an
// Indexed Job) as one report, with one summary and one exit code, decided as a single run's is.
import type { Assurance } from "../core/assurance.js";
import { ownFailures } from "../core/component-verdicts.js";
import { exitCodeOf } from "../core/exit-codes.js";
import { muteFindings } from "../core/mute.js";
import { parseShard } from "../core/shard.js";
import { countVerdicts, isFatalErrorKind } from "../core/summary.js";
import { UsageError } from "../core/usage-error.js";
import { mutingNotes } from "./hint.js";
import { componentMuting, leftoverCount, muteOptionsOf, type Report, type ReportCheck, type ReportMuting } from "./model.js";
import type { FoundReport, Unreported } from "./pod-log.js";

// diff reads its two reports as merge reads one.
export { reportFromText } from "./pod-log.js";

/** The shards must be of one store, bucket and layout, and cover each shard once, each identity once. */
function checkShards(reports: FoundReport[], unreported: Unreported[]): void {
  const [first, ...rest] = reports;
  if (!first) {
    const [log] = unreported;
    if (log)
      throw new UsageError(`merge: ${log.source} holds no kfp-s3-probe JSON report${lastLineOf(log.lastLine)}; run the shards with --output json`);
    throw new UsageError("merge: name at least one report");
  }
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
    throw new UsageError(
      `merge: shard(s) ${missing.join(", ")} missing${whyMissing(unreported)}: merge every shard of the run, or the verdicts are not the whole run's`,
    );
  }
}

/** The logs given that hold no report, with their last line: most often the shard that is missing, and why. */
function whyMissing(unreported: Unreported[]): string {
  if (unreported.length === 0) return "";
  return ` (${unreported.map(({ source, lastLine }) => `${source} holds no report${lastLineOf(lastLine)}`).join("; ")})`;
}

/** A log's last line, as evidence in a one-line error: cut where it is long. */
function lastLineOf(line: string): string {
  if (!line) return "";
  return `, its last line: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

const unique = <T>(items: T[]): T[] => [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];

/** Versions are verified where every shard's were; unverified where any shard's were not. */
function versionsOf(reports: Report[]): Pick<Report["cleanup"], "versions"> {
  const states = reports.flatMap((r) => r.cleanup.versions ?? []);
  if (states.length === 0) return {};
  return { versions: states.every((v) => v === "verified") ? "verified" : "unverified" };
}

/** Every shard's entries of one of the cleanup's unverified lists; undefined where none has any. */
function everyShards<T>(lists: (T[] | undefined)[]): T[] | undefined {
  const all = lists.flatMap((list) => list ?? []);
  return all.length > 0 ? all : undefined;
}

function mergedCleanup(reports: Report[]): Report["cleanup"] {
  const uploads = everyShards(reports.map((r) => r.cleanup.unverifiedUploads));
  const namespaces = everyShards(reports.map((r) => r.cleanup.unverifiedNamespaces));
  const versions = everyShards(reports.map((r) => r.cleanup.unverifiedVersions));
  return {
    created: reports.reduce((n, r) => n + r.cleanup.created, 0),
    removed: reports.reduce((n, r) => n + r.cleanup.removed, 0),
    leftovers: reports.flatMap((r) => r.cleanup.leftovers),
    ...versionsOf(reports),
    ...(uploads ? { unverifiedUploads: uploads } : {}),
    ...(namespaces ? { unverifiedNamespaces: namespaces } : {}),
    ...(versions ? { unverifiedVersions: versions } : {}),
  };
}

/** The shards' requests added up; not counted where any shard's report did not count them (an older tool). */
function mergedRequests(reports: Report[]): Report["requests"] {
  if (reports.some((r) => !r.requests)) return null;
  const sts = reports.reduce((n, r) => n + (r.requests?.sts ?? 0), 0);
  return {
    sent: reports.reduce((n, r) => n + (r.requests?.sent ?? 0), 0),
    retries: reports.reduce((n, r) => n + (r.requests?.retries ?? 0), 0),
    ...(sts > 0 ? { sts } : {}),
  };
}

/** Every shard's component verdicts (each shard judges its own identities); null where no shard judged any (older reports too). */
function mergedComponents(reports: Report[]): Report["components"] {
  const judged = reports.flatMap((r) => r.components ?? []);
  return reports.some((r) => Array.isArray(r.components)) ? judged : null;
}

/** The shards' checks and components muted by merge's own --severity and --ignore-file too (a shard's muting stays); the rules that muted nothing, as notes. */
function mutedAgain(
  reports: Report[],
  muting: ReportMuting | undefined,
): { checks: ReportCheck[]; components: Report["components"]; notes: string[] } {
  const all = reports.flatMap((r) => r.checks);
  const components = mergedComponents(reports);
  if (!muting?.severities && !muting?.ignore) return { checks: all, components, notes: [] };
  const result = muteFindings(all, muteOptionsOf(muting));
  const checks = all.map((check, index) => {
    const reason = result.reasons[index];
    return check.muted || !reason ? check : { ...check, muted: reason };
  });
  const remuted = components?.map((c) => ({
    ...c,
    failing: c.failing.map((f) => {
      const muted = f.muted ?? componentMuting(f, c.identity, checks, muting);
      return muted ? { ...f, muted } : f;
    }),
  }));
  return { checks, components: remuted ?? null, notes: muting.ignore ? mutingNotes(result, muting.ignore.file) : [] };
}

/**
 * The shards' assurances as one: proven only where every shard's is, sampled only where every
 * shard's is (no policy in hand anywhere), else partial; every shard's policies, witnesses and open items.
 */
function mergedAssurance(reports: Report[]): Assurance {
  const statuses = new Set(reports.map((r) => r.assurance.status));
  const status = statuses.size === 1 ? (reports[0] as Report).assurance.status : "partial";
  return {
    status,
    policies: reports.flatMap((r) => r.assurance.policies),
    bucketPolicy: reports.find((r) => r.assurance.bucketPolicy !== null)?.assurance.bucketPolicy ?? null,
    witnesses: {
      tried: reports.reduce((sum, r) => sum + r.assurance.witnesses.tried, 0),
      decided: reports.reduce((sum, r) => sum + r.assurance.witnesses.decided, 0),
    },
    enforcementSample: unique(reports.flatMap((r) => r.assurance.enforcementSample)),
    // Items of the whole run (a policy not in hand, what it grants) are in every shard's: once each.
    open: unique(reports.flatMap((r) => r.assurance.open)),
  };
}

/** --require-proof in a shard, as its settings say. */
const proofRequired = (reports: Report[]): boolean => reports.some((r) => r.settings["require-proof"]?.value === true);

/** One report of the whole run: identities, checks and leftovers of every shard; diagnoses once each. */
export function mergeReports(inputs: FoundReport[], read: { unreported?: Unreported[]; findingsCode?: number; muting?: ReportMuting } = {}): Report {
  checkShards(inputs, read.unreported ?? []);
  const reports = [...inputs]
    .map((i) => i.report)
    .sort((a, b) => (a.options.shard ?? "").localeCompare(b.options.shard ?? "", "en", { numeric: true }));
  const first = reports[0] as Report;
  const started = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const finished = Math.max(...reports.map((r) => Date.parse(r.startedAt) + r.durationMs));
  const { checks, components, notes } = mutedAgain(reports, read.muting);
  const cleanup = mergedCleanup(reports);
  const interruptedBy = reports.find((r) => r.interruptedBy)?.interruptedBy ?? null;
  const counts = countVerdicts(checks);
  const fatalError = checks.some((c) => isFatalErrorKind(c.errorKind));
  const leftovers = leftoverCount(cleanup);
  const componentFailures = ownFailures(components ?? []);
  const assurance = mergedAssurance(reports);
  return {
    ...first,
    runId: reports.map((r) => r.runId).join(","),
    startedAt: new Date(started).toISOString(),
    durationMs: finished - started,
    interruptedBy,
    options: { ...first.options, shard: null },
    identities: reports.flatMap((r) => r.identities),
    notes: unique([...reports.flatMap((r) => r.notes), ...notes]),
    diagnoses: unique(reports.flatMap((r) => r.diagnoses)),
    disagreements: reports.flatMap((r) => r.disagreements ?? []),
    checks,
    summary: counts,
    cleanup,
    requests: mergedRequests(reports),
    components,
    assurance,
    // As a single run decides it: a muted finding does not count, one that cannot connect still does.
    exitCode: exitCodeOf(
      { counts: countVerdicts(checks.filter((c) => !c.muted)), fatalError, componentFailures },
      {
        kind: "finished",
        leftovers,
        ...(proofRequired(reports) && assurance.status !== "proven" ? { unproven: true } : {}),
        ...(interruptedBy ? { interruptedBy } : {}),
        ...(read.findingsCode !== undefined ? { findingsCode: read.findingsCode } : {}),
      },
    ),
  };
}
