// sweep on the in-memory store: what killed runs left, found under every namespace at once and
// reported in the namespaces' order; with delete, removed, and nothing outside a probe namespace.
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { deeperMarkerKey, deeperNamespaceOf } from "../../src/core/sweep-rules.js";
import { type SweepOptions, sweep } from "../../src/probe/sweep.js";
import { MemoryStore, within } from "../../testkit/memory-store.js";
import { WaveClock } from "../../testkit/waves.js";

const OLD_RUN = "20200101T000000Z-aaaaaaaaaaaa";
const LEFT = [
  `pipelines/.kfp-s3-probe/${OLD_RUN}/backend`,
  `artifacts/.kfp-s3-probe/${OLD_RUN}/backend-crc32`,
  `artifacts/team-1/.kfp-s3-probe/${OLD_RUN}/team-1`,
  `artifacts/team-2/.kfp-s3-probe/${OLD_RUN}/seed`,
  `v2/artifacts/team-2/.kfp-s3-probe/${OLD_RUN}/team-2`,
];
const KFP = ["artifacts/team-1/run/main.log", "v2/artifacts/team-2/run/out.txt", "pipelines/hello/pipeline.yaml"];

function storeWithLeftovers(): MemoryStore {
  const store = new MemoryStore();
  for (const key of [...LEFT, ...KFP]) store.objects.set(key, new Uint8Array(1));
  return store;
}

const options = (remove: boolean): SweepOptions => ({
  layout: LAYOUTS.deploykf,
  startedBefore: new Date(),
  delete: remove,
  signal: new AbortController().signal,
  requestTimeoutMs: 1000,
});

describe("sweep", () => {
  it("lists every namespace at once and reports what it holds in the namespaces' order", async () => {
    const store = storeWithLeftovers();
    const clock = new WaveClock();
    const backend = { identity: "backend", port: clock.wrap("backend", store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"]))) };
    const report = await clock.run(() => sweep([backend], options(false)));
    expect(report).toMatchObject({ listedBy: "backend", uploadsNotListed: report.namespaces });
    expect(report.runs.map((run) => run.runId)).toEqual([OLD_RUN]);
    expect(report.runs[0]?.keys).toEqual(LEFT);
    // The roots with their folders, then every namespace with who may list open uploads: two waves.
    expect(clock.waves).toBe(2);
    expect(store.objects.size).toBe(LEFT.length + KFP.length);
  });

  it("with delete removes what runs left and nothing else", async () => {
    const store = storeWithLeftovers();
    const backend = { identity: "backend", port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])) };
    const report = await sweep([backend], options(true));
    expect(report.runs[0]?.notRemoved).toEqual([]);
    expect([...store.objects.keys()].sort()).toEqual([...KFP].sort());
  });
});

describe("sweep of a run's deeper namespaces (witnesses)", () => {
  const layout = LAYOUTS.deploykf;
  const marker = deeperMarkerKey("artifacts/team-2/metrics/", OLD_RUN, layout) as string;
  const deep = `artifacts/team-2/metrics/.kfp-s3-probe/${OLD_RUN}/witness`;
  const lookAlike = "artifacts/team-2/metrics/kfp-s3-probe/notes.txt";

  it("the marker names the namespace in its own name, under the folder's namespace", () => {
    expect(marker.startsWith(`artifacts/team-2/.kfp-s3-probe/${OLD_RUN}/deeper.`)).toBe(true);
    expect(deeperNamespaceOf(marker)).toBe(`artifacts/team-2/metrics/.kfp-s3-probe/${OLD_RUN}/`);
    expect(deeperNamespaceOf(`artifacts/team-2/.kfp-s3-probe/${OLD_RUN}/seed`)).toBeUndefined();
    expect(deeperMarkerKey("artifacts/team-2/", OLD_RUN, layout)).toBeUndefined();
    expect(deeperMarkerKey("elsewhere/x/", OLD_RUN, layout)).toBeUndefined();
  });

  it("a killed run's witness object is found from its marker and removed, the marker last; nothing else is touched", async () => {
    const store = storeWithLeftovers();
    for (const key of [marker, deep, lookAlike]) store.objects.set(key, new Uint8Array(1));
    const backend = { identity: "backend", port: store.portFor(within(["pipelines/", "artifacts/", "v2/artifacts/"])) };
    const listed = await sweep([backend], options(false));
    expect(listed.runs[0]?.keys).toContain(deep);
    const report = await sweep([backend], options(true));
    expect(report.runs[0]?.notRemoved).toEqual([]);
    expect([...store.objects.keys()].sort()).toEqual([...KFP, lookAlike].sort());
  });

  it("where the witness object cannot be removed, the marker stays for the next sweep", async () => {
    const store = storeWithLeftovers();
    for (const key of [marker, deep]) store.objects.set(key, new Uint8Array(1));
    const mayNotDeleteDeep = store.portFor((action, key) => !(action === "s3:DeleteObject" && key === deep));
    const report = await sweep([{ identity: "backend", port: mayNotDeleteDeep }], options(true));
    expect(report.runs[0]?.notRemoved.map((n) => n.key).sort()).toEqual([deep, marker].sort());
    expect(store.objects.has(marker)).toBe(true);
  });
});
