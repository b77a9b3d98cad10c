// Diagnoses across identities: what no single cell says. Keys shared between identities, a
// profile's Secret holding another profile's keys, what anyone can do without keys, an identity
// denied everything, and grants that reach profiles that do not exist. Data only; the report
// words them.
import { type Cause, mangledFinding, publicFinding } from "./cause.js";
import type { ErrorKind } from "./classify.js";
import { OPERATIONS, type Operation } from "./operations.js";
import type { Role } from "./plan.js";
import { isFatalErrorKind } from "./summary.js";
import type { CheckResult } from "./verdict.js";

const DIAGNOSIS_KINDS = ["shared-key", "keys-of-another-profile", "public", "denied-everything", "wildcard-grant", "mangled-requests"] as const;
export type DiagnosisKind = (typeof DIAGNOSIS_KINDS)[number];

export interface Place {
  prefix: string | null;
  operations: Operation[];
}

export interface Diagnosis {
  kind: DiagnosisKind;
  identities: string[];
  profiles: string[];
  /** The prefixes and operations concerned (public, wildcard-grant, keys-of-another-profile). */
  where?: Place[];
  /** shared-key: the last four characters of the shared access key id. */
  accessKeyId?: string;
  /** wildcard-grant: a wildcard (the profile that exists nowhere is reached) or a resource without its slash (near misses only). */
  variant?: "wildcard" | "missing-slash";
  /** mangled-requests: what the requests the store refused the signature of have in common. */
  shape?: RequestShape;
}

/**
 * The requests a store refused the signature of, where the same keys signed others it took: the S3
 * calls, where in the URL their unusual characters ride (a listing's prefix in the query, a key in
 * the path), and which characters those are (what a proxy may decode or re-encode on the way).
 */
interface RequestShape {
  requests: string[];
  parts: ("query" | "path")[];
  characters: string[];
}

export interface DiagnosedIdentity {
  name: string;
  role: Role;
  /** The same for the same access key id, and nothing else (a hash); absent for the anonymous caller. */
  keyFingerprint?: string;
  accessKeyIdHint?: string;
}

const profileOf = (identity: DiagnosedIdentity): string[] => (identity.role.kind === "profile" ? [identity.role.profile] : []);
/** A read or a plain write: what a profile does with its own objects (the pairs matrix's two). */
const isReadOrWrite = (operation: Operation) => operation === "get" || operation === "head" || operation === "put";

function placesOf(results: CheckResult[]): Place[] {
  const byPrefix = new Map<string | null, Operation[]>();
  for (const r of results) byPrefix.set(r.target?.prefix ?? null, [...(byPrefix.get(r.target?.prefix ?? null) ?? []), r.operation]);
  return [...byPrefix].map(([prefix, operations]) => ({ prefix, operations }));
}

function sharedKeys(identities: DiagnosedIdentity[]): Diagnosis[] {
  const byKey = new Map<string, DiagnosedIdentity[]>();
  for (const identity of identities) {
    if (identity.keyFingerprint) byKey.set(identity.keyFingerprint, [...(byKey.get(identity.keyFingerprint) ?? []), identity]);
  }
  return [...byKey.values()]
    .filter((group) => group.length > 1)
    .map((group) => ({
      kind: "shared-key",
      identities: group.map((i) => i.name),
      profiles: group.flatMap(profileOf),
      ...(group[0]?.accessKeyIdHint ? { accessKeyId: group[0].accessKeyIdHint } : {}),
    }));
}

/** Denied its own prefixes, and allowed to read or write another profile's own: that profile's keys. */
function keysOfAnotherProfile(identity: DiagnosedIdentity, mine: CheckResult[]): Diagnosis[] {
  if (identity.role.kind !== "profile") return [];
  const own = mine.filter((r) => r.target?.relation === "own" && isReadOrWrite(r.operation) && r.observation.outcome !== "not-run");
  if (own.length === 0 || own.some((r) => r.observation.outcome !== "denied")) return [];
  const reached = mine.filter(
    (r) => r.target?.relation === "foreign" && r.target.owner && isReadOrWrite(r.operation) && r.observation.outcome === "allowed",
  );
  const owners = [...new Set(reached.map((r) => r.target?.owner as string))];
  if (owners.length === 0) return [];
  return [{ kind: "keys-of-another-profile", identities: [identity.name], profiles: owners, where: placesOf(reached) }];
}

/** Every request denied, its own included (not errors: a store that is down answers otherwise). */
function deniedEverything(identity: DiagnosedIdentity, mine: CheckResult[]): Diagnosis[] {
  if (identity.role.kind === "anonymous") return [];
  const answered = mine.filter((r) => r.observation.outcome !== "not-run" && r.observation.outcome !== "ambiguous");
  const required = answered.filter((r) => r.expectation === "required");
  if (required.length === 0 || answered.some((r) => r.observation.outcome !== "denied")) return [];
  return [{ kind: "denied-everything", identities: [identity.name], profiles: profileOf(identity) }];
}

/** Leaks into the profile that exists nowhere (a wildcard) or into near-miss names only (a resource without its slash). */
function wildcardGrant(identity: DiagnosedIdentity, mine: CheckResult[]): Diagnosis[] {
  const leaks = mine.filter((r) => r.verdict === "leak" && (r.target?.relation === "unowned" || r.target?.relation === "near-miss"));
  if (identity.role.kind === "anonymous" || leaks.length === 0) return [];
  const variant = leaks.some((r) => r.target?.relation === "unowned") ? "wildcard" : "missing-slash";
  return [{ kind: "wildcard-grant", identities: [identity.name], profiles: profileOf(identity), where: placesOf(leaks), variant }];
}

function publicAccess(identity: DiagnosedIdentity, mine: CheckResult[]): Diagnosis[] {
  if (identity.role.kind !== "anonymous") return [];
  const allowed = mine.filter((r) => r.observation.outcome === "allowed");
  if (allowed.length === 0) return [];
  const owners = [...new Set(allowed.flatMap((r) => (r.target?.owner ? [r.target.owner] : [])))];
  return [{ kind: "public", identities: [identity.name], profiles: owners, where: placesOf(allowed) }];
}

const REFUSED_SIGNATURE = "SignatureDoesNotMatch";
/** Characters a URL carries only percent-encoded (all but RFC 3986's unreserved ones). */
const ENCODED_CHARACTERS = /[^A-Za-z0-9\-._~]/g;

/** A cell whose request the store answered without refusing its signature: the keys signed it right. */
const signedRight = (r: CheckResult) => ["allowed", "denied", "ambiguous"].includes(r.observation.outcome) && r.observation.errorKind !== "signature";

/** The identity's cells refused with SignatureDoesNotMatch, where the store took the signature of others. */
function partlyRefused(mine: CheckResult[]): CheckResult[] {
  const refused = mine.filter((r) => r.observation.errorKind === "signature");
  return refused.length > 0 && mine.some(signedRight) ? refused : [];
}

/** What the refused requests carry: a listing's prefix rides in the query, an object's key in the path ("/" is plain there). */
function shapeOf(refused: CheckResult[]): RequestShape {
  const requests = new Set<string>();
  const parts = new Set<"query" | "path">();
  const characters = new Set<string>();
  for (const r of refused) {
    for (const e of r.observation.evidence) if (e.errorName === REFUSED_SIGNATURE) requests.add(e.request.split(" ")[0] ?? e.request);
    const inQuery = OPERATIONS[r.operation].resource !== "object";
    parts.add(inQuery ? "query" : "path");
    const sent = inQuery ? (r.target?.prefix ?? "") : r.observation.evidence.map((e) => e.key ?? "").join("");
    for (const c of sent.match(ENCODED_CHARACTERS) ?? []) if (inQuery || c !== "/") characters.add(c);
  }
  return { requests: [...requests].sort(), parts: [...parts].sort(), characters: [...characters].sort() };
}

/**
 * The keys are right, some requests are mangled: identities whose keys the store took on some
 * requests and refused the signature of others. One diagnosis for them all, naming the refused
 * requests' shape, in place of "the secret key does not match" in every cell.
 */
function mangledRequests(results: CheckResult[], identities: DiagnosedIdentity[]): Diagnosis[] {
  const affected = identities.filter((i) => i.role.kind !== "anonymous");
  const refused = affected.map((i) => ({ identity: i, cells: partlyRefused(results.filter((r) => r.identity === i.name)) }));
  const hit = refused.filter((r) => r.cells.length > 0);
  if (hit.length === 0) return [];
  const cells = hit.flatMap((r) => r.cells);
  return [
    {
      kind: "mangled-requests",
      identities: hit.map((r) => r.identity.name),
      profiles: hit.flatMap((r) => profileOf(r.identity)),
      where: placesOf(cells),
      shape: shapeOf(cells),
    },
  ];
}

/** The cells of a mangled-requests diagnosis have its cause: the keys are right, the request was changed on the way. */
export function markMangled(results: CheckResult[]): CheckResult[] {
  const refused = new Set([...new Set(results.map((r) => r.identity))].flatMap((name) => partlyRefused(results.filter((r) => r.identity === name))));
  return results.map((r) => (refused.has(r) ? { ...r, ...mangledFinding() } : r));
}

export function diagnose(results: CheckResult[], identities: DiagnosedIdentity[]): Diagnosis[] {
  const perIdentity = identities.flatMap((identity) => {
    const mine = results.filter((r) => r.identity === identity.name);
    return [
      ...publicAccess(identity, mine),
      ...keysOfAnotherProfile(identity, mine),
      ...deniedEverything(identity, mine),
      ...wildcardGrant(identity, mine),
    ];
  });
  return [...sharedKeys(identities), ...perIdentity, ...mangledRequests(results, identities)];
}

/**
 * Why a run decided nothing of the keys: the first request of every signed identity failed with an
 * error after which nothing else can be trusted (the store not reached, the bucket not found, the
 * keys refused). One per cause, with the identities that failed so.
 */
export interface StoreFailure {
  errorKind: ErrorKind;
  cause: Cause;
  identities: string[];
  /** The first failed request's reason, as evidence. */
  reason?: string;
  /** wrong-region: the bucket's region, where the store named it. */
  bucketRegion?: string;
}

/** The identity's first request as a store failure, where it failed so. */
function failureOf(result: CheckResult | undefined): StoreFailure | undefined {
  const errorKind = result?.observation.errorKind;
  if (!result?.cause || !errorKind || !isFatalErrorKind(errorKind)) return undefined;
  const { reason, bucketRegion } = result.observation;
  return { errorKind, cause: result.cause, identities: [result.identity], ...(reason ? { reason } : {}), ...(bucketRegion ? { bucketRegion } : {}) };
}

/** The run's store failures; none where any signed identity got past its first request (its findings then say it). */
export function storeFailures(results: CheckResult[], identities: DiagnosedIdentity[]): StoreFailure[] {
  const signed = identities.filter((identity) => identity.role.kind !== "anonymous");
  const failures = signed.map((identity) =>
    failureOf(results.find((r) => r.identity === identity.name && r.operation === "list-bucket" && r.target === null)),
  );
  if (signed.length === 0 || failures.some((failure) => failure === undefined)) return [];
  const byCause = new Map<Cause, StoreFailure>();
  for (const failure of failures) {
    if (!failure) continue;
    const known = byCause.get(failure.cause);
    if (known) known.identities.push(...failure.identities);
    else byCause.set(failure.cause, failure);
  }
  return [...byCause.values()];
}

/**
 * A cell that is open to the anonymous caller too is public, not the identity's grant: its cause
 * and remedy point at the bucket's policy.
 */
export function markPublic(results: CheckResult[], anonymousName: string | undefined, bucket: string): CheckResult[] {
  if (!anonymousName) return results;
  const open = new Set(
    results.filter((r) => r.identity === anonymousName && r.observation.outcome === "allowed").map((r) => `${r.target?.prefix ?? ""}|${r.operation}`),
  );
  return results.map((r) => {
    const isOpen = open.has(`${r.target?.prefix ?? ""}|${r.operation}`);
    if (r.identity === anonymousName || !isOpen || (r.verdict !== "leak" && r.verdict !== "exposed")) return r;
    return { ...r, ...publicFinding(r, bucket) };
  });
}
