// The run around a report built in a unit test: team-1's keys against a store on 127.0.0.1.
import type { ReportContext } from "../../src/report/model.js";

export function reportContext(overrides: Partial<ReportContext> = {}): ReportContext {
  return {
    toolVersion: "0.1.0",
    runId: "r1",
    startedAt: new Date(0),
    finishedAt: new Date(1500),
    endpoint: "http://127.0.0.1:9000",
    bucket: "kfp",
    region: "us-east-1",
    layout: "deploykf",
    forcePathStyle: true,
    readOnly: false,
    strict: false,
    identities: [{ name: "team-1", role: { kind: "profile", profile: "team-1" }, credentialSource: "dir", accessKeyIdHint: "…ABCD" }],
    ...overrides,
  };
}
