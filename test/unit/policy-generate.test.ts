// The generated policies, judged offline by the same expectations: nothing MISSING, nothing leaks;
// strict lists no one else's key names. And the store forms say how to apply them.
import { describe, expect, it } from "vitest";
import { type KeyLayout, LAYOUTS, unownedProfileName } from "../../src/core/layout.js";
import { planFor, type Role } from "../../src/core/plan.js";
import { parsePolicy } from "../../src/core/policy/document.js";
import { generatePolicy, grantedPrefixes, type PolicyVariant } from "../../src/core/policy/generate.js";
import { decideOffline, profilesNamedIn } from "../../src/core/policy/offline.js";
import { POLICY_FORMS, type PolicyFor, type PolicyStore, policyFileName, policyText } from "../../src/report/policy-words.js";

const context = {
  profilesInRun: ["team-1"],
  otherProfiles: ["team-2", "team-10"],
  unownedProfile: unownedProfileName("offline"),
  matrix: "full" as const,
};

function verdicts(role: Role, variant: PolicyVariant, layout: KeyLayout = LAYOUTS.deploykf): Map<string, number> {
  const document = parsePolicy(JSON.stringify(generatePolicy(role, layout, "kfp", variant)), "generated");
  const plan = planFor("x", role, layout, context);
  const counts = new Map<string, number>();
  for (const result of decideOffline(plan.checks, role, [document], { bucket: "kfp", strict: false }))
    counts.set(result.verdict, (counts.get(result.verdict) ?? 0) + 1);
  return counts;
}

describe("generated policies, judged offline", () => {
  it.each([
    ["reference", "deploykf"],
    ["strict", "deploykf"],
    ["reference", "kubeflow"],
    ["strict", "kubeflow"],
  ] as const)("%s (%s layout): a profile's has nothing missing, nothing leaking, nothing degraded", (variant, layout) => {
    const counts = verdicts({ kind: "profile", profile: "team-1" }, variant, LAYOUTS[layout]);
    for (const bad of ["missing", "leak", "degraded", "ambiguous"]) expect(counts.get(bad) ?? 0, bad).toBe(0);
    // reference: the whole bucket's key names are listable (a warning); strict: none but its own.
    expect((counts.get("exposed") ?? 0) > 0).toBe(variant === "reference");
  });

  it("the backend's reaches everything it must", () => {
    const counts = verdicts({ kind: "backend" }, "reference");
    expect([counts.get("missing") ?? 0, counts.get("degraded") ?? 0, counts.get("leak") ?? 0]).toEqual([0, 0, 0]);
  });

  it("every resource ends with a slash and *: no near miss", () => {
    const document = generatePolicy({ kind: "profile", profile: "team-1" }, LAYOUTS.deploykf, "kfp", "strict");
    const resources = document.Statement.flatMap((s) => s.Resource).filter((r) => r.includes("/"));
    expect(resources.every((r) => r.endsWith("/*"))).toBe(true);
    expect(profilesNamedIn([parsePolicy(JSON.stringify(document), "g")], LAYOUTS.deploykf, "kfp")).toEqual(["team-1"]);
  });
});

describe("store forms", () => {
  const role: Role = { kind: "profile", profile: "team-1" };
  const policy = (variant: PolicyVariant) => ({
    name: "team-1",
    bucket: "kfp",
    variant,
    document: generatePolicy(role, LAYOUTS.deploykf, "kfp", variant),
    prefixes: grantedPrefixes(role, LAYOUTS.deploykf),
  });

  /** A store's form as `-o text` prints it, its document in the file the commands read. */
  const text = (store: PolicyStore, p: PolicyFor) => policyText(POLICY_FORMS[store](p, policyFileName(p)), policyFileName(p), false);

  it("AWS, MinIO and RGW show the document and the command that applies it", () => {
    expect(text("aws", policy("reference"))).toMatch(/aws iam put-user-policy --user-name USER --policy-name kfp-team-1-kfp/);
    expect(text("minio", policy("reference"))).toMatch(/mc admin policy create ALIAS kfp-team-1-kfp kfp-team-1-kfp.json\nmc admin policy attach/);
    expect(text("rgw", policy("strict"))).toMatch(/--endpoint-url RGW_URL iam put-user-policy --user-name RGW_UID/);
    for (const form of ["aws", "minio", "rgw"] as const) expect(text(form, policy("strict"))).toContain('"s3:prefix"');
  });

  it("GCS: object bindings conditioned on the object's name, and says what it cannot express", () => {
    const gcs = text("gcs", policy("strict"));
    expect(gcs).toContain('resource.name.startsWith("projects/_/buckets/kfp/objects/artifacts/team-1/")');
    expect(gcs).toMatch(/GCS cannot express the strict variant/);
  });
});
