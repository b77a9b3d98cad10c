// The terminal view, made to fit the terminal (100 columns when it is not one): per identity a
// compact matrix of its own and shared prefixes and of the other profiles' prefixes that need a
// look (every row with --wide); then the findings with a fix each, one line per identity and kind
// of warning; then what cleanup did. Long lines are wrapped, never cut.

import { stripVTControlCharacters, styleText } from "node:util";
import { ownFailures } from "../core/component-verdicts.js";
import { BUCKET_PLACE } from "../core/mute.js";
import { isObjectOperation, OPERATION_NAMES, OPERATIONS } from "../core/operations.js";
import { OFFLINE_RUN_ID } from "../core/policy/offline.js";
import { countVerdicts, type FindingGroup, groupFindings, isSaidPerKind } from "../core/summary.js";
import { byRank, VERDICTS, type Verdict } from "../core/verdicts.js";
import { assuranceLines } from "./assurance-words.js";
import { bucketLines } from "./bucket-words.js";
import { componentLines } from "./component-words.js";
import { diagnosisLabel } from "./diagnosis-words.js";
import { fewAndMore, type HintContext, hintText, listRestrictionWords } from "./hint.js";
import { leftoverCount, type Report, type ReportCheck } from "./model.js";
import { runVerdictLine, type Style, SUMMARY_ORDER, verdictCell, verdictStyle, verdictWord, whyOf } from "./verdict-words.js";

export interface TextOptions {
  /** Columns to fit; undefined: no wrapping. */
  width?: number;
  /** quiet: findings and summary only; wide: every row of every matrix. */
  view?: "quiet" | "default" | "wide";
}

/** The matrix's columns: every object operation, in the table's order, under its label. */
const OBJECT_COLUMNS = OPERATION_NAMES.filter(isObjectOperation);
const CELL_WIDTH = 6;
const CROSS_PROFILE = new Set(["foreign", "unowned", "near-miss"]);
const LEGEND =
  "cells: yes/no = allowed/denied as expected; LEAK allowed, must be denied; MISS MISSING: denied, KFP needs it; warn EXPOSED or DEGRADED (see Findings); ? AMBIGUOUS; ERR ERROR; - NOT-RUN";

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

/** A row's rank: its worst cell's. */
const rankOf = (checks: ReportCheck[]): number => Math.min(...checks.map((c) => VERDICTS[c.verdict].rank));

/** A label cut in the middle to fit, so that both the prefix's start and the relation stay readable. */
function fitLabel(label: string, width: number): string {
  if (label.length <= width) return label.padEnd(width);
  const keep = width - 1;
  return `${label.slice(0, Math.ceil(keep / 2))}…${label.slice(label.length - Math.floor(keep / 2))}`;
}

type Paint = (style: Style, text: string) => string;

/** A row worth showing by default: anything but "as expected" and listable names (said once in the findings). */
const needsALook = (row: ReportCheck[]) => row.some((c) => c.verdict !== "ok" && c.verdict !== "exposed");

/** One identity's matrix: the bucket line, its own and shared prefixes, then other profiles' prefixes, findings first. */
function renderIdentity(report: Report, identity: Report["identities"][number], paint: Paint, options: TextOptions): string[] {
  const checks = report.checks.filter((c) => c.identity === identity.name);
  const rows = new Map<string, ReportCheck[]>();
  for (const check of checks) if (check.prefix !== null) rows.set(check.prefix, [...(rows.get(check.prefix) ?? []), check]);
  const all = [...rows.values()];
  const home = all.filter((row) => !CROSS_PROFILE.has(row[0]?.relation ?? ""));
  const cross = all.filter((row) => CROSS_PROFILE.has(row[0]?.relation ?? "")).sort((a, b) => rankOf(a) - rankOf(b));
  const crossShown = options.view === "wide" ? cross : cross.filter(needsALook);
  const columns = OBJECT_COLUMNS.filter((operation) => [...home, ...crossShown].some((row) => row.some((c) => c.operation === operation)));
  const widest = Math.max(8, ...[...home, ...crossShown].map((row) => rowLabel(row[0] as ReportCheck).length));
  const labelWidth = Math.min(widest, Math.max(20, (options.width ?? 1000) - 3 - columns.length * CELL_WIDTH));
  const line = (label: string, cells: string[]) => `  ${fitLabel(label, labelWidth)} ${cells.join("")}`.trimEnd();
  const cellsOf = (row: ReportCheck[]) =>
    columns.map((operation) => {
      const check = row.find((c) => c.operation === operation);
      return check ? paint(verdictStyle(check.verdict), verdictCell(check).padEnd(CELL_WIDTH)) : "".padEnd(CELL_WIDTH);
    });
  const bucket = checks
    .filter((c) => c.prefix === null)
    .map((c) => `${OPERATIONS[c.operation].label} ${paint(verdictStyle(c.verdict), verdictCell(c))}`);
  const caller = identity.caller ? `  caller ${identity.caller}` : "";
  const hidden = cross.length - crossShown.length;
  return [
    "",
    `${paint("bold", `${identity.name} (${identity.description})`)}${identity.accessKeyId ? `  keys ${identity.accessKeyId} from ${identity.credentialSource}` : ""}${caller}`,
    ...(bucket.length > 0 ? [`  bucket: ${bucket.join(", ")}`] : []),
    paint(
      "dim",
      line(
        "",
        columns.map((operation) => OPERATIONS[operation].label.padEnd(CELL_WIDTH)),
      ),
    ),
    ...home.map((row) => line(rowLabel(row[0] as ReportCheck), cellsOf(row))),
    ...(crossShown.length > 0 ? [paint("dim", "  other profiles' prefixes:")] : []),
    ...crossShown.map((row) => line(rowLabel(row[0] as ReportCheck), cellsOf(row))),
    ...(hidden > 0 ? [paint("dim", `  + ${hidden} prefixes of other profiles, nobody's and near misses: as expected (--wide shows them)`)] : []),
  ];
}

/** Lines longer than the width are wrapped at spaces, continuing under their own indentation. */
function wrap(lines: string[], width: number | undefined): string[] {
  if (!width) return lines;
  const visible = (text: string) => stripVTControlCharacters(text).length;
  return lines.flatMap((line) => {
    if (visible(line) <= width) return [line];
    // Continuations hang under the text: findings and fixes at 12, headings at 2.
    const indent = " ".repeat((/^ */.exec(line)?.[0].length ?? 0) > 0 ? 12 : 2);
    const out: string[] = [];
    let current = "";
    for (const word of line.trimStart().split(" ")) {
      const candidate =
        current === "" ? `${out.length === 0 ? line.slice(0, line.length - line.trimStart().length) : indent}${word}` : `${current} ${word}`;
      if (visible(candidate) > width && current !== "") {
        out.push(current.trimEnd());
        current = `${indent}${word}`;
      } else current = candidate;
    }
    out.push(current.trimEnd());
    // A word longer than the line is cut: nothing may pass the width.
    return out.flatMap((l) => (visible(l) <= width ? [l] : (l.match(new RegExp(`.{1,${width}}`, "g")) ?? [])));
  });
}

export function renderText(report: Report, colour: boolean, options: TextOptions = {}): string {
  const paint: Paint = (style, text) => (colour ? styleText(style, text) : text);
  const { store } = report;
  const s = report.summary;
  const matrices =
    options.view === "quiet"
      ? []
      : [...report.identities.flatMap((identity) => renderIdentity(report, identity, paint, options)), "", paint("dim", LEGEND)];
  const lines = [
    verdictLine(report, paint),
    `${paint("bold", "kfp-s3-probe")} ${store.endpoint}  bucket ${store.bucket}  region ${store.region}  layout ${report.layout}  run ${report.runId}`,
    ...assuranceLines(report.assurance, report.runId === OFFLINE_RUN_ID).map((line) =>
      report.assurance.status === "proven" ? line : paint("yellow", line),
    ),
    ...(report.interruptedBy ? [paint("yellow", `interrupted by ${report.interruptedBy}: checks not run are marked -`)] : []),
    ...bucketLines(report),
    ...renderDiscovery(report),
    ...componentLines(report),
    ...renderDiagnoses(report, paint),
    ...matrices,
    ...report.notes.map((note) => paint("yellow", `note: ${note}`)),
    ...renderFindings(report, paint),
    ...renderMuted(report, paint),
    ...renderDisagreements(report, paint),
    ...renderCleanup(report, paint),
    `Summary: ${SUMMARY_ORDER.map((verdict) => `${s[verdict]} ${verdict}`).join(", ")}; exit ${report.exitCode}`,
    ...renderCost(report),
  ];
  return `${wrap(lines, options.width).join("\n")}\n`;
}

/** The verdict first: the word, the exit code, what counts and what is muted, and the assurance's status. */
function verdictLine(report: Report, paint: Paint): string {
  return runVerdictLine(
    {
      exitCode: report.exitCode,
      counts: countVerdicts(unmutedChecks(report)),
      muted: report.checks.filter((c) => c.muted).length,
      leftovers: leftoverCount(report.cleanup),
      failingComponents: (report.components ?? []).filter((c) => ownFailures([c]) > 0).length,
      interruptedBy: report.interruptedBy,
      assurance: report.assurance.status,
    },
    paint,
  );
}

/** The run's cost, last: requests sent (every attempt) and the time they took. */
function renderCost(report: Report): string[] {
  if (!report.requests) return [];
  const { sent, retries, sts = 0 } = report.requests;
  const retried = retries > 0 ? `, ${retries} of them retries` : "";
  const toSts = sts > 0 ? ` (and ${sts} to STS for the credentials)` : "";
  return [`${sent} request${sent === 1 ? "" : "s"} sent${retried}${toSts}, in ${(report.durationMs / 1000).toFixed(1)} s`];
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

/** Diagnoses across identities, before the matrix: they explain whole walls of cells. */
function renderDiagnoses(report: Report, paint: Paint): string[] {
  if (report.diagnoses.length === 0) return [];
  return [
    "",
    paint("bold", "Diagnoses"),
    ...report.diagnoses.flatMap((d) => [`  ${paint("red", diagnosisLabel(d.kind).padEnd(11))} ${d.message}`, `              fix: ${d.fix}`]),
  ];
}

/** Prefixes in a line: all of a few, or the first two and how many more. */
function prefixesIn(group: ReportCheck[]): string {
  const prefixes = [...new Set(group.map((c) => c.prefix ?? "bucket"))];
  return fewAndMore(prefixes);
}

type Label = (word: string, verdict: Verdict) => string;
type Group = FindingGroup<ReportCheck>;

/** The checks that count: a muted one is listed apart. */
const unmutedChecks = (report: Report): ReportCheck[] => report.checks.filter((c) => !c.muted);

/** The identities a block applies to. */
const whoOf = (group: Group): string => fewAndMore(group.identities, "more identities");

/** The block's first line, after its label: who, which operations where, and why. */
function blockHead(group: Group): string {
  const first = group.checks[0] as ReportCheck;
  const reasons = new Set(group.checks.map((c) => c.reason));
  const why = reasons.size === 1 ? whyOf(first) : whyOf({ verdict: first.verdict });
  return `${whoOf(group)}  ${group.operations.join(", ")} ${prefixesIn(group.checks)}: ${why}`;
}

/** Listable key names: one block for every identity that can list them, not one per prefix. */
function exposureHead(group: Group): string {
  const bucketWide = group.checks.some((c) => c.prefix === null);
  const prefixes = group.checks.filter((c) => c.prefix !== null);
  const count = new Set(prefixes.map((c) => c.prefix)).size;
  const where = [bucketWide ? "the whole bucket" : "", count > 0 ? `${count} prefixes (${prefixesIn(prefixes)})` : ""].filter(Boolean).join(" and ");
  return `${whoOf(group)}  can list key names of ${where}: ListBucket without an s3:prefix condition`;
}

/** A finding's block: its label, who and where, its cause's name (what --ignore-file mutes it by), and its fix. */
function findingBlock(group: Group, report: Report, label: Label): string[] {
  const first = group.checks[0] as ReportCheck;
  const head = group.verdict === "exposed" ? exposureHead(group) : blockHead(group);
  const fix = group.verdict === "exposed" && first.remedy ? listRestrictionWords(first.remedy) : mergedHint(group.checks, hintContextOf(report));
  return [
    `  ${label(verdictWord(group.verdict), group.verdict)} ${head}${group.cause ? ` [${group.cause}]` : ""}`,
    ...(fix ? [`            fix: ${fix}`] : []),
  ];
}

/** Checks not run, a line per reason. */
function notRunLines(checks: ReportCheck[], label: Label): string[] {
  const notRun = new Map<string, number>();
  for (const check of checks) {
    if (check.verdict === "not-run") notRun.set(check.reason ?? "not run", (notRun.get(check.reason ?? "not run") ?? 0) + 1);
  }
  return [...notRun].map(([reason, count]) => `  ${label(verdictWord("not-run"), "not-run")} ${count} check(s): ${reason}`);
}

function renderFindings(report: Report, paint: Paint): string[] {
  const label: Label = (word, verdict) => paint(verdictStyle(verdict), word.padEnd(9));
  const checks = unmutedChecks(report);
  const lines = [...groupFindings(checks).flatMap((group) => findingBlock(group, report, label)), ...notRunLines(checks, label)];
  return lines.length > 0 ? ["", paint("bold", "Findings"), ...lines] : [];
}

/** --severity: how many cells of each verdict it leaves out. */
function severityLine(muted: ReportCheck[], report: Report): string[] {
  const counts = countVerdicts(muted);
  const hidden = SUMMARY_ORDER.filter((verdict) => counts[verdict] > 0).map((verdict) => `${counts[verdict]} ${verdictWord(verdict)}`);
  const given = report.settings.severity?.value;
  return hidden.length > 0 ? [`  not shown by --severity${given ? ` ${String(given)}` : ""}: ${hidden.join(", ")}`] : [];
}

/** Muted findings, listed as such: a block line per rule of --ignore-file, a count for --severity. */
function renderMuted(report: Report, paint: Paint): string[] {
  const muted = report.checks.filter((c) => c.muted);
  if (muted.length === 0) return [];
  const label: Label = (word, verdict) => paint(verdictStyle(verdict), word.padEnd(9));
  const byRule = new Map<number, ReportCheck[]>();
  for (const check of muted) if (check.muted?.by === "ignore-file") byRule.set(check.muted.line, [...(byRule.get(check.muted.line) ?? []), check]);
  const ruleLines = [...byRule.values()].flatMap((checks) =>
    groupFindings(checks).map((group) => {
      const rule = group.checks[0]?.muted;
      const by = rule?.by === "ignore-file" ? `--ignore-file line ${rule.line} (${rule.rule})` : "";
      const loud = group.verdict === "leak" ? paint("red", "MUTED LEAK: ") : "";
      return `  ${label(verdictWord(group.verdict), group.verdict)} ${loud}${whoOf(group)}  ${group.operations.join(", ")} ${prefixesIn(group.checks)}: muted by ${by}`;
    }),
  );
  const bySeverity = muted.filter((c) => c.muted?.by === "severity");
  return ["", paint("bold", "Muted (listed, not counted toward the exit code)"), ...ruleLines, ...severityLine(bySeverity, report)];
}

/** The group's hint, naming every IAM action (s3:GetObject once for head and get) and resource its checks need changed. */
function mergedHint(group: ReportCheck[], context: HintContext): string | undefined {
  const first = group[0];
  if (!first?.cause || !first.remedy) return first?.hint;
  const actions = [...new Set(group.flatMap((c) => c.remedy?.actions ?? []))];
  const resources = [...new Set(group.flatMap((c) => (c.remedy?.resource ? [c.remedy.resource] : [])))];
  const resource = fewAndMore(resources, "more", " and ");
  const statements = group.flatMap((c) => c.remedy?.statements ?? []);
  const remedy = {
    ...first.remedy,
    ...(actions.length > 0 ? { actions } : {}),
    ...(resource ? { resource } : {}),
    ...(statements.length > 0 ? { statements } : {}),
  };
  return hintText({ operation: first.operation, prefix: first.prefix, cause: first.cause, remedy }, context);
}

function hintContextOf(report: Report): HintContext {
  return { bucket: report.store.bucket, tls: report.store.endpoint.startsWith("https://") };
}

/** --policy-dir: "the store allowed it, the policy denies it", a line per cell. */
function disagreementLine(d: Report["disagreements"][number]): string {
  return `DISAGREES ${d.identity} ${d.operation} ${d.prefix ?? "(bucket)"}: the store ${d.store} it, ${d.identity}'s policy says ${d.policy} (${d.request})`;
}

function renderDisagreements(report: Report, paint: Paint): string[] {
  if (report.disagreements.length === 0) return [];
  return [
    "",
    paint("bold", "The store and the policies disagree"),
    "  (a condition or an action the store does not implement, or a grant from elsewhere: a bucket policy, an ACL)",
    ...report.disagreements.map((d) => `  ${disagreementLine(d)}`),
  ];
}

/** A cell's line: each failure has one, for log search and alerts. */
const checkLine = (c: ReportCheck): string =>
  `${verdictWord(c.verdict)} ${c.identity} ${c.operation} ${c.prefix ?? BUCKET_PLACE}${c.reason ? `: ${c.reason}` : ""}${c.hint ? ` | fix: ${c.hint}` : ""}`;

/** A block's line: a warning or undecided cell is said once per kind, for every identity and prefix it applies to. */
function groupLine(group: Group, context: HintContext): string {
  const first = group.checks[0] as ReportCheck;
  if (group.checks.length === 1) return checkLine(first);
  const where = fewAndMore(group.prefixes.map((prefix) => prefix ?? BUCKET_PLACE));
  const reasons = new Set(group.checks.map((c) => c.reason));
  const reason = reasons.size === 1 && first.reason ? `: ${first.reason}` : "";
  const hint = group.verdict === "exposed" && first.remedy ? listRestrictionWords(first.remedy) : mergedHint(group.checks, context);
  return `${verdictWord(group.verdict)} ${group.identities.join(",")} ${group.operations.join(",")} ${where}${reason}${hint ? ` | fix: ${hint}` : ""}`;
}

/** Muted findings in the log: a LEAK by its name, the others counted. */
function mutedLines(report: Report): string[] {
  const muted = report.checks.filter((c) => c.muted);
  const leaks = muted.filter((c) => c.verdict === "leak").map((c) => `MUTED ${checkLine(c)}`);
  const others = muted.length - leaks.length;
  return [...leaks, ...(others > 0 ? [`MUTED ${others} other finding(s) (--ignore-file, --severity): listed in the report`] : [])];
}

/**
 * For logs of unattended runs: the verdict, then a line per failure and per kind of warning,
 * then what is muted, the disagreements and the leftovers.
 */
export function findingLines(report: Report): string[] {
  const context = hintContextOf(report);
  const findings = groupFindings(unmutedChecks(report)).flatMap((group) =>
    isSaidPerKind(group.verdict) ? [groupLine(group, context)] : [...group.checks].sort(byRank).map(checkLine),
  );
  return [
    verdictLine(report, (_, text) => text),
    ...report.diagnoses.map((d) => `DIAGNOSIS ${d.kind} ${d.message} | fix: ${d.fix}`),
    ...findings,
    ...mutedLines(report),
    ...(report.disagreements ?? []).map(disagreementLine),
    ...report.cleanup.leftovers.map((leftover) => `LEFTOVER s3://${report.store.bucket}/${leftover.key}: ${leftover.reason}`),
  ];
}

/** Unattended (a Job, CI): one line per finding, for log search and alerts. */
export function findingLog(report: Report): string {
  return findingLines(report)
    .map((line) => `kfp-s3-probe: ${line}\n`)
    .join("");
}

/** Namespaces whose listing failed: what cleanup says of them is the ledger's word, unverified. */
function unlistedLines(report: Report, paint: Paint): string[] {
  const unlisted = report.cleanup.unverifiedNamespaces ?? [];
  if (unlisted.length === 0) return [];
  const reasons = [...new Set(unlisted.map((u) => u.reason))];
  const why = fewAndMore(reasons, "more reasons", "; ");
  return [
    `${paint("yellow", "Unverified:")} ${unlisted.length} of the run's namespaces could not be listed (${why}): what is said removed is the ledger's word, and an object whose write had no answer would not be found; kfp-s3-probe sweep lists them again.`,
  ];
}

/** Keys where a write may have left a version or marker the run never heard of, and no identity could list versions to look. */
function unseenVersionLines(report: Report, paint: Paint): string[] {
  const unseen = report.cleanup.unverifiedVersions ?? [];
  if (unseen.length === 0) return [];
  return [
    paint(
      "yellow",
      `Versions or delete markers that may be left at ${unseen.length} key(s) (their writes' answers were lost; only ListObjectVersions, s3:ListBucketVersions, can find them):`,
    ),
    ...unseen.map(
      (u) => `  s3://${report.store.bucket}/${u.key}  ${u.reason}; kfp-s3-probe sweep --delete with keys that may list versions removes them`,
    ),
  ];
}

function renderCleanup(report: Report, paint: Paint): string[] {
  const { cleanup } = report;
  const unverified = (cleanup.unverifiedUploads ?? []).map(
    (u) => `  s3://${report.store.bucket}/${u.key}  ${u.reason}; kfp-s3-probe sweep with keys that may list uploads finds it`,
  );
  const tail = [
    ...(unverified.length > 0 ? [paint("yellow", "Uploads that may be open:"), ...unverified] : []),
    ...unseenVersionLines(report, paint),
    ...unlistedLines(report, paint),
  ];
  if (cleanup.created === 0 && cleanup.leftovers.length === 0) return ["", "Cleanup: the probe wrote nothing.", ...tail];
  if (cleanup.leftovers.length === 0) {
    const heard = cleanup.unverifiedVersions ? " that the run heard of" : "";
    return ["", `Cleanup: ${cleanup.created} probe object(s) created, all${heard} removed.`, ...tail];
  }
  return [
    "",
    paint("red", `Cleanup: ${cleanup.created} probe object(s) created, ${cleanup.leftovers.length} NOT removed:`),
    ...cleanup.leftovers.map((leftover) => {
      if (leftover.uploadId) {
        return `  s3://${report.store.bucket}/${leftover.key} (incomplete multipart upload ${leftover.uploadId})  ${leftover.reason}; abort it with keys granted s3:AbortMultipartUpload`;
      }
      const version = leftover.versionId ? ` (${leftover.deleteMarker ? "delete marker" : "version"} ${leftover.versionId})` : "";
      const fix = leftover.hint ?? "remove it with keys that may delete there";
      return `  s3://${report.store.bucket}/${leftover.key}${version}  ${leftover.identity}: ${leftover.reason}; ${fix}`;
    }),
    ...(cleanup.versions === "unverified"
      ? ["  unverified: no identity may list the versions here (s3:ListBucketVersions); these are the ones the run recorded"]
      : []),
    `  kfp-s3-probe sweep --delete, with keys that may delete there, removes them later.`,
    ...tail,
  ];
}
