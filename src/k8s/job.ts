// `kfp-s3-probe job --values values.yaml`: a ConfigMap with the part of the deployKF values the
// probe reads, and a Job that mounts the backend's and every profile's Secret (their own key
// names) and runs the probe once, unattended, with a JSON report in its log.
import { stringify } from "yaml";
import type { DeploykfSettings } from "../deploykf/values.js";

export interface JobOptions {
  namespace: string;
  name: string;
  image: string;
  /** For IRSA (fromEnv): a ServiceAccount annotated with the role. */
  serviceAccount?: string;
  ttlSeconds: number;
  deadlineSeconds: number;
  /** Let Istio inject its sidecar (off by default: a sidecar keeps a Job from ever completing). */
  istioSidecar?: boolean;
  /** Secrets for pulling the image from a private registry. */
  imagePullSecrets?: string[];
}

export const SECRETS_ROOT = "/secrets";
/** The probe's --timeout is the Job's deadline less this: time left for cleanup and the report. */
export const CLEANUP_MARGIN_SECONDS = 30;
export const VALUES_DIR = "/etc/kfp-s3-probe";
/** Plain YAML for people and kubectl: no anchors for repeated labels, the values file as a literal block. */
const YAML_OPTIONS = { aliasDuplicateObjects: false, blockQuote: "literal" } as const;
/** A user and group that exist in no base image: the probe needs no home and no files of its own. */
const NON_ROOT_ID = 65532;

type Labels = Record<string, string>;

/** The probe's container: the values from the ConfigMap, each Secret under /secrets/<name>, a JSON report. */
function probeContainer(options: JobOptions, secretNames: string[]) {
  return {
    name: "kfp-s3-probe",
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
    ],
    env: [{ name: "NO_COLOR", value: "1" }],
    resources: {
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
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
      { name: "values", configMap: { name: options.name } },
      ...secretNames.map((secret, i) => ({ name: `secret-${i}`, secret: { secretName: secret, defaultMode: 0o440 } })),
      { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
    ],
  };
}

function job(options: JobOptions, labels: Labels, settings: DeploykfSettings) {
  const secretNames = [...new Set(settings.identities.flatMap((i) => (i.secret ? [i.secret.name] : [])))];
  const usesChain = settings.identities.some((i) => i.secret === null);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: options.ttlSeconds,
      activeDeadlineSeconds: options.deadlineSeconds,
      template: {
        // deployKF runs Istio: an injected sidecar never exits, and the Job would never complete.
        metadata: { labels, ...(options.istioSidecar ? {} : { annotations: { "sidecar.istio.io/inject": "false" } }) },
        spec: podSpec(options, secretNames, usesChain),
      },
    },
  };
}

export function jobManifest(settings: DeploykfSettings, options: JobOptions): string {
  const labels = { "app.kubernetes.io/name": "kfp-s3-probe", "app.kubernetes.io/instance": options.name };
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: options.name, namespace: options.namespace, labels },
    data: { "values.yaml": stringify(settings.subset, YAML_OPTIONS) },
  };
  return [configMap, job(options, labels, settings)].map((document) => stringify(document, YAML_OPTIONS)).join("---\n");
}
