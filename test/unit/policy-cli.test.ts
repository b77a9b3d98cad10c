// policy and check-policy as a user runs them: the report and exit code of a live run, and bad
// input as one line naming the field, before anything else.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { runMain as cli } from "../support/run-main.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = (path: string) => join(root, "fixtures", path);

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "kfp-policy-cli-")), name);
  writeFileSync(path, text);
  return path;
}

describe("check-policy", () => {
  it("the reference exits 0; a grant on one named other team is a LEAK offline too, exit 1, with the fix", async () => {
    expect((await cli(["check-policy", "--profile", "team-6", fixture("reference-policies/profile.json")])).code).toBe(0);
    const extra = await cli(["check-policy", "--profile", "team-6", "--output", "json", fixture("policies/extra-read.json")]);
    expect(extra.code).toBe(1);
    const report = JSON.parse(extra.stdout) as Report;
    expect(report.checks.find((c) => c.prefix === "artifacts/team-2/" && c.operation === "get")).toMatchObject({
      relation: "foreign",
      verdict: "leak",
      cause: "grant-too-wide",
    });
  });

  it("a condition it does not read makes cells undecided, said per cell with its cause", async () => {
    const ip = file(
      "ip.json",
      JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }] }),
    );
    const report = JSON.parse((await cli(["check-policy", "--profile", "team-1", "--output", "json", ip])).stdout) as Report;
    expect(report.checks.every((c) => c.verdict === "ambiguous" && c.cause === "policy-not-evaluated")).toBe(true);
    expect(report.checks[0]?.reason).toMatch(/IpAddress|aws:SourceIp/);
  });

  it("bad input: one line naming what to fix, exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["check-policy", fixture("reference-policies/profile.json")], /--profile NAME \(a KFP profile\) or --backend/],
      [["check-policy", "--profile", "team-1"], /name the identity's policy file/],
      [["check-policy", "--profile", "team-1", "/nonexistent/p.json"], /cannot read \/nonexistent\/p.json \(ENOENT\)/],
      [["check-policy", "--profile", "team-1", file("bad.json", "{")], /bad.json: not valid JSON/],
      [
        ["check-policy", "--profile", "team-1", file("s.json", '{"Statement":[{"Effect":"Allow","Resource":"*"}]}')],
        /Statement\[0\] needs Action or NotAction/,
      ],
      [["check-policy", "--profile", "team-1", "--bogus", "x.json"], /Unknown argument: bogus/],
      [["policy"], /name whose policy: --profile NAME, --backend/],
      [["policy", "--profile", "a", "--profile", "b", "--format", "json"], /--format json prints one document/],
      [["policy", "--profile", "team-1", "--store", "s3"], /Invalid values.*store/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(result.stderr, argv.join(" ")).toMatch(message);
    }
  });
});

describe("check-policy decides for every key (the exact evaluator)", () => {
  it("a grant no sample key matches (artifacts/*/metrics/*): exit 1, a LEAK whose evidence names a witness key under another team's metrics/", async () => {
    const result = await cli(["check-policy", "--profile", "team-7", "--output", "json", fixture("policies/metrics-wildcard.json")]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const leaks = report.checks.filter((c) => c.verdict === "leak");
    expect(leaks.map((c) => [c.operation, c.prefix])).toEqual([["get", "artifacts/x/metrics/"]]);
    expect(leaks[0]?.evidence[0]?.key).toMatch(/^artifacts\/(?!team-7\/)[^/]+\/metrics\/./);
    expect(report.assurance).toMatchObject({ status: "partial", open: [{ kind: "no-bucket-policy" }], witnesses: { tried: 1, decided: 1 } });
  });

  it("with another team named, the witness is under that team's metrics/", async () => {
    const result = await cli([
      "check-policy",
      "--profile",
      "team-7",
      "--other-profile",
      "team-2",
      "--output",
      "json",
      fixture("policies/metrics-wildcard.json"),
    ]);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.checks.find((c) => c.prefix === "artifacts/team-2/metrics/")).toMatchObject({
      verdict: "leak",
      owner: "team-2",
      relation: "foreign",
    });
  });

  it("the reference policy with the bucket's (none): proven, exit 0", async () => {
    const none = file("none.json", '{ "Statement": [] }');
    const result = await cli([
      "check-policy",
      "--profile",
      "team-1",
      "--bucket-policy",
      none,
      "--output",
      "json",
      fixture("reference-policies/profile.json"),
    ]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Report).assurance).toMatchObject({ status: "proven", open: [] });
  });
});
