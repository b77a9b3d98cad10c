// The bad-input corpus (issue 12): every case ends in exit 2 with one line that names the field,
// before anything is sent (the endpoint is a listener that counts connections), and no secret
// given in the wrong place is printed back.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain as run } from "../support/run-main.js";

const SECRET = "wJalrXUtnFEMI7K7MDENGbPxRfiCY2EXAMPLEKEY";
const SHORT_SECRET = "hunter2-not-shown";
/** A secret whose parts between slashes are each shorter than 20: as many real AWS secrets are. */
const SLASHED_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const dir = mkdtempSync(join(tmpdir(), "kfp-s3-probe-bad-input-"));
let server: Server;
let connections = 0;
let endpoint = "";

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function secretsDir(name: string, files: Record<string, string>): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const [key, value] of Object.entries(files)) writeFileSync(join(path, key), value);
  return path;
}

beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const keys = () => secretsDir("keys", { AWS_ACCESS_KEY_ID: "AKIDBADINPUT0000", AWS_SECRET_ACCESS_KEY: SECRET });
const store = () => ["--endpoint", endpoint, "--bucket", "kubeflow-pipelines"];
const backend = () => ["--backend", "--credentials-dir", keys(), ...store()];
const fifo = () => {
  const path = secretsDir("fifo", { AWS_ACCESS_KEY_ID: "AKIDBADINPUT0000" });
  execFileSync("mkfifo", [join(path, "AWS_SECRET_ACCESS_KEY")]);
  return path;
};

/** [what, argv, env, the field the line must name] */
const CORPUS: [string, () => string[], NodeJS.ProcessEnv, RegExp][] = [
  [
    "a secret as a config directory",
    () => ["--config", file("dir.yaml", `identities:\n  - backend: true\n    credentials: { dir: ${SECRET} }\n`), ...store()],
    {},
    /secret directory/,
  ],
  ["a secret as an unknown config key", () => ["--config", file("key.yaml", `${SECRET}: x\nidentities: []\n`), ...store()], {}, /unknown key/],
  [
    "a secret as a config variable name",
    () => [
      "--config",
      file("var.yaml", `identities:\n  - backend: true\n    credentials: { env: { accessKeyId: AK, secretAccessKey: '${SHORT_SECRET}' } }\n`),
      ...store(),
    ],
    {},
    /secretAccessKey/,
  ],
  [
    "user-info in the endpoint",
    () => ["--backend", "--credentials-dir", keys(), "--endpoint", `http://admin:${SHORT_SECRET}@127.0.0.1:9`, "--bucket", "kfp"],
    {},
    /--endpoint must not carry credentials/,
  ],
  [
    "user-info without a scheme",
    () => ["--backend", "--credentials-dir", keys(), "--endpoint", `admin:${SHORT_SECRET}@minio:9000`, "--bucket", "kfp"],
    {},
    /--endpoint must not carry credentials/,
  ],
  ["a secret as a stray argument", () => [...backend(), SECRET], {}, /argument/],
  ["a secret as a flag", () => [...backend(), `--aws-secret-access-key=${SHORT_SECRET}`], {}, /never taken on the command line/],
  ["a secret as --credentials-dir", () => ["--backend", "--credentials-dir", `/secrets/${SECRET}`, ...store()], {}, /secret directory/],
  ["an unwritable --junit", () => [...backend(), "--junit", "/nonexistent-folder/report.xml"], {}, /--junit/],
  ["--junit naming a folder", () => [...backend(), "--junit", dir], {}, /--junit/],
  ["--concurrency 0.5", () => [...backend(), "--concurrency", "0.5"], {}, /--concurrency/],
  ["--concurrency 0", () => [...backend(), "--concurrency", "0"], {}, /--concurrency/],
  ["--max-profiles 0", () => [...backend(), "--max-profiles", "0"], {}, /--max-profiles/],
  ["--exit-code 3 (already: cannot connect)", () => [...backend(), "--exit-code", "3"], {}, /--exit-code must be .* other than 2, 3, 4, 5, 6, 130/],
  ["--exit-code 256", () => [...backend(), "--exit-code", "256"], {}, /--exit-code must be a whole number from 0 to 255/],
  ["--exit-code none", () => [...backend(), "--exit-code", "none"], {}, /--exit-code/],
  ["KFP_S3_PROBE_EXIT_CODE=-1", () => backend(), { KFP_S3_PROBE_EXIT_CODE: "-1" }, /--exit-code/],
  ["merge: --exit-code 2", () => ["merge", "--exit-code", "2", "x.json"], {}, /--exit-code must be/],
  ["--name ../x", () => [...backend(), "--name", "../x"], {}, /--name/],
  ["--name with a newline", () => [...backend(), "--name", "a\nLEAK forged"], {}, /--name/],
  ["an empty --name", () => [...backend(), "--name", ""], {}, /--name/],
  ["--identity ../x=DIR", () => ["--identity", `../x=${keys()}`, ...store()], {}, /--identity/],
  [
    "a config identity named ../x",
    () => ["--config", file("name.yaml", `identities:\n  - name: ../x\n    backend: true\n    credentials: { env: true }\n`), ...store()],
    {},
    /identities\[0\]\.name/,
  ],
  ["--other-profile Not_A_Namespace", () => [...backend(), "--other-profile", "Not_A_Namespace"], {}, /--other-profile/],
  ["--policy-reader without NAME=", () => [...backend(), "--policy-reader", dir], {}, /--policy-reader .*NAME=DIR/],
  [
    "--policy-reader to a directory without keys",
    () => [...backend(), "--policy-reader", `reader=${dir}`],
    {},
    /^kfp-s3-probe: --policy-reader reader=/,
  ],
  ["--policy-reader with --policy-dir", () => [...backend(), "--policy-reader", `reader=${keys()}`, "--policy-dir", dir], {}, /one way/],
  ["a flag given twice", () => [...backend(), "--bucket", "other"], {}, /--bucket is given more than once/],
  ["an unknown flag", () => [...backend(), "--bogus"], {}, /unknown option --bogus \(see --help\)/],
  ["a variable of the wrong kind", () => backend(), { KFP_S3_PROBE_STRICT: "maybe" }, /KFP_S3_PROBE_STRICT/],
  [
    "YAML with a syntax error: file, line and column",
    () => ["--config", file("broken.yaml", "identities:\n  - backend: true\n    credentials: { dir: /x\n"), ...store()],
    {},
    /broken\.yaml:\d+:\d+: not valid YAML/,
  ],
  [
    "a values file with a syntax error",
    () => ["--values", file("values.yaml", "kubeflow_tools: [\n"), "--secrets-root", dir],
    {},
    /values\.yaml:\d+:\d+: not valid YAML/,
  ],
  ["a credential file that is a FIFO", () => ["--backend", "--credentials-dir", fifo(), ...store()], {}, /not a regular file/],
  ["no identity", () => store(), {}, /--backend, --profile NAME/],
  [
    "a secret as an endpoint without a scheme",
    () => ["--backend", "--credentials-dir", keys(), "--bucket", "kfp"],
    { AWS_ENDPOINT_URL_S3: SLASHED_SECRET },
    /--endpoint/,
  ],
  [
    "a secret in an endpoint's path, without a scheme",
    () => ["--backend", "--credentials-dir", keys(), "--endpoint", `minio:9000/${SLASHED_SECRET}`, "--bucket", "kfp"],
    {},
    /--endpoint/,
  ],
  [
    "a secret in an endpoint's path after a dotted host",
    () => ["--backend", "--credentials-dir", keys(), "--endpoint", `minio.kubeflow/${SLASHED_SECRET}`, "--bucket", "kfp"],
    {},
    /--endpoint/,
  ],
  ["a bad bucket name", () => ["--backend", "--credentials-dir", keys(), "--endpoint", endpoint, "--bucket", "KFP_Bucket"], {}, /--bucket/],
  ["a misspelt flag", () => [...backend(), "--read-onyl"], {}, /unknown option --read-onyl: did you mean --read-only\? \(see --help\)/],
  ["a bad region", () => [...backend(), "--region", "eu west"], {}, /--region/],
  ["job: a negative deadline", () => ["job", "--values", "fixtures/deploykf/values.yaml", "--deadline", "-5"], {}, /--deadline/],
  [
    "job: a deadline too short for cleanup",
    () => ["job", "--values", "fixtures/deploykf/values.yaml", "--deadline", "10"],
    {},
    /--deadline must be .* at least 60/,
  ],
  ["job: ttl not a number", () => ["job", "--values", "fixtures/deploykf/values.yaml", "--ttl", "soon"], {}, /--ttl/],
  [
    "job: an invalid service-account",
    () => ["job", "--values", "fixtures/deploykf/values.yaml", "--service-account", "Bad_Name"],
    {},
    /--service-account/,
  ],
  ["sweep: a bad --older-than", () => ["sweep", "--older-than", "yesterday", ...backend()], {}, /--older-than/],
];

describe("bad input: exit 2, one line naming the field, nothing sent, no secret echoed", () => {
  it.each(CORPUS)(
    "%s",
    async (_what, argv, env, field) => {
      const before = connections;
      const result = await run(argv(), env);
      expect(result.code, result.stderr).toBe(2);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(field);
      expect(connections - before).toBe(0);
      const printed = result.stdout + result.stderr;
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toContain(SHORT_SECRET);
      for (const part of SLASHED_SECRET.split("/").filter((p) => p.length > 12)) expect(printed).not.toContain(part);
      // The first case to load the credentials' modules pays for it: seconds on a loaded machine, not a figure asserted here.
    },
    30_000,
  );

  it("the corpus is large", () => expect(CORPUS.length).toBeGreaterThanOrEqual(30));
});

describe("--version", () => {
  it("prints the package's version and sends nothing", async () => {
    const before = connections;
    const result = await run(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kfp-s3-probe \d+\.\d+\.\d+\n$/);
    expect(connections).toBe(before);
  });
});

describe("--debug", () => {
  it("prints every setting with its source and every request with its answer, without the secret", async () => {
    const before = connections;
    const result = await run([...backend(), "--debug", "--no-anonymous", "--timeout", "5", "--request-timeout", "2", "--output", "json"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^kfp-s3-probe: debug: setting bucket = "kubeflow-pipelines" \(from flag\)$/m);
    expect(result.stderr).toMatch(/^kfp-s3-probe: debug: backend ListObjectsV2 GET \/kubeflow-pipelines\/ → no answer .*\(\d+ ms\)$/m);
    // The listener drops every connection: each attempt is a connection of its own, so what the
    // store saw, what --debug printed and what the report counts are one number, retries included.
    const requestLines = result.stderr.split("\n").filter((line) => /^kfp-s3-probe: debug: backend \w+ [A-Z]+ /.test(line));
    const { requests } = JSON.parse(result.stdout) as { requests: { sent: number; retries: number } };
    expect(requests.sent).toBe(connections - before);
    expect(requestLines).toHaveLength(requests.sent);
    expect(requests.retries).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/\(attempt 2\) → no answer/);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
