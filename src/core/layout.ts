// Where KFP keeps what in its one bucket, as data. `{profile}` stands for a profile's name.

export interface KeyLayout {
  name: string;
  description: string;
  /** Prefixes only the backend works in (pipeline definitions). */
  backendPrefixes: string[];
  /** Prefixes that belong to one profile each. */
  profilePrefixTemplates: string[];
  /**
   * Where KFP's installer for this layout has a profile's runs write: Argo's keyFormat (v1 artifacts
   * and logs) and the v2 launcher's pipeline root, each inside one of the profile's prefixes.
   */
  kfpRoots: { v1: string; v2: string };
}

export const LAYOUTS = {
  deploykf: {
    name: "deploykf",
    description: "deployKF: pipelines/, artifacts/<profile>/, v2/artifacts/<profile>/",
    backendPrefixes: ["pipelines/"],
    profilePrefixTemplates: ["artifacts/{profile}/", "v2/artifacts/{profile}/"],
    kfpRoots: { v1: "artifacts/{profile}/", v2: "v2/artifacts/{profile}/" },
  },
  kubeflow: {
    name: "kubeflow",
    // As KFP's profile controller (sync.py, 2.15 to 2.17) grants each namespace's user; artifacts/ and
    // shared/ it grants to every profile alike, so they belong to no one profile (docs/components.md).
    description: "upstream Kubeflow Pipelines (bucket mlpipeline): pipelines/, private-artifacts/<profile>/, private/<profile>/",
    backendPrefixes: ["pipelines/"],
    profilePrefixTemplates: ["private-artifacts/{profile}/", "private/{profile}/"],
    // sync.py: keyFormat private-artifacts/{profile}/{workflow}/…, defaultPipelineRoot minio://mlpipeline/private-artifacts/{profile}/v2/artifacts.
    kfpRoots: { v1: "private-artifacts/{profile}/", v2: "private-artifacts/{profile}/v2/artifacts/" },
  },
} as const satisfies Record<string, KeyLayout>;

export type LayoutName = keyof typeof LAYOUTS;
export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];

export function profilePrefixes(layout: KeyLayout, profile: string): string[] {
  return layout.profilePrefixTemplates.map((template) => template.replace("{profile}", profile));
}

/** A KFP root of the layout (kfpRoots) for a profile, or for the backend, which reaches every profile's: the part before the profile's name. */
export function kfpRoot(layout: KeyLayout, which: keyof KeyLayout["kfpRoots"], profile: string | null): string {
  const template = layout.kfpRoots[which];
  return profile === null ? template.slice(0, template.indexOf("{profile}")) : template.replace("{profile}", profile);
}

/** The part of each profile template before the profile's name: where the backend reaches all profiles. */
export function profileAreaRoots(layout: KeyLayout): string[] {
  return layout.profilePrefixTemplates.map((template) => template.slice(0, template.indexOf("{profile}")));
}

/** The profile folder a key lies in by the layout: the root, and the first segment after it, where a "/" ends that segment. */
export function profileFolderOf(key: string, layout: KeyLayout): { root: string; profile: string } | undefined {
  for (const root of profileAreaRoots(layout)) {
    if (!key.startsWith(root)) continue;
    const end = key.indexOf("/", root.length);
    if (end > root.length) return { root, profile: key.slice(root.length, end) };
  }
  return undefined;
}

/** Kubernetes namespace names (RFC 1123 labels), which KFP profiles are. */
export function isValidProfileName(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** Profile names that a policy written for `profile` without its slash also matches (team-1* → team-10). */
export function nearMissProfiles(profile: string): string[] {
  return [`${profile}0`, `${profile}-x`].filter(isValidProfileName);
}

export const UNOWNED_PREFIX = "kfp-s3-probe-nobody-";

/** A profile name that exists nowhere, to catch wildcard grants without knowing the other teams. */
export function unownedProfileName(runId: string): string {
  return `${UNOWNED_PREFIX}${runId.slice(-6).toLowerCase()}`;
}

export const PROBE_NAMESPACE = ".kfp-s3-probe/";

/** Run-scoped key of a probe object; nothing outside this namespace is ever written. */
export function canaryKey(prefix: string, runId: string, identity: string): string {
  return `${prefix}${PROBE_NAMESPACE}${runId}/${identity}`;
}

/** The part of a prefix that one run writes in: `<prefix>.kfp-s3-probe/<run-id>/`. */
export function runNamespace(prefix: string, runId: string): string {
  return `${prefix}${PROBE_NAMESPACE}${runId}/`;
}

export function isProbeKey(key: string): boolean {
  return key.includes(PROBE_NAMESPACE);
}

/** ListObjectsV2's StartAfter that skips the probe's own namespace under a prefix ('0' sorts right after '/'). */
export function afterProbeNamespace(prefix: string): string {
  return `${prefix}${PROBE_NAMESPACE.slice(0, -1)}0`;
}
