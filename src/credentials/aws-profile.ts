// The AWS shared config (~/.aws/config, or AWS_CONFIG_FILE) of the profile AWS_PROFILE names (else
// "default"): the region and endpoint_url operators already keep there, read with the SDK's own
// loader. A missing or unreadable file gives nothing.
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface SharedProfileSettings {
  profile: string;
  region?: string;
  endpoint?: string;
}

export async function sharedProfileSettings(env: NodeJS.ProcessEnv): Promise<SharedProfileSettings | undefined> {
  const configFilepath = env.AWS_CONFIG_FILE ?? (env.HOME ? join(env.HOME, ".aws", "config") : undefined);
  if (!configFilepath || !existsSync(configFilepath)) return undefined;
  // Loaded only when there is a file to read: --help and usage errors stay free of the SDK.
  const { getProfileName, loadSharedConfigFiles } = await import("@smithy/core/config");
  const profile = getProfileName({ profile: env.AWS_PROFILE });
  try {
    const filepath = env.AWS_SHARED_CREDENTIALS_FILE ?? join(configFilepath, "..", "credentials");
    const { configFile } = await loadSharedConfigFiles({ configFilepath, filepath, ignoreCache: true });
    const section = configFile[profile] ?? {};
    return { profile, ...(section.region ? { region: section.region } : {}), ...(section.endpoint_url ? { endpoint: section.endpoint_url } : {}) };
  } catch {
    return undefined;
  }
}
