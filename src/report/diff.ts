// `kfp-s3-probe diff OLD.json NEW.json` as data: what changed between two reports of one bucket.
// A cell is an identity, an operation and a prefix; the names a run makes for itself (the canary
// profile that exists nowhere, the run's own namespace) are made the same in both, so that two
// runs' cells meet. Worse: a LEAK or MISSING cell that was not one before, a new diagnosis, or a
// KFP component that fails with an identity's keys where it worked (or was not judged) before.
import { unownedProfileName } from "../core/layout.js";
import type { Operation } from "../core/operations.js";
import type { Verdict } from "../core/verdicts.js";
import { failsAndCounts, type Report, type ReportCheck, type ReportComponent } from "./model.js";

/** What the canary profile and the run's id are called in a cell that the diff compares. */
export const CANARY = "kfp-s3-probe-nobody-*";
const RUN = "RUN";

const FINDING_VERDICTS: ReadonlySet<Verdict> = new Set(["leak", "missing"]);

export interface DiffCell {
  identity: string;
  operation: Operation;
  prefix: string | null;
  /** The verdict in the other report, where it had the cell (null: it had none). */
  before: Verdict | null;
  after: Verdict | null;
  /** The newer report's (or, for a fixed cell, the older one's) check. */
  check: ReportCheck;
}

interface DiagnosisKey {
  kind: string;
  identities: string[];
  profiles: string[];
  message: string;
}

export interface ReportDiff {
  old: { runId: string; startedAt: string; exitCode: number };
  new: { runId: string; startedAt: string; exitCode: number };
  bucket: string;
  /** The newer report's store: where the components' requests went. */
  endpoint: string;
  /** LEAK or MISSING now, not before (with what it was). */
  newFindings: DiffCell[];
  /** LEAK or MISSING before, not now. */
  fixedFindings: DiffCell[];
  identities: { added: string[]; gone: string[] };
  profiles: { added: string[]; gone: string[] };
  diagnoses: { added: DiagnosisKey[]; gone: DiagnosisKey[] };
  /** KFP components that fail now with an identity's keys and did not before, and those that failed before and work now. */
  components: { failing: ReportComponent[]; fixed: ReportComponent[] };
  assurance: { before: string; after: string };
  worse: boolean;
}

/** The prefix with the run's own names made the same in every run. */
function stablePrefix(prefix: string | null, runId: string): string | null {
  if (prefix === null) return null;
  return prefix.split(unownedProfileName(runId)).join(CANARY).split(runId).join(RUN);
}

const cellKey = (check: ReportCheck, runId: string) => [check.identity, check.operation, stablePrefix(check.prefix, runId) ?? ""].join("\n");

function cellsOf(report: Report): Map<string, ReportCheck> {
  return new Map(report.checks.map((check) => [cellKey(check, report.runId), check]));
}

/** The cells that are a finding in `now` and were not in `then` (then's verdict beside it). */
function findingsOnlyIn(now: Report, then: Report, newer: boolean): DiffCell[] {
  const before = cellsOf(then);
  return now.checks.flatMap((check) => {
    if (!FINDING_VERDICTS.has(check.verdict)) return [];
    const other = before.get(cellKey(check, now.runId));
    if (other && FINDING_VERDICTS.has(other.verdict)) return [];
    const verdicts = newer ? { before: other?.verdict ?? null, after: check.verdict } : { before: check.verdict, after: other?.verdict ?? null };
    return [{ identity: check.identity, operation: check.operation, prefix: stablePrefix(check.prefix, now.runId), ...verdicts, check }];
  });
}

function addedAndGone(before: string[], after: string[]): { added: string[]; gone: string[] } {
  const then = new Set(before);
  const now = new Set(after);
  return { added: [...now].filter((n) => !then.has(n)).sort(), gone: [...then].filter((n) => !now.has(n)).sort() };
}

function profilesOf(report: Report): string[] {
  const named = report.identities.flatMap((identity) => (identity.profile ? [identity.profile] : []));
  return [...new Set([...named, ...(report.discovery?.profiles.map((p) => p.name) ?? [])])];
}

function diagnosesOf(report: Report): Map<string, DiagnosisKey> {
  const canary = unownedProfileName(report.runId);
  return new Map(
    report.diagnoses.map((d) => {
      const key = { kind: d.kind, identities: [...d.identities].sort(), profiles: d.profiles.map((p) => (p === canary ? CANARY : p)).sort() };
      return [JSON.stringify(key), { ...key, message: d.message.split(canary).join(CANARY) }];
    }),
  );
}

function diagnosesDiff(older: Report, newer: Report): ReportDiff["diagnoses"] {
  const before = diagnosesOf(older);
  const after = diagnosesOf(newer);
  return {
    added: [...after].filter(([key]) => !before.has(key)).map(([, d]) => d),
    gone: [...before].filter(([key]) => !after.has(key)).map(([, d]) => d),
  };
}

const componentKey = (c: ReportComponent) => `${c.identity}\n${c.component}`;

/** The components that fail in `now` and did not fail in `then` (worked there, or were not judged); muted ones do not count. */
function failingOnlyIn(now: Report, then: Report): ReportComponent[] {
  const failedBefore = new Set((then.components ?? []).filter(failsAndCounts).map(componentKey));
  return (now.components ?? []).filter((c) => failsAndCounts(c) && !failedBefore.has(componentKey(c)));
}

/** Failing now and not before; failed before and work now (a component no longer judged is neither). */
function componentsDiff(older: Report, newer: Report): ReportDiff["components"] {
  const worksNow = new Set((newer.components ?? []).filter((c) => c.works).map(componentKey));
  return { failing: failingOnlyIn(newer, older), fixed: (older.components ?? []).filter((c) => failsAndCounts(c) && worksNow.has(componentKey(c))) };
}

const runOf = (report: Report) => ({ runId: report.runId, startedAt: report.startedAt, exitCode: report.exitCode });

export function diffReports(older: Report, newer: Report): ReportDiff {
  const newFindings = findingsOnlyIn(newer, older, true);
  const diagnoses = diagnosesDiff(older, newer);
  const components = componentsDiff(older, newer);
  return {
    old: runOf(older),
    new: runOf(newer),
    bucket: newer.store.bucket,
    endpoint: newer.store.endpoint,
    newFindings,
    fixedFindings: findingsOnlyIn(older, newer, false),
    identities: addedAndGone(
      older.identities.map((i) => i.name),
      newer.identities.map((i) => i.name),
    ),
    profiles: addedAndGone(profilesOf(older), profilesOf(newer)),
    diagnoses,
    components,
    assurance: { before: older.assurance.status, after: newer.assurance.status },
    worse: newFindings.length > 0 || diagnoses.added.length > 0 || components.failing.length > 0,
  };
}
