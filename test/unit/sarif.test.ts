// SARIF 2.1.0: valid against the schema (a copy in fixtures/sarif/), one rule per cause code, one
// result per check that is not ok, at the level its verdict calls for.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import AjvDraft04 from "ajv-draft-04";
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import { CAUSE_NAMES } from "../../src/core/cause.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { assess, type Observation } from "../../src/core/verdict.js";
import { buildReport } from "../../src/report/model.js";
import { renderSarif } from "../../src/report/sarif.js";
import { reportContext } from "../support/report-context.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const schema = JSON.parse(readFileSync(`${root}/fixtures/sarif/sarif-2.1.0-rtm.5.json`, "utf8")) as object;
const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, {
  profilesInRun: ["team-1", "team-2"],
  unownedProfile: "nobody",
});

function report() {
  // team-1 may do everything: its own prefixes pass, the others leak, listing warns.
  const allowed: Observation = { outcome: "allowed", evidence: [] };
  const results = plan.checks.map((check) =>
    assess(check, check.operation === "abort-multipart" ? { outcome: "denied", evidence: [] } : allowed, { strict: false, bucket: "kfp" }),
  );
  return buildReport(
    {
      plans: [plan],
      results,
      cleanup: {
        created: 1,
        removed: 0,
        leftovers: [{ key: "artifacts/team-1/.kfp-s3-probe/r/team-1", identity: "team-1", reason: "DeleteObject denied to team-1" }],
      },
    },
    reportContext(),
  );
}

describe("SARIF", () => {
  const built = report();
  const log = JSON.parse(renderSarif(built)) as Log;

  it("is valid SARIF 2.1.0", () => {
    // The schema's language pattern is not valid with the u flag (a known slip in rtm.5): plain regexes.
    const validate = new AjvDraft04.default({ strict: false, allErrors: true, unicodeRegExp: false }).compile(schema);
    const valid = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(valid).toBe(true);
    // The validator does refuse a log that is not SARIF 2.1.0.
    expect(validate({ ...log, version: "2.0.0" })).toBe(false);
  });

  it("has one rule per cause code, and a result per check that is not ok, at its verdict's level", () => {
    const run = log.runs[0];
    expect(run?.tool.driver.rules?.map((r) => r.id)).toEqual([...CAUSE_NAMES]);
    const notOk = built.checks.filter((c) => c.verdict !== "ok");
    expect(run?.results).toHaveLength(notOk.length);
    const leak = run?.results?.find((r) => r.ruleId === "grant-too-wide");
    expect(leak).toMatchObject({
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: expect.stringMatching(/^s3:\/\/kfp\//) } } }],
    });
    expect(run?.results?.find((r) => r.ruleId === "recommended-action")?.level).toBe("warning");
    for (const result of run?.results ?? []) expect(run?.tool.driver.rules?.[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    expect(run?.invocations?.[0]?.toolExecutionNotifications?.[0]?.message.text).toMatch(/^LEFTOVER s3:\/\/kfp\/artifacts\/team-1\//);
  });
});
