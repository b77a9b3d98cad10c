// Partial signature failures: where the same keys sign most requests right and the store refuses
// the signature of some, that is one diagnosis naming what the refused requests carry, and their
// cells say the keys are right; where every request is refused, the secret is wrong, as before.
import { describe, expect, it } from "vitest";
import { diagnose, markMangled } from "../../src/core/diagnoses.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import { assess, type CheckResult, type Observation } from "../../src/core/verdict.js";
import { wordDiagnoses } from "../../src/report/diagnosis-words.js";

const role = { kind: "profile" as const, profile: "team-1" };
const plan = planFor("team-1", role, LAYOUTS.deploykf, { profilesInRun: ["team-1"], unownedProfile: "nobody" });
const identities = [{ name: "team-1", role }];

const refused: Observation = {
  outcome: "error",
  errorKind: "signature",
  reason: "the store rejected the request signature",
  evidence: [{ request: "ListObjectsV2", status: 403, errorName: "SignatureDoesNotMatch" }],
};
const taken: Observation = { outcome: "allowed", evidence: [{ request: "PutObject", key: "artifacts/team-1/x", status: 200 }] };

/** The plan's cells: those `refuse` picks refused with SignatureDoesNotMatch, the others allowed. */
function run(refuse: (check: (typeof plan.checks)[number]) => boolean): CheckResult[] {
  return markMangled(plan.checks.map((check) => assess(check, refuse(check) ? refused : taken, { strict: false, bucket: "kfp" })));
}

describe("partial signature failures", () => {
  it("listings refused, the rest taken: one diagnosis with the listings' shape, their cells request-mangled", () => {
    const results = run((check) => check.operation === "list");
    const diagnoses = diagnose(results, identities).filter((d) => d.kind === "mangled-requests");
    expect(diagnoses).toHaveLength(1);
    expect(diagnoses[0]).toMatchObject({
      identities: ["team-1"],
      profiles: ["team-1"],
      shape: { requests: ["ListObjectsV2"], parts: ["query"], characters: ["/"] },
    });
    const cells = results.filter((r) => r.observation.errorKind === "signature");
    expect(cells.length).toBeGreaterThan(1);
    for (const cell of cells) expect(cell).toMatchObject({ cause: "request-mangled", remedy: { where: "store-setting", change: "check" } });
    const [worded] = wordDiagnoses(diagnoses, "kfp");
    expect(worded?.message).toContain("those with '/' in a query value (a listing's prefix): ListObjectsV2 to list");
    expect(worded?.message).not.toContain("secret key does not match");
  });

  it("every request refused: the secret is wrong, no mangled-requests diagnosis, the cells wrong-secret", () => {
    const results = run(() => true);
    expect(diagnose(results, identities).some((d) => d.kind === "mangled-requests")).toBe(false);
    for (const cell of results) expect(cell.cause).toBe("wrong-secret");
  });
});
