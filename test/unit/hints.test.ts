// Every hint names what to change: an IAM action, a flag, or a setting.
import { describe, expect, it } from "vitest";
import { ERROR_KINDS } from "../../src/core/classify.js";
import { LAYOUTS } from "../../src/core/layout.js";
import { planFor } from "../../src/core/plan.js";
import type { Verdict } from "../../src/core/verdicts.js";
import { hintFor } from "../../src/report/hint.js";

const NAMES_A_FIX = /s3:[A-Za-z]+|--[a-z-]+|https?:\/\/|AWS_[A-Z_]+|NTP|rerun|x-amz-checksum-crc32/;

describe("hints", () => {
  const plan = planFor("team-1", { kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, { profilesInRun: ["team-1"], unownedProfile: "nobody" });

  it.each(ERROR_KINDS)("error %s names a flag, setting or action, on http and on https", (errorKind) => {
    for (const tls of [true, false]) {
      for (const check of plan.checks) {
        const hint = hintFor(check, { outcome: "error", errorKind, evidence: [] }, "error", { bucket: "kfp", tls });
        expect(hint, `${errorKind} on ${check.operation}`).toMatch(NAMES_A_FIX);
      }
    }
  });

  it.each<Verdict>(["missing", "leak", "exposed", "degraded"])("every %s cell names the IAM action to change", (verdict) => {
    for (const check of plan.checks) {
      const hint = hintFor(check, { outcome: "allowed", evidence: [] }, verdict, { bucket: "kfp", tls: true });
      expect(hint, `${verdict} ${check.operation} ${check.target?.prefix}`).toMatch(/s3:[A-Za-z]+/);
    }
  });
});
