// Policies in hand from the store's own IAM (--policy-reader): what IAM holds for an identity's user
// or role (inline policies, and attached ones at their default version), read with the keys of an
// identity allowed to read IAM. Where the store serves no part of the IAM API (RGW before Squid has
// no managed policies; MinIO and GCS have no IAM API), that part is said, never guessed.
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { type PolicyDocument, parsePolicy } from "../core/policy/document.js";
import { UsageError } from "../core/usage-error.js";
import { factsFromError } from "../s3/s3-port.js";

/** Whose policies: an IAM user, or a role (IRSA, an assumed role). */
export interface IamPrincipal {
  kind: "user" | "role";
  name: string;
}

export type PolicyReading = { documents: PolicyDocument[]; source: string } | { problem: string };

/** The user or role behind a caller ARN (sts:GetCallerIdentity), or undefined for any other form. */
export function principalOfArn(arn: string): IamPrincipal | undefined {
  const resource = /^arn:aws[\w-]*:(iam|sts)::\d*:(.+)$/.exec(arn)?.[2];
  if (!resource) return undefined;
  const [kind, ...rest] = resource.split("/");
  if (kind === "user" && rest.length > 0) return { kind: "user", name: rest.at(-1) as string };
  if (kind === "role" && rest.length > 0) return { kind: "role", name: rest.at(-1) as string };
  // assumed-role/ROLE/SESSION: the role's policies are the session's.
  if (kind === "assumed-role" && rest.length === 2) return { kind: "role", name: rest[0] as string };
  return undefined;
}

/** AWS returns a policy document URL-encoded; RGW returns it as it was put. */
function documentText(text: string): string {
  return text.trimStart().startsWith("{") ? text : decodeURIComponent(text);
}

/** An IAM API the store does not serve (RGW answers 405, others 501 or NotImplemented). */
function notServed(error: unknown): boolean {
  const facts = factsFromError(error);
  return facts.status === 405 || facts.status === 501 || facts.errorName === "NotImplemented";
}

function problemOf(error: unknown, what: string): string {
  const facts = factsFromError(error);
  // RGW answers IAM errors in S3's error format, which the SDK's IAM parser names "Unknown".
  const name = facts.errorName?.startsWith("Unknown") ? undefined : facts.errorName;
  const answer = [facts.status, name ?? facts.systemCode].filter(Boolean).join(" ") || "no answer";
  return `${what}: ${answer}`;
}

interface Named {
  name: string;
  document: PolicyDocument;
}

async function inlinePolicies(iam: IAMClient, principal: IamPrincipal, signal: AbortSignal): Promise<Named[]> {
  const names =
    principal.kind === "user"
      ? ((await iam.send(new ListUserPoliciesCommand({ UserName: principal.name }), { abortSignal: signal })).PolicyNames ?? [])
      : ((await iam.send(new ListRolePoliciesCommand({ RoleName: principal.name }), { abortSignal: signal })).PolicyNames ?? []);
  return Promise.all(
    names.map(async (name) => {
      const answer =
        principal.kind === "user"
          ? await iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: name }), { abortSignal: signal })
          : await iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: name }), { abortSignal: signal });
      return { name, document: parsePolicy(documentText(answer.PolicyDocument ?? ""), `IAM ${principal.kind} ${principal.name}, policy ${name}`) };
    }),
  );
}

/** Attached (managed) policies at their default version; undefined where the store has none to attach. */
async function attachedPolicies(iam: IAMClient, principal: IamPrincipal, signal: AbortSignal): Promise<Named[] | undefined> {
  let attached: { PolicyArn?: string | undefined; PolicyName?: string | undefined }[];
  try {
    const answer =
      principal.kind === "user"
        ? await iam.send(new ListAttachedUserPoliciesCommand({ UserName: principal.name }), { abortSignal: signal })
        : await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: principal.name }), { abortSignal: signal });
    attached = answer.AttachedPolicies ?? [];
  } catch (error) {
    if (notServed(error)) return undefined;
    throw error;
  }
  return managedPolicies(iam, attached, signal);
}

/** Managed policies by ARN, each at its default version. */
function managedPolicies(
  iam: IAMClient,
  attached: { PolicyArn?: string | undefined; PolicyName?: string | undefined }[],
  signal: AbortSignal,
): Promise<Named[]> {
  return Promise.all(
    attached
      .flatMap(({ PolicyArn, PolicyName }) => (PolicyArn ? [{ arn: PolicyArn, name: PolicyName ?? PolicyArn }] : []))
      .map(async ({ arn, name }) => {
        const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }), { abortSignal: signal });
        const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }), {
          abortSignal: signal,
        });
        const text = documentText(version.PolicyVersion?.Document ?? "");
        return { name, document: parsePolicy(text, `IAM policy ${arn}, version ${policy.Policy?.DefaultVersionId ?? "?"}`) };
      }),
  );
}

/** One group's inline policies and its attached ones (where the store serves managed policies). */
async function groupPolicies(iam: IAMClient, group: string, signal: AbortSignal): Promise<Named[]> {
  const names = (await iam.send(new ListGroupPoliciesCommand({ GroupName: group }), { abortSignal: signal })).PolicyNames ?? [];
  const inline = await Promise.all(
    names.map(async (name) => {
      const answer = await iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: name }), { abortSignal: signal });
      return { name: `${group}/${name}`, document: parsePolicy(documentText(answer.PolicyDocument ?? ""), `IAM group ${group}, policy ${name}`) };
    }),
  );
  try {
    const attached = (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group }), { abortSignal: signal })).AttachedPolicies ?? [];
    const managed = await managedPolicies(iam, attached, signal);
    return [...inline, ...managed.map((p) => ({ ...p, name: `${group}/${p.name}` }))];
  } catch (error) {
    if (notServed(error)) return inline;
    throw error;
  }
}

/**
 * A user's groups' policies, which IAM applies to the user as its own; undefined where the store
 * serves no groups. A refusal is thrown: the user's policies are then not all in hand.
 */
async function userGroupPolicies(iam: IAMClient, principal: IamPrincipal, signal: AbortSignal): Promise<Named[] | undefined> {
  if (principal.kind !== "user") return [];
  let groups: string[];
  try {
    const answer = await iam.send(new ListGroupsForUserCommand({ UserName: principal.name }), { abortSignal: signal });
    groups = (answer.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  } catch (error) {
    if (notServed(error)) return undefined;
    throw error;
  }
  return (await Promise.all(groups.map((group) => groupPolicies(iam, group, signal)))).flat();
}

function sourceParts(inline: Named[], attached: Named[] | undefined, groups: Named[] | undefined, principal: IamPrincipal): string[] {
  const names = (list: Named[]) => (list.length === 0 ? "none" : list.map((p) => p.name).join(", "));
  return [
    `inline ${names(inline)}`,
    attached === undefined ? "attached: the store serves no managed policies" : `attached ${names(attached)}`,
    ...(principal.kind !== "user" ? [] : groups === undefined ? ["groups: the store serves none"] : [`groups ${names(groups)}`]),
  ];
}

/** Every policy IAM holds for the principal, and where they came from, in a line. */
export async function readPrincipalPolicies(iam: IAMClient, principal: IamPrincipal, signal: AbortSignal): Promise<PolicyReading> {
  const who = `IAM ${principal.kind} ${principal.name}`;
  try {
    const inline = await inlinePolicies(iam, principal, signal);
    const attached = await attachedPolicies(iam, principal, signal);
    const groups = await userGroupPolicies(iam, principal, signal);
    const all = [...inline, ...(attached ?? []), ...(groups ?? [])];
    return { documents: all.map((p) => p.document), source: `${who} (${sourceParts(inline, attached, groups, principal).join("; ")})` };
  } catch (error) {
    // A document that is not one the evaluator reads is a problem of that identity's proof, not of the run.
    if (error instanceof UsageError) return { problem: error.message };
    return { problem: problemOf(error, notServed(error) ? `${who}: the store serves no IAM API` : `${who}: IAM refused or failed`) };
  }
}
