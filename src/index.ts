// Library entry: the same pieces the CLI is built from.
export { LAYOUTS, type KeyLayout, type LayoutName } from "./core/layout.js";
export { planFor, type Role, type Expectation, type PlannedCheck } from "./core/plan.js";
export { classify, type ResponseFacts, type ErrorKind } from "./core/classify.js";
export type { CheckResult, Verdict, Observation, Evidence } from "./core/verdict.js";
export { EXIT_CODES, exitCodeFor, countVerdicts } from "./core/summary.js";
export { loadCredentials, type CredentialSource, type LoadedCredentials } from "./credentials/load.js";
export { createS3Client, type StoreSettings } from "./s3/client.js";
export { SdkS3Port } from "./s3/s3-port.js";
export { runProbe, type ProbeIdentity, type ProbeOptions, type ProbeRun } from "./probe/engine.js";
export type { S3Port } from "./probe/port.js";
export { buildReport, type Report } from "./report/model.js";
export { renderText } from "./report/text.js";
