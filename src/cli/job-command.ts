// `kfp-s3-probe job`: prints the Kubernetes manifest that runs the probe in the cluster.
import yargs from "yargs";
import { UsageError } from "../core/usage-error.js";
import { readDeploykfValues } from "../deploykf/values.js";
import { jobManifest } from "../k8s/job.js";

/** The manifest on success; null when --help was shown. */
export async function jobCommand(argv: string[], version: string, write: (text: string) => void): Promise<string | null> {
  const parser = yargs(argv)
    .scriptName("kfp-s3-probe job")
    .usage(
      "Usage: kfp-s3-probe job --values values.yaml [--namespace kubeflow] [--image IMAGE] | kubectl apply -f -\n\n" +
        "Prints a ConfigMap (the part of the deployKF values the probe reads) and a Job that mounts the\n" +
        "backend's and every profile's object-store Secret and runs the probe once, with a JSON report in\n" +
        "its log and a finding per line on stderr. The Secrets must be in the Job's namespace.",
    )
    .option("values", { type: "string", demandOption: true, describe: "deployKF values file" })
    .option("namespace", { type: "string", default: "kubeflow", describe: "namespace of the Job and of the Secrets it mounts" })
    .option("image", { type: "string", default: `kfp-s3-probe:${version}`, describe: "image built from the project's Dockerfile" })
    .option("name", { type: "string", default: "kfp-s3-probe", describe: "name of the Job and its ConfigMap" })
    .option("service-account", { type: "string", describe: "ServiceAccount (for IRSA, when deployKF uses fromEnv)" })
    .option("ttl", { type: "number", default: 86_400, describe: "seconds the finished Job is kept (ttlSecondsAfterFinished)" })
    .option("deadline", { type: "number", default: 600, describe: "seconds the Job may run (activeDeadlineSeconds)" })
    .strict()
    .version(false)
    .help("help")
    .exitProcess(false)
    .fail((message, error) => {
      throw new UsageError(`job: ${(message ?? error?.message ?? "bad usage").replace(/\s*\n\s*/g, " ")} (see kfp-s3-probe job --help)`);
    });
  let helpShown = false;
  const args = await parser.parseAsync(argv, {}, (error, _argv, output) => {
    if (!error && output) {
      helpShown = true;
      write(`${output}\n`);
    }
  });
  if (helpShown) return null;
  if (args._.length > 0) throw new UsageError(`job: unexpected argument ${String(args._[0])}`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.name) || args.name.length > 52)
    throw new UsageError(`job: --name ${args.name} is not a valid Job name`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace)) throw new UsageError(`job: --namespace ${args.namespace} is not a valid namespace`);
  const settings = readDeploykfValues(args.values);
  if (settings.identities.some((i) => i.secret === null) && !args["service-account"]) {
    throw new UsageError("job: the values use fromEnv (IRSA): name the annotated ServiceAccount with --service-account");
  }
  return jobManifest(settings, {
    namespace: args.namespace,
    name: args.name,
    image: args.image,
    ...(args["service-account"] ? { serviceAccount: args["service-account"] } : {}),
    ttlSeconds: args.ttl,
    deadlineSeconds: args.deadline,
  });
}
