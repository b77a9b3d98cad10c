// `kfp-s3-probe check-policy --profile team-1 policy.json`: the probe's expectations judged against
// policy documents, offline (no store, no keys), with the report, cause codes and exit codes of a
// live run. Templates with <BUCKET_NAME> and <PROFILE_NAME> (deployKF's) are filled in.
import { readFileSync } from "node:fs";
import { markPublic } from "../../core/diagnoses.js";
import { isValidProfileName, LAYOUT_NAMES, LAYOUTS, type LayoutName, unownedProfileName } from "../../core/layout.js";
import { OPERATIONS } from "../../core/operations.js";
import { type IdentityPlan, planFor, type Role } from "../../core/plan.js";
import { fillTemplate, type PolicyDocument, parsePolicy } from "../../core/policy/document.js";
import { allowingStatements } from "../../core/policy/evaluate.js";
import type { PolicySubject } from "../../core/policy/exact-questions.js";
import { decideOffline, OFFLINE_RUN_ID, profilesNamedIn } from "../../core/policy/offline.js";
import type { UntriedGrant } from "../../core/policy/untried.js";
import { UsageError } from "../../core/usage-error.js";
import type { CheckResult, Observation } from "../../core/verdict.js";
import { assess } from "../../core/verdict.js";
import { type Witness, witnessesOf, witnessTarget } from "../../core/witness.js";
import { buildReport, type ReportContext } from "../../report/model.js";
import { toolVersion } from "../../version.js";
import type { Io } from "../io.js";
import type { HelpPage } from "../settings/help.js";
import { defineCommand } from "./command.js";
import { writeReport } from "./report-output.js";
import { parseOrHelp, subcommandParser, withReportOptions } from "./subcommand.js";

const HELP: HelpPage = {
  usage: ["kfp-s3-probe check-policy (--profile NAME | --backend) [--bucket NAME] [--bucket-policy FILE] POLICY.json..."],
  examples: [
    {
      about: "A profile's policy (deployKF's template, <PROFILE_NAME> filled in):",
      command: "kfp-s3-probe check-policy --profile team-1 profile.json",
    },
    {
      about: "The backend's, with the bucket's policy, as JSON for CI:",
      command: "kfp-s3-probe check-policy --backend --bucket my-kfp-bucket --bucket-policy bucket.json backend.json -o json",
    },
  ],
  about: [
    "Judges identity policy documents (and a bucket policy) against what KFP needs and must not reach, offline: no store, no keys. Same matrix, findings, cause codes and exit codes as a live run; each finding names the file, the statement (its index and Sid) and the Resource that grant it. Other profiles tried: the canary profile, the near-miss names, every profile the policy names outside the identity's own, and --other-profile. What the evaluator does not read (conditions other than the String operators on s3:prefix and s3:delimiter, named Principals) is said per cell as undecided, never guessed.",
  ],
  exitCodes: [
    ["asExpected", "the policy grants what KFP needs and nothing it must not (undecided cells allowed)"],
    ["findings", "a LEAK (granted, must not be) or a MISSING (not granted, KFP needs it)"],
    ["usage", "bad usage, or a policy file that cannot be read (one line names it)"],
    ["internal", "an internal error of the probe"],
  ],
};

function parser(argv: string[]) {
  return (
    withReportOptions(subcommandParser(argv, "check-policy"))
      .option("profile", {
        type: "string",
        describe: "the KFP profile whose keys the policy is for (a Kubernetes namespace; not aws-cli's named profile)",
      })
      .option("backend", { type: "boolean", describe: "the policy is the KFP backend's" })
      .option("bucket", { type: "string", default: "kubeflow-pipelines", describe: "bucket the policy is for" })
      .option("layout", { type: "string", choices: LAYOUT_NAMES, default: "deploykf", describe: "KFP key layout" })
      .option("bucket-policy", { type: "string", describe: "the bucket's policy too (and the anonymous caller against it)" })
      // Not an array option: yargs would take the policy files after it as profile names. Repeated, it is a list anyway.
      .option("other-profile", { type: "string", describe: "NAME, repeatable: another profile to try" })
      .option("strict", { type: "boolean", default: false, describe: "count listable key names as a LEAK" })
      .strictOptions()
  );
}

function readPolicy(file: string, bucket: string, profile: string): PolicyDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`check-policy: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  return parsePolicy(fillTemplate(text, bucket, profile), file);
}

function roleOf(args: { profile?: string | undefined; backend?: boolean | undefined }): { name: string; role: Role } {
  if (args.backend && args.profile) throw new UsageError("check-policy: --profile or --backend, not both");
  if (args.backend) return { name: "backend", role: { kind: "backend" } };
  if (!args.profile || !isValidProfileName(args.profile)) throw new UsageError("check-policy: --profile NAME (a KFP profile) or --backend");
  return { name: args.profile, role: { kind: "profile", profile: args.profile } };
}

function contextOf(bucket: string, layout: LayoutName, strict: boolean, identities: ReportContext["identities"]): ReportContext {
  const now = new Date();
  return {
    run: { toolVersion: toolVersion(), runId: OFFLINE_RUN_ID, startedAt: now, finishedAt: now },
    store: { endpoint: "offline (check-policy)", bucket, region: "-", forcePathStyle: true },
    options: { layout, readOnly: false, strict, matrix: "full" },
    identities,
  };
}

/** The identity's plan, and the anonymous caller's where there is a bucket policy to judge it by. */
function plansFor(name: string, role: Role, layout: LayoutName, otherProfiles: string[], withAnonymous: boolean): IdentityPlan[] {
  const context = {
    profilesInRun: role.kind === "profile" ? [role.profile] : [],
    otherProfiles,
    unownedProfile: unownedProfileName(OFFLINE_RUN_ID),
    matrix: "full" as const,
  };
  const plans = [planFor(name, role, LAYOUTS[layout], context)];
  if (withAnonymous) plans.push(planFor("anonymous", { kind: "anonymous" }, LAYOUTS[layout], context));
  return plans;
}

/** The policy files read, the other profiles they name, and the plans to judge by them. */
function completeCheck(args: CheckPolicyArgs) {
  const { name, role } = roleOf(args);
  const files = args._.map(String);
  if (files.length === 0)
    throw new UsageError("check-policy: name the identity's policy file(s), e.g. kfp-s3-probe check-policy --profile team-1 policy.json");
  const layout = args.layout as LayoutName;
  const own = role.kind === "profile" ? role.profile : "";
  const documents = files.map((file) => readPolicy(file, args.bucket, own));
  const bucketPolicy = args["bucket-policy"] ? [readPolicy(args["bucket-policy"], args.bucket, own)] : [];
  const named = profilesNamedIn([...documents, ...bucketPolicy], LAYOUTS[layout], args.bucket).filter((p) => p !== own);
  const others = [...new Set([...named, ...[args["other-profile"] ?? []].flat()])];
  const plans = plansFor(name, role, layout, others, bucketPolicy.length > 0);
  return { args, files, layout, documents, bucketPolicy, plans, others };
}

type CheckPolicyArgs = Awaited<ReturnType<ReturnType<typeof parser>["parseAsync"]>>;

/** A witness as the cell's observation: allowed by the statements that grant it, or undecided by what the evaluator does not read. */
function witnessObservation(w: Witness, subject: PolicySubject, unread: string[], bucket: string): Observation {
  const { action } = OPERATIONS[w.operation];
  const request = `${action} ${w.key} (the exact evaluator: every key)`;
  const evidence = [{ request, key: w.key }];
  if (w.undecided) {
    const reason = `${unread.join(", ") || "a condition"}, which the evaluator does not read, decides ${request}`;
    return { outcome: "ambiguous", cause: "policy-not-evaluated", reason, evidence };
  }
  const caller = subject.role.kind === "anonymous" ? "anonymous" : "identity";
  const grants = allowingStatements([...subject.identityPolicies, ...subject.bucketPolicy], {
    action,
    resource: `arn:aws:s3:::${bucket}/${w.key}`,
    context: {},
    caller,
  });
  return { outcome: "allowed", reason: `the policy allows ${request}`, grants, evidence };
}

/**
 * The exact evaluator's answer for all keys: a forbidden cell per witness, a key the policy reaches
 * beyond KFP's grant (allowed; undecided where a condition it does not read decides), and what it
 * could not read. The sampled cells above may all be denied while a witness is allowed.
 */
function exactCells(checked: ReturnType<typeof completeCheck>): {
  results: CheckResult[];
  unread: Map<string, string[]>;
  untried: Map<string, UntriedGrant[]>;
} {
  const { args, layout, documents, bucketPolicy, plans, others } = checked;
  const unread = new Map<string, string[]>();
  const untried = new Map<string, UntriedGrant[]>();
  const known = new Set(others);
  const results = plans.flatMap((plan) => {
    const subject: PolicySubject = { role: plan.role, identityPolicies: plan.role.kind === "anonymous" ? [] : documents, bucketPolicy };
    const own = plan.role.kind === "profile" ? [plan.role.profile] : [];
    const found = witnessesOf(plan.identity, subject, {
      layout: LAYOUTS[layout],
      bucket: args.bucket,
      runId: OFFLINE_RUN_ID,
      profiles: [...own, ...others],
    });
    unread.set(plan.identity, found.unread);
    if (found.untried.length > 0) untried.set(plan.identity, found.untried);
    return found.witnesses.map((w) =>
      assess(
        { identity: plan.identity, target: witnessTarget(plan, w, known), operation: w.operation, expectation: "forbidden" },
        witnessObservation(w, subject, found.unread, args.bucket),
        { bucket: args.bucket, strict: args.strict },
      ),
    );
  });
  return { results, unread, untried };
}

async function checkPolicies(checked: ReturnType<typeof completeCheck>, io: Io): Promise<number> {
  const { args, files, layout, documents, bucketPolicy, plans } = checked;
  const options = { bucket: args.bucket, strict: args.strict };
  const exact = exactCells(checked);
  const decided = [
    ...plans.flatMap((plan) =>
      decideOffline(plan.checks, plan.role, plan.role.kind === "anonymous" ? bucketPolicy : [...documents, ...bucketPolicy], options),
    ),
    ...exact.results,
  ];
  // As live: a cell open to the anonymous caller too is the bucket's doing, not the identity's grant.
  const results = markPublic(decided, bucketPolicy.length > 0 ? "anonymous" : undefined, args.bucket);
  const identities = plans.map((plan) => ({
    name: plan.identity,
    role: plan.role,
    credentialSource: `policy: ${files.join(", ")}`,
    accessKeyIdHint: "",
  }));
  const policySources = new Map(plans.filter((p) => p.role.kind !== "anonymous").map((p) => [p.identity, files.join(", ")]));
  const report = buildReport(
    {
      plans,
      results,
      cleanup: { created: 0, removed: 0, leftovers: [] },
      proof: { witnessResults: exact.results, unread: exact.unread, untried: exact.untried, enforcementSample: [] },
    },
    {
      ...contextOf(args.bucket, layout, args.strict, identities),
      policies: { sources: policySources, ...(args["bucket-policy"] ? { bucketSource: args["bucket-policy"] } : {}) },
    },
  );
  await writeReport(report, args, io);
  return report.exitCode;
}

export const command = defineCommand({
  name: "check-policy",
  options: (argv: string[]) => parseOrHelp(parser(argv), argv, HELP),
  complete: async (args) => completeCheck(args),
  validate: () => undefined,
  run: (checked, { io }) => checkPolicies(checked, io),
});
