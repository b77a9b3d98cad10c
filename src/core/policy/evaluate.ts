// The probe's own policy evaluator, scoped to what KFP's object-store policies use, after AWS's
// documented evaluation logic: an explicit Deny wins; else an Allow that matches allows; else the
// request is implicitly denied. Action and NotAction (case-insensitive, with * and ?), Resource and
// NotResource (ARNs, case-sensitive, with * and ?), Principal in bucket policies, and the string
// condition operators on s3:prefix and s3:delimiter. A statement it cannot read whole makes the
// answer undecided where that statement could change it: never a guess.
import type { ConditionBlock, PolicyDocument, Statement } from "./document.js";

export interface PolicyRequest {
  /** "s3:GetObject" */
  action: string;
  /** "arn:aws:s3:::bucket/key" or "arn:aws:s3:::bucket" */
  resource: string;
  /** Request context keys present in the request (absent keys are left out). */
  context: Record<string, string>;
  /** Who asks: "anonymous", or an identity whose ARN is not known offline. */
  caller: "anonymous" | "identity";
}

export type Decision = { effect: "allow" | "explicit-deny" | "implicit-deny" } | { effect: "undecided"; reason: string };

const SUPPORTED_KEYS = new Set(["s3:prefix", "s3:delimiter"]);

/** A request in a line, for evidence and findings: "s3:ListBucket arn:aws:s3:::b s3:prefix=artifacts/". */
export function describeRequest(request: PolicyRequest): string {
  const prefix = request.context["s3:prefix"];
  return `${request.action} ${request.resource}${prefix !== undefined ? ` s3:prefix=${prefix}` : ""}`;
}

/** IAM's wildcards: * any run of characters, ? one character; nothing else is special. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

const anyMatches = (patterns: string[], value: string, ignoreCase: boolean) => patterns.some((p) => wildcardMatch(p, value, ignoreCase));

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.action) return anyMatches(statement.action, action, true);
  return !anyMatches(statement.notAction ?? [], action, true);
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.resource) return anyMatches(statement.resource, resource, false);
  return !anyMatches(statement.notResource ?? [], resource, false);
}

/** Bucket policies: "*" is everyone; a statement naming principals is not decided for a caller whose ARN is unknown. */
function principalMatches(statement: Statement, caller: PolicyRequest["caller"]): boolean | "unknown" {
  // NotPrincipal: everyone it does not name; it cannot name the anonymous caller.
  if (statement.notPrincipal !== undefined) return statement.notPrincipal === "*" ? false : caller === "anonymous" ? true : "unknown";
  if (statement.principal === undefined || statement.principal === "*") return true;
  return caller === "anonymous" ? false : "unknown";
}

type Truth = boolean | { unsupported: string };

function stringTest(base: string, pattern: string, value: string): boolean {
  return base === "StringLike" ? wildcardMatch(pattern, value) : pattern === value;
}

/** One operator on one key; the forms: StringEquals/Like, their Not forms, ForAnyValue:, …IfExists. */
function operatorTruth(operator: string, key: string, values: string[], context: Record<string, string>): Truth {
  if (!SUPPORTED_KEYS.has(key)) return { unsupported: `condition key ${key}` };
  const match = /^(ForAnyValue:)?(String(?:Not)?(?:Equals|Like))(IfExists)?$/.exec(operator);
  if (!match) return { unsupported: `condition operator ${operator}` };
  const negated = (match[2] as string).includes("Not");
  const base = (match[2] as string).replace("Not", "");
  const present = context[key];
  // A key the request does not carry: the positive operators are false, the negated ones true
  // (AWS's documented behaviour), …IfExists is true either way, and ForAnyValue: (any of no
  // values) is false, negated or not.
  if (present === undefined) return match[3] ? true : match[1] ? false : negated;
  const any = values.some((pattern) => stringTest(base, pattern, present));
  return negated ? !any : any;
}

function conditionTruth(condition: ConditionBlock | undefined, context: Record<string, string>): Truth {
  if (!condition) return true;
  let result: Truth = true;
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const truth = operatorTruth(operator, key, values, context);
      if (truth === false) return false;
      if (truth !== true) result = truth;
    }
  }
  return result;
}

/** Does the statement apply to the request: true, false, or why it cannot be said. */
function applies(statement: Statement, request: PolicyRequest): Truth {
  if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource)) return false;
  const principal = principalMatches(statement, request.caller);
  if (principal === false) return false;
  const condition = conditionTruth(statement.condition, request.context);
  if (condition === false) return false;
  if (principal === "unknown") return { unsupported: "a Principal naming specific callers (their ARNs are not known offline)" };
  return condition;
}

/**
 * A statement behind an answer: its document's source, its index in the document's Statement list
 * (as a parse error names it, Statement[0] first), its Sid, and the Resource pattern that matched
 * (none where a NotResource took the request in).
 */
export interface PolicyGrant {
  source: string;
  statement: number;
  sid?: string;
  resource?: string;
}

/** The Allow statements that apply to a request: what would have to change for it to be denied. */
export function allowingStatements(documents: PolicyDocument[], request: PolicyRequest): PolicyGrant[] {
  return documents.flatMap((document) =>
    document.statements.flatMap((statement, index) => {
      if (statement.effect !== "Allow" || applies(statement, request) !== true) return [];
      const resource = statement.resource?.find((pattern) => wildcardMatch(pattern, request.resource));
      return [
        {
          source: document.source ?? "the policy",
          statement: index,
          ...(statement.sid ? { sid: statement.sid } : {}),
          ...(resource ? { resource } : {}),
        },
      ];
    }),
  );
}

/** Every document that applies to the caller, as one decision (identity and bucket policies alike). */
export function evaluate(documents: PolicyDocument[], request: PolicyRequest): Decision {
  let allowed = false;
  const unsure: Partial<Record<Statement["effect"], string>> = {};
  for (const statement of documents.flatMap((d) => d.statements)) {
    const truth = applies(statement, request);
    if (truth === false) continue;
    if (truth === true && statement.effect === "Deny") return { effect: "explicit-deny" };
    if (truth === true) allowed = true;
    else
      unsure[statement.effect] ??=
        `${statement.sid ? `statement ${statement.sid}` : `a ${statement.effect} statement`} uses ${truth.unsupported}, which the offline evaluator does not read`;
  }
  // An unreadable Deny could deny what is allowed; an unreadable Allow could allow what is denied.
  const doubt = allowed ? unsure.Deny : unsure.Allow;
  if (doubt) return { effect: "undecided", reason: doubt };
  return { effect: allowed ? "allow" : "implicit-deny" };
}
