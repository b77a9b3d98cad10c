// The fixtures the local server and the demo are built from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadLocalIdentities, policyDocument } from "../../scripts/local-s3-fixture.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("fixtures", () => {
  it.each(["backend.json", "profile.json"])("fixtures/reference-policies/%s is the shared reference policy, unchanged", (file) => {
    const shared = join(root, "..", "shared", "reference", "deploykf-policies", file);
    expect(readFileSync(join(root, "fixtures", "reference-policies", file), "utf8")).toBe(readFileSync(shared, "utf8"));
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
