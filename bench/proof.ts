// Proof makes scale cheap (issue 21): the backend and 300 profiles with every policy in hand
// (--policy-dir: each identity's IAM policy as provisioned, and the bench bucket's, which has none),
// against the requests the pairs matrix makes for the same profiles (the formula the unit tests
// hold the engine to), with the assurance and the leaks found, the two hidden ones included.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUCKET, cli, configFor, HEADER, measure, type NodeUnderTest, parsed, policyFor, root, row } from "./kit.js";

const PROFILES = 300;

/** The README's pairs formula for the backend and P profiles: 41 + P(2P + 95) + 6P (P ≥ 2). */
const pairsRequests = (p: number) => 41 + p * (2 * p + 95) + (p >= 2 ? 6 * p : 0);

function policyDir(profiles: number): string {
  const dir = join(mkdtempSync(join(tmpdir(), "kfp-bench-policies-")), "policies");
  mkdirSync(dir);
  const backend = readFileSync(join(root, "fixtures", "reference-policies", "backend.json"), "utf8").replaceAll("<BUCKET_NAME>", BUCKET);
  writeFileSync(join(dir, "backend.json"), backend);
  writeFileSync(join(dir, "anonymous.json"), '{ "Version": "2012-10-17", "Statement": [] }\n');
  for (let i = 1; i <= profiles; i += 1) writeFileSync(join(dir, `team-${i}.json`), policyFor(`team-${i}`));
  return dir;
}

export async function proofBench(node: NodeUnderTest): Promise<void> {
  console.log(`proof: backend + ${PROFILES} profiles in bucket ${BUCKET}, every policy in hand (--policy-dir), --no-discover`);
  console.log(HEADER);
  const m = await measure([cli, "--config", configFor(PROFILES), "--policy-dir", policyDir(PROFILES), "--output", "json", "--no-discover"], { node });
  const report = parsed(m);
  console.log(row(`${PROFILES}, proof`, m, report));
  const sent = report.requests?.sent ?? m.requests;
  const { status, witnesses, enforcementSample, open } = report.assurance;
  console.log(
    `  assurance ${status}; ${witnesses.decided} of ${witnesses.tried} witnesses decided on the store; sample ${enforcementSample.join(", ")}; open: ${open.length === 0 ? "nothing" : open.map((o) => o.kind).join(", ")}`,
  );
  console.log(
    `  requests: ${sent} against ${pairsRequests(PROFILES)} for the pairs matrix (${((sent / pairsRequests(PROFILES)) * 100).toFixed(1)}%)`,
  );
  console.log("");
}
