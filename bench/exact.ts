// The bench's exact part (bench/scale.ts runs it): the exact evaluator over the bench's own
// policies, the backend's and those of 300 profiles (reference-style, three of them wrong on
// purpose as in the scale part), every question of every identity against every other profile,
// in this process: the time of the whole audit (median of 5) and what it found.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LAYOUTS } from "../src/core/layout.js";
import { parsePolicy } from "../src/core/policy/document.js";
import { auditSubject, type ExactAudit, type PolicySubject } from "../src/core/policy/exact-questions.js";
import { BUCKET, median, policyFor, WRONG } from "./kit.js";

const PROFILES = 300;
const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

function subjects(names: string[]): PolicySubject[] {
  const backendText = readFileSync(join(root, "fixtures/reference-policies/backend.json"), "utf8").replaceAll("<BUCKET_NAME>", BUCKET);
  const backend: PolicySubject = { role: { kind: "backend" }, identityPolicies: [parsePolicy(backendText, "backend.json")], bucketPolicy: [] };
  const profiles = names.map(
    (profile): PolicySubject => ({
      role: { kind: "profile", profile },
      identityPolicies: [parsePolicy(policyFor(profile), `${profile}.json`)],
      bucketPolicy: [],
    }),
  );
  return [backend, ...profiles];
}

/** Per identity, the other profiles it may reach with an object action, and whether it may list outside its own. */
function findings(audits: Map<string, ExactAudit>): string[] {
  const lines: string[] = [];
  for (const [identity, audit] of audits) {
    const reached = new Set(audit.actions.flatMap((a) => a.profiles.filter((p) => p.answer.answer !== "no").map((p) => p.profile)));
    const outside = audit.actions
      .filter((a) => a.outside.answer !== "no")
      .map((a) => `${a.action}: ${"witness" in a.outside ? a.outside.witness : "?"}`);
    if (outside.length > 0) lines.push(`${identity.padStart(9)}  outside its own: ${outside.join(", ")}; reaches ${reached.size} other profiles`);
  }
  return lines;
}

export function exactBench(): void {
  const names = Array.from({ length: PROFILES }, (_, i) => `team-${i + 1}`);
  const all = subjects(names);
  const times: number[] = [];
  let audits = new Map<string, ExactAudit>();
  for (let run = 0; run < 5; run += 1) {
    const started = performance.now();
    audits = new Map(all.map((s) => [s.role.kind === "profile" ? s.role.profile : s.role.kind, auditSubject(s, LAYOUTS.deploykf, BUCKET, names)]));
    times.push(performance.now() - started);
  }
  const answers = [...audits.values()].reduce((n, a) => n + a.actions.reduce((m, x) => m + 1 + x.profiles.length, 1), 0);
  const listing = [...audits.values()].filter((a) => a.list.answer === "yes").length;
  console.log(
    `exact: the backend + ${PROFILES} profiles' policies (${Object.keys(WRONG).join(", ")} wrong on purpose), every question against every profile`,
  );
  console.log(
    `  ${answers} answers in ${median(times).toFixed(0)} ms (median of 5; one process, one thread); ${listing} identities may list outside their own`,
  );
  for (const line of findings(audits)) console.log(`  ${line}`);
  console.log("");
}
