// `kfp-s3-probe job`: prints the Kubernetes manifest that runs the probe in the cluster.
import { randomBytes } from "node:crypto";
import type { Argv } from "yargs";
import { EXIT_CODES } from "../../core/exit-codes.js";
import { isValidProfileName } from "../../core/layout.js";
import { UsageError } from "../../core/usage-error.js";
import { type DeploykfSettings, readDeploykfValues } from "../../deploykf/values.js";
import { scheduleProblem, timeZoneProblem } from "../../k8s/cron.js";
import { CLEANUP_MARGIN_SECONDS, CRONJOB_NAME_MAX, jobManifest, jobRunId, RUN_LABEL, SCHEDULE_HISTORY } from "../../k8s/job.js";
import { toolVersion } from "../../version.js";
import type { Io } from "../io.js";
import type { HelpPage } from "../settings/help.js";
import { defineCommand } from "./command.js";
import { parseOrHelp, subcommandParser } from "./subcommand.js";

function wholeSeconds(flag: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`job: --${flag} must be a whole number of seconds, at least ${min}`);
}

/** Every flag checked before anything is printed: a manifest that kubectl or the cluster would refuse is never made. */
function validateJobFlags(args: {
  name?: string | undefined;
  "generate-name": string;
  namespace: string;
  ttl: number;
  deadline: number;
  parallelism: number;
  "service-account"?: string | undefined;
  schedule?: string | undefined;
  "time-zone"?: string | undefined;
}): void {
  // Kubernetes names (what profiles are); a Job's at most 52 with the 5 characters generateName adds.
  if (args.name !== undefined && (!isValidProfileName(args.name) || args.name.length > 52))
    throw new UsageError("job: --name must be lowercase letters, digits and '-', at most 52");
  const prefix = args["generate-name"];
  if (!/^[a-z0-9]([-a-z0-9]*)$/.test(prefix) || prefix.length > 47)
    throw new UsageError("job: --generate-name must be lowercase letters, digits and '-', at most 47 (e.g. kfp-s3-probe-)");
  if (!isValidProfileName(args.namespace)) throw new UsageError("job: --namespace must be a Kubernetes namespace name");
  const account = args["service-account"];
  if (account !== undefined && (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(account) || account.length > 253)) {
    throw new UsageError("job: --service-account must be a ServiceAccount name (lowercase letters, digits, '-' and '.')");
  }
  wholeSeconds("ttl", args.ttl, 0);
  if (!Number.isInteger(args.parallelism) || args.parallelism < 1 || args.parallelism > 100)
    throw new UsageError("job: --parallelism must be a whole number from 1 to 100");
  wholeSeconds("deadline", args.deadline, 2 * CLEANUP_MARGIN_SECONDS);
  validateSchedule(args);
}

/** --schedule and --time-zone as Kubernetes reads them; the CronJob's name is --name, else the prefix. */
function validateSchedule(args: {
  name?: string | undefined;
  "generate-name": string;
  schedule?: string | undefined;
  "time-zone"?: string | undefined;
}): void {
  if (args["time-zone"] !== undefined && args.schedule === undefined) throw new UsageError('job: --time-zone goes with --schedule "CRON"');
  if (args.schedule === undefined) return;
  const problem = scheduleProblem(args.schedule);
  if (problem) throw new UsageError(`job: --schedule: ${problem} (e.g. --schedule "0 3 * * *": every day at 03:00)`);
  const zoneProblem = args["time-zone"] === undefined ? undefined : timeZoneProblem(args["time-zone"]);
  if (zoneProblem) throw new UsageError(`job: --time-zone: ${zoneProblem}`);
  const name = args.name ?? args["generate-name"].replace(/-$/, "");
  if (name.length > CRONJOB_NAME_MAX)
    throw new UsageError(`job: with --schedule the CronJob's name (${name}) has ${CRONJOB_NAME_MAX} characters at most: give --name`);
}

const HELP: HelpPage = {
  usage: ["kfp-s3-probe job --values values.yaml [-n kubeflow] [--image IMAGE] [--parallelism N] | kubectl create -f -"],
  examples: [
    {
      about: "One run in the cluster, its run label kept to find its pods:",
      command: `run=$(kfp-s3-probe job --values values.yaml --image IMAGE | kubectl create -f - -o jsonpath='{.metadata.labels.${RUN_LABEL}}')`,
    },
    { about: "Its report, from the pods' logs:", command: `kubectl logs -n kubeflow -l ${RUN_LABEL}=$run --tail=-1 --prefix | kfp-s3-probe merge -` },
    {
      about: "Hundreds of profiles: an Indexed Job of 4 shards (merged the same way):",
      command: "kfp-s3-probe job --values values.yaml -n kubeflow --parallelism 4 --image IMAGE | kubectl create -f -",
    },
    {
      about: "Every night at 03:00, as a CronJob:",
      command: 'kfp-s3-probe job --values values.yaml --schedule "0 3 * * *" --image IMAGE | kubectl apply -f -',
    },
  ],
  about: [
    `Prints one Job that carries the part of the deployKF values the probe reads (in a pod annotation), mounts the backend's and every profile's object-store Secret and runs the probe once, with a JSON report in its log and a finding per line on stderr. The Secrets must be in the Job's namespace. The Job's name is generated (kfp-s3-probe-xxxxx); each printed Job is one run, labelled ${RUN_LABEL}=RUN. A LEAK completes it (findings exit 0 in the pod); merge's exit code says them.`,
  ],
  exitCodes: [
    ["asExpected", "the manifest was printed"],
    ["usage", "bad usage or values the Job cannot run with (one line says what to fix); nothing was printed"],
    ["internal", "an internal error of the probe"],
  ],
};

/** --schedule and --time-zone: a CronJob instead of one Job. */
function withScheduleOptions<T>(parser: Argv<T>) {
  return parser
    .option("schedule", {
      type: "string",
      describe: `CRON: a CronJob that makes this Job on the schedule (five fields, or @daily, @hourly, …) instead of one Job: never two runs at once (concurrencyPolicy Forbid), the last ${SCHEDULE_HISTORY.successful} runs of each outcome kept; its name is --name, else the prefix of --generate-name`,
    })
    .option("time-zone", {
      type: "string",
      describe: "with --schedule: the zone it is read in (e.g. Europe/Berlin; default: the controller's, usually UTC)",
    });
}

function jobParser(argv: string[], version: string) {
  const parser = subcommandParser(argv, "job")
    .option("values", { type: "string", demandOption: true, describe: "deployKF values file" })
    .option("namespace", { alias: "n", type: "string", default: "kubeflow", describe: "namespace of the Job and of the Secrets it mounts" })
    .option("image", {
      type: "string",
      default: `kfp-s3-probe:${version}`,
      describe:
        "the image to run, built by npm run image (the Dockerfile): the default is a local name no registry has, for a cluster it was loaded into (kind load docker-image); else push it and name it, e.g. registry.example/kfp-s3-probe:" +
        version,
    })
    .option("generate-name", {
      type: "string",
      default: "kfp-s3-probe-",
      describe: "prefix of the Job's generated name (metadata.generateName; use kubectl create, not apply)",
    })
    .option("name", { type: "string", describe: "a fixed name instead (then kubectl apply works, and a second run needs a delete)" })
    .option("service-account", { type: "string", describe: "ServiceAccount (for IRSA, when deployKF uses fromEnv)" })
    .option("ttl", { type: "number", default: 86_400, describe: "seconds the finished Job is kept (ttlSecondsAfterFinished)" });
  return withScheduleOptions(withPodOptions(parser))
    .option("output", {
      alias: "o",
      type: "string",
      choices: ["yaml", "json"],
      default: "yaml",
      describe: "the manifest as YAML or JSON (kubectl takes either)",
    })
    .strict();
}

/** How its pods run: the Istio sidecar, the image's pull Secrets, how many shards at once, and for how long. */
function withPodOptions<T>(parser: Argv<T>) {
  return parser
    .option("istio-sidecar", {
      type: "boolean",
      default: false,
      describe:
        'let Istio inject its sidecar (off: the pod is annotated sidecar.istio.io/inject: "false", since a sidecar keeps a Job from completing)',
    })
    .option("image-pull-secret", {
      type: "string",
      array: true,
      describe: "NAME, repeatable: a Secret for pulling the image from a private registry",
    })
    .option("parallelism", {
      type: "number",
      default: 1,
      describe:
        "N above 1: an Indexed Job of N pods, pod I probing --shard I/N (for hundreds of profiles); combine their logs with kfp-s3-probe merge",
    })
    .option("deadline", {
      type: "number",
      default: 600,
      describe: `seconds the Job may run (activeDeadlineSeconds, at least ${2 * CLEANUP_MARGIN_SECONDS}); the probe's --timeout is ${CLEANUP_MARGIN_SECONDS} s less, for cleanup`,
    });
}

/** Where the manifest goes: stdout as it is, or as JSON (the same object, for tools that read no YAML). */
async function manifestOut(io: Io, output: string): Promise<{ write(manifest: string): void }> {
  if (output !== "json") return { write: (manifest) => io.stdout.write(manifest) };
  const { parse } = await import("yaml");
  return { write: (manifest) => io.stdout.write(`${JSON.stringify(parse(manifest), null, 2)}\n`) };
}

export const command = defineCommand({
  name: "job",
  options: (argv: string[]) => parseOrHelp(jobParser(argv, toolVersion()), argv, HELP),
  async complete(args) {
    if (args._.length > 0) throw new UsageError(`job: unexpected argument ${String(args._[0])}`);
    validateJobFlags(args);
    return { args, settings: readDeploykfValues(args.values) };
  },
  validate({ args, settings }) {
    refuseSecretsElsewhere(settings, args.namespace);
    if (settings.identities.some((i) => i.secret === null) && !args["service-account"]) {
      throw new UsageError("job: the values use fromEnv (IRSA): name the annotated ServiceAccount with --service-account");
    }
  },
  async run({ args, settings }, { io }) {
    const stdout = await manifestOut(io, args.output);
    stdout.write(
      jobManifest(settings, {
        namespace: args.namespace,
        runId: jobRunId(new Date(), randomBytes(6).toString("hex")),
        ...(args.name ? { name: args.name } : {}),
        namePrefix: args["generate-name"],
        image: args.image,
        ...(args["service-account"] ? { serviceAccount: args["service-account"] } : {}),
        ttlSeconds: args.ttl,
        deadlineSeconds: args.deadline,
        istioSidecar: args["istio-sidecar"],
        imagePullSecrets: args["image-pull-secret"] ?? [],
        parallelism: args.parallelism,
        ...(args.schedule ? { schedule: { cron: args.schedule, ...(args["time-zone"] ? { timeZone: args["time-zone"] } : {}) } } : {}),
      }),
    );
    return EXIT_CODES.asExpected;
  },
});

/** A pod mounts Secrets of its own namespace only: a Secret elsewhere is refused with the exact fix. */
function refuseSecretsElsewhere(settings: DeploykfSettings, namespace: string): void {
  const elsewhere = settings.identities.flatMap((i) =>
    i.secret?.namespace && i.secret.namespace !== namespace ? [{ ...i.secret, identity: i.name }] : [],
  );
  const first = elsewhere[0];
  if (!first) return;
  const namespaces = [...new Set(elsewhere.map((s) => s.namespace))];
  const fix =
    namespaces.length === 1 && elsewhere.length === settings.identities.filter((i) => i.secret).length
      ? `generate the Job there: --namespace ${first.namespace}`
      : `copy it into ${namespace} (kubectl get secret ${first.name} -n ${first.namespace} -o yaml | sed 's/namespace: .*/namespace: ${namespace}/' | kubectl apply -f -)`;
  throw new UsageError(
    `job: ${first.identity}'s Secret ${first.name} is in namespace ${first.namespace} (existingSecretNamespace), and a pod mounts Secrets of its own namespace only: ${fix}`,
  );
}
