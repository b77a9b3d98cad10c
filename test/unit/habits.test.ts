// The habits of aws-cli and kubectl users (issue 25): their names for the same flags, --output (-o)
// on every command, --no-color and NO_COLOR, and an unknown flag on any command answered in one line
// that names it as typed and the flag meant, exit 2.
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { parseArgs } from "../../src/cli/settings/resolve.js";
import { runMain as cli } from "../support/run-main.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const extraRead = `${root}fixtures/policies/extra-read.json`;
const values = `${root}fixtures/deploykf/values.yaml`;
const store = ["--backend", "--bucket", "kfp"];

afterEach(() => vi.unstubAllEnvs());

/** main() with stdout a terminal, as a person at one sees it. */
async function atTerminal(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  let out = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const io = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new PassThrough() as unknown as NodeJS.WriteStream,
    env,
    signals: new EventEmitter(),
  };
  await main(argv, io);
  return out;
}

describe("aws-cli's and kubectl's names, for the same meaning", () => {
  it("--endpoint-url is --endpoint, in every form", async () => {
    // The last form is one only yargs reads (command-line.ts leaves "--" to it).
    for (const form of [["--endpoint-url", "http://m:9000"], ["--endpoint-url=http://m:9000"], ["--endpoint-url", "http://m:9000", "--"]]) {
      const config = await parseArgs([...store, ...form], {});
      expect(config?.store.endpoint, form.join(" ")).toBe("http://m:9000");
    }
    expect(await cli([...store, "--endpoint", "http://a:9000", "--endpoint-url", "http://b:9000"])).toMatchObject({
      code: 2,
      stderr: "kfp-s3-probe: --endpoint is given more than once: give it once\n",
    });
  });

  it("-o is --output on the run and on every command", async () => {
    expect((await parseArgs([...store, "--endpoint", "http://m:9000", "-o", "json"], {}))?.output.output).toBe("json");
    const checked = await cli(["check-policy", "--profile", "team-6", "-o", "json", extraRead]);
    expect(JSON.parse(checked.stdout)).toMatchObject({ exitCode: 1 });
    const job = await cli(["job", "--values", values, "-o", "json"]);
    expect([job.code, JSON.parse(job.stdout).kind]).toEqual([0, "Job"]);
    const policy = await cli(["policy", "--profile", "team-1", "-o", "json"]);
    expect(JSON.parse(policy.stdout)).toMatchObject({ Version: "2012-10-17" });
    expect(await cli(["merge", "-o", "json"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^kfp-s3-probe: merge: name the shards' reports/),
    });
  });

  it("sweep takes -o text or json, and refuses sarif (a report of checks) in one line", async () => {
    expect(await cli(["sweep", ...store, "--endpoint", "http://127.0.0.1:1", "-o", "sarif"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "kfp-s3-probe: sweep: -o sarif is a report of checks, which sweep has none of: -o text or -o json\n",
    });
  });

  it("-n is --namespace for job, as kubectl's", async () => {
    const short = await cli(["job", "--values", values, "-n", "kubeflow"]);
    const long = await cli(["job", "--values", values, "--namespace", "kubeflow"]);
    expect(short.code).toBe(0);
    // The same manifest but for the run id each one makes up.
    const runless = (manifest: string) => manifest.replace(/\d{8}T\d{6}Z-[0-9a-f]{12}/g, "RUN");
    expect(runless(short.stdout)).toBe(runless(long.stdout));
    // -n is read as --namespace: a Secret of another namespace is refused by that name.
    expect((await cli(["job", "--values", values, "-n", "other"])).stderr).toMatch(
      /a pod mounts Secrets of its own namespace only: generate the Job there: --namespace kubeflow\n$/,
    );
  });

  it("policy's old --format still works, as --output does", async () => {
    const old = await cli(["policy", "--profile", "team-1", "--format", "json"]);
    expect(old.code).toBe(0);
    expect(old.stdout).toBe((await cli(["policy", "--profile", "team-1", "-o", "json"])).stdout);
  });
});

describe("--no-color and NO_COLOR", () => {
  it("a text report has colour on a terminal; --no-color and NO_COLOR take it off, on the run's settings and on every command", async () => {
    // Node colours only streams it thinks can show it: FORCE_COLOR makes this test's terminal one.
    vi.stubEnv("FORCE_COLOR", "1");
    const argv = ["check-policy", "--profile", "team-6", extraRead];
    expect(await atTerminal(argv)).toContain("\u001b[");
    expect(await atTerminal([...argv, "--no-color"])).not.toContain("\u001b[");
    expect(await atTerminal(argv, { NO_COLOR: "1" })).not.toContain("\u001b[");
    expect((await parseArgs([...store, "--endpoint", "http://m:9000", "--no-color"], {}))?.output.color).toBe(false);
    expect((await parseArgs([...store, "--endpoint", "http://m:9000"], {}))?.output.color).toBe(true);
    for (const command of [
      ["job", "--values", values],
      ["policy", "--profile", "team-1"],
    ]) {
      expect((await cli([...command, "--no-color"])).code, command[0]).toBe(0);
    }
  });
});

describe("an unknown flag, on every command: one line naming it as typed and the flag meant, exit 2", () => {
  const cases: [string[], string][] = [
    [["--endpont", "http://m:9000", "--backend"], "unknown option --endpont: did you mean --endpoint? (see --help)"],
    // As yargs reads it (a flag without its value is left to it): the same line.
    [["--backend", "--bucket", "--endpont", "x"], "unknown option --endpont: did you mean --endpoint? (see --help)"],
    [["--backend", "--no-colr"], "unknown option --no-colr: did you mean --no-color? (see --help)"],
    [["--backend", "--no-verify-ssl"], "unknown option --no-verify-ssl: did you mean --insecure-skip-tls-verify? (see --help)"],
    [["--backend", "-n", "team-1"], "unknown option -n: did you mean --profile? (see --help)"],
    [["--backend", "--bogus"], "unknown option --bogus (see --help)"],
    [["backend"], "unexpected argument backend: did you mean --backend? (see --help)"],
    [["sweep", "--backend", "--older-then", "1h"], "unknown option --older-then: did you mean --older-than? (see --help)"],
    [["job", "--values", values, "--namespce", "x"], "job: unknown option --namespce: did you mean --namespace? (see kfp-s3-probe job --help)"],
    [["merge", "--ouput", "json", "a.json"], "merge: unknown option --ouput: did you mean --output? (see kfp-s3-probe merge --help)"],
    [["policy", "--profil", "team-1"], "policy: unknown option --profil: did you mean --profile? (see kfp-s3-probe policy --help)"],
    [["policy", "--profile", "team-1", "--endpoint-url", "x"], "policy: unknown option --endpoint-url (see kfp-s3-probe policy --help)"],
    [
      ["check-policy", "--profile", "team-1", "--bucket-polcy", "b.json", "p.json"],
      "check-policy: unknown option --bucket-polcy: did you mean --bucket-policy? (see kfp-s3-probe check-policy --help)",
    ],
  ];
  it.each(cases.map(([argv, line]) => [argv.join(" "), argv, line]))("%s", async (_, argv, line) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: "", stderr: `kfp-s3-probe: ${line}\n` });
  });
});
