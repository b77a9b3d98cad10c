// policy and check-policy as a user runs them: the report and exit code of a live run, and bad
// input as one line naming the field, before anything else.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
      [["check-policy", "--profile", "team-1", "--bogus", "x.json"], /check-policy: unknown option --bogus \(see kfp-s3-probe check-policy --help\)/],
      [["policy"], /name whose policy: --profile NAME, --backend/],
      [["policy", "--profile", "a", "--profile", "b", "-f", file("one.json", "")], /-f .*one.json is one file for 2 identities: name a directory/],
      [["policy", "--profile", "a", "--output", "json", "--format", "text"], /--format is the old name of --output: give --output json alone/],
      [["policy", "--profile", "a", "--store", "gcs", "-o", "json"], /--store gcs has no policy document/],
      [["policy", "--profile", "a", "-f", "/nonexistent/dir/p.json"], /cannot write -f \/nonexistent\/dir\/p.json \(ENOENT\)/],
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

describe("policy: the policy alone on stdout, a file only with -f", () => {
  it("stdout is pure JSON (the document; an object by identity for several), the notes on stderr, and no file is claimed", async () => {
    const one = await cli(["policy", "--profile", "team-1"]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ Version: "2012-10-17", Statement: expect.any(Array) });
    expect(one.stderr).toMatch(/^# team-1: IAM identity policy \(reference\); -f kfp-team-1-kubeflow-pipelines.json writes it/);
    expect(one.stderr).toMatch(/aws iam put-user-policy .* --policy-document file:\/\/kfp-team-1-kubeflow-pipelines.json/);
    expect(`${one.stdout}${one.stderr}`).not.toMatch(/saved as|written to/);
    const several = JSON.parse((await cli(["policy", "--backend", "--profile", "team-1", "--profile", "team-2"])).stdout);
    expect(Object.keys(several)).toEqual(["backend", "team-1", "team-2"]);
    expect(several["team-1"]).toEqual(JSON.parse(one.stdout));
  });

  it("-o text prints every form to read, its comments included, on stdout alone", async () => {
    const text = await cli(["policy", "--profile", "team-1", "--store", "minio", "-o", "text"]);
    expect([text.code, text.stderr]).toEqual([0, ""]);
    expect(text.stdout).toMatch(/^# team-1: MinIO policy \(reference\); -f kfp-team-1-kubeflow-pipelines.json/);
    expect(text.stdout).toContain("mc admin policy create ALIAS kfp-team-1-kubeflow-pipelines kfp-team-1-kubeflow-pipelines.json");
    // GCS has no document: its text is the default, its commands.
    expect((await cli(["policy", "--profile", "team-1", "--store", "gcs"])).stdout).toMatch(/^# team-1: GCS IAM bindings/);
  });

  it("-f PATH writes the document there (a directory: one file per identity), and the notes name the file written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-policy-f-"));
    const path = join(dir, "team-1.json");
    const written = await cli(["policy", "--profile", "team-1", "-f", path]);
    expect([written.code, written.stdout]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(JSON.parse((await cli(["policy", "--profile", "team-1"])).stdout));
    expect(written.stderr).toMatch(new RegExp(`^# team-1: IAM identity policy \\(reference\\), written to ${path}\n`));
    expect(written.stderr).toContain(`--policy-document file://${path}`);
    const each = join(dir, "all/");
    expect((await cli(["policy", "--backend", "--profile", "team-1", "--file", each])).code).toBe(0);
    expect(readdirSync(each).sort()).toEqual(["kfp-backend-kubeflow-pipelines.json", "kfp-team-1-kubeflow-pipelines.json"]);
  });
});

describe("check-policy names the statement behind each finding", () => {
  it("the file, the statement's index and Sid, and the Resource that grants it; not the cell's made-up profile", async () => {
    const extra = await cli(["check-policy", "--profile", "team-6", fixture("policies/extra-read.json")]);
    expect(extra.stdout.replace(/\s+/g, " ")).toContain(
      `fix: remove s3:GetObject from Statement[2] (Sid ReadTeam2ForAReport) of ${fixture("policies/extra-read.json")}, Resource arn:aws:s3:::kubeflow-pipelines/artifacts/team-2/*`,
    );
    const wildcard = await cli(["check-policy", "--profile", "team-6", fixture("policies/artifacts-wildcard.json")]);
    const fixes = wildcard.stdout
      .replace(/\n {12}(?!fix:)/g, " ")
      .split("\n")
      .filter((line) => line.includes("fix: remove"));
    expect(fixes.length).toBeGreaterThan(0);
    for (const fix of fixes) {
      expect(fix).toContain(`Statement[1] of ${fixture("policies/artifacts-wildcard.json")}, Resource arn:aws:s3:::kubeflow-pipelines/`);
      expect(fix).not.toContain("kfp-s3-probe-nobody");
    }
  });

  it("as data in the JSON report: remedy.statements, a statement per grant; the listing's too", async () => {
    const report = JSON.parse(
      (await cli(["check-policy", "--profile", "team-6", "-o", "json", fixture("policies/extra-read.json")])).stdout,
    ) as Report;
    const leak = report.checks.find((c) => c.prefix === "artifacts/team-2/" && c.operation === "get");
    expect(leak?.remedy?.statements).toEqual([
      {
        source: fixture("policies/extra-read.json"),
        statement: 2,
        sid: "ReadTeam2ForAReport",
        resource: "arn:aws:s3:::kubeflow-pipelines/artifacts/team-2/*",
      },
    ]);
    const exposed = report.checks.find((c) => c.verdict === "exposed");
    expect(exposed?.remedy?.statements).toEqual([
      { source: fixture("policies/extra-read.json"), statement: 0, resource: "arn:aws:s3:::kubeflow-pipelines" },
    ]);
    // A MISSING is granted by no statement: none is named.
    const missing = JSON.parse(
      (await cli(["check-policy", "--profile", "team-6", "-o", "json", fixture("policies/no-delete.json")])).stdout,
    ) as Report;
    expect(missing.checks.filter((c) => c.verdict === "missing").every((c) => c.remedy?.statements === undefined)).toBe(true);
  });
});
