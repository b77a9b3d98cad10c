// `kfp-s3-probe job --values values.yaml`: one Job, with the part of the deployKF values the probe
// reads in a pod annotation (projected as a file by the downward API), that mounts the backend's
// and every profile's Secret (their own key names) and runs the probe once, unattended, with a
// JSON report in its log. One self-contained object with generateName: `kubectl create -f -`
// twice makes two runs, never a name conflict or a ConfigMap left behind. Findings exit 0 in the
// pod (--exit-code 0: the verdict is the report's, and merge's exit code), so that a LEAK completes
// the Job with its report; a crash fails the pod, and podFailurePolicy fails the Job with it (an
// Indexed Job: that index only, the other shards go on).
import { stringify } from "yaml";
import { EXIT_CODES } from "../core/exit-codes.js";
import type { DeploykfSettings } from "../deploykf/values.js";
import { NODE_FLAGS } from "../node-flags.js";

export interface JobOptions {
  namespace: string;
  /** The value of the run label (RUN_LABEL) on the Job and its pods: one run's pods are `-l kfp-s3-probe/run=ID`. */
  runId: string;
  /** A fixed name; without it the Job gets generateName (`<namePrefix>` plus a random suffix). */
  name?: string;
  namePrefix: string;
  image: string;
  /** For IRSA (fromEnv): a ServiceAccount annotated with the role. */
  serviceAccount?: string;
  ttlSeconds: number;
  deadlineSeconds: number;
  /** Let Istio inject its sidecar (off by default: a sidecar keeps a Job from ever completing). */
  istioSidecar?: boolean;
  /** Secrets for pulling the image from a private registry. */
  imagePullSecrets?: string[];
  /** Above 1: an Indexed Job of this many pods, pod I probing --shard I/N. */
  parallelism?: number;
  /** A CronJob that makes this Job on a schedule (cron, as Kubernetes reads it), instead of one Job. */
  schedule?: { cron: string; timeZone?: string };
}

/** How many finished Jobs (and their pods' logs) a CronJob keeps: the last runs, to read and to diff. */
export const SCHEDULE_HISTORY = { successful: 3, failed: 3 } as const;
/** Kubernetes appends 11 characters to a CronJob's name for its Jobs: a CronJob's name has 52 at most. */
export const CRONJOB_NAME_MAX = 52;

/**
 * What one pod fits (npm run bench): the backend and 100 profiles, or one shard of 4 of a 300-profile
 * install, stay under a 192 MiB heap; the limit leaves room for the code and the sockets.
 */
const HEAP_MB = 192;
const MEMORY_REQUEST_MI = 256;
export const JOB_MEMORY_LIMIT_MI = 384;
/**
 * The heap's ceiling under the memory limit (V8 otherwise lets garbage grow to several times what
 * the run keeps, and the pod would be killed for memory it does not need), and the tool's own
 * young-generation size (src/node-flags.ts), for an image whose entrypoint does not set it.
 */
export const JOB_NODE_OPTIONS = [`--max-old-space-size=${HEAP_MB}`, ...NODE_FLAGS].join(" ");

/** The label that names one run (one printed manifest): its Job and every pod of it. */
export const RUN_LABEL = "kfp-s3-probe/run";

/** A run label's value: when the manifest was made, and 12 random hex digits (as the probe writes its run ids). */
export function jobRunId(now: Date, randomHex: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomHex}`;
}

/** The container's name, which the pod failure policy's rules name. */
const CONTAINER = "kfp-s3-probe";

/** The pod's completion index, from the annotation the Job controller sets on each pod of an Indexed Job. */
const SHARD_INDEX_ENV = "KFP_S3_PROBE_SHARD_INDEX";

const SECRETS_ROOT = "/secrets";

function sharded(options: JobOptions): boolean {
  return (options.parallelism ?? 1) > 1;
}
/** The probe's --timeout is the Job's deadline less this: time left for cleanup and the report. */
export const CLEANUP_MARGIN_SECONDS = 30;
const VALUES_DIR = "/etc/kfp-s3-probe";
/** The pod annotation that carries the values; the downward API turns it into ${VALUES_DIR}/values.yaml. */
const VALUES_ANNOTATION = "kfp-s3-probe/values";
/** Plain YAML for people and kubectl: no anchors for repeated labels, the values file as a literal block. */
const YAML_OPTIONS = { aliasDuplicateObjects: false, blockQuote: "literal" } as const;
/** A user and group that exist in no base image: the probe needs no home and no files of its own. */
const NON_ROOT_ID = 65532;

/** The probe's container: the values from the ConfigMap, each Secret under /secrets/<name>, a JSON report. */
function probeContainer(options: JobOptions, secretNames: string[]) {
  return {
    name: CONTAINER,
    image: options.image,
    args: [
      "--values",
      `${VALUES_DIR}/values.yaml`,
      "--secrets-root",
      SECRETS_ROOT,
      "--output",
      "json",
      "--timeout",
      String(options.deadlineSeconds - CLEANUP_MARGIN_SECONDS),
      // Findings are the report's to say: the pod succeeds with them, and the Job completes.
      "--exit-code",
      String(EXIT_CODES.asExpected),
      // Kubernetes expands $(VAR) from the container's env: the pod's index, then its shard.
      ...(sharded(options) ? ["--shard", `$(${SHARD_INDEX_ENV})/${options.parallelism}`] : []),
    ],
    env: [
      { name: "NO_COLOR", value: "1" },
      { name: "NODE_OPTIONS", value: JOB_NODE_OPTIONS },
      ...(sharded(options)
        ? [
            {
              name: SHARD_INDEX_ENV,
              valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
            },
          ]
        : []),
    ],
    resources: {
      requests: { cpu: "250m", memory: `${MEMORY_REQUEST_MI}Mi` },
      limits: { cpu: "1", memory: `${JOB_MEMORY_LIMIT_MI}Mi` },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [
      { name: "values", mountPath: VALUES_DIR, readOnly: true },
      ...secretNames.map((secret, i) => ({ name: `secret-${i}`, mountPath: `${SECRETS_ROOT}/${secret}`, readOnly: true })),
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}

function podSpec(options: JobOptions, secretNames: string[], usesChain: boolean) {
  return {
    restartPolicy: "Never",
    ...(options.imagePullSecrets?.length ? { imagePullSecrets: options.imagePullSecrets.map((name) => ({ name })) } : {}),
    ...(options.serviceAccount ? { serviceAccountName: options.serviceAccount } : {}),
    // The token is only needed for IRSA (deployKF's fromEnv).
    automountServiceAccountToken: usesChain,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: NON_ROOT_ID,
      runAsGroup: NON_ROOT_ID,
      fsGroup: NON_ROOT_ID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [probeContainer(options, secretNames)],
    volumes: [
      {
        name: "values",
        downwardAPI: { items: [{ path: "values.yaml", fieldRef: { fieldPath: `metadata.annotations['${VALUES_ANNOTATION}']` } }] },
      },
      ...secretNames.map((secret, i) => ({ name: `secret-${i}`, secret: { secretName: secret, defaultMode: 0o440 } })),
      { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
    ],
  };
}

function podAnnotations(options: JobOptions, settings: DeploykfSettings): Record<string, string> {
  return {
    [VALUES_ANNOTATION]: stringify(settings.subset, YAML_OPTIONS),
    // deployKF runs Istio: an injected sidecar never exits, and the Job would never complete.
    ...(options.istioSidecar ? {} : { "sidecar.istio.io/inject": "false" }),
  };
}

/**
 * What a failed pod does to the Job. With --exit-code 0 a judged run exits 0, LEAK or not, so a pod
 * fails only where the probe could not judge (2 usage, 3 unreachable, 4 internal, 5 leftovers, 130
 * interrupted, 137 killed): one pod, no retry (a second run would leave a second namespace). An
 * Indexed Job fails that index only (backoffLimitPerIndex 0; backoffLimit is then unbounded by
 * default, and must stay so, or the first failed shard would stop the others), except exit 2: the
 * shards share their settings, so every one would fail the same way, and the Job stops at once.
 */
function failurePolicy(options: JobOptions) {
  const onExit = (operator: "In" | "NotIn", values: number[]) => ({ onExitCodes: { containerName: CONTAINER, operator, values } });
  const notZero = onExit("NotIn", [EXIT_CODES.asExpected]);
  if (!sharded(options)) return { backoffLimit: 0, podFailurePolicy: { rules: [{ action: "FailJob", ...notZero }] } };
  return {
    backoffLimitPerIndex: 0,
    podFailurePolicy: {
      rules: [
        { action: "FailJob", ...onExit("In", [EXIT_CODES.usage]) },
        { action: "FailIndex", ...notZero },
      ],
    },
  };
}

function instanceOf(options: JobOptions): string {
  return options.name ?? options.namePrefix.replace(/-$/, "");
}

/**
 * One printed Job is one run, labelled with its run id. A scheduled Job is a new run each time: its
 * pods are told apart by the Job the CronJob names (`kubectl logs job/NAME`), not by a run label.
 */
function labelsOf(options: JobOptions): Record<string, string> {
  return {
    "app.kubernetes.io/name": "kfp-s3-probe",
    "app.kubernetes.io/instance": instanceOf(options),
    ...(options.schedule ? {} : { [RUN_LABEL]: options.runId }),
  };
}

function jobSpec(options: JobOptions, settings: DeploykfSettings) {
  const secretNames = [...new Set(settings.identities.flatMap((i) => (i.secret ? [i.secret.name] : [])))];
  const usesChain = settings.identities.some((i) => i.secret === null);
  return {
    ...(sharded(options) ? { completionMode: "Indexed", completions: options.parallelism, parallelism: options.parallelism } : {}),
    ...failurePolicy(options),
    // A scheduled Job is kept by the CronJob's history limits instead, so that the last runs can be read.
    ...(options.schedule ? {} : { ttlSecondsAfterFinished: options.ttlSeconds }),
    activeDeadlineSeconds: options.deadlineSeconds,
    template: {
      metadata: { labels: labelsOf(options), annotations: podAnnotations(options, settings) },
      spec: podSpec(options, secretNames, usesChain),
    },
  };
}

function job(options: JobOptions, settings: DeploykfSettings) {
  const name = options.name ? { name: options.name } : { generateName: options.namePrefix };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { ...name, namespace: options.namespace, labels: labelsOf(options) },
    spec: jobSpec(options, settings),
  };
}

/**
 * The same Job on a schedule: never two runs at once (Forbid: a second run would probe beside the
 * first and double the load), the last runs kept, and a run that could not start in time skipped.
 */
function cronJob(options: JobOptions, schedule: NonNullable<JobOptions["schedule"]>, settings: DeploykfSettings) {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: instanceOf(options), namespace: options.namespace, labels: labelsOf(options) },
    spec: {
      schedule: schedule.cron,
      ...(schedule.timeZone ? { timeZone: schedule.timeZone } : {}),
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: options.deadlineSeconds,
      successfulJobsHistoryLimit: SCHEDULE_HISTORY.successful,
      failedJobsHistoryLimit: SCHEDULE_HISTORY.failed,
      jobTemplate: { metadata: { labels: labelsOf(options) }, spec: jobSpec(options, settings) },
    },
  };
}

export function jobManifest(settings: DeploykfSettings, options: JobOptions): string {
  const manifest = options.schedule ? cronJob(options, options.schedule, settings) : job(options, settings);
  return stringify(manifest, YAML_OPTIONS);
}
