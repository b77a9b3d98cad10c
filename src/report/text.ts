// The terminal view: per identity a matrix of its own and shared prefixes, then one of the
// prefixes of other profiles with the leaking rows first; then the findings with a fix each, and
// what cleanup did.
import { styleText } from "node:util";
import { type HintContext, hintText, listRestrictionWords } from "./hint.js";
import type { Report, ReportCheck } from "./model.js";

type Style = Parameters<typeof styleText>[0];

const BUCKET_COLUMNS: [string, string][] = [
  ["head-bucket", "HeadBucket"],
  ["get-bucket-location", "GetBucketLocation"],
  ["list-bucket", "ListBucket (all)"],
];
const OBJECT_COLUMNS: [string, string][] = [
  ["list", "List"],
  ["put", "Put"],
  ["head", "Head"],
  ["get", "Get"],
  ["delete", "Delete"],
  ["put-checksum", "Put (CRC32)"],
  ["multipart", "Multipart"],
  ["abort-multipart", "Abort upload"],
];
const CELL_WIDTH = 18;
const EXPECTED_WORD: Record<string, string> = { required: "need", forbidden: "deny", exposure: "hide", optional: "any", recommended: "want" };
const CROSS_PROFILE = new Set(["foreign", "unowned", "near-miss"]);
const SEVERITY = ["leak", "missing", "error", "degraded", "exposed", "ambiguous", "not-run", "ok"];

function cellText(check: ReportCheck): string {
  const expected = EXPECTED_WORD[check.expected] ?? check.expected;
  switch (check.verdict) {
    case "ok":
      return `${expected}: ${check.observed}`;
    case "leak":
      return `${expected}: ALLOWED ✗`;
    case "missing":
      return `${expected}: DENIED ✗`;
    case "exposed":
      return `${expected}: allowed !`;
    case "degraded":
      return `${expected}: denied !`;
    case "ambiguous":
      return `${expected}: ?`;
    case "not-run":
      return `${expected}: -`;
    default:
      return `${expected}: ERROR`;
  }
}

/** How a finding is named in lines of text: warnings are WARN whatever made them. */
function findingWord(verdict: string): string {
  if (verdict === "exposed" || verdict === "degraded") return "WARN";
  if (verdict === "ambiguous") return "UNSURE";
  if (verdict === "not-run") return "NOT RUN";
  return verdict.toUpperCase();
}

function verdictStyle(verdict: string): Style {
  if (verdict === "ok") return "green";
  if (verdict === "exposed" || verdict === "degraded" || verdict === "ambiguous") return "yellow";
  if (verdict === "not-run") return "gray";
  return "red";
}

function rowLabel(check: ReportCheck): string {
  switch (check.relation) {
    case "own":
      return `${check.prefix} (own)`;
    case "backend-only":
      return `${check.prefix} (backend's)`;
    case "all-profiles":
      return `${check.prefix} (all profiles)`;
    case "foreign":
      return `${check.prefix} (${check.owner})`;
    case "unowned":
      return `${check.prefix} (nobody's)`;
    default:
      return `${check.prefix} (near miss)`;
  }
}

const severityOf = (checks: ReportCheck[]): number => Math.min(...checks.map((c) => SEVERITY.indexOf(c.verdict)));

type Paint = (style: Style, text: string) => string;
type Columns = [string, string][];

/** One identity's matrix: the bucket row, its own and shared prefixes, then other profiles' prefixes, leaking rows first. */
function renderIdentity(report: Report, identity: Report["identities"][number], paint: Paint): string[] {
  const checks = report.checks.filter((c) => c.identity === identity.name);
  const rows = new Map<string, ReportCheck[]>();
  for (const check of checks) if (check.prefix !== null) rows.set(check.prefix, [...(rows.get(check.prefix) ?? []), check]);
  const labelWidth = Math.max(8, ...[...rows.values()].map((cells) => rowLabel(cells[0] as ReportCheck).length + 2));
  const line = (label: string, cells: string[]): string => `  ${label.padEnd(labelWidth)}${cells.join("")}`;
  const cellsOf = (row: ReportCheck[], columns: Columns): string[] =>
    columns.map(([operation]) => {
      const check = row.find((c) => c.operation === operation);
      return check ? paint(verdictStyle(check.verdict), cellText(check).padEnd(CELL_WIDTH)) : "".padEnd(CELL_WIDTH);
    });
  const header = (columns: Columns, title = ""): string =>
    paint(
      "dim",
      line(
        title,
        columns.map(([, name]) => name.padEnd(CELL_WIDTH)),
      ),
    );
  const table = (title: string, shown: ReportCheck[][]): string[] => {
    const columns = OBJECT_COLUMNS.filter(([operation]) => shown.some((row) => row.some((c) => c.operation === operation)));
    return [header(columns, title), ...shown.map((row) => line(rowLabel(row[0] as ReportCheck), cellsOf(row, columns)))];
  };
  const caller = identity.caller ? `  caller ${identity.caller}` : "";
  const all = [...rows.values()];
  const home = all.filter((row) => !CROSS_PROFILE.has(row[0]?.relation ?? ""));
  const cross = all.filter((row) => CROSS_PROFILE.has(row[0]?.relation ?? "")).sort((a, b) => severityOf(a) - severityOf(b));
  return [
    "",
    `${paint("bold", `${identity.name} (${identity.description})`)}  keys ${identity.accessKeyId} from ${identity.credentialSource}${caller}`,
    header(BUCKET_COLUMNS),
    line(
      "bucket",
      cellsOf(
        checks.filter((c) => c.prefix === null),
        BUCKET_COLUMNS,
      ),
    ),
    ...table("", home),
    ...(cross.length > 0 ? table("other profiles' prefixes", cross) : []),
  ];
}

export function renderText(report: Report, colour: boolean): string {
  const paint: Paint = (style, text) => (colour ? styleText(style, text) : text);
  const { store } = report;
  const s = report.summary;
  const lines = [
    `${paint("bold", "kfp-s3-probe")} ${store.endpoint}  bucket ${store.bucket}  region ${store.region}  layout ${report.layout}  run ${report.runId}`,
    ...(report.interruptedBy ? [paint("yellow", `interrupted by ${report.interruptedBy}: checks not run are marked -`)] : []),
    ...renderDiscovery(report),
    ...renderDiagnoses(report, paint),
    ...report.identities.flatMap((identity) => renderIdentity(report, identity, paint)),
    "",
    paint(
      "dim",
      "cells: expected (need, deny, hide = names should not be listable, want = recommended, any): actual; ✗ LEAK or MISSING, ! warning, ? undecided, - not run",
    ),
    ...report.notes.map((note) => paint("yellow", `note: ${note}`)),
    ...renderFindings(report, paint),
    ...renderCleanup(report, paint),
    `Summary: ${s.ok} ok, ${s.leak} leak, ${s.missing} missing, ${s.exposed + s.degraded} warn, ${s.ambiguous} undecided, ${s.error} error, ${s["not-run"]} not run; exit ${report.exitCode}`,
  ];
  return `${lines.join("\n")}\n`;
}

const SOURCE_WORDS: Record<string, string> = {
  run: "in this run",
  bucket: "found in the bucket",
  config: "named in the config",
  flag: "--other-profile",
};

/** Which profiles were tried, and how each came to be known. */
function renderDiscovery(report: Report): string[] {
  const { discovery } = report;
  if (!discovery) return [];
  const bySource = new Map<string, string[]>();
  for (const profile of discovery.profiles) {
    const source = profile.sources.includes("run") ? "run" : (profile.sources[0] ?? "bucket");
    bySource.set(source, [...(bySource.get(source) ?? []), profile.name]);
  }
  const parts = [...bySource].map(([source, names]) => `${names.join(", ")} (${SOURCE_WORDS[source] ?? source})`);
  const listed = discovery.listedBy
    ? `; ${discovery.roots.join(" and ")} listed by ${discovery.listedBy}`
    : `; the bucket's profiles were not listed: ${discovery.problem}`;
  const cut = discovery.leftOut > 0 ? `; ${discovery.leftOut} more left out by --max-profiles ${discovery.limit}` : "";
  return [`profiles: ${parts.join("; ") || "none"}${listed}${cut}`];
}

const DIAGNOSIS_WORDS: Record<string, string> = {
  "shared-key": "SHARED KEY",
  "keys-of-another-profile": "WRONG KEYS",
  public: "PUBLIC",
  "denied-everything": "DENIED ALL",
  "wildcard-grant": "WILDCARD",
};

/** Diagnoses across identities, before the matrix: they explain whole walls of cells. */
function renderDiagnoses(report: Report, paint: Paint): string[] {
  if (report.diagnoses.length === 0) return [];
  return [
    "",
    paint("bold", "Diagnoses"),
    ...report.diagnoses.flatMap((d) => [
      `  ${paint("red", (DIAGNOSIS_WORDS[d.kind] ?? d.kind).padEnd(11))} ${d.message}`,
      `              fix: ${d.fix}`,
    ]),
  ];
}

function renderFindings(report: Report, paint: Paint): string[] {
  const lines: string[] = [];
  const label = (word: string, verdict: string) => paint(verdictStyle(verdict), word.padEnd(9));
  // One line per identity, prefix, verdict and reason, naming every operation it covers.
  const groups = new Map<string, ReportCheck[]>();
  for (const check of report.checks) {
    if (check.verdict === "ok" || check.verdict === "not-run" || check.verdict === "exposed") continue;
    const key = [check.identity, check.verdict, check.prefix, check.reason, check.errorKind].join("|");
    groups.set(key, [...(groups.get(key) ?? []), check]);
  }
  const ordered = [...groups.values()].sort((a, b) => SEVERITY.indexOf(a[0]?.verdict ?? "") - SEVERITY.indexOf(b[0]?.verdict ?? ""));
  for (const group of ordered) {
    const check = group[0] as ReportCheck;
    const operations = group.map((c) => c.operation).join(", ");
    const why = check.reason ?? (check.verdict === "leak" ? "allowed, must be denied" : check.verdict === "missing" ? "denied, KFP needs it" : "");
    const word = findingWord(check.verdict);
    const whyDegraded = check.verdict === "degraded" ? "denied; KFP works without it, but failed uploads leave parts behind" : "";
    lines.push(
      `  ${label(word, check.verdict)} ${check.identity}  ${operations} ${check.prefix ?? "bucket"}${why || whyDegraded ? `: ${why || whyDegraded}` : ""}`,
    );
    const hint = mergedHint(group, hintContextOf(report));
    if (hint) lines.push(`            fix: ${hint}`);
  }
  // Listable key names: one line per identity, not one per prefix.
  for (const identity of report.identities) {
    const exposed = report.checks.filter((c) => c.identity === identity.name && c.verdict === "exposed");
    if (exposed.length === 0) continue;
    const where = exposed.map((c) => c.prefix ?? "the whole bucket").join(", ");
    lines.push(`  ${label(findingWord("exposed"), "exposed")} ${identity.name}  can list key names of ${where}`);
    const remedy = exposed[0]?.remedy;
    if (remedy) lines.push(`            fix: ${listRestrictionWords(remedy)}`);
  }
  const notRun = new Map<string, number>();
  for (const check of report.checks) {
    if (check.verdict === "not-run") notRun.set(check.reason ?? "not run", (notRun.get(check.reason ?? "not run") ?? 0) + 1);
  }
  for (const [reason, count] of notRun) lines.push(`  ${label(findingWord("not-run"), "not-run")} ${count} check(s): ${reason}`);
  return lines.length > 0 ? ["", paint("bold", "Findings"), ...lines] : [];
}

/** The group's hint, naming every IAM action its checks need changed (s3:GetObject once for head and get). */
function mergedHint(group: ReportCheck[], context: HintContext): string | undefined {
  const first = group[0];
  if (!first?.cause || !first.remedy) return first?.hint;
  const actions = [...new Set(group.flatMap((c) => c.remedy?.actions ?? []))];
  const remedy = actions.length > 0 ? { ...first.remedy, actions } : first.remedy;
  return hintText({ operation: first.operation, prefix: first.prefix, cause: first.cause, remedy }, context);
}

function hintContextOf(report: Report): HintContext {
  return { bucket: report.store.bucket, tls: report.store.endpoint.startsWith("https://") };
}

/** One line per finding (not per ok cell) and per leftover: for logs of unattended runs. */
export function findingLines(report: Report): string[] {
  const lines = report.checks
    .filter((c) => c.verdict !== "ok" && c.verdict !== "not-run")
    .sort((a, b) => SEVERITY.indexOf(a.verdict) - SEVERITY.indexOf(b.verdict))
    .map(
      (c) =>
        `${findingWord(c.verdict)} ${c.identity} ${c.operation} ${c.prefix ?? "(bucket)"}${c.reason ? `: ${c.reason}` : ""}${c.hint ? ` | fix: ${c.hint}` : ""}`,
    );
  for (const leftover of report.cleanup.leftovers) lines.push(`LEFTOVER s3://${report.store.bucket}/${leftover.key}: ${leftover.reason}`);
  for (const d of report.diagnoses) lines.unshift(`DIAGNOSIS ${d.kind} ${d.message} | fix: ${d.fix}`);
  return lines;
}

function renderCleanup(report: Report, paint: Paint): string[] {
  const { cleanup } = report;
  const unverified = (cleanup.unverifiedUploads ?? []).map(
    (u) => `  s3://${report.store.bucket}/${u.key}  ${u.reason}; kfp-s3-probe sweep with keys that may list uploads finds it`,
  );
  const tail = unverified.length > 0 ? [paint("yellow", "Uploads that may be open:"), ...unverified] : [];
  if (cleanup.created === 0 && cleanup.leftovers.length === 0) return ["", "Cleanup: the probe wrote nothing.", ...tail];
  if (cleanup.leftovers.length === 0) return ["", `Cleanup: ${cleanup.created} probe object(s) created, all removed.`, ...tail];
  return [
    "",
    paint("red", `Cleanup: ${cleanup.created} probe object(s) created, ${cleanup.leftovers.length} NOT removed:`),
    ...cleanup.leftovers.map((leftover) => {
      if (leftover.uploadId) {
        return `  s3://${report.store.bucket}/${leftover.key} (incomplete multipart upload ${leftover.uploadId})  ${leftover.reason}; abort it with keys granted s3:AbortMultipartUpload`;
      }
      const version = leftover.versionId ? ` (version ${leftover.versionId})` : "";
      return `  s3://${report.store.bucket}/${leftover.key}${version}  ${leftover.reason}; remove it with keys that may delete there`;
    }),
    `  kfp-s3-probe sweep --delete, with keys that may delete there, removes them later.`,
    ...tail,
  ];
}
