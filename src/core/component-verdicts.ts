// Per identity and component: does it work with these keys on this store, or on which request does
// it fail, with what KFP's users would see (an effect, as a code) and the fix (a remedy, as data).
// A request is decided by the probe's cell for the same IAM request, or by the request the probe
// sent in the component's own shape (component-plan.ts); never by a 404 on a missing key.
import { type Cause, errorFindingOf, findingWith, mangledFinding, type Remedy } from "./cause.js";
import type { ErrorKind } from "./classify.js";
import {
  type ComponentClient,
  type ComponentPlan,
  type Decider,
  type PlannedRequest,
  type PlannedShape,
  type ShapeRequest,
  shapesOf,
} from "./component-plan.js";
import type { ComponentName, ComponentRequest } from "./components.js";
import { OPERATIONS, type Operation } from "./operations.js";
import type { CheckResult, Evidence, Observation } from "./verdict.js";
import { VERDICTS } from "./verdicts.js";

/** What KFP's users see when the request fails. */
export type ComponentEffect =
  | "stops-at-start"
  | "region-unknown"
  | "bucket-not-created"
  | "inputs-not-downloaded"
  | "outputs-not-uploaded"
  | "large-outputs-not-uploaded"
  | "failed-uploads-leave-parts"
  | "artifacts-not-shown"
  | "artifacts-not-served"
  | "pipeline-specs-not-stored"
  | "pipeline-specs-not-deleted"
  | "artifacts-elsewhere"
  | "bucket-not-opened"
  | "warns-at-start";

/** The request as the probe sent it in the component's shape. */
interface SentShape {
  request: ShapeRequest;
  addressing: "path" | "virtual-host";
  endpoint: string;
}

export interface ComponentFailure {
  call: ComponentRequest["call"];
  /** What the component sends it for (the table's words for it, as data of the table). */
  purpose: string;
  /** The probe's cell it was decided on, or null where a request in the component's shape decided it. */
  operation: Operation | null;
  prefix: string | null;
  shape: SentShape | null;
  /**
   * misdirected: not sent, the component's session leads to another store (fallback says where);
   * unopened: not sent, its client cannot be made (the launcher's root's query parameters, refused).
   */
  outcome: "denied" | "error" | "misdirected" | "unopened";
  errorKind?: ErrorKind;
  /** Where a misdirected component sends instead: its pipeline root and endpoint. */
  fallback?: { root: string; endpoint: string };
  /** The query parameters an unopened launcher's URL opener refuses. */
  refused?: string[];
  cause: Cause;
  remedy: Remedy;
  effect: ComponentEffect;
  evidence: Evidence[];
}

export interface ComponentVerdict {
  identity: string;
  component: ComponentName;
  /** The era of the components table it was judged by. */
  kfp: string;
  works: boolean;
  failing: ComponentFailure[];
  /** Requests that failed where KFP only logs a warning and goes on (the API server's bucket check from 2.16); absent where none. */
  warnings?: ComponentFailure[];
  /** The first failure's effect and fix; null where it works. */
  effect: ComponentEffect | null;
  fix: Remedy | null;
  /** Requests this run could not decide (not probed, outside the layout, not run or undecided). */
  undecided: number;
  /** None of its requests was decided (nothing failed, nothing worked): why, where it is known; absent where any was. */
  unjudged?: { reason: "other-bucket"; bucket: string } | { reason: "nothing-decided" };
}

const DOWNLOADERS: readonly ComponentName[] = ["v2-launcher", "argo-executor"];
const VIEWERS: readonly ComponentName[] = ["ui", "ui-artifact-proxy"];

/** What users see when this request of this component fails. */
export function effectOf(component: ComponentName, call: ComponentRequest["call"]): ComponentEffect {
  const reads = DOWNLOADERS.includes(component)
    ? "inputs-not-downloaded"
    : VIEWERS.includes(component)
      ? "artifacts-not-shown"
      : "artifacts-not-served";
  switch (call) {
    case "HeadBucket":
      return "stops-at-start";
    case "GetBucketLocation":
      return "region-unknown";
    case "CreateBucket":
      return "bucket-not-created";
    case "ListObjectsV2":
    case "GetObject":
    case "HeadObject":
      return reads;
    case "PutObject":
      return component === "api-server" ? "pipeline-specs-not-stored" : "outputs-not-uploaded";
    case "CreateMultipartUpload":
    case "UploadPart":
    case "CompleteMultipartUpload":
      return "large-outputs-not-uploaded";
    case "AbortMultipartUpload":
      return "failed-uploads-leave-parts";
    case "DeleteObject":
      return "pipeline-specs-not-deleted";
  }
}

/** The settings of each component's client that decide where it sends, with TLS or not, and its addressing. */
const CLIENT_SETTINGS: Record<ComponentName, { endpoint: string; tls: string; addressing: string }> = {
  "api-server": { endpoint: "ObjectStoreConfig.Host/Port", tls: "ObjectStoreConfig.Secure", addressing: "ObjectStoreConfig.Host" },
  ui: { endpoint: "MINIO_HOST/MINIO_PORT", tls: "MINIO_SSL", addressing: "MINIO_HOST" },
  "ui-artifact-proxy": { endpoint: "MINIO_HOST/MINIO_PORT", tls: "MINIO_SSL", addressing: "MINIO_HOST" },
  "v2-driver": { endpoint: "kfp-launcher", tls: "kfp-launcher", addressing: "kfp-launcher" },
  "v2-launcher": {
    endpoint: "kfp-launcher providers.<scheme>.default.endpoint",
    tls: "kfp-launcher providers.<scheme>.default.disableSSL",
    addressing: "kfp-launcher providers.<scheme>.default.forcePathStyle (use_path_style in a root's query string)",
  },
  "argo-executor": {
    endpoint: "artifact repository s3.endpoint",
    tls: "artifact repository s3.insecure",
    addressing: "artifact repository s3.endpoint",
  },
  "cache-server": { endpoint: "none", tls: "none", addressing: "none" },
  "persistence-agent": { endpoint: "none", tls: "none", addressing: "none" },
};

const TLS_KINDS: readonly ErrorKind[] = ["tls", "plain-http"];
const ADDRESSING_KINDS: readonly ErrorKind[] = ["addressing", "no-such-bucket", "dns"];

/** A request that failed through the component's own client: its client's setting is what to change. */
function clientFinding(component: ComponentName, client: ComponentClient, kind: ErrorKind): { cause: Cause; remedy: Remedy } {
  const settings = CLIENT_SETTINGS[component];
  const setting = TLS_KINDS.includes(kind) ? settings.tls : ADDRESSING_KINDS.includes(kind) ? settings.addressing : settings.endpoint;
  const finding = findingWith("component-client");
  return {
    cause: finding.cause,
    remedy: { ...finding.remedy, settings: [setting], value: `${client.endpoint} (${client.forcePathStyle ? "path-style" : "virtual-hosted"})` },
  };
}

const CHECKSUM_KINDS: readonly ErrorKind[] = ["not-implemented", "unexpected"];

/** The cause and fix of a request sent in the component's shape that the store refused. */
function shapeFinding(
  component: ComponentName,
  shape: { request: ShapeRequest; client: ComponentClient; ownClient: boolean },
  observation: Observation,
  context: { bucket: string; keysWork: boolean },
) {
  const { bucket } = context;
  const { request } = shape;
  if (observation.outcome === "denied") {
    if (request.kind === "list") {
      const condition = {
        operator: "StringLike",
        key: "s3:prefix",
        values: [`${request.prefix.slice(0, request.prefix.indexOf(".kfp-s3-probe/"))}*`],
      };
      return findingWith("missing-action", { actions: ["s3:ListBucket"], resource: `arn:aws:s3:::${bucket}`, condition });
    }
    const action = request.kind === "head-bucket" ? OPERATIONS["head-bucket"].action : OPERATIONS.put.action;
    const resource =
      request.kind === "put-content-md5"
        ? `arn:aws:s3:::${bucket}/${request.key.slice(0, request.key.indexOf(".kfp-s3-probe/"))}*`
        : `arn:aws:s3:::${bucket}`;
    return findingWith("missing-action", { actions: [action], resource });
  }
  const kind = observation.errorKind ?? "unexpected";
  if (request.kind === "put-content-md5" && CHECKSUM_KINDS.includes(kind)) {
    const finding = findingWith("checksum-rejected");
    return { ...finding, remedy: { ...finding.remedy, settings: ["Content-MD5"] } };
  }
  if (!shape.ownClient && kind !== "signature") return clientFinding(component, shape.client, kind);
  // The store took other requests these keys signed: this one was changed on the way (mangled-requests), the secret is right.
  if (kind === "signature" && context.keysWork) return mangledFinding();
  return errorFindingOf(kind, observation.bucketRegion);
}

export interface ComponentEvidence {
  /** The judged cells of the identities the components run as. */
  results: readonly CheckResult[];
  /** What each request sent in a component's shape observed, by its id. */
  shapes: ReadonlyMap<string, Observation>;
  /** The request sent for each id (shapesOf's), where several plans share one. */
  sent?: ReadonlyMap<string, PlannedShape>;
  bucket: string;
}

/** The identity's judged cell of an operation: the bucket's, or the one under the prefix's longest target among its own. */
function cellOf(results: readonly CheckResult[], identity: string, operation: Operation, prefix: string | null): CheckResult | undefined {
  const mine = results.filter((r) => r.identity === identity && r.operation === operation);
  if (prefix === null) return mine.find((r) => r.target === null);
  const covering = mine.filter(
    (r) => r.target && ["own", "all-profiles", "backend-only"].includes(r.target.relation) && prefix.startsWith(r.target.prefix),
  );
  return covering.sort((a, b) => (b.target?.prefix.length ?? 0) - (a.target?.prefix.length ?? 0))[0];
}

type Decided = { failure: Omit<ComponentFailure, "call" | "purpose" | "effect"> } | "works" | "undecided";

function decidedByCell(decider: Extract<Decider, { by: "check" }>, identity: string, evidence: ComponentEvidence): Decided {
  const cell = cellOf(evidence.results, identity, decider.operation, decider.prefix);
  if (!cell || cell.verdict === "not-run" || cell.verdict === "ambiguous") return "undecided";
  if (!VERDICTS[cell.verdict].failing || cell.verdict === "leak" || !cell.cause || !cell.remedy) return "works";
  const outcome: ComponentFailure["outcome"] = cell.observation.outcome === "error" ? "error" : "denied";
  const { errorKind } = cell.observation;
  const failure = {
    operation: decider.operation,
    prefix: cell.target?.prefix ?? null,
    shape: null,
    outcome,
    cause: cell.cause,
    remedy: cell.remedy,
    evidence: cell.observation.evidence,
  };
  return { failure: errorKind ? { ...failure, errorKind } : failure };
}

function decidedByShape(decider: Extract<Decider, { by: "shape" }>, component: ComponentName, evidence: ComponentEvidence): Decided {
  const observation = evidence.shapes.get(decider.shape.id);
  // The request sent for this id (a listing of the same prefix and delimiter for another component may have had another page size).
  const sent = evidence.sent?.get(decider.shape.id) ?? decider.shape;
  if (!observation || observation.outcome === "ambiguous" || observation.outcome === "not-run") return "undecided";
  if (observation.outcome === "allowed") return "works";
  const outcome: ComponentFailure["outcome"] = observation.outcome;
  const { request, client } = sent;
  const prefix = request.kind === "list" ? request.prefix : request.kind === "put-content-md5" ? request.key : null;
  const keysWork = evidence.results.some((r) => r.identity === sent.identity && r.observation.outcome === "allowed");
  const { cause, remedy } = shapeFinding(component, sent, observation, { bucket: evidence.bucket, keysWork });
  const shape: SentShape = { request, addressing: client.forcePathStyle ? "path" : "virtual-host", endpoint: client.endpoint };
  const failure = { operation: null, prefix, shape, outcome, cause, remedy, evidence: observation.evidence };
  return { failure: observation.errorKind ? { ...failure, errorKind: observation.errorKind } : failure };
}

function decide(planned: PlannedRequest, plan: ComponentPlan, evidence: ComponentEvidence): Decided {
  const { decider } = planned;
  if (decider.by === "none") return "undecided";
  return decider.by === "check" ? decidedByCell(decider, plan.identity, evidence) : decidedByShape(decider, plan.component, evidence);
}

/** A failure of the launcher's session as a whole, before any request: on its first request, with no cell and no shape. */
function sessionFailureOn(
  plan: ComponentPlan,
  failure: Pick<ComponentFailure, "outcome" | "cause" | "remedy" | "effect" | "fallback" | "refused">,
): ComponentFailure | null {
  const [first] = plan.requests;
  if (!first) return null;
  const { call, purpose } = first.request;
  return { call, purpose, operation: null, prefix: null, shape: null, ...failure, evidence: [] };
}

/** A launcher with KFP's built-in session: it fails as a whole, before any request; the fix is the namespace's ConfigMap. */
function fallbackFailure(plan: ComponentPlan, fallback: NonNullable<ComponentPlan["fallback"]>): ComponentFailure | null {
  const { session } = fallback;
  const { cause, remedy } = findingWith("launcher-config-missing", { value: fallback.expected });
  return sessionFailureOn(plan, {
    outcome: "misdirected",
    fallback: { root: `minio://${session.bucket ?? ""}/${session.root.replace(/\/$/, "")}`, endpoint: session.endpoint ?? "" },
    cause,
    remedy: { ...remedy, settings: [`kfp-launcher ConfigMap in namespace ${fallback.namespace}: defaultPipelineRoot`] },
    effect: "artifacts-elsewhere",
  });
}

/** The launcher cannot open the bucket: gocloud's URL opener refuses its root's query parameters ("unknown query parameter"). */
function refusedRootFailure(plan: ComponentPlan, refusedRoot: NonNullable<ComponentPlan["refusedRoot"]>): ComponentFailure | null {
  const { cause, remedy } = findingWith("launcher-root-parameters", { value: `?${refusedRoot.fixed}` });
  return sessionFailureOn(plan, {
    outcome: "unopened",
    refused: refusedRoot.refused,
    cause,
    remedy: { ...remedy, settings: [refusedRoot.source] },
    effect: "bucket-not-opened",
  });
}

/** A launcher whose session fails before any request: KFP's built-in one, or a root its URL opener refuses. */
function sessionFailure(plan: ComponentPlan): ComponentFailure | null {
  if (plan.fallback) return fallbackFailure(plan, plan.fallback);
  return plan.refusedRoot ? refusedRootFailure(plan, plan.refusedRoot) : null;
}

/**
 * A failure KFP only logs and goes on from: a refusal of a request the table marks so. A request that
 * failed through the component's own client (its TLS, its addressing, its endpoint) stays a failure:
 * that client's other requests fail the same way, though the probe's cells decide them.
 */
const onlyWarns = (request: ComponentRequest, failure: Pick<ComponentFailure, "outcome">): boolean =>
  request.failureIs === "warning" && failure.outcome === "denied";

/** One component's verdict for one identity. */
export function judgeComponent(plan: ComponentPlan, evidence: ComponentEvidence): ComponentVerdict {
  const failing: ComponentFailure[] = [];
  const session = sessionFailure(plan);
  if (session) failing.push(session);
  let undecided = 0;
  const warnings: ComponentFailure[] = [];
  for (const planned of plan.requests) {
    const decided = decide(planned, plan, evidence);
    if (decided === "undecided") undecided++;
    if (typeof decided === "string") continue;
    const { call, purpose } = planned.request;
    const warns = onlyWarns(planned.request, decided.failure);
    const effect = warns ? "warns-at-start" : effectOf(plan.component, call);
    (warns ? warnings : failing).push({ call, purpose, ...decided.failure, effect });
  }
  const first = failing[0];
  return {
    identity: plan.identity,
    component: plan.component,
    kfp: plan.era,
    works: failing.length === 0,
    failing,
    ...(warnings.length > 0 ? { warnings } : {}),
    effect: first?.effect ?? null,
    fix: first?.remedy ?? null,
    undecided,
    ...unjudgedOf(plan, failing.length + warnings.length, undecided),
  };
}

/** A component none of whose requests this run decided: it is not said to work. */
function unjudgedOf(plan: ComponentPlan, failed: number, undecided: number): Pick<ComponentVerdict, "unjudged"> {
  if (failed > 0 || plan.requests.length === 0 || undecided < plan.requests.length) return {};
  return { unjudged: plan.otherBucket ? { reason: "other-bucket", bucket: plan.otherBucket } : { reason: "nothing-decided" } };
}

/** Every planned component's verdict. */
export function judgeComponents(plans: readonly ComponentPlan[], evidence: ComponentEvidence): ComponentVerdict[] {
  const sent = new Map(shapesOf(plans).map((shape) => [shape.id, shape]));
  return plans.map((plan) => judgeComponent(plan, { ...evidence, sent }));
}

/** Causes that only a component's own shape shows: a denial, its own client's settings, a checksum header the store refuses. */
const SHAPE_CAUSES: ReadonlySet<Cause> = new Set<Cause>(["missing-action", "component-client", "checksum-rejected"]);

/**
 * Failures that no cell says: decided by a request in a component's own shape, or a launcher sent
 * elsewhere by KFP's built-in session; they count toward the exit code on their own. A store failure
 * through the probe's own client (a connection, a mangled signature) is the cells' to tell, and the
 * exit code stays theirs (3 where they cannot connect).
 */
export const ownFailures = (verdicts: readonly ComponentVerdict[]): number =>
  verdicts.reduce((count, verdict) => count + verdict.failing.filter(isOwnShapeFailure).length, 0);

/** A failure only the component's own shape, or its own session, showed. */
const isOwnFailure = (failure: Pick<ComponentFailure, "shape" | "cause" | "outcome">): boolean =>
  failure.outcome === "misdirected" || failure.outcome === "unopened" || (failure.shape !== null && SHAPE_CAUSES.has(failure.cause));

/** An own failure that counts (see ownFailures): a muted one (a report's) does not. */
const isOwnShapeFailure = (failure: Pick<ComponentFailure, "shape" | "cause" | "outcome"> & { muted?: object }): boolean =>
  !failure.muted && isOwnFailure(failure);

/** A failure the store's answer to every request explains (a connection, a mangled signature): the run's findings say it, once. */
export const isStoreFailure = (failure: Pick<ComponentFailure, "shape" | "cause" | "outcome">): boolean =>
  failure.outcome === "error" && !isOwnFailure(failure);
