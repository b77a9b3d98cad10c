// --shard I/N and merge: every identity is probed by exactly one shard, and the merged report of
// the shards has the verdicts, the summary and the exit code of one unsharded run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LAYOUTS, unownedProfileName } from "../../src/core/layout.js";
import type { Role } from "../../src/core/plan.js";
import { inShard, parseShard, type Shard } from "../../src/core/shard.js";
import { type ProbeIdentity, runProbe } from "../../src/probe/engine.js";
import { mergeReports } from "../../src/report/merge.js";
import { buildReport, type Report } from "../../src/report/model.js";
import { reportFromText, reportsInText } from "../../src/report/pod-log.js";
import { findingLog } from "../../src/report/text.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";
import { reportContext } from "../support/report-context.js";
import { runMain as cli } from "../support/run-main.js";

const PROFILES = ["team-1", "team-2", "team-3", "team-4", "team-5", "team-6"];

/** The backend, six profiles (team-3 granted artifacts/*, team-5 a read of team-2) and the anonymous caller. */
function identitiesIn(store: MemoryStore): ProbeIdentity[] {
  const own = (p: string) => [`artifacts/${p}/`, `v2/artifacts/${p}/`];
  const grants: Record<string, string[]> = { "team-3": ["artifacts/", "v2/artifacts/"], "team-5": [...own("team-5"), "artifacts/team-2/"] };
  return [
    { name: "backend", role: { kind: "backend" }, port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])) },
    ...PROFILES.map((p) => ({ name: p, role: { kind: "profile", profile: p } as Role, port: store.portFor(within(grants[p] ?? own(p))) })),
    {
      name: "anonymous",
      role: { kind: "anonymous" },
      port: store.portFor(
        () => false,
        () => false,
      ),
    },
  ];
}

async function reportOf(store: MemoryStore, runId: string, shard?: Shard): Promise<Report> {
  const identities = identitiesIn(store);
  const run = await runProbe(identities, {
    bucket: "kfp",
    layout: LAYOUTS.deploykf,
    runId,
    readOnly: false,
    strict: false,
    concurrency: 8,
    signal: new AbortController().signal,
    cleanupTimeoutMs: 1000,
    ...(shard ? { shard } : {}),
  });
  const context = reportContext({
    run: { runId },
    options: shard ? { shard } : {},
    identities: identities.map((i) => ({ name: i.name, role: i.role, credentialSource: "test", accessKeyIdHint: "" })),
  });
  return buildReport(run, context);
}

/** Each check by who, what and where; the canary profile's name is per run, so it is named by its relation. */
function verdicts(report: Report): string[] {
  return report.checks
    .map((c) => {
      const where = c.relation === "unowned" ? `(unowned)${(c.prefix ?? "").split("/").slice(0, -2).join("/")}` : c.prefix;
      return `${c.identity} ${c.operation} ${where} ${c.verdict}`;
    })
    .sort();
}

describe("--shard I/N", () => {
  it("parses I/N, and refuses what is not a shard of N", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["4/4", "1/0", "-1/3", "a/b", "1", "1/2/3", "0/1001"]) expect(parseShard(bad), bad).toBeUndefined();
  });

  it.each([1, 2, 3, 4, 7])("every identity in exactly one of %i shards, and the shards even", (count) => {
    const positions = Array.from({ length: 302 }, (_, i) => i);
    const owners = positions.map((p) => Array.from({ length: count }, (_, index) => index).filter((index) => inShard(p, { index, count })));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    const sizes = Array.from({ length: count }, (_, index) => owners.filter((o) => o[0] === index).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

describe("merge", () => {
  it("four shards merged: the verdicts, summary, diagnoses and exit code of the unsharded run, and nothing left", async () => {
    const store = new MemoryStore();
    const whole = await reportOf(store, "20261125T000000Z-00000000aaaa");
    const shards = [];
    for (let index = 0; index < 4; index += 1) {
      const report = await reportOf(store, `20261125T000000Z-00000000bbb${index}`, { index, count: 4 });
      // Through the wire format, as the shards' files are read.
      shards.push({ report: reportFromText(`${JSON.stringify(report)}\n`, `shard-${index}.json`), source: `shard-${index}.json` });
    }
    const merged = mergeReports(shards);
    expect(new Set(shards.map((s) => s.report.identities.map((i) => i.name).join(","))).size).toBe(4);
    expect(merged.identities.map((i) => i.name).sort()).toEqual(whole.identities.map((i) => i.name).sort());
    expect(verdicts(merged)).toEqual(verdicts(whole));
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.exitCode).toBe(whole.exitCode);
    expect(merged.exitCode).toBe(1);
    expect(merged.checks.some((c) => c.identity === "team-5" && c.prefix === "artifacts/team-2/" && c.verdict === "leak")).toBe(true);
    expect(merged.options.shard).toBeNull();
    expect(store.objects.size).toBe(0);
    expect(unownedProfileName(whole.runId)).not.toBe(unownedProfileName(shards[0]?.report.runId ?? ""));
  });

  it("--require-proof in the shards: one shard not proven makes the merged run partial and exit 6, with that shard's open items", async () => {
    const store = new MemoryStore();
    const shards = [];
    for (let index = 0; index < 2; index += 1) {
      const report = await reportOf(store, `20261201T000000Z-00000000ccc${index}`, { index, count: 2 });
      // Nothing found in either shard, as a clean install's shards; only their assurance differs.
      // The run's own item (no bucket policy) is in both shards; team-4's in shard 1 only.
      const shared = { kind: "no-bucket-policy" as const };
      const open =
        index === 1 ? [shared, { kind: "policy-undecided" as const, identity: "team-4", unread: ["condition key aws:SourceIp"] }] : [shared];
      const clean: Report = {
        ...report,
        checks: report.checks.filter((c) => c.verdict === "ok"),
        settings: { ...report.settings, "require-proof": { value: true, source: "flag" } },
        assurance: { ...report.assurance, status: index === 1 ? "partial" : "proven", open },
      };
      shards.push({ report: reportFromText(`${JSON.stringify(clean)}\n`, `shard-${index}.json`), source: `shard-${index}.json` });
    }
    const merged = mergeReports(shards);
    expect(merged.assurance.status).toBe("partial");
    expect(merged.assurance.open).toEqual([
      { kind: "no-bucket-policy" },
      { kind: "policy-undecided", identity: "team-4", unread: ["condition key aws:SourceIp"] },
    ]);
    expect(merged.exitCode).toBe(6);
    // Both proven: proven, exit 0.
    const proven = shards.map((s) => ({ ...s, report: { ...s.report, assurance: { ...s.report.assurance, status: "proven" as const, open: [] } } }));
    expect([mergeReports(proven).assurance.status, mergeReports(proven).exitCode]).toEqual(["proven", 0]);
  });

  it("reads a pod's log: the report line among stderr's finding lines", async () => {
    const report = await reportOf(new MemoryStore(), "20261125T000000Z-00000000cccc");
    const log = `kfp-s3-probe: LEAK team-3 get artifacts/team-1/\n${JSON.stringify(report)}\nkfp-s3-probe: EXPOSED x\n`;
    expect(reportFromText(log, "pod.log").checks).toHaveLength(report.checks.length);
  });

  it("refuses a missing shard, a shard twice, and shards of another bucket", async () => {
    const store = new MemoryStore();
    const shard = async (index: number, count = 3) => {
      const report = await reportOf(store, `20261125T000000Z-00000000ddd${index}`, { index, count });
      return { report, source: `s${index}` };
    };
    const [s0, s1] = [await shard(0), await shard(1)];
    expect(() => mergeReports([s0, s1])).toThrow(/shard\(s\) 2\/3 missing/);
    expect(() => mergeReports([s0, { ...s0, source: "again" }])).toThrow(/both shard 0\/3/);
    const elsewhere = { report: { ...s1.report, store: { ...s1.report.store, bucket: "other" } }, source: "s1" };
    expect(() => mergeReports([s0, elsewhere])).toThrow(/bucket other/);
    expect(() => reportFromText("kfp-s3-probe: LEAK x\n", "pod.log")).toThrow(/no kfp-s3-probe JSON report/);
  });
});

describe("kfp-s3-probe merge, as a user runs it", () => {
  it("merges shard files and pod logs into one report on stdout and a JUnit file, with the run's exit code", async () => {
    const store = new MemoryStore();
    const dir = mkdtempSync(join(tmpdir(), "kfp-merge-"));
    const files: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const report = await reportOf(store, `20261125T000000Z-00000000eee${index}`, { index, count: 2 });
      const file = join(dir, `shard-${index}.${index === 0 ? "json" : "log"}`);
      // The second as a pod's log: finding lines on stderr around the report.
      writeFileSync(file, index === 0 ? `${JSON.stringify(report)}\n` : `kfp-s3-probe: LEAK x\n${JSON.stringify(report)}\n`);
      files.push(file);
    }
    const junit = join(dir, "merged.xml");
    const json = await cli(["merge", "--output", "json", "--junit", junit, ...files]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(1);
    const merged = JSON.parse(json.stdout) as Report;
    expect(merged.identities).toHaveLength(8);
    expect(readFileSync(junit, "utf8")).toContain(`tests="${merged.checks.length}"`);
    const text = await cli(["merge", ...files]);
    expect(text.stdout).toMatch(/^Summary: [\s\S]*;\s+exit\s+1\s*$/m);
  });

  it("refuses an unknown flag and a file that is not a report, in one line", async () => {
    expect((await cli(["merge", "--bogus", "x.json"])).stderr).toMatch(/^kfp-s3-probe: merge: unknown option --bogus/);
    const dir = mkdtempSync(join(tmpdir(), "kfp-merge-"));
    writeFileSync(join(dir, "empty.json"), "");
    const bad = await cli(["merge", join(dir, "empty.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/holds no kfp-s3-probe JSON report/);
    expect((await cli(["merge"])).stderr).toMatch(/name the shards' reports/);
  });
});

/** A shard's pod log as the Job writes it: a line per finding on stderr, then the one-line report on stdout. */
function podLog(report: Report): string {
  return `${findingLog(report)}${JSON.stringify(report)}\n`;
}

/**
 * What `kubectl logs -l SELECTOR` prints for these pods (kubectl's logs.go: one pod after the other,
 * `--prefix` puts `[pod/NAME/CONTAINER] ` before each line, `--timestamps` the kubelet's time after it).
 */
function kubectlLogs(pods: { name: string; log: string }[], flags: { prefix?: boolean; timestamps?: boolean } = {}): string {
  return pods
    .map(({ name, log }) =>
      log
        .split("\n")
        .slice(0, -1)
        .map((line, i) => {
          const stamped = flags.timestamps ? `2026-12-01T12:00:${String(i % 60).padStart(2, "0")}.123456789Z ${line}` : line;
          return `${flags.prefix ? `[pod/${name}/kfp-s3-probe] ` : ""}${stamped}\n`;
        })
        .join(""),
    )
    .join("");
}

/**
 * A pod log where the container runtime logged the report line in parts (containerd: 16 KiB each)
 * and a stderr line between two parts: kubectl prints it glued to the end of the first part.
 */
function splitByRuntime(report: Report, stderrLine: string, part = 16_384): string {
  const line = JSON.stringify(report);
  return `${findingLog(report)}${line.slice(0, part)}${stderrLine}\n${line.slice(part)}\n`;
}

describe("merge: the reports in a pod's log, wherever they stand", () => {
  const shards = async (count: number) => {
    const store = new MemoryStore();
    const reports: Report[] = [];
    for (let index = 0; index < count; index += 1) reports.push(await reportOf(store, `20261201T120000Z-00000000fff${index}`, { index, count }));
    return reports;
  };

  it("finding lines before the report (as the Job now writes it) and after it (as it wrote it before): one report", async () => {
    const [report] = await shards(1);
    if (!report) throw new Error("no report");
    const before = podLog(report);
    expect(before.trimEnd().split("\n").at(-1)).toBe(JSON.stringify(report));
    const after = `${JSON.stringify(report)}\n${findingLog(report)}`;
    for (const log of [before, after]) expect(reportFromText(log, "pod.log").checks).toEqual(report.checks);
  });

  it("kubectl logs of an Indexed Job's pods in one stream (--prefix, --timestamps, or neither): every shard, named by its pod", async () => {
    const reports = await shards(3);
    const pods = reports.map((report, index) => ({ name: `kfp-s3-probe-x7k2p-${index}-abcde`, log: podLog(report) }));
    // kubectl reads the pods in no set order.
    const shuffled = [pods[2], pods[0], pods[1]].flatMap((pod) => (pod ? [pod] : []));
    for (const flags of [{ prefix: true }, { prefix: true, timestamps: true }, {}, { timestamps: true }]) {
      const read = reportsInText(kubectlLogs(shuffled, flags), "stdin");
      expect(read.reports.map((r) => r.report.options.shard).sort(), JSON.stringify(flags)).toEqual(["0/3", "1/3", "2/3"]);
      expect(read.unreported).toEqual([]);
      const merged = mergeReports(read.reports);
      expect(merged.checks).toHaveLength(reports.reduce((n, r) => n + r.checks.length, 0));
      if (flags.prefix) expect(read.reports.map((r) => r.source)).toContain("stdin (pod/kfp-s3-probe-x7k2p-0-abcde)");
    }
  });

  it("a report line the container runtime logged in parts, a stderr line printed between them: put together again", async () => {
    const [report] = await shards(1);
    if (!report) throw new Error("no report");
    expect(JSON.stringify(report).length).toBeGreaterThan(2 * 16_384);
    const glued = splitByRuntime(report, "kfp-s3-probe: warning: the event loop was 300 ms late");
    expect(glued.split("\n").some((line) => line.startsWith('{"schema"') && line.includes("kfp-s3-probe: warning"))).toBe(true);
    expect(reportFromText(glued, "pod.log")).toEqual(report);
    // Two stderr lines between the parts: the second is a line of its own.
    const twice = splitByRuntime(report, "kfp-s3-probe: LEAK a\nkfp-s3-probe: LEAK b");
    expect(reportFromText(twice, "pod.log")).toEqual(report);
    expect(() => reportFromText(`${JSON.stringify(report).slice(0, 20_000)}\n`, "pod.log")).toThrow(
      /pod\.log is not valid JSON \(a report cut short\?\)/,
    );
  });

  it("a pod whose log holds no report (a crashed shard): the missing shard is named with that pod's last line", async () => {
    const reports = await shards(2);
    const logs = kubectlLogs(
      [
        { name: "kfp-s3-probe-x7k2p-0-abcde", log: podLog(reports[0] as Report) },
        { name: "kfp-s3-probe-x7k2p-1-fghij", log: "kfp-s3-probe: internal error: out of memory\n" },
      ],
      { prefix: true },
    );
    const read = reportsInText(logs, "stdin");
    expect(() => mergeReports(read.reports, { unreported: read.unreported })).toThrow(
      "merge: shard(s) 1/2 missing (stdin (pod/kfp-s3-probe-x7k2p-1-fghij) holds no report, its last line: kfp-s3-probe: internal error: out of memory)",
    );
  });
});

describe("kfp-s3-probe merge: stdin, directories, --exit-code", () => {
  it("merge - reads kubectl's output from stdin; a directory is read as its files; --exit-code 0 makes findings exit 0", async () => {
    const store = new MemoryStore();
    const reports: Report[] = [];
    for (let index = 0; index < 2; index += 1) reports.push(await reportOf(store, `20261201T120000Z-00000000aaa${index}`, { index, count: 2 }));
    const pods = reports.map((report, index) => ({ name: `kfp-s3-probe-q-${index}-zzzzz`, log: podLog(report) }));
    const piped = await cli(["merge", "-", "--output", "json"], {}, kubectlLogs(pods, { prefix: true }));
    expect(piped.stderr).toBe("");
    expect(piped.code).toBe(1);
    expect((JSON.parse(piped.stdout) as Report).summary.leak).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), "kfp-merge-dir-"));
    mkdirSync(join(dir, "not-read"));
    for (const [index, report] of reports.entries()) writeFileSync(join(dir, `shard-${index}.log`), podLog(report));
    const fromDir = await cli(["merge", dir, "--exit-code", "0"]);
    expect(fromDir.code).toBe(0);
    expect(fromDir.stdout).toMatch(/exit\s+0/);
    const lenient = await cli(["merge", "-", "--exit-code", "7"], {}, kubectlLogs(pods));
    expect(lenient.code).toBe(7);
  });

  it("refuses - without a pipe, - twice, an empty directory, and names the input that holds no report", async () => {
    expect((await cli(["merge", "-"])).stderr).toMatch(/^kfp-s3-probe: merge: - reads standard input, and there is none here/);
    expect((await cli(["merge", "-", "-"], {}, "")).stderr).toMatch(/given twice/);
    const empty = mkdtempSync(join(tmpdir(), "kfp-merge-empty-"));
    expect((await cli(["merge", empty])).stderr).toMatch(/is a directory without files/);
    const crashed = await cli(["merge", "-"], {}, "kfp-s3-probe: --endpoint minio:9000 has no scheme: write http://minio:9000\n");
    expect(crashed.code).toBe(2);
    expect(crashed.stderr).toBe(
      "kfp-s3-probe: merge: stdin holds no kfp-s3-probe JSON report, its last line: kfp-s3-probe: --endpoint minio:9000 has no scheme: write http://minio:9000; run the shards with --output json\n",
    );
  });
});
