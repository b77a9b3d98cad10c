// Which keys a sweep may touch: only those inside a probe namespace of one run,
// `<prefix>.kfp-s3-probe/<run-id>/<name>`, whatever the sweep was asked. Pure.
import { type KeyLayout, PROBE_NAMESPACE, profileFolderOf } from "./layout.js";

const RUN_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{12}$/;

/** When the run started, from its id (the run id begins with its start time). */
export function runStartedAt(runId: string): Date | undefined {
  const m = RUN_ID.exec(runId);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** The run a probe key belongs to, or undefined for any key outside a probe namespace. */
export function probeRunOf(key: string): string | undefined {
  const at = key.lastIndexOf(PROBE_NAMESPACE);
  if (at < 0) return undefined;
  const [runId, name, ...rest] = key.slice(at + PROBE_NAMESPACE.length).split("/");
  if (!runId || !name || rest.length > 0 || !runStartedAt(runId)) return undefined;
  return runId;
}

/** The namespace roots to look under, from the folders one level below a root (`artifacts/team-2/` → `artifacts/team-2/.kfp-s3-probe/`). */
export function namespacesUnder(root: string, folders: string[]): string[] {
  const own = `${root}${PROBE_NAMESPACE}`;
  const below = folders.map((folder) => (folder.endsWith(PROBE_NAMESPACE) ? folder : `${folder}${PROBE_NAMESPACE}`));
  return [...new Set([own, ...below])];
}

/** "1h", "30m", "2d", "45s", "0" → milliseconds; undefined when it is none of these. */
export function parseAge(text: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

const DEEPER = "deeper.";

// Hex of the UTF-8 bytes: any key's characters in a name of [0-9a-f] alone.
const toHex = (text: string) => [...new TextEncoder().encode(text)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
function fromHex(hex: string): string | undefined {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return undefined;
  return new TextDecoder().decode(Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16)));
}

/**
 * Where a sweep always looks for a namespace deeper than one folder below a root (a witness's, as
 * `artifacts/team-2/metrics/.kfp-s3-probe/<run>/`): the namespace of that folder
 * (`artifacts/team-2/`), or of the backend prefix the base lies under. Undefined outside KFP's
 * prefixes, where the probe plants nothing.
 */
export function standardRootOf(base: string, layout: KeyLayout): string | undefined {
  const backend = layout.backendPrefixes.find((prefix) => base.startsWith(prefix));
  if (backend) return backend;
  const folder = profileFolderOf(base, layout);
  return folder && `${folder.root}${folder.profile}/`;
}

/**
 * The marker a run writes in a standard namespace before it writes in a deeper one: an empty
 * object whose name carries the deeper namespace's base, so that a sweep of a killed run finds it
 * from the names alone. Undefined where the base is itself a standard root.
 */
export function deeperMarkerKey(base: string, runId: string, layout: KeyLayout): string | undefined {
  const root = standardRootOf(base, layout);
  if (root === undefined || root === base) return undefined;
  return `${root}${PROBE_NAMESPACE}${runId}/${DEEPER}${toHex(base.slice(root.length))}`;
}

/** The deeper namespace a marker names, or undefined for any other key. */
export function deeperNamespaceOf(markerKey: string): string | undefined {
  const runId = probeRunOf(markerKey);
  const at = markerKey.lastIndexOf(PROBE_NAMESPACE);
  const name = markerKey.slice(markerKey.lastIndexOf("/") + 1);
  if (!runId || !name.startsWith(DEEPER)) return undefined;
  const relative = fromHex(name.slice(DEEPER.length));
  if (relative === undefined) return undefined;
  return `${markerKey.slice(0, at)}${relative}${PROBE_NAMESPACE}${runId}/`;
}
