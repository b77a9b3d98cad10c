// Library entry: the same pieces the CLI is built from.

export { classify, type ErrorKind, type ResponseFacts } from "./core/classify.js";
export { EXIT_CODES, exitCodeFor } from "./core/exit-codes.js";
export { type KeyLayout, LAYOUTS, type LayoutName } from "./core/layout.js";
export { type Expectation, type PlannedCheck, planFor, type Role } from "./core/plan.js";
export { countVerdicts } from "./core/summary.js";
export type { CheckResult, Evidence, Observation } from "./core/verdict.js";
export type { Verdict } from "./core/verdicts.js";
export { type CredentialSource, type LoadedCredentials, loadCredentials } from "./credentials/load.js";
export { type ProbeIdentity, type ProbeOptions, type ProbeRun, runProbe } from "./probe/engine.js";
export type { S3Port } from "./probe/port.js";
export { buildReport, type Report } from "./report/model.js";
export { renderText } from "./report/text.js";
export { createS3Client, type StoreSettings } from "./s3/client.js";
export { SdkS3Port } from "./s3/s3-port.js";
