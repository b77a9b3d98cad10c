// IAM policy documents as the probe reads them: identity policies (AWS IAM, RGW user policies,
// MinIO) and S3 bucket policies. Read strictly: a field of the wrong shape is a one-line error that
// names it, never a statement silently skipped.
import { UsageError } from "../usage-error.js";

type Effect = "Allow" | "Deny";
/** Operator → condition key → values, as IAM writes it. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

export interface Statement {
  sid?: string;
  effect: Effect;
  /** Exactly one of action / notAction. */
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Bucket policies: "*" (anyone) or those named (AWS ARNs as written, other kinds as `Service:…`); undefined in identity policies. */
  principal?: "*" | string[];
  /** Bucket policies: everyone but those named (NotPrincipal), anonymous callers included. */
  notPrincipal?: "*" | string[];
  condition?: ConditionBlock;
}

export interface PolicyDocument {
  statements: Statement[];
  /** Where it was read from (a file name, an IAM policy), as findings name it. */
  source?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function strings(value: Json | undefined, field: string, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === "string")) throw new UsageError(`${source}: ${field} must be a string or a list of strings`);
  return list as string[];
}

function principalOf(value: Json | undefined, field: string, source: string): "*" | string[] | undefined {
  if (value === undefined) return undefined;
  if (value === "*") return "*";
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const aws = strings(value.AWS, `${field}.AWS`, source) ?? [];
    // Another kind (CanonicalUser, Service, Federated) is kept, by its kind's name: it names a caller
    // the probe cannot be, and is never dropped as if it named none.
    const others = Object.entries(value)
      .filter(([kind]) => kind !== "AWS")
      .flatMap(([kind, names]) => (strings(names, `${field}.${kind}`, source) ?? []).map((name) => `${kind}:${name}`));
    return aws.includes("*") ? "*" : [...aws, ...others];
  }
  throw new UsageError(`${source}: ${field} must be "*" or an object of principals ({"AWS": …})`);
}

function conditionOf(value: Json | undefined, field: string, source: string): ConditionBlock | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`${source}: ${field} must be an object of operators`);
  const block: ConditionBlock = {};
  for (const [operator, keys] of Object.entries(value)) {
    if (!keys || typeof keys !== "object" || Array.isArray(keys)) throw new UsageError(`${source}: ${field}.${operator} must be an object of keys`);
    block[operator] = {};
    for (const [key, values] of Object.entries(keys)) {
      const list = Array.isArray(values) ? values : [values];
      (block[operator] as Record<string, string[]>)[key] = list.map(String);
    }
  }
  return block;
}

function statementOf(raw: Json, index: number, source: string): Statement {
  const field = `Statement[${index}]`;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError(`${source}: ${field} must be an object`);
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") throw new UsageError(`${source}: ${field}.Effect must be "Allow" or "Deny"`);
  const statement: Statement = { effect: raw.Effect };
  if (typeof raw.Sid === "string") statement.sid = raw.Sid;
  const parts = {
    action: strings(raw.Action, `${field}.Action`, source),
    notAction: strings(raw.NotAction, `${field}.NotAction`, source),
    resource: strings(raw.Resource, `${field}.Resource`, source),
    notResource: strings(raw.NotResource, `${field}.NotResource`, source),
    principal: principalOf(raw.Principal, `${field}.Principal`, source),
    notPrincipal: principalOf(raw.NotPrincipal, `${field}.NotPrincipal`, source),
    condition: conditionOf(raw.Condition, `${field}.Condition`, source),
  };
  if ((parts.action === undefined) === (parts.notAction === undefined))
    throw new UsageError(`${source}: ${field} needs Action or NotAction (one of them)`);
  if (parts.principal !== undefined && parts.notPrincipal !== undefined)
    throw new UsageError(`${source}: ${field} has both Principal and NotPrincipal: keep one`);
  if ((parts.resource === undefined) === (parts.notResource === undefined))
    throw new UsageError(`${source}: ${field} needs Resource or NotResource (one of them)`);
  for (const [key, value] of Object.entries(parts)) if (value !== undefined) Object.assign(statement, { [key]: value });
  return statement;
}

/** deployKF's policy templates: <BUCKET_NAME> and <PROFILE_NAME> filled in (a document without them is as it was). */
export function fillTemplate(text: string, bucket: string, profile: string): string {
  return text.replaceAll("<BUCKET_NAME>", bucket).replaceAll("<PROFILE_NAME>", profile);
}

/** A policy document from its JSON text; `source` names it in errors (a file name). */
export function parsePolicy(text: string, source: string): PolicyDocument {
  let raw: Json;
  try {
    raw = JSON.parse(text) as Json;
  } catch {
    throw new UsageError(`${source}: not valid JSON`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || raw.Statement === undefined)
    throw new UsageError(`${source}: a policy document has a "Statement"`);
  const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  return { statements: list.map((statement, i) => statementOf(statement, i, source)), source };
}
