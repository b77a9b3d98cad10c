// `kfp-s3-probe policy --profile team-1`: the policy each identity needs, exactly, in the form of
// the store it is for. stdout carries the policy alone, so that `> file.json` is the document: its
// JSON (an object by identity for several), and what it is and how to apply it go to stderr;
// -o text prints all of it to read, -f PATH writes the documents to files.
import { statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EXIT_CODES } from "../../core/exit-codes.js";
import { isValidProfileName, LAYOUT_NAMES, LAYOUTS, type LayoutName } from "../../core/layout.js";
import type { Role } from "../../core/plan.js";
import { generatePolicy, grantedPrefixes, POLICY_VARIANTS, type PolicyVariant } from "../../core/policy/generate.js";
import { UsageError } from "../../core/usage-error.js";
import { readDeploykfValues } from "../../deploykf/values.js";
import {
  POLICY_FORMS,
  POLICY_STORES,
  type PolicyFor,
  type PolicyForm,
  type PolicyStore,
  policyFileName,
  policyNotes,
  policyText,
  takesDocument,
} from "../../report/policy-words.js";
import type { Io } from "../io.js";
import { readConfigFile } from "../settings/config-file.js";
import type { HelpPage } from "../settings/help.js";
import { defineCommand } from "./command.js";
import { parseOrHelp, subcommandParser } from "./subcommand.js";

const HELP: HelpPage = {
  usage: ["kfp-s3-probe policy (--profile NAME... | --backend | --config FILE | --values FILE) [--store aws|minio|rgw|gcs] [-f PATH]"],
  examples: [
    { about: "A profile's IAM policy, the document alone in a file:", command: "kfp-s3-probe policy --profile team-1 > team-1.json" },
    { about: "The same, and how to apply it, to read:", command: "kfp-s3-probe policy --profile team-1 -o text" },
    {
      about: "Every identity of a deployKF install, for MinIO, a file each in policies/:",
      command: "kfp-s3-probe policy --values values.yaml --store minio -f policies/",
    },
  ],
  about: [
    "Prints the identity policy that grants exactly what KFP needs, for the layout and bucket: the reference variant (deployKF's: ListBucket on the whole bucket) or strict (ListBucket only under the profile's own prefixes), both with s3:AbortMultipartUpload.",
    "stdout is the policy alone: one identity's document as JSON, or for several an object of them by identity; what it is and the commands that apply it go to stderr. -o text prints all of it on stdout, to read. -f PATH writes the document to PATH (a directory: a file per identity, kfp-NAME-BUCKET.json), and nothing else is written anywhere.",
  ],
  exitCodes: [
    ["asExpected", "the policies were printed (and written, with -f)"],
    ["usage", "bad usage, a file that cannot be read or written (one line names it)"],
    ["internal", "an internal error of the probe"],
  ],
};

function parser(argv: string[]) {
  return subcommandParser(argv, "policy")
    .option("profile", {
      type: "string",
      array: true,
      describe: "NAME, repeatable: a KFP profile (a Kubernetes namespace; not aws-cli's named profile)",
    })
    .option("backend", { type: "boolean", describe: "the KFP backend" })
    .option("config", { type: "string", describe: "every identity of a probe config file" })
    .option("values", { type: "string", describe: "every identity of a deployKF values file (and its bucket)" })
    .option("bucket", { type: "string", describe: "bucket (default: the file's, else kubeflow-pipelines)" })
    .option("layout", { type: "string", choices: LAYOUT_NAMES, default: "deploykf", describe: "KFP key layout" })
    .option("variant", { type: "string", choices: POLICY_VARIANTS, default: "reference", describe: "reference or strict" })
    .option("store", { type: "string", choices: POLICY_STORES, default: "aws", describe: "the form: AWS IAM, MinIO, Ceph RGW, or GCS bindings" })
    .option("output", {
      alias: "o",
      type: "string",
      choices: ["json", "text"],
      describe:
        "json: the policy alone on stdout, notes on stderr; text: all of it, to read (default: json; text for --store gcs, which has no document)",
    })
    .option("format", { type: "string", choices: ["json", "text"], deprecated: "use --output (-o)", describe: "the old name of --output" })
    .option("file", { alias: "f", type: "string", describe: "write the document to PATH, or a file per identity into the directory PATH" })
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

type PolicyArgs = Awaited<ReturnType<ReturnType<typeof parser>["parseAsync"]>>;

/** --output, or the old --format; json where the store takes a document. */
function outputOf(args: PolicyArgs, store: PolicyStore): string {
  if (args.output !== undefined && args.format !== undefined && args.output !== args.format)
    throw new UsageError(`policy: --format is the old name of --output: give --output ${args.output} alone`);
  return args.output ?? args.format ?? (takesDocument(store) ? "json" : "text");
}

const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** Where each document goes: the file -f names, a file each in its directory, or (without -f) the name the commands read. */
function filesFor(policies: PolicyFor[], file: string | undefined): string[] {
  if (file === undefined) return policies.map(policyFileName);
  if (isDirectory(file)) return policies.map((p) => join(file, policyFileName(p)));
  if (policies.length > 1)
    throw new UsageError(`policy: -f ${file} is one file for ${policies.length} identities: name a directory (-f DIR/), a file each`);
  return [file];
}

/** Each document to its file; a file that cannot be written is one line naming it. */
async function writeDocuments(forms: PolicyForm[], files: string[]): Promise<void> {
  for (const [i, form] of forms.entries()) {
    const file = files[i] as string;
    try {
      await writeFile(file, `${JSON.stringify(form.document, null, 2)}\n`);
    } catch (error) {
      throw new UsageError(`policy: cannot write -f ${file} (${(error as NodeJS.ErrnoException).code ?? "unwritable"})`);
    }
  }
}

/** stdout: the document alone, or several by identity; or with -o text, every form in full. */
function printPolicies(io: Io, planned: { policies: PolicyFor[]; forms: PolicyForm[]; files: string[]; output: string; saved: boolean }): void {
  const { policies, forms, files, output, saved } = planned;
  if (output === "text") {
    io.stdout.write(`${forms.map((form, i) => policyText(form, files[i] as string, saved)).join("\n\n")}\n`);
    return;
  }
  io.stderr.write(`${forms.map((form, i) => policyNotes(form, files[i] as string, saved)).join("\n\n")}\n`);
  if (saved) return;
  const json = forms.length === 1 ? forms[0]?.document : Object.fromEntries(forms.map((form, i) => [policies[i]?.name, form.document]));
  io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

export const command = defineCommand({
  name: "policy",
  options: (argv: string[]) => parseOrHelp(parser(argv), argv, HELP),
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
    const store = args.store as PolicyStore;
    return { policies, store, output: outputOf(args, store), file: args.file };
  },
  validate({ store, output, file }) {
    if (takesDocument(store)) return;
    if (output === "json")
      throw new UsageError("policy: --store gcs has no policy document (its grants are IAM bindings, made by commands): -o text prints them");
    if (file !== undefined) throw new UsageError("policy: --store gcs has no policy document to write with -f: -o text prints its commands");
  },
  async run({ policies, store, output, file }, { io }) {
    // A directory named with its slash is made where it is not yet.
    if (file?.endsWith("/")) await mkdir(file, { recursive: true });
    const files = filesFor(policies, file);
    const forms = policies.map((p, i) => POLICY_FORMS[store](p, files[i] as string));
    if (file !== undefined) await writeDocuments(forms, files);
    printPolicies(io, { policies, forms, files, output, saved: file !== undefined });
    return EXIT_CODES.asExpected;
  },
});
