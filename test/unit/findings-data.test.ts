// Findings are data: every verdict that is not ok carries a cause from the closed set and a
// remedy; the docs list every cause; the README's exit-code table is the one in the code.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CAUSE_NAMES, CAUSES, type Cause } from "../../src/core/cause.js";
import { ERROR_KINDS } from "../../src/core/classify.js";
import { EXIT_CODE_TABLE, exitCodeFor } from "../../src/core/exit-codes.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { assess, type Observation } from "../../src/core/verdict.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, {
  profilesInRun: ["team-1", "team-2"],
  unownedProfile: "nobody",
});
const OBSERVATIONS: Observation[] = [
  { outcome: "allowed", evidence: [] },
  { outcome: "denied", evidence: [] },
  { outcome: "ambiguous", reason: "404", evidence: [] },
  { outcome: "not-run", reason: "--read-only", evidence: [] },
  ...ERROR_KINDS.map((errorKind): Observation => ({ outcome: "error", errorKind, evidence: [] })),
];

describe("findings as data", () => {
  it("every check whose verdict is not ok has a cause from the closed set and a remedy saying where", () => {
    let notOk = 0;
    for (const strict of [false, true]) {
      for (const check of plan.checks) {
        for (const observation of OBSERVATIONS) {
          const result = assess(check, observation, { strict, bucket: "kfp" });
          if (result.verdict === "ok") {
            expect(result.cause).toBeUndefined();
            continue;
          }
          notOk += 1;
          expect(CAUSE_NAMES, `${check.operation} ${observation.outcome}`).toContain(result.cause);
          // The cause's row says it goes with this verdict, and its remedy has the row's shape.
          const row = CAUSES[result.cause as Cause];
          expect(row.verdicts, `${result.cause} ${result.verdict}`).toContain(result.verdict);
          if (result.verdict !== "not-run") expect(result.remedy).toMatchObject({ where: row.remedy.where, change: row.remedy.change });
          expect(result.remedy?.where).toBeTruthy();
          expect(result.remedy?.change).toBeTruthy();
        }
      }
    }
    expect(notOk).toBeGreaterThan(100);
  });

  it("a leak names the action to remove and the resource; a missing read names GetObject on the prefix", () => {
    const put = plan.checks.find((c) => c.target?.prefix === "v2/artifacts/team-2/" && c.operation === "put");
    const leak = put && assess(put, { outcome: "allowed", evidence: [] }, { strict: false, bucket: "kfp" });
    expect(leak).toMatchObject({
      verdict: "leak",
      cause: "grant-too-wide",
      remedy: { where: "identity-policy", change: "remove", actions: ["s3:PutObject"], resource: "arn:aws:s3:::kfp/v2/artifacts/team-2/*" },
    });
    const get = plan.checks.find((c) => c.target?.prefix === "artifacts/team-1/" && c.operation === "get");
    const missing = get && assess(get, { outcome: "denied", evidence: [] }, { strict: false, bucket: "kfp" });
    expect(missing).toMatchObject({ cause: "missing-action", remedy: { change: "grant", actions: ["s3:GetObject"] } });
  });

  it("docs/report-schema.md lists every cause", () => {
    const schema = readFileSync(`${root}/docs/report-schema.md`, "utf8");
    for (const cause of CAUSE_NAMES) expect(schema, cause).toContain(`\`${cause}\``);
  });

  it("docs/report-schema.md's causes table gives each cause the verdicts of its row", () => {
    const schema = readFileSync(`${root}/docs/report-schema.md`, "utf8");
    const table = schema.slice(schema.indexOf("## Causes"), schema.indexOf("## Remedy"));
    const documented = new Map<string, string[]>();
    for (const [, causes = "", verdicts = ""] of table.matchAll(/^\| (`[^|]+`) \| ([^|]+) \| [^|]+ \|$/gm)) {
      const words = verdicts
        .replace(/\([^)]*\)/g, "")
        .split(",")
        .map((v) => v.trim())
        // "—": a cause of no check (a finding of the bucket, a leftover).
        .filter((v) => v !== "—");
      for (const [, cause = ""] of causes.matchAll(/`([^`]+)`/g)) documented.set(cause, words);
    }
    expect([...documented.keys()].sort()).toEqual([...CAUSE_NAMES].sort());
    for (const cause of CAUSE_NAMES) expect(documented.get(cause), cause).toEqual([...CAUSES[cause].verdicts]);
  });

  it("the README's exit-code table is the table in src/core/exit-codes.ts", () => {
    const readme = readFileSync(`${root}/README.md`, "utf8");
    const rows = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(EXIT_CODE_TABLE.map((row) => [row.code, row.meaning]));
  });

  it("exit codes: usage and internal errors, interruptions and the deadline are decided in the same place as findings", () => {
    expect(exitCodeFor([], { kind: "usage-error" })).toBe(2);
    expect(exitCodeFor([], { kind: "internal-error" })).toBe(4);
    expect(exitCodeFor([], { kind: "finished", interruptedBy: "SIGINT" })).toBe(130);
    expect(exitCodeFor([], { kind: "finished", interruptedBy: "deadline" })).toBe(3);
    expect(exitCodeFor([])).toBe(0);
  });
});
