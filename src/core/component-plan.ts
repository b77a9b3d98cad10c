// What decides, per identity, each request KFP's components send in a release (COMPONENTS): the
// probe's cell where the IAM request is the same, or a request of its own in the component's shape
// where the shape differs (a listing's prefix, delimiter and page size, Content-MD5, the client's
// addressing and endpoint), sent through the component's own client settings (issue 23).
import { COMPONENT_NAMES, COMPONENTS, type ComponentName, type ComponentRequest, eraOf, type KeyArea } from "./components.js";
import { type LauncherSession, refusedRootParameters } from "./launcher.js";
import { canaryKey, type KeyLayout, kfpRoot, runNamespace } from "./layout.js";
import type { Operation } from "./operations.js";
import type { Role } from "./plan.js";

/** How a component's client reaches the store: where (with scheme), and whether the bucket is in the path. */
export interface ComponentClient {
  endpoint: string;
  forcePathStyle: boolean;
}

/** A request the probe sends in a component's own shape, where its generic one differs. */
export type ShapeRequest =
  | { kind: "list"; prefix: string; delimiter: "/" | null; maxKeys: number | null }
  | { kind: "put-content-md5"; key: string }
  | { kind: "head-bucket" };

export interface PlannedShape {
  /** The same request through the same client, for the same identity, is sent once. */
  id: string;
  identity: string;
  request: ShapeRequest;
  client: ComponentClient;
  /** The client is the probe's own. */
  ownClient: boolean;
}

/** What decides one request: the probe's cell, a shape request, or nothing in this run (and why). */
export type Decider =
  | { by: "check"; operation: Operation; prefix: string | null }
  | { by: "shape"; shape: PlannedShape }
  | { by: "none"; why: "not-probed" | "outside-layout" | "elsewhere" | SessionProblem["why"] };

export interface PlannedRequest {
  request: ComponentRequest;
  decider: Decider;
}

export interface ComponentPlan {
  identity: string;
  component: ComponentName;
  /** The era of the table the requests are from (its kfp text). */
  era: string;
  client: ComponentClient;
  requests: PlannedRequest[];
  /**
   * No ConfigMap for the launcher's namespace: its session is KFP's built-in default, at another store
   * or bucket; `expected` is the root the layout's installer would have set.
   */
  fallback?: { session: LauncherSession; namespace: string; expected: string };
  /** The launcher's root has query parameters its URL opener refuses: it cannot open the bucket; `fixed` is the query it takes. */
  refusedRoot?: { refused: string[]; fixed: string; source: string };
  /** The launcher's root is in this other bucket, which the run does not probe: its requests are not decided. */
  otherBucket?: string;
}

export interface ComponentSettings {
  /** X.Y, one of KFP_RELEASES. */
  release: string;
  layout: KeyLayout;
  bucket: string;
  runId: string;
  /** The probe's own client. */
  probe: ComponentClient;
  /** No writes (--read-only): no Content-MD5 upload. */
  readOnly: boolean;
  /** Each profile's v2 launcher session. */
  launcher: (profile: string) => LauncherSession;
}

const isAmazon = (endpoint: string): boolean => new URL(endpoint).hostname.endsWith(".amazonaws.com");

/** The component's client: the launcher's from its session, the others' addressing from the table, all at the probe's endpoint. */
function clientOf(
  component: ComponentName,
  era: NonNullable<ReturnType<typeof eraOf>>,
  profile: string | null,
  settings: ComponentSettings,
): ComponentClient {
  const { probe } = settings;
  if (component === "v2-launcher" && profile !== null) {
    const session = settings.launcher(profile);
    const standIn = session.tls === null ? probe.endpoint : probe.endpoint.replace(/^https?:/, session.tls ? "https:" : "http:");
    // KFP's built-in session on this bucket (launcherProblem): the probe's endpoint stands in for its in-cluster name.
    const endpoint = session.origin === "kfp-default" ? standIn : (session.endpoint ?? standIn);
    return { endpoint, forcePathStyle: session.forcePathStyle };
  }
  const { addressing } = era.client;
  if (addressing === "path") return { endpoint: probe.endpoint, forcePathStyle: true };
  if (addressing === "virtual-host") return { endpoint: probe.endpoint, forcePathStyle: false };
  // auto: virtual-hosted for Amazon's endpoints only (minio-go, minio-js); unknown: the probe's, claiming no difference.
  if (addressing === "auto") return { endpoint: probe.endpoint, forcePathStyle: !isAmazon(probe.endpoint) };
  return probe;
}

/** The prefix under which the component's requests to an area lie, for this identity; null where it is none of the layout's. */
function areaPrefix(area: KeyArea, component: ComponentName, profile: string | null, settings: ComponentSettings): string | null {
  const { layout } = settings;
  if (area === "pipelines") return layout.backendPrefixes[0] ?? null;
  if (area === "v1-artifacts") return kfpRoot(layout, "v1", profile);
  if (area === "v2-artifacts" || area === "artifacts") {
    if (component === "v2-launcher" && profile !== null) return settings.launcher(profile).root;
    return kfpRoot(layout, "v2", profile);
  }
  return null;
}

const sameClient = (a: ComponentClient, b: ComponentClient) => a.endpoint === b.endpoint && a.forcePathStyle === b.forcePathStyle;

/** A listing's page size is left out of its id: the same prefix and delimiter decide the same for IAM (s3:max-keys is not a condition KFP's policies use). */
function shape(identity: string, request: ShapeRequest, client: ComponentClient, settings: ComponentSettings): PlannedShape {
  const fields = request.kind === "list" ? [request.kind, request.prefix, request.delimiter].join("|") : Object.values(request).join("|");
  return {
    id: `${identity}|${client.endpoint}|${client.forcePathStyle}|${fields}`,
    identity,
    request,
    client,
    ownClient: sameClient(client, settings.probe),
  };
}

interface Planning {
  identity: string;
  component: ComponentName;
  profile: string | null;
  client: ComponentClient;
  settings: ComponentSettings;
}

/** A listing in the component's shape: below the area, inside the run's namespace, with its delimiter, page size and trailing slash. */
function listShape(request: ComponentRequest, prefix: string, p: Planning): PlannedShape {
  const slash = request.key.endsWith("/") ? "/" : "";
  const listed = `${runNamespace(prefix, p.settings.runId)}artifact${slash}`;
  const { delimiter = null, maxKeys = "not set" } = request.list ?? {};
  return shape(p.identity, { kind: "list", prefix: listed, delimiter, maxKeys: maxKeys === "not set" ? null : maxKeys }, p.client, p.settings);
}

function deciderOf(request: ComponentRequest, p: Planning): Decider {
  if (request.at === "elsewhere") return { by: "none", why: "elsewhere" };
  const prefix = request.at === "bucket" ? null : areaPrefix(request.at, p.component, p.profile, p.settings);
  if (request.at !== "bucket" && prefix === null) return { by: "none", why: "outside-layout" };
  if (request.call === "ListObjectsV2" && prefix !== null) return { by: "shape", shape: listShape(request, prefix, p) };
  const md5 = request.call === "PutObject" && request.headers.contentMd5 === true && prefix !== null && !p.settings.readOnly;
  if (md5)
    return {
      by: "shape",
      shape: shape(
        p.identity,
        { kind: "put-content-md5", key: canaryKey(prefix, p.settings.runId, `${p.identity}-content-md5`) },
        p.client,
        p.settings,
      ),
    };
  // HeadBucket through a client other than the probe's: its addressing or endpoint is what differs.
  if (request.call === "HeadBucket" && !sameClient(p.client, p.settings.probe))
    return { by: "shape", shape: shape(p.identity, { kind: "head-bucket" }, p.client, p.settings) };
  const { operation } = request.probe;
  return operation === null ? { by: "none", why: "not-probed" } : { by: "check", operation, prefix };
}

/** The requests of a component's era that this install sends: the CRC32 upload only where the launcher's root has a query string. */
function sentHere(request: ComponentRequest, component: ComponentName, profile: string | null, settings: ComponentSettings): boolean {
  if (request.onlyIf !== "root-query-string") return true;
  return component === "v2-launcher" && profile !== null && settings.launcher(profile).queryString;
}

type SessionProblem = { why: "other-bucket" | "no-config-map" | "bucket-not-opened" } & Pick<
  ComponentPlan,
  "fallback" | "refusedRoot" | "otherBucket"
>;

/**
 * Where the launcher's session does not reach the bucket the probe checks: KFP's built-in default
 * (no ConfigMap for the namespace: a failure, unless this bucket is its mlpipeline, taken for the
 * same store whatever the probe's endpoint is called: a port-forward, a Service alias), a root whose
 * query string the release's URL opener refuses (a failure), or a ConfigMap's root in another
 * bucket (its requests are not decided here).
 */
function launcherProblem(component: ComponentName, profile: string | null, settings: ComponentSettings): SessionProblem | null {
  if (component !== "v2-launcher" || profile === null) return null;
  const session = settings.launcher(profile);
  const here = session.bucket === null || session.bucket === settings.bucket;
  const refused = refusedRootParameters(settings.release, session);
  if (refused) return { why: "bucket-not-opened", refusedRoot: { ...refused, source: session.source } };
  if (here) return null;
  if (session.origin !== "kfp-default") return { why: "other-bucket", ...(session.bucket ? { otherBucket: session.bucket } : {}) };
  // The root the installer would set: s3:// on Amazon's S3 (KFP's s3 provider), minio:// elsewhere.
  const scheme = isAmazon(settings.probe.endpoint) ? "s3" : "minio";
  const expected = `${scheme}://${settings.bucket}/${kfpRoot(settings.layout, "v2", profile).replace(/\/$/, "")}`;
  return { why: "no-config-map", fallback: { session, namespace: profile, expected } };
}

/** Every component that runs with this identity's keys in the release and sends a request, with what decides each. */
export function planComponents(identity: string, role: Role, settings: ComponentSettings): ComponentPlan[] {
  if (role.kind === "anonymous") return [];
  const profile = role.kind === "profile" ? role.profile : null;
  return COMPONENT_NAMES.flatMap((component) => {
    const era = eraOf(component, settings.release);
    if (!era || era.requests.length === 0 || COMPONENTS[component].identity !== role.kind) return [];
    const client = clientOf(component, era, profile, settings);
    const p: Planning = { identity, component, profile, client, settings };
    const { why, ...problem } = launcherProblem(component, profile, settings) ?? { why: null };
    const requests = era.requests
      .filter((r) => sentHere(r, component, profile, settings))
      .map((request): PlannedRequest => ({ request, decider: why ? { by: "none", why } : deciderOf(request, p) }));
    return [{ identity, component, era: era.kfp, client, requests, ...problem }];
  });
}

/** Each shape request once, in the order the plans name them. */
export function shapesOf(plans: readonly ComponentPlan[]): PlannedShape[] {
  const shapes = new Map<string, PlannedShape>();
  for (const plan of plans) for (const { decider } of plan.requests) if (decider.by === "shape") shapes.set(decider.shape.id, decider.shape);
  return [...shapes.values()];
}
