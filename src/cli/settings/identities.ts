// Whose keys a run probes, from exactly one place: --backend/--profile, repeated --identity,
// identities in --config, or the backend and every profile of --values.
import { join } from "node:path";
import { isValidProfileName } from "../../core/layout.js";
import type { Role } from "../../core/plan.js";
import { UsageError } from "../../core/usage-error.js";
import type { CredentialSource } from "../../credentials/load.js";
import type { DeploykfSettings } from "../../deploykf/values.js";
import type { IdentitySpec } from "./config-file.js";
import { type Layer, layerValue } from "./fields.js";
import { isKeyFileName, validIdentityName } from "./validate.js";

/** deployKF's identities: each from its Secret mounted under --secrets-root, or the chain (fromEnv, IRSA). */
function identitiesFromValues(settings: DeploykfSettings, secretsRoot: string | undefined): IdentitySpec[] {
  return settings.identities.map((identity) => {
    if (!identity.secret) return { name: identity.name, role: identity.role, credentials: { source: "chain" as const } };
    if (!secretsRoot) {
      throw new UsageError(`--values needs --secrets-root DIR: where the Secrets are mounted (${identity.name}'s is ${identity.secret.name})`);
    }
    return {
      name: identity.name,
      role: identity.role,
      credentials: {
        source: "dir" as const,
        directory: join(secretsRoot, identity.secret.name),
        variables: { accessKeyId: identity.secret.accessKeyKey, secretAccessKey: identity.secret.secretKeyKey },
      },
    };
  });
}

function identityFromSpec(spec: string): IdentitySpec {
  const at = spec.indexOf("=");
  const name = spec.slice(0, Math.max(at, 0));
  const directory = spec.slice(at + 1);
  if (at <= 0 || !directory) throw new UsageError(`--identity ${spec}: write NAME=DIR, e.g. --identity team-1=/secrets/team-1`);
  if (name !== "backend" && !isValidProfileName(name)) {
    throw new UsageError(`--identity ${name}=…: ${name} is neither backend nor a valid profile (Kubernetes namespace) name`);
  }
  const role: Role = name === "backend" ? { kind: "backend" } : { kind: "profile", profile: name };
  return { name, role, credentials: { source: "dir" as const, directory } };
}

/** --key-names ACCESS,SECRET: the Secret's key names in --credentials-dir. */
function keyNames(raw: string | undefined, directory: string | undefined): { accessKeyId: string; secretAccessKey: string } | undefined {
  if (raw === undefined) return undefined;
  const [accessKeyId, secretAccessKey, ...rest] = raw.split(",");
  if (!directory || rest.length > 0 || !isKeyFileName(accessKeyId) || !isKeyFileName(secretAccessKey)) {
    throw new UsageError("--key-names takes the two file names in --credentials-dir, e.g. --key-names access_key,secret_key");
  }
  return { accessKeyId, secretAccessKey };
}

/** One identity from --backend or --profile, with --credentials, --credentials-dir and --name. */
function singleIdentity(given: Layer): IdentitySpec {
  const backend = layerValue(given, "backend") === true;
  const profile = layerValue(given, "profile");
  if (backend && profile !== undefined)
    throw new UsageError("--backend and --profile exclude each other: for several identities use --identity or --config");
  if (!backend && profile === undefined)
    throw new UsageError("say whose keys these are: --backend, --profile NAME, --identity NAME=DIR or --config FILE");
  if (profile !== undefined && !isValidProfileName(profile)) {
    throw new UsageError(`--profile ${profile} is not a valid profile (Kubernetes namespace) name: lowercase letters, digits and '-', at most 63`);
  }
  const role: Role = profile === undefined ? { kind: "backend" } : { kind: "profile", profile };
  const directory = layerValue(given, "credentials-dir");
  const source: CredentialSource = layerValue(given, "credentials") ?? (directory ? "dir" : "env");
  if (directory && (source === "env" || source === "chain"))
    throw new UsageError(`--credentials-dir does not go with --credentials ${source}: drop one of them`);
  if (source === "dir" && !directory) throw new UsageError("--credentials dir needs --credentials-dir DIR");
  const name = layerValue(given, "name");
  const variables = keyNames(layerValue(given, "key-names"), directory);
  return {
    name: name === undefined ? (role.kind === "backend" ? "backend" : role.profile) : validIdentityName(name, "--name"),
    role,
    credentials: { source, ...(directory ? { directory } : {}), ...(variables ? { variables } : {}) },
  };
}

export function identitiesFrom(
  given: Layer,
  file: { identities: IdentitySpec[] } | undefined,
  deploykf: DeploykfSettings | undefined,
): IdentitySpec[] {
  const specs = layerValue(given, "identity") ?? [];
  const single = layerValue(given, "backend") === true || layerValue(given, "profile") !== undefined;
  const fromFile = (file?.identities.length ?? 0) > 0;
  if ([single, specs.length > 0, fromFile, deploykf !== undefined].filter(Boolean).length > 1) {
    throw new UsageError("name the identities one way: --backend/--profile, --identity NAME=DIR, identities in --config, or --values");
  }
  if (deploykf) return identitiesFromValues(deploykf, layerValue(given, "secrets-root"));
  if (specs.length > 0) {
    if (given["credentials-dir"] || given.credentials || given.name) {
      throw new UsageError("--identity NAME=DIR carries its own secret directory: drop --credentials, --credentials-dir and --name");
    }
    return specs.map(identityFromSpec);
  }
  if (fromFile) return file?.identities ?? [];
  return [singleIdentity(given)];
}

export function refuseDuplicateNames(identities: IdentitySpec[]): void {
  const names = new Set<string>();
  for (const identity of identities) {
    if (names.has(identity.name)) throw new UsageError(`two identities are named ${identity.name}: give each its own name`);
    names.add(identity.name);
  }
}
