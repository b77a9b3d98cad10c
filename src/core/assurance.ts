// What a run's answer rests on (issue 21). "proven": every identity's policy and the bucket's are
// in hand, evaluated for all keys with nothing the evaluator could not read, every witness of a
// grant beyond KFP's tried on the store, and every forbidden cell decided. "sampled": no policy in
// hand, the cells decided on the probe's sample keys only (a grant no sample key matches passes).
// "partial": in between. Findings as data: the words are the renderers'.
import type { Role } from "./plan.js";
import type { UntriedGrant } from "./policy/untried.js";
import type { CheckResult } from "./verdict.js";
import type { PublicUntried } from "./witness.js";

type AssuranceStatus = "proven" | "partial" | "sampled";

type OpenItem =
  /** Keys only: its cells are decided on sample keys. */
  | { kind: "no-policy"; identity: string }
  /** What anyone may do (and each identity through the bucket policy) is decided on samples. */
  | { kind: "no-bucket-policy" }
  /** Its policy uses condition keys, operators or principals the exact evaluator does not read. */
  | { kind: "policy-undecided"; identity: string; unread: string[] }
  /** A witness the store could not be asked about (nothing to read, nobody to plant it). */
  | { kind: "witness-undecided"; identity: string; key: string; reason: string }
  /** Forbidden cells the store left undecided (errors, nothing to read, not run). */
  | { kind: "cells-undecided"; identity: string; count: number }
  /** The store allowed cells its policies deny: the policies in hand are not all that grants these keys (or not theirs). */
  | { kind: "policy-understates"; identity: string; count: number }
  /** The bucket's policy lets anyone do what KFP forbids (or uses what the evaluator does not read), and no anonymous caller was in the run to try it. */
  | ({ kind: "public-untried" } & PublicUntried)
  /** Its policies allow, beyond KFP's grant, an action the probe never sends (a key where it is an object's). */
  | { kind: "grant-untried"; identity: string; action: string; key: string };

export interface Assurance {
  status: AssuranceStatus;
  /** Per signed identity: where its policies came from, or null where none were in hand. */
  policies: { identity: string; source: string | null }[];
  /** Where the bucket's policy came from, or null where it was not in hand. */
  bucketPolicy: string | null;
  /** Keys beyond KFP's grant that the policies reach, tried on the store: how many, and how many it decided. */
  witnesses: { tried: number; decided: number };
  /** With policies in hand: the identities tried on every prefix, to see that the store enforces what the policies say. */
  enforcementSample: string[];
  open: OpenItem[];
}

export interface AssuranceInput {
  identities: { name: string; role: Role }[];
  policySources: ReadonlyMap<string, string>;
  bucketPolicySource: string | null;
  /** Per identity, what the exact evaluator could not read in its policies. */
  unread: ReadonlyMap<string, string[]>;
  /** The witnesses' cells, and every cell of the run. */
  witnessResults: readonly CheckResult[];
  results: readonly CheckResult[];
  enforcementSample: string[];
  /** Cells where the store did other than the policies in hand say. */
  disagreements?: readonly { identity: string; store: "allowed" | "denied"; policy: "allowed" | "denied" }[];
  /** Per identity: what its policies allow beyond KFP's grant of actions the probe never sends. */
  untried?: ReadonlyMap<string, readonly UntriedGrant[]>;
  /** --no-anonymous with the bucket's policy in hand: what it grants anyone, never tried. */
  publicUntried?: PublicUntried;
}

const UNDECIDED_VERDICTS = new Set(["ambiguous", "error", "not-run"]);

function undecidedCells(results: readonly CheckResult[]): OpenItem[] {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.expectation === "forbidden" && UNDECIDED_VERDICTS.has(r.verdict)) counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
  }
  return [...counts].map(([identity, count]) => ({ kind: "cells-undecided", identity, count }));
}

/** An identity whose forbidden cells the exact evaluator decides: its policies in hand, or the bucket's for the anonymous caller. */
function decidedByPolicy(input: AssuranceInput, identity: string): boolean {
  const role = input.identities.find((i) => i.name === identity)?.role;
  return role?.kind === "anonymous" ? input.bucketPolicySource !== null : input.policySources.has(identity);
}

function understated(input: AssuranceInput): OpenItem[] {
  const counts = new Map<string, number>();
  for (const d of input.disagreements ?? [])
    if (d.store === "allowed" && d.policy === "denied") counts.set(d.identity, (counts.get(d.identity) ?? 0) + 1);
  return [...counts].map(([identity, count]) => ({ kind: "policy-understates", identity, count }));
}

function openItems(input: AssuranceInput, signed: { name: string }[]): OpenItem[] {
  const witnessCells = new Set(input.witnessResults);
  return [
    ...understated(input),
    ...(input.publicUntried ? [{ kind: "public-untried", ...input.publicUntried } as const] : []),
    ...[...(input.untried ?? [])].flatMap(([identity, grants]) => grants.map((g): OpenItem => ({ kind: "grant-untried", identity, ...g }))),
    ...signed.filter((i) => !input.policySources.has(i.name)).map((i): OpenItem => ({ kind: "no-policy", identity: i.name })),
    ...(input.bucketPolicySource === null ? [{ kind: "no-bucket-policy" } as const] : []),
    ...[...input.unread]
      .filter(([, keys]) => keys.length > 0)
      .map(([identity, unread]): OpenItem => ({ kind: "policy-undecided", identity, unread })),
    ...input.witnessResults
      .filter((r) => UNDECIDED_VERDICTS.has(r.verdict))
      .map((r): OpenItem => ({ kind: "witness-undecided", identity: r.identity, key: r.target?.prefix ?? "", reason: r.observation.reason ?? "" })),
    // Where the policies are in hand the evaluator decides every forbidden cell for all keys; the
    // store's own answers there are the enforcement sample. Elsewhere each cell is what there is.
    ...undecidedCells(input.results.filter((r) => !witnessCells.has(r) && !decidedByPolicy(input, r.identity))),
  ];
}

export function assessAssurance(input: AssuranceInput): Assurance {
  const signed = input.identities.filter((i) => i.role.kind !== "anonymous");
  const open = openItems(input, signed);
  const inHand = input.policySources.size > 0 || input.bucketPolicySource !== null;
  return {
    status: !inHand ? "sampled" : open.length === 0 ? "proven" : "partial",
    policies: signed.map((i) => ({ identity: i.name, source: input.policySources.get(i.name) ?? null })),
    bucketPolicy: input.bucketPolicySource,
    witnesses: { tried: input.witnessResults.length, decided: input.witnessResults.filter((r) => !UNDECIDED_VERDICTS.has(r.verdict)).length },
    enforcementSample: input.enforcementSample,
    open,
  };
}
