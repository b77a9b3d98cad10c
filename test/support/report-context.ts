// The run around a report built in a unit test: team-1's keys against a store on 127.0.0.1.
import type { ReportComponent, ReportContext } from "../../src/report/model.js";

/** Any group of the context, or a part of the run's, the store's or the options' group. */
type Overrides = Omit<Partial<ReportContext>, "run" | "store" | "options"> & {
  run?: Partial<ReportContext["run"]>;
  store?: Partial<ReportContext["store"]>;
  options?: Partial<ReportContext["options"]>;
};

export function reportContext({ run, store, options, ...groups }: Overrides = {}): ReportContext {
  return {
    run: { toolVersion: "0.1.0", runId: "r1", startedAt: new Date(0), finishedAt: new Date(1500), ...run },
    store: { endpoint: "http://127.0.0.1:9000", bucket: "kfp", region: "us-east-1", forcePathStyle: true, ...store },
    options: { layout: "deploykf", readOnly: false, strict: false, ...options },
    identities: [{ name: "team-1", role: { kind: "profile", profile: "team-1" }, credentialSource: "dir", accessKeyIdHint: "…ABCD" }],
    ...groups,
  };
}

/** A KFP component of team-1's that works, as the report has it (KFP 2.17). */
export function workingComponent(component: ReportComponent["component"]): ReportComponent {
  return { identity: "team-1", component, kfp: "2.17.x", works: true, failing: [], effect: null, fix: null, undecided: 0 };
}
