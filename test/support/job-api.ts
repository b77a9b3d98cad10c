// The Job API's own rules for what kfp-s3-probe's manifest uses, as kube-apiserver applies them
// (kubernetes/kubernetes pkg/apis/batch/validation/validation.go: validateJobSpec,
// validatePodFailurePolicy, validatePodFailurePolicyRuleOnExitCodes, validatePodReplacementPolicy;
// defaults from pkg/apis/batch/v1/defaults.go), and the Job controller's decision for a failed pod
// (pkg/controller/job: the first matching podFailurePolicy rule, else the backoff limits). The
// OpenAPI schema (kubernetes-models) checks types only: these are the rules it does not carry.
import type { Parsed } from "./parsed.js";

const MAX_RULES = 20;
const MAX_EXIT_CODE_VALUES = 255;
const MAX_POD_CONDITION_PATTERNS = 20;
const ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];
const CONDITION_STATUSES = ["False", "True", "Unknown"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function onExitCodesErrors(onExitCodes: Parsed, path: string, containers: Set<string>): string[] {
  const errors: string[] = [];
  const { operator, containerName, values } = onExitCodes;
  if (!operator) errors.push(`${path}.operator: Required value`);
  else if (operator !== "In" && operator !== "NotIn") errors.push(`${path}.operator: Unsupported value: ${operator}`);
  if (containerName !== undefined && !containers.has(containerName))
    errors.push(`${path}.containerName: must be one of the container or initContainer names in the pod template`);
  const list: number[] = values ?? [];
  if (list.length === 0) errors.push(`${path}.values: at least one value is required`);
  else if (list.length > MAX_EXIT_CODE_VALUES) errors.push(`${path}.values: Too many: must have at most ${MAX_EXIT_CODE_VALUES} items`);
  list.forEach((value, index) => {
    if (operator === "In" && value === 0) errors.push(`${path}.values[${index}]: must not be 0 for the In operator`);
    if (list.indexOf(value) !== index) errors.push(`${path}.values[${index}]: Duplicate value: ${value}`);
  });
  if (list.some((value, index) => index > 0 && (list[index - 1] ?? 0) > value)) errors.push(`${path}.values: must be ordered`);
  return errors;
}

function onPodConditionsErrors(patterns: Parsed[], path: string): string[] {
  const errors = patterns.length > MAX_POD_CONDITION_PATTERNS ? [`${path}: Too many`] : [];
  patterns.forEach((pattern, index) => {
    if (!QUALIFIED_NAME.test(String(pattern.type ?? ""))) errors.push(`${path}[${index}].type: not a qualified name`);
    // Defaulted to True before validation (defaults.go), so only a given status is checked.
    const status = pattern.status ?? "True";
    if (!CONDITION_STATUSES.includes(status)) errors.push(`${path}[${index}].status: Unsupported value: ${status}`);
  });
  return errors;
}

function ruleErrors(spec: Parsed, rule: Parsed, path: string, containers: Set<string>): string[] {
  const errors: string[] = [];
  if (!rule.action) errors.push(`${path}.action: Required value`);
  else if (rule.action === "FailIndex" && spec.backoffLimitPerIndex === undefined)
    errors.push(`${path}.action: requires the backoffLimitPerIndex to be set`);
  else if (!ACTIONS.includes(rule.action)) errors.push(`${path}.action: Unsupported value: ${rule.action}`);
  const conditions: Parsed[] = rule.onPodConditions ?? [];
  if (rule.onExitCodes) errors.push(...onExitCodesErrors(rule.onExitCodes, `${path}.onExitCodes`, containers));
  if (conditions.length > 0) errors.push(...onPodConditionsErrors(conditions, `${path}.onPodConditions`));
  if (rule.onExitCodes && conditions.length > 0) errors.push(`${path}: specifying both OnExitCodes and OnPodConditions is not supported`);
  if (!rule.onExitCodes && conditions.length === 0) errors.push(`${path}: specifying one of OnExitCodes and OnPodConditions is required`);
  return errors;
}

function podFailurePolicyErrors(spec: Parsed): string[] {
  const rules: Parsed[] = spec.podFailurePolicy.rules ?? [];
  const errors = rules.length > MAX_RULES ? [`spec.podFailurePolicy.rules: Too many: must have at most ${MAX_RULES} items`] : [];
  const pod = spec.template?.spec ?? {};
  const containers = new Set<string>([...(pod.containers ?? []), ...(pod.initContainers ?? [])].map((c: Parsed) => c.name));
  rules.forEach((rule, index) => {
    errors.push(...ruleErrors(spec, rule, `spec.podFailurePolicy.rules[${index}]`, containers));
  });
  if (pod.restartPolicy !== "Never") errors.push(`spec.template.spec.restartPolicy: only "Never" is supported when podFailurePolicy is specified`);
  if (spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== "Failed")
    errors.push(`spec.podReplacementPolicy: Unsupported value: ${spec.podReplacementPolicy} (only Failed with podFailurePolicy)`);
  return errors;
}

function indexedErrors(job: Parsed): string[] {
  const { spec } = job;
  const errors: string[] = [];
  if (spec.completionMode !== "Indexed") {
    if (spec.backoffLimitPerIndex !== undefined) errors.push("spec.backoffLimitPerIndex: requires indexed completion mode");
    if (spec.maxFailedIndexes !== undefined) errors.push("spec.maxFailedIndexes: requires indexed completion mode");
    return errors;
  }
  if (spec.completions === undefined) errors.push("spec.completions: Required value: when completion mode is Indexed");
  if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > spec.completions)
    errors.push("spec.maxFailedIndexes: must be less than or equal to completions");
  // The pods' hostnames are NAME-INDEX: with generateName, the 5 random characters count too.
  const name = job.metadata.name ?? `${job.metadata.generateName}xxxxx`;
  if (!DNS_LABEL.test(`${name}-${spec.completions - 1}`) || `${name}-${spec.completions - 1}`.length > 63)
    errors.push("metadata.name: will not able to create pod with invalid DNS label");
  return errors;
}

/** Every error kube-apiserver would answer `kubectl create` with, for the fields these rules cover. */
export function jobApiErrors(job: Parsed): string[] {
  const { spec } = job;
  const errors: string[] = [];
  for (const field of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex"]) {
    if (spec[field] !== undefined && !(Number.isInteger(spec[field]) && spec[field] >= 0))
      errors.push(`spec.${field}: must be greater than or equal to 0`);
  }
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined)
    errors.push("spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified");
  errors.push(...indexedErrors(job));
  if (spec.podFailurePolicy) errors.push(...podFailurePolicyErrors(spec));
  const restart = spec.template?.spec?.restartPolicy;
  if (restart !== "Never" && restart !== "OnFailure") errors.push('spec.template.spec.restartPolicy: valid values: "OnFailure", "Never"');
  return errors;
}

/** The backoff limit as the API server defaults it: unbounded with backoffLimitPerIndex, else 6. */
function backoffLimitOf(spec: Parsed): number {
  return spec.backoffLimit ?? (spec.backoffLimitPerIndex !== undefined ? 2 ** 31 - 1 : 6);
}

/** The first rule that matches a pod whose one container exited so (exit 0 never matches: it is no failure). */
function matchingRule(spec: Parsed, container: string, exitCode: number): Parsed | undefined {
  return (spec.podFailurePolicy?.rules ?? []).find((rule: Parsed) => {
    const on = rule.onExitCodes;
    if (!on || (on.containerName !== undefined && on.containerName !== container)) return false;
    const listed = (on.values as number[]).includes(exitCode);
    return on.operator === "In" ? listed : on.operator === "NotIn" ? !listed : false;
  });
}

export type JobOutcome = { condition: "Complete" | "Failed"; failedIndexes: number[]; terminatedEarly: boolean };

/**
 * What the Job controller makes of one attempt per index, its container exiting with the code given:
 * exit 0 completes the index; a failure takes the first matching rule's action (FailJob: the Job
 * fails and the other pods are terminated; FailIndex: the index fails; Ignore: a new pod, here the
 * same code again until the limits end it; Count or no rule: counted against backoffLimit and, per
 * index, backoffLimitPerIndex, and retried while both allow).
 */
export function jobOutcome(job: Parsed, exitCodes: number[]): JobOutcome {
  const { spec } = job;
  const container = spec.template.spec.containers[0].name as string;
  let failures = 0;
  const failedIndexes: number[] = [];
  for (const [index, exitCode] of exitCodes.entries()) {
    for (let attempt = 0; exitCode !== 0; attempt += 1) {
      const action = matchingRule(spec, container, exitCode)?.action ?? "Count";
      if (action === "FailJob") return { condition: "Failed", failedIndexes: [...failedIndexes, index], terminatedEarly: true };
      if (action === "FailIndex") {
        failedIndexes.push(index);
        break;
      }
      if (action === "Ignore" && attempt < 100) continue;
      failures += 1;
      if (failures > backoffLimitOf(spec)) return { condition: "Failed", failedIndexes: [...failedIndexes, index], terminatedEarly: true };
      if (spec.backoffLimitPerIndex !== undefined && attempt >= spec.backoffLimitPerIndex) {
        failedIndexes.push(index);
        break;
      }
    }
  }
  return { condition: failedIndexes.length > 0 ? "Failed" : "Complete", failedIndexes, terminatedEarly: false };
}

/**
 * A CronJob's own rules (validation.go: validateCronJobSpec, ValidateCronJobCreate): a name of 52
 * characters at most (its Jobs get 11 more), a concurrency policy of three, limits not below 0,
 * and its Job template held to the Job's rules, as the Jobs it makes will be.
 */
export function cronJobApiErrors(cronJob: Parsed): string[] {
  const { metadata, spec } = cronJob;
  const errors: string[] = [];
  if (typeof metadata.name !== "string" || metadata.name.length > 52 || !DNS_LABEL.test(metadata.name))
    errors.push("metadata.name: must be a DNS label of no more than 52 characters");
  if (metadata.generateName !== undefined) errors.push("metadata.generateName: a CronJob needs a name of its own");
  if (!["Allow", "Forbid", "Replace"].includes(spec.concurrencyPolicy))
    errors.push('spec.concurrencyPolicy: supported values: "Allow", "Forbid", "Replace"');
  for (const field of ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
    if (spec[field] !== undefined && !(Number.isInteger(spec[field]) && spec[field] >= 0))
      errors.push(`spec.${field}: must be greater than or equal to 0`);
  }
  if (typeof spec.schedule !== "string" || spec.schedule.trim() === "") errors.push("spec.schedule: Required value");
  const template = spec.jobTemplate ?? {};
  errors.push(...jobApiErrors({ metadata: { name: `${metadata.name}-12345678` }, spec: template.spec ?? {} }).map((e) => `spec.jobTemplate.${e}`));
  return errors;
}
