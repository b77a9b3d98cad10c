// Phase 3e: the requests KFP's components send in a shape the probe's generic requests do not share
// (a listing's prefix, delimiter and page size; Argo's Content-MD5; a component's own endpoint and
// addressing), each once per identity, through the component's client (issue 23). The rest of each
// component's requests are decided on the probe's cells (src/core/component-verdicts.ts).
import { type ComponentSettings, type PlannedShape, planComponents, shapesOf } from "../../core/component-plan.js";
import type { Target } from "../../core/plan.js";
import type { Observation } from "../../core/verdict.js";
import type { S3Port } from "../port.js";
import type { ProbeIdentity, RunState } from "../run-state.js";

/** The components of every prober, for the release and sessions the run was given. */
export function planRunComponents(state: RunState): void {
  const given = state.options.components;
  if (!given) return;
  const { layout, runId, readOnly, bucket } = state.options;
  const settings: ComponentSettings = { ...given, layout, runId, readOnly, bucket };
  state.componentPlans = state.probers().flatMap((prober) => planComponents(prober.name, prober.role, settings));
}

/** The prober's own target a key lies under (its cleaners), the longest. */
function ownTargetOf(state: RunState, prober: ProbeIdentity, key: string): Target | undefined {
  const targets = state.planOf(prober).targets.filter((t) => t.relation === "own" && key.startsWith(t.prefix));
  return targets.sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

async function sendShape(state: RunState, prober: ProbeIdentity, shape: PlannedShape): Promise<Observation> {
  const port: S3Port = shape.ownClient || !prober.portFor ? prober.port : prober.portFor(shape.client);
  const { request } = shape;
  const via = shape.ownClient ? "" : ` via ${shape.client.endpoint} (${shape.client.forcePathStyle ? "path-style" : "virtual-hosted"})`;
  if (request.kind === "head-bucket") return (await state.request(`HeadBucket${via}`, undefined, "bucket", (s) => port.headBucket(s))).observation;
  if (request.kind === "list") {
    const shown = `ListObjectsV2 prefix=${request.prefix}${request.delimiter ? ` delimiter=${request.delimiter}` : ""} max-keys=${request.maxKeys ?? "not set"}${via}`;
    const options = request.delimiter ? { delimiter: request.delimiter } : {};
    return (await state.request(shown, undefined, "bucket", (s) => port.listObjects(request.prefix, request.maxKeys ?? undefined, s, options)))
      .observation;
  }
  const target = ownTargetOf(state, prober, request.key);
  if (!target) return { outcome: "not-run", reason: `${request.key} is under none of ${prober.name}'s own prefixes`, evidence: [] };
  const writer: ProbeIdentity = { ...prober, port };
  const body = state.canaryBody("canary with Content-MD5");
  const { put } = await state.writeProbeObject(writer, target, request.key, body, `PutObject (Content-MD5)${via}`, { contentMd5: true });
  return put.observation;
}

/** The prober's shape requests, at once; each observation is kept by its id. */
export async function sendComponentShapes(state: RunState, prober: ProbeIdentity): Promise<void> {
  const shapes = shapesOf(state.componentPlans.filter((plan) => plan.identity === prober.name));
  await Promise.all(
    shapes.map(async (shape) => {
      state.shapeObservations.set(shape.id, await sendShape(state, prober, shape));
    }),
  );
}
