// Quiet when healthy, verdict first (issue 25, item 5): findings grouped across identities, no
// fix the run has already done, --severity and --ignore-file (muted findings listed, JSON too).
import { describe, expect, it } from "vitest";
import { type FindingSeverity, type IgnoreRule, muteFindings, parseIgnoreRules, parseSeverities } from "../../src/core/mute.js";
import { type FindingCheck, groupFindings, remedyInRun } from "../../src/core/summary.js";
import { UsageError } from "../../src/core/usage-error.js";
import type { ProbeIdentity, ProbeRun } from "../../src/probe/engine.js";
import { hintText } from "../../src/report/hint.js";
import { mergeReports, reportFromText } from "../../src/report/merge.js";
import { buildReport, type Report, type ReportContext } from "../../src/report/model.js";
import { findingLines, renderText } from "../../src/report/text.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";
import { MEMORY_BUCKET, memoryBackend, memoryProfile, probeInMemory } from "../support/memory-run.js";
import { reportContext } from "../support/report-context.js";

const check = (overrides: Partial<FindingCheck> & Pick<FindingCheck, "identity" | "verdict">): FindingCheck => ({
  operation: "abort-multipart",
  prefix: `artifacts/${overrides.identity}/`,
  relation: "own",
  owner: overrides.identity,
  cause: "recommended-action",
  ...overrides,
});

describe("findings grouped as data", () => {
  it("a warning of several identities is one group naming them all, whatever their prefixes", () => {
    const checks = [
      check({ identity: "backend", verdict: "degraded", prefix: "artifacts/", relation: "all-profiles", owner: null }),
      check({ identity: "backend", verdict: "degraded", prefix: "v2/artifacts/", relation: "all-profiles", owner: null }),
      check({ identity: "team-1", verdict: "degraded" }),
      check({ identity: "team-2", verdict: "degraded", reason: "AccessDenied" }),
    ];
    const groups = groupFindings(checks);
    expect(groups.map((g) => [g.verdict, g.identities, g.prefixes.length])).toEqual([["degraded", ["backend", "team-1", "team-2"], 4]]);
  });

  it("failures: the same on own prefixes of two identities is one group; a shared prefix and another cause are their own", () => {
    const leak = (identity: string, prefix: string, relation: FindingCheck["relation"], owner: string | null) =>
      check({ identity, verdict: "missing", cause: "missing-action", operation: "put", prefix, relation, owner });
    const groups = groupFindings([
      leak("team-1", "artifacts/team-1/", "own", "team-1"),
      leak("team-2", "artifacts/team-2/", "own", "team-2"),
      leak("team-1", "v2/artifacts/team-1/", "own", "team-1"),
      leak("team-1", "pipelines/", "backend-only", null),
      check({ identity: "team-3", verdict: "leak", cause: "grant-too-wide", operation: "get", prefix: "artifacts/team-1/", relation: "foreign" }),
      check({ identity: "team-3", verdict: "leak", cause: "grant-too-wide", operation: "get", prefix: "artifacts/team-2/", relation: "foreign" }),
    ]);
    expect(groups.map((g) => `${g.verdict} ${g.identities.join(",")} ${g.prefixes.join(",")}`)).toEqual([
      "leak team-3 artifacts/team-1/,artifacts/team-2/",
      "missing team-1,team-2 artifacts/team-1/,artifacts/team-2/",
      "missing team-1 v2/artifacts/team-1/",
      "missing team-1 pipelines/",
    ]);
  });

  it("ok and not-run cells are no finding group", () => {
    expect(groupFindings([check({ identity: "a", verdict: "ok" }), check({ identity: "a", verdict: "not-run", cause: "not-run" })])).toEqual([]);
  });
});

describe("no finding whose fix the run has already done", () => {
  const noObject = { cause: "no-object-to-read" as const, remedy: { where: "none" as const, change: "rerun" as const } };
  const words = (remedy: ReturnType<typeof remedyInRun>) =>
    hintText({ operation: "get", prefix: "artifacts/x/", cause: "no-object-to-read", remedy }, { bucket: "kfp", tls: false }) ?? "";
  const has = (backend: boolean, readOnly: boolean, profiles: string[] = []) => ({ backend, readOnly, profiles: new Set(profiles) });

  it("asks for the owner or the backend only where neither is in the run", () => {
    expect(words(remedyInRun(noObject, "team-9", has(false, false)))).toMatch(/add the prefix's owner or the backend to the run/);
    expect(words(remedyInRun(noObject, "team-9", has(false, true)))).toMatch(
      /add the prefix's owner or the backend to the run and run without --read-only/,
    );
    for (const run of [has(true, false), has(true, true), has(false, false, ["team-9"])]) {
      expect(words(remedyInRun(noObject, "team-9", run))).not.toMatch(/\badd\b/);
    }
    expect(words(remedyInRun(noObject, null, has(true, true)))).toMatch(/run without --read-only/);
    expect(words(remedyInRun(noObject, null, has(true, false)))).toMatch(/could not write one here, and its own findings say why/);
  });

  it("other causes keep their remedy", () => {
    const degraded = { cause: "recommended-action" as const, remedy: { where: "identity-policy" as const, change: "grant" as const } };
    expect(remedyInRun(degraded, null, has(true, true))).toBe(degraded.remedy);
  });
});

describe("--severity and --ignore-file, parsed", () => {
  it("--severity takes the trivy way: a comma list, in any case; a wrong one names the choices", () => {
    expect(parseSeverities("FAILURE,error")).toEqual(["failure", "error"]);
    expect(() => parseSeverities("failure,high")).toThrow(UsageError);
    expect(() => parseSeverities("high")).toThrow(/--severity "high" is not a severity: give some of failure, error, warning, undecided, skipped/);
  });

  it("an ignore file: a rule a line, # comments, * for any; a bad line is one error naming the line", () => {
    const rules = parseIgnoreRules(
      "# known\n\nrecommended-action\nkey-names-listable team-1  # listable\ngrant-too-wide * artifacts/* get\n",
      "--ignore-file f",
    );
    expect(rules).toEqual([
      { line: 3, text: "recommended-action", cause: "recommended-action" },
      { line: 4, text: "key-names-listable team-1", cause: "key-names-listable", identity: "team-1" },
      { line: 5, text: "grant-too-wide * artifacts/* get", cause: "grant-too-wide", prefix: "artifacts/*", operation: "get" },
    ]);
    expect(() => parseIgnoreRules("ok\nno-such-cause\n", "--ignore-file f")).toThrow(/^--ignore-file f line 1: "ok" is not a cause/);
    expect(() => parseIgnoreRules("grant-too-wide a b fly\n", "--ignore-file f")).toThrow(/line 1: "fly" is not an operation/);
    expect(() => parseIgnoreRules("grant-too-wide a b get extra\n", "--ignore-file f")).toThrow(/at most 4 fields/);
  });

  it("a LEAK is muted only by its exact name; a rule that names it otherwise, or nothing, mutes nothing and is said", () => {
    const leak = check({
      identity: "team-3",
      verdict: "leak",
      cause: "grant-too-wide",
      operation: "get",
      prefix: "artifacts/team-1/",
      relation: "foreign",
    });
    const degraded = check({ identity: "team-1", verdict: "degraded" });
    const rules = (text: string): IgnoreRule[] => parseIgnoreRules(text, "f");
    const inexact = muteFindings([leak, degraded], { rules: rules("grant-too-wide team-3\nrecommended-action\nunknown-key\n") });
    expect(inexact.reasons).toEqual([undefined, { by: "ignore-file", line: 2, rule: "recommended-action" }]);
    expect(inexact.unmatched.map((r) => r.line)).toEqual([3]);
    expect(inexact.inexactLeaks).toEqual([{ rule: expect.objectContaining({ line: 1 }), names: ["grant-too-wide team-3 artifacts/team-1/ get"] }]);
    const exact = muteFindings([leak], { rules: rules("grant-too-wide team-3 artifacts/team-1/ get\n") });
    expect(exact.reasons).toEqual([{ by: "ignore-file", line: 1, rule: "grant-too-wide team-3 artifacts/team-1/ get" }]);
    expect(muteFindings([leak], { rules: rules("grant-too-wide team-3 artifacts/* get\n") }).reasons).toEqual([undefined]);
  });

  it("the profile that exists nowhere, new in each run, is named (nobody); this run's name mutes it too", () => {
    const nobody = (prefix: string) =>
      check({ identity: "team-3", verdict: "leak", cause: "grant-too-wide", operation: "put", prefix, relation: "unowned", owner: null });
    const cells = [nobody("artifacts/kfp-s3-probe-nobody-0a1b2c/"), nobody("v2/artifacts/kfp-s3-probe-nobody-0a1b2c/")];
    const rules = parseIgnoreRules(
      "grant-too-wide team-3 artifacts/(nobody)/ put\ngrant-too-wide team-3 v2/artifacts/kfp-s3-probe-nobody-0a1b2c/ put\n",
      "f",
    );
    expect(muteFindings(cells, { rules }).reasons.map((r) => r?.by === "ignore-file" && r.line)).toEqual([1, 2]);
    const named = muteFindings(cells, { rules: parseIgnoreRules("grant-too-wide team-3\n", "f") }).inexactLeaks[0]?.names;
    expect(named).toEqual(["grant-too-wide team-3 artifacts/(nobody)/ put", "grant-too-wide team-3 v2/artifacts/(nobody)/ put"]);
  });

  it("--severity mutes the findings of the other severities; ok cells are never muted", () => {
    const severities: FindingSeverity[] = ["failure"];
    const cells = [
      check({ identity: "a", verdict: "degraded" }),
      check({ identity: "a", verdict: "missing" }),
      check({ identity: "a", verdict: "ok" }),
    ];
    expect(muteFindings(cells, { severities }).reasons).toEqual([{ by: "severity" }, undefined, undefined]);
  });

  it("--severity never mutes a LEAK: a list without failure mutes the MISSING beside it, not the LEAK", () => {
    const cells = [check({ identity: "a", verdict: "leak" }), check({ identity: "a", verdict: "missing" })];
    expect(muteFindings(cells, { severities: ["error", "warning"] }).reasons).toEqual([undefined, { by: "severity" }]);
  });
});

/** A run on the in-memory store, and its report's context. */
async function memoryRun(identitiesOf: (store: MemoryStore) => ProbeIdentity[]): Promise<{ run: ProbeRun; context: ReportContext }> {
  const identities = identitiesOf(new MemoryStore());
  const run = await probeInMemory(identities);
  const context = reportContext({
    store: { bucket: MEMORY_BUCKET },
    identities: identities.map(({ name, role }) => ({ name, role, credentialSource: "dir", accessKeyIdHint: "…ABCD" })),
  });
  return { run, context };
}

/** The reference install: the backend and two profiles as the reference policies let them (no AbortMultipartUpload, ListBucket everywhere). */
const referenceRun = () => memoryRun((store) => [memoryBackend(store), memoryProfile(store, "team-1"), memoryProfile(store, "team-2")]);

/** The finding blocks of a text report: the label lines under Findings. */
const blocksOf = (text: string): string[] => {
  const findings = text.slice(text.indexOf("\nFindings\n"), text.search(/\n(Muted|Cleanup)/));
  return findings.split("\n").filter((line) => /^ {2}[A-Z]/.test(line));
};

describe("the reference install's report", () => {
  it("text: the verdict on the first line, one block per kind of warning, naming every identity", async () => {
    const { run, context } = await referenceRun();
    const text = renderText(buildReport(run, context), false, { width: 100 });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^PASS \(exit 0\): no LEAK, MISSING or ERROR; \d+ DEGRADED, \d+ EXPOSED; assurance sampled$/);
    expect(blocksOf(text).map((line) => line.split(/ {2,}/).slice(1, 3).join(" | "))).toEqual([
      "DEGRADED | backend, team-1, team-2",
      "EXPOSED | team-1, team-2",
    ]);
  });

  it("stderr for a Job: the verdict and a line per kind of warning", async () => {
    const { run, context } = await referenceRun();
    const lines = findingLines(buildReport(run, context));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^PASS \(exit 0\): /);
    expect(lines[1]).toMatch(/^DEGRADED backend,team-1,team-2 abort-multipart /);
    expect(lines[2]).toMatch(/^EXPOSED team-1,team-2 list-bucket,list /);
  });
});

describe("muted findings: listed, in the JSON too, not counted toward the exit code", () => {
  const leaky = (store: MemoryStore): ProbeIdentity => ({
    name: "wildcard",
    role: { kind: "profile", profile: "team-3" },
    port: store.portFor(within(["artifacts/", "v2/artifacts/team-3/"])),
  });

  async function leakyReport(ignore: string | undefined, severities?: FindingSeverity[]): Promise<Report> {
    const { run, context } = await memoryRun((store) => [memoryBackend(store), memoryProfile(store, "team-1"), leaky(store)]);
    return buildReport(run, {
      ...context,
      output: {
        ...(ignore !== undefined ? { ignore: { file: "known.txt", rules: parseIgnoreRules(ignore, "--ignore-file known.txt") } } : {}),
        ...(severities ? { severities } : {}),
      },
    });
  }

  it("warnings muted by cause and by --severity: exit unchanged, each listed as muted in the text and the JSON", async () => {
    const report = await leakyReport("recommended-action\nunknown-key team-1\n", ["failure", "error", "undecided"]);
    expect(report.exitCode).toBe(1);
    const json = JSON.parse(JSON.stringify(report)) as Report;
    const degraded = json.checks.filter((c) => c.verdict === "degraded");
    expect(degraded.length).toBeGreaterThan(0);
    expect(degraded.every((c) => c.muted?.by === "ignore-file" && c.muted.line === 1)).toBe(true);
    expect(json.checks.filter((c) => c.verdict === "exposed").every((c) => c.muted?.by === "severity")).toBe(true);
    expect(json.checks.filter((c) => c.verdict === "leak").every((c) => c.muted === undefined)).toBe(true);
    expect(json.notes).toContain("--ignore-file known.txt line 2 (unknown-key team-1) matches no finding");
    const text = renderText(report, false, { width: 200 });
    expect(text).toMatch(/^FAIL \(exit 1\): \d+ LEAK; \d+ muted; assurance sampled$/m);
    expect(text).toMatch(
      /^Muted \(listed, not counted toward the exit code\)\n {2}DEGRADED +backend, team-1, wildcard .*: muted by --ignore-file line 1 \(recommended-action\)$/m,
    );
    expect(text).toMatch(/^ {2}not shown by --severity: \d+ EXPOSED$/m);
    expect(blocksOf(text).every((line) => /^ {2}LEAK /.test(line))).toBe(true);
  });

  it("every LEAK muted by its exact name: exit 0, and the text says MUTED LEAK; a wildcard rule leaves them and says so", async () => {
    const first = await leakyReport(undefined);
    const names = first.checks.filter((c) => c.verdict === "leak").map((c) => `${c.cause} ${c.identity} ${c.prefix ?? "(bucket)"} ${c.operation}`);
    expect(names.length).toBeGreaterThan(1);
    const muted = await leakyReport(names.join("\n"));
    expect(muted.exitCode).toBe(0);
    expect(muted.checks.filter((c) => c.verdict === "leak").every((c) => c.muted?.by === "ignore-file")).toBe(true);
    const text = renderText(muted, false, { width: 200 });
    expect(text).toMatch(/^ {2}LEAK +MUTED LEAK: wildcard {2}/m);
    expect(findingLines(muted).filter((line) => line.startsWith("MUTED LEAK wildcard "))).toHaveLength(names.length);
    // Merged, as a Job's shards are: the muted LEAKs still do not count, the unmuted ones do.
    const merge = (report: Report) => mergeReports([{ report: reportFromText(JSON.stringify(report), "pod.log"), source: "pod.log" }]).exitCode;
    expect([merge(muted), merge(first)]).toEqual([0, 1]);
    // merge's own --ignore-file (a Job's pods muted nothing): the same rules mute the merged LEAKs; a rule for nothing is a note.
    const rules = parseIgnoreRules(`${names.join("\n")}\nunknown-key nobody-here`, "--ignore-file known.txt");
    const mergedMuted = mergeReports([{ report: reportFromText(JSON.stringify(first), "pod.log"), source: "pod.log" }], {
      muting: { ignore: { file: "known.txt", rules } },
    });
    expect(mergedMuted.exitCode).toBe(0);
    const mergedLeaks = mergedMuted.checks.filter((c) => c.verdict === "leak");
    expect(mergedLeaks.length).toBe(names.length);
    expect(mergedLeaks.every((c) => c.muted?.by === "ignore-file")).toBe(true);
    expect(mergedMuted.notes).toContain(`--ignore-file known.txt line ${names.length + 1} (unknown-key nobody-here) matches no finding`);
    // --severity on merge, failure left out: a LEAK is still shown and counted (only its exact name mutes it); a MISSING would not be.
    const bySeverity = mergeReports([{ report: reportFromText(JSON.stringify(first), "pod.log"), source: "pod.log" }], {
      muting: { severities: ["error"] },
    });
    expect(bySeverity.exitCode).toBe(1);
    expect(bySeverity.checks.filter((c) => c.verdict === "leak").length).toBe(names.length);
    expect(bySeverity.checks.filter((c) => c.verdict === "leak").every((c) => c.muted === undefined)).toBe(true);
    const wildcard = await leakyReport("grant-too-wide wildcard\n");
    expect(wildcard.exitCode).toBe(1);
    expect(wildcard.notes.join("\n")).toMatch(
      /line 1 \(grant-too-wide wildcard\) names \d+ LEAKs but not exactly, so it stays: a LEAK is muted only by its exact name/,
    );
  });
});
