// The terminal view: one matrix per identity (prefix × operation, expected and actual), then
// the findings with a hint each, then what cleanup did.
import { styleText } from "node:util";
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
];
const EXPECTED_WORD: Record<string, string> = { required: "need", forbidden: "deny", exposure: "hide", optional: "any" };
const RELATION_WORD: Record<string, string> = { own: "own", "backend-only": "backend's", "all-profiles": "all profiles" };
const VERDICT_ORDER = ["leak", "missing", "error", "exposed", "ambiguous", "not-run"];

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
    case "ambiguous":
      return `${expected}: ?`;
    case "not-run":
      return `${expected}: -`;
    default:
      return `${expected}: ERROR`;
  }
}

function cellStyle(check: ReportCheck): Style {
  if (check.verdict === "ok") return "green";
  if (check.verdict === "exposed" || check.verdict === "ambiguous") return "yellow";
  if (check.verdict === "not-run") return "gray";
  return "red";
}

export function renderText(report: Report, colour: boolean): string {
  const paint = (style: Style, text: string): string => (colour ? styleText(style, text) : text);
  const lines: string[] = [];
  lines.push(
    paint("bold", "kfp-s3-probe") +
      ` ${report.store.endpoint}  bucket ${report.store.bucket}  region ${report.store.region}  layout ${report.layout}  run ${report.runId}`,
  );
  if (report.interruptedBy) lines.push(paint("yellow", `interrupted by ${report.interruptedBy}: checks not run are marked -`));

  for (const identity of report.identities) {
    const checks = report.checks.filter((c) => c.identity === identity.name);
    lines.push("");
    lines.push(paint("bold", `${identity.name} (${identity.description})`) + `  keys ${identity.accessKeyId} from ${identity.credentialSource}`);
    const prefixes = [...new Set(checks.flatMap((c) => (c.prefix !== null ? [c.prefix] : [])))];
    const labelWidth = Math.max(8, ...prefixes.map((p) => p.length + 2 + (RELATION_WORD[relationOf(checks, p)] ?? "").length + 2));
    const cellWidth = 18;
    const row = (label: string, cells: string[]): string => `  ${label.padEnd(labelWidth)}${cells.join("")}`;
    const cellsFor = (prefix: string | null, columns: [string, string][]): string[] =>
      columns.map(([operation]) => {
        const check = checks.find((c) => c.prefix === prefix && c.operation === operation);
        if (!check) return "".padEnd(cellWidth);
        return paint(cellStyle(check), cellText(check).padEnd(cellWidth));
      });
    lines.push(paint("dim", row("", BUCKET_COLUMNS.map(([, title]) => title.padEnd(cellWidth)))));
    lines.push(row("bucket", cellsFor(null, BUCKET_COLUMNS)));
    lines.push(paint("dim", row("", OBJECT_COLUMNS.map(([, title]) => title.padEnd(cellWidth)))));
    for (const prefix of prefixes) {
      lines.push(row(`${prefix} (${RELATION_WORD[relationOf(checks, prefix)]})`, cellsFor(prefix, OBJECT_COLUMNS)));
    }
  }
  lines.push("");
  lines.push(paint("dim", "cells: expected (need, deny, hide = names should not be listable, any): actual; ✗ LEAK or MISSING, ! key names visible, ? undecided, - not run"));

  const findings = report.checks
    .filter((c) => c.verdict !== "ok" && c.verdict !== "not-run")
    .sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict));
  const notRun = new Map<string, number>();
  for (const check of report.checks) {
    if (check.verdict === "not-run") notRun.set(check.reason ?? "not run", (notRun.get(check.reason ?? "not run") ?? 0) + 1);
  }
  if (findings.length > 0 || notRun.size > 0) {
    lines.push("");
    lines.push(paint("bold", "Findings"));
    for (const check of findings) {
      const where = check.prefix ?? "bucket";
      const word = check.verdict === "exposed" ? "WARN" : check.verdict.toUpperCase();
      const why = check.reason ?? (check.verdict === "leak" ? "allowed, must be denied" : check.verdict === "missing" ? "denied, KFP needs it" : "");
      lines.push(`  ${paint(check.verdict === "exposed" || check.verdict === "ambiguous" ? "yellow" : check.verdict === "not-run" ? "gray" : "red", word.padEnd(9))} ${check.identity}  ${check.operation} ${where}${why ? `: ${why}` : ""}`);
      if (check.hint) lines.push(`            fix: ${check.hint}`);
    }
    for (const [reason, count] of notRun) lines.push(`  ${paint("gray", "NOT RUN".padEnd(9))} ${count} check(s): ${reason}`);
  }

  const { cleanup } = report;
  lines.push("");
  if (cleanup.created === 0 && cleanup.leftovers.length === 0) {
    lines.push("Cleanup: the probe wrote nothing.");
  } else if (cleanup.leftovers.length === 0) {
    lines.push(`Cleanup: ${cleanup.created} probe object(s) created, all removed.`);
  } else {
    lines.push(paint("red", `Cleanup: ${cleanup.created} probe object(s) created, ${cleanup.leftovers.length} NOT removed:`));
    for (const leftover of cleanup.leftovers) {
      const version = leftover.versionId ? ` (version ${leftover.versionId})` : "";
      lines.push(`  s3://${report.store.bucket}/${leftover.key}${version}  ${leftover.reason}; remove it with keys that may delete there`);
    }
  }
  const s = report.summary;
  lines.push(
    `Summary: ${s.ok} ok, ${s.leak} leak, ${s.missing} missing, ${s.exposed} warn, ${s.ambiguous} undecided, ${s.error} error, ${s["not-run"]} not run; exit ${report.exitCode}`,
  );
  return `${lines.join("\n")}\n`;
}

function relationOf(checks: ReportCheck[], prefix: string): string {
  return checks.find((c) => c.prefix === prefix)?.relation ?? "";
}
