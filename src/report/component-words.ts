// The words of the per-component verdicts (issue 23): what users see when a component's request
// fails, and the text report's lines, one per failing component, or one that says all work.
import { type ComponentEffect, type ComponentFailure, isStoreFailure } from "../core/component-verdicts.js";
import { failsAndCounts, isMutedComponent, isWorking, type Report, type ReportComponent } from "./model.js";

/** What KFP's users see, one phrase per effect. */
const EFFECT_WORDS: Record<ComponentEffect, string> = {
  "stops-at-start": "it does not start (the bucket check at start fails)",
  "region-unknown": "it cannot learn the bucket's region",
  "bucket-not-created": "it cannot create a missing bucket",
  "inputs-not-downloaded": "a task's input artifacts cannot be downloaded",
  "outputs-not-uploaded": "a task's output artifacts cannot be uploaded",
  "large-outputs-not-uploaded": "large outputs (uploaded in parts) cannot be uploaded",
  "failed-uploads-leave-parts": "a failed upload leaves its parts behind",
  "artifacts-not-shown": "the UI cannot show or download an artifact",
  "artifacts-not-served": "run artifacts and archived logs cannot be read through the API",
  "pipeline-specs-not-stored": "pipelines cannot be uploaded",
  "pipeline-specs-not-deleted": "pipeline versions cannot be deleted",
  "artifacts-elsewhere": "its tasks read and write their artifacts elsewhere, not in this bucket",
  "bucket-not-opened": "every task fails before its first request: the launcher cannot open the bucket",
  "warns-at-start": "it logs a warning at start and goes on (its bucket check fails)",
};

/** The request as it was sent: the call, and what in its shape differs from the probe's own (its client only where it is another). */
function requestWords(failure: ComponentFailure, probeEndpoint: string): string {
  const { shape } = failure;
  if (!shape) return `${failure.call} under ${failure.prefix ?? "the bucket"} (the ${failure.operation ?? "same"} cell)`;
  const { request } = shape;
  const via = shape.endpoint === probeEndpoint ? "" : `, ${shape.addressing === "path" ? "path-style" : "virtual-hosted"} at ${shape.endpoint}`;
  if (request.kind === "list") {
    const delimiter = request.delimiter ? `delimiter ${request.delimiter}` : "no delimiter";
    return `${failure.call} prefix=${request.prefix} (${delimiter}, max-keys ${request.maxKeys ?? "not set"}${via})`;
  }
  if (request.kind === "put-content-md5") return `${failure.call} with Content-MD5 (${request.key}${via})`;
  return `${failure.call}${via ? ` (${via.slice(2)})` : ""}`;
}

const outcomeWords = (failure: ComponentFailure): string => (failure.outcome === "denied" ? "denied" : `failed (${failure.errorKind ?? "error"})`);

/** A launcher whose session fails before any request: where KFP's built-in one sends instead, or what its URL opener refuses. */
function sessionWords({ outcome, fallback, refused = [] }: ComponentFailure): string | null {
  if (outcome === "misdirected")
    return `no kfp-launcher ConfigMap for its namespace, so KFP's built-in session sends to ${fallback?.root ?? "its default root"} at ${fallback?.endpoint ?? "its default endpoint"}`;
  if (outcome === "unopened")
    return `gocloud's URL opener refuses its root's query parameter${refused.length > 1 ? "s" : ""} ${refused.join(", ")} (unknown query parameter)`;
  return null;
}

/** What fails in a component: what users see, on which request and shape, the cause and the fix; "works" where nothing does. */
export function failureWords(component: ReportComponent, probeEndpoint: string): string {
  return component.failing.length === 0 ? "works" : wordsOf(component.failing, probeEndpoint);
}

/** What a component warns of where it goes on (the API server's bucket check from 2.16); "" where nothing. */
export function warningWords(component: ReportComponent, probeEndpoint: string): string {
  return component.warnings?.length ? wordsOf(component.warnings, probeEndpoint) : "";
}

/** A failing component in one phrase: what fails, then what it warns of too (JUnit's failure, HTML's row). */
export function failingWords(component: ReportComponent, probeEndpoint: string): string {
  const warning = warningWords(component, probeEndpoint);
  return `${failureWords(component, probeEndpoint)}${warning ? `; it also warns: ${warning}` : ""}`;
}

function wordsOf(failures: ReportComponent["failing"], probeEndpoint: string): string {
  // The first failure that counts (a muted one is said only where all are).
  const first = failures.find((f) => !f.muted) ?? failures[0];
  if (!first) return "";
  const others = failures.length - 1;
  const more = others > 0 ? ` (and ${others} more request${others > 1 ? "s" : ""})` : "";
  // A store failure (a connection, a mangled signature) is said once, by the findings.
  const why = isStoreFailure(first) ? ": the findings below say why" : ` [${first.cause}]${first.hint ? `; fix: ${first.hint}` : ""}`;
  const what = sessionWords(first) ?? `${requestWords(first, probeEndpoint)} ${outcomeWords(first)}`;
  return `${EFFECT_WORDS[first.effect]}: ${what}${more}${why}`;
}

/** Why nothing of a component was decided, in words. */
export function unjudgedWords(component: ReportComponent): string {
  const { unjudged } = component;
  if (unjudged?.reason === "other-bucket")
    return `its pipeline root is in bucket ${unjudged.bucket}, which this run did not probe: run it with --bucket ${unjudged.bucket} too`;
  return "none of its requests could be decided in this run";
}

/** One line for a failing component: who, and what fails. */
function failingComponentLine(component: ReportComponent, probeEndpoint: string): string {
  if (component.failing.length === 0) return `${component.component} (${component.identity}) works`;
  return `FAILS  ${component.component} with ${component.identity}'s keys: ${failureWords(component, probeEndpoint)}`;
}

/** The text report's component lines: a line per failing component, then one that counts those that work. */
export function componentLines(report: Report): string[] {
  const components = report.components;
  if (!components || components.length === 0) return [];
  const release = report.settings["kfp-version"]?.value;
  const head = `components${release ? ` (KFP ${String(release)})` : ""}:`;
  const failing = components.filter(failsAndCounts);
  const muted = components.filter(isMutedComponent);
  const working = components.filter(isWorking);
  const unjudged = components.filter((c) => c.unjudged);
  const byIdentity = new Map<string, string[]>();
  for (const c of working) byIdentity.set(c.identity, [...(byIdentity.get(c.identity) ?? []), c.component]);
  const names = [...byIdentity].map(([identity, list]) => `${list.join(", ")} (${identity})`).join("; ");
  const count = working.length === components.length ? `all ${components.length} work` : `${working.length} of ${components.length} work`;
  const endpoint = report.store.endpoint;
  const warning = components.filter((c) => c.warnings?.length);
  return [
    `${head} ${count}${names ? `: ${names}` : ""}`,
    ...failing.map((c) => `  ${failingComponentLine(c, endpoint)}`),
    ...muted.map((c) => `  MUTED  ${c.component} with ${c.identity}'s keys: ${failureWords(c, endpoint)}`),
    ...warning.map((c) => `  WARNS  ${c.component} with ${c.identity}'s keys: ${warningWords(c, endpoint)}`),
    ...unjudged.map((c) => `  NOT JUDGED  ${c.component} with ${c.identity}'s keys: ${unjudgedWords(c)}`),
  ];
}
