// The fixtures the local server and the demo are built from.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadLocalIdentities, policyDocument } from "../../scripts/local-s3-fixture.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("fixtures", () => {
  // The copies stay what their origin is (fixtures/reference-policies/README.md): byte for byte, by digest.
  it.each([
    ["backend.json", "f05eb671e4f68b312944364af6ab58364692e5e3624df231beef38759ed6f8f9"],
    ["profile.json", "8b8e92d864e5f43db59a01d3f463e6349b4b679ebee3bea7908ce744fc5c3dcc"],
  ])("fixtures/reference-policies/%s is the reference policy, unchanged", (file, digest) => {
    const bytes = readFileSync(join(root, "fixtures", "reference-policies", file));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(digest);
    expect(readFileSync(join(root, "fixtures", "reference-policies", "README.md"), "utf8")).toContain(digest);
  });

  it("every identity's policy is valid JSON with the placeholders filled", () => {
    const identities = loadLocalIdentities(root);
    expect(identities.map((i) => i.name)).toContain("backend");
    for (const identity of identities) {
      const document = policyDocument(identity, "kubeflow-pipelines", root);
      expect(document).not.toMatch(/<BUCKET_NAME>|<PROFILE_NAME>/);
      const policy = JSON.parse(document) as { Version: string; Statement: unknown[] };
      expect(policy.Version).toBe("2012-10-17");
      expect(policy.Statement.length).toBeGreaterThan(0);
      if (identity.role === "profile") expect(identity.profile).toMatch(/^[a-z0-9-]+$/);
      if (identity.policy.startsWith("fixtures/")) expect(identity.wrong).toBeTruthy();
    }
  });
});
