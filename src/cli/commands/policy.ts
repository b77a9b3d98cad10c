// `kfp-s3-probe policy --profile team-1`: the policy each identity needs, exactly, in the form of
// the store it is for; --format json prints the document alone, for the store's own tooling.
import { EXIT_CODES } from "../../core/exit-codes.js";
import { isValidProfileName, LAYOUT_NAMES, LAYOUTS, type LayoutName } from "../../core/layout.js";
import type { Role } from "../../core/plan.js";
import { generatePolicy, grantedPrefixes, POLICY_VARIANTS, type PolicyVariant } from "../../core/policy/generate.js";
import { UsageError } from "../../core/usage-error.js";
import { readDeploykfValues } from "../../deploykf/values.js";
import { POLICY_FORMS, POLICY_STORES, type PolicyFor, type PolicyStore } from "../../report/policy-words.js";
import { readConfigFile } from "../settings/config-file.js";
import { defineCommand } from "./command.js";
import { parseOrHelp, subcommandParser } from "./subcommand.js";

function parser(argv: string[]) {
  return subcommandParser(argv, "policy")
    .usage(
      "Usage: kfp-s3-probe policy (--profile NAME… | --backend | --config FILE | --values FILE) [--store aws|minio|rgw|gcs]\n\n" +
        "Prints the identity policy that grants exactly what KFP needs, for the layout and bucket: the\n" +
        "reference variant (deployKF's: ListBucket on the whole bucket) or strict (ListBucket only under\n" +
        "the profile's own prefixes), both with s3:AbortMultipartUpload. Text shows the document and the\n" +
        "command that applies it; --format json prints the document alone (one identity).",
    )
    .option("profile", { type: "string", array: true, describe: "NAME, repeatable: a KFP profile" })
    .option("backend", { type: "boolean", describe: "the KFP backend" })
    .option("config", { type: "string", describe: "every identity of a probe config file" })
    .option("values", { type: "string", describe: "every identity of a deployKF values file (and its bucket)" })
    .option("bucket", { type: "string", describe: "bucket (default: the file's, else kubeflow-pipelines)" })
    .option("layout", { type: "string", choices: LAYOUT_NAMES, default: "deploykf", describe: "KFP key layout" })
    .option("variant", { type: "string", choices: POLICY_VARIANTS, default: "reference", describe: "reference or strict" })
    .option("store", { type: "string", choices: POLICY_STORES, default: "aws", describe: "the form: AWS IAM, MinIO, Ceph RGW, or GCS bindings" })
    .option("format", { type: "string", choices: ["text", "json"], default: "text", describe: "json: the policy document alone" })
    .strict();
}

interface Wanted {
  roles: { name: string; role: Role }[];
  bucket?: string;
}

function wantedIdentities(args: {
  profile?: string[] | undefined;
  backend?: boolean | undefined;
  config?: string | undefined;
  values?: string | undefined;
}): Wanted {
  if (args.values) {
    const values = readDeploykfValues(args.values);
    return {
      roles: values.identities.map((i) => ({ name: i.role.kind === "profile" ? i.role.profile : "backend", role: i.role })),
      bucket: values.bucket,
    };
  }
  if (args.config) {
    const file = readConfigFile(args.config);
    return {
      roles: file.identities.map((i) => ({ name: i.role.kind === "profile" ? i.role.profile : "backend", role: i.role })),
      ...(file.bucket ? { bucket: file.bucket } : {}),
    };
  }
  const profiles = args.profile ?? [];
  const bad = profiles.find((p) => !isValidProfileName(p));
  if (bad !== undefined)
    throw new UsageError(`policy: --profile ${JSON.stringify(bad)} is not a KFP profile name (lowercase letters, digits and '-')`);
  const roles = [
    ...(args.backend ? [{ name: "backend", role: { kind: "backend" } as Role }] : []),
    ...profiles.map((p) => ({ name: p, role: { kind: "profile", profile: p } as Role })),
  ];
  if (roles.length === 0) throw new UsageError("policy: name whose policy: --profile NAME, --backend, --config FILE or --values FILE");
  return { roles };
}

export const command = defineCommand({
  name: "policy",
  options: (argv: string[]) => parseOrHelp(parser(argv), argv),
  async complete(args) {
    const wanted = wantedIdentities(args);
    const bucket = args.bucket ?? wanted.bucket ?? "kubeflow-pipelines";
    const layout = LAYOUTS[args.layout as LayoutName];
    const variant = args.variant as PolicyVariant;
    const policies: PolicyFor[] = wanted.roles.map(({ name, role }) => ({
      name,
      bucket,
      variant,
      document: generatePolicy(role, layout, bucket, variant),
      prefixes: grantedPrefixes(role, layout),
    }));
    return { policies, format: args.format, store: args.store as PolicyStore };
  },
  validate({ policies, format }) {
    if (format === "json" && policies.length !== 1) throw new UsageError("policy: --format json prints one document: name one identity");
  },
  async run({ policies, format, store }, { io }) {
    if (format === "json") io.stdout.write(`${JSON.stringify(policies[0]?.document, null, 2)}\n`);
    else io.stdout.write(`${policies.map((p) => POLICY_FORMS[store](p)).join("\n\n")}\n`);
    return EXIT_CODES.asExpected;
  },
});
