// Node's compile cache (module.enableCompileCache, Node >= 22.1): V8 keeps the bytecode of every
// module a run compiles, so the next start does not parse the parser, the SDK and the engine again.
// In a folder the user owns; silently off where there is none or it cannot be written (Node 20, the
// Job's read-only root filesystem, an unwritable HOME): the cache only saves time, it never speaks.
import type { Stats } from "node:fs";
import { builtin } from "./builtins.js";

/** Node 22.1's API; absent from Node 20 (and from the @types/node the project builds with). */
type EnableCompileCache = (directory: string) => { status: number; message?: string; directory?: string };

/**
 * The folder for the cache: $XDG_CACHE_HOME/kfp-s3-probe, else ~/.cache/kfp-s3-probe. Undefined
 * where Node already decides (NODE_COMPILE_CACHE names its own folder, NODE_DISABLE_COMPILE_CACHE
 * turns it off) or there is no home: no shared fallback such as /tmp, where another user could
 * plant bytecode for this tool to run.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  // The XDG spec ignores a relative XDG_CACHE_HOME. Both are absolute POSIX paths here.
  const xdg = env.XDG_CACHE_HOME?.startsWith("/") ? env.XDG_CACHE_HOME : undefined;
  const base = xdg ?? (env.HOME?.startsWith("/") ? `${env.HOME.replace(/\/+$/, "")}/.cache` : undefined);
  return base === undefined ? undefined : `${base.replace(/\/+$/, "")}/kfp-s3-probe`;
}

/** A folder that is not there yet (Node creates it), or one of this user's own. */
function ownFolder(stats: Stats | undefined): boolean {
  const uid = process.getuid?.();
  return stats === undefined || (stats.isDirectory() && (uid === undefined || stats.uid === uid));
}

/**
 * Turns the cache on for every module loaded from here on; true when it is on. Node itself says
 * nothing when the folder cannot be made or written (it returns a status), and neither does this.
 */
export async function enableCompileCache(env: NodeJS.ProcessEnv): Promise<boolean> {
  const directory = compileCacheDir(env);
  const { enableCompileCache: enable } = (await builtin("module")) as { enableCompileCache?: EnableCompileCache };
  if (typeof enable !== "function" || directory === undefined) return false;
  try {
    const { statSync } = await builtin("fs");
    if (!ownFolder(statSync(directory, { throwIfNoEntry: false }))) return false;
    // 1: enabled (0 failed, 2 already enabled, 3 disabled by the environment).
    return enable(directory).status === 1;
  } catch {
    return false;
  }
}
