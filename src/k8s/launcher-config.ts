// --launcher-config FILE: KFP's kfp-launcher ConfigMap as kubectl prints it (one, a List of them, or
// several YAML documents), each the session of its namespace's v2 launcher; one without a namespace
// is every profile's; a profile with neither has none, as KFP's launcher would find. Its `providers` is YAML inside the ConfigMap, as KFP reads it.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { kfpDefaultSession, type LauncherSession, launcherSessionOf } from "../core/launcher.js";
import { UsageError } from "../core/usage-error.js";

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value);

/** The ConfigMaps of a document: itself, or a List's items; `where` names the file, then the field path ("--launcher-config f.yaml: items[0]"). */
function configMapsOf(document: unknown, where: string): { node: Node; where: string; path: string }[] {
  if (!isNode(document)) throw new UsageError(`${where} must be a ConfigMap (kind: ConfigMap, data: defaultPipelineRoot, providers)`);
  if (document.kind === "List" && Array.isArray(document.items))
    return document.items.map((item, i) => ({ node: item as Node, where: `${where}: items[${i}]`, path: `${where}: items[${i}].` }));
  return [{ node: document, where, path: `${where}: ` }];
}

function providersOf(text: unknown, where: string): unknown {
  if (text === undefined || text === null) return undefined;
  if (typeof text !== "string") throw new UsageError(`${where}.providers must be a YAML string, as in the ConfigMap (providers: |)`);
  const [document] = parseAllDocuments(text);
  if (!document || document.errors.length > 0)
    throw new UsageError(`${where}.providers is not YAML: ${document?.errors[0]?.message.split("\n")[0] ?? "empty"}`);
  return document.toJS();
}

/** The session of one ConfigMap, and the namespace it is for (null: every profile). */
function sessionOf({ node, where, path }: { node: Node; where: string; path: string }): { namespace: string | null; session: LauncherSession } {
  if (node.kind !== "ConfigMap" || !isNode(node.data)) throw new UsageError(`${where} must be a ConfigMap with data (kind: ConfigMap)`);
  const metadata = isNode(node.metadata) ? node.metadata : {};
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : null;
  const data = node.data;
  return {
    namespace,
    session: launcherSessionOf(
      { defaultPipelineRoot: data.defaultPipelineRoot, providers: providersOf(data.providers, `${path}data`) },
      `${path}data`,
    ),
  };
}

/**
 * Each profile's launcher session from the file: its namespace's ConfigMap, else one without a
 * namespace; else none is there, and KFP's launcher falls back to its built-in default (a finding).
 */
export function readLauncherConfig(file: string, release: string): (profile: string) => LauncherSession {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--launcher-config ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  const documents = parseAllDocuments(text);
  const sessions = new Map<string | null, LauncherSession>();
  for (const [i, document] of (Array.isArray(documents) ? documents : [documents]).entries()) {
    const where = `--launcher-config ${file}${i > 0 ? ` (document ${i + 1})` : ""}`;
    const error = document.errors[0];
    if (error) throw new UsageError(`${where}: not YAML: ${error.message.split("\n")[0]}`);
    for (const configMap of configMapsOf(document.toJS(), where)) {
      const { namespace, session } = sessionOf(configMap);
      sessions.set(namespace, session);
    }
  }
  return (profile) => sessions.get(profile) ?? sessions.get(null) ?? kfpDefaultSession(release, profile, file);
}
