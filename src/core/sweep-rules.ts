// Which keys a sweep may touch: only those inside a probe namespace of one run,
// `<prefix>.kfp-s3-probe/<run-id>/<name>`, whatever the sweep was asked. Pure.
import { PROBE_NAMESPACE } from "./layout.js";

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
