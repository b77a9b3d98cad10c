// What differs between S3-compatible stores, as presets that flags override
// (facts gathered in the README, "Stores").

export type ChecksumMode = "WHEN_REQUIRED" | "WHEN_SUPPORTED";

export interface ProviderPreset {
  /** The endpoint for a region; absent where it depends on the install (MinIO, Ceph, R2). */
  endpoint?: (region: string) => string;
  endpointExample: string;
  defaultRegion?: string;
  forcePathStyle: boolean;
  /** The SDK's default checksums since 3.729 (CRC32 on every upload) break many stores. */
  checksums: ChecksumMode;
  /** Said in every report for this provider. */
  notes: string[];
}

export const PROVIDERS = {
  aws: {
    endpoint: (region) => `https://s3.${region}.amazonaws.com`,
    endpointExample: "https://s3.<region>.amazonaws.com",
    forcePathStyle: false,
    checksums: "WHEN_SUPPORTED",
    notes: [],
  },
  gcs: {
    endpoint: () => "https://storage.googleapis.com",
    endpointExample: "https://storage.googleapis.com",
    defaultRegion: "auto",
    forcePathStyle: true,
    checksums: "WHEN_REQUIRED",
    notes: [],
  },
  minio: { endpointExample: "http://minio.kubeflow:9000", defaultRegion: "us-east-1", forcePathStyle: true, checksums: "WHEN_REQUIRED", notes: [] },
  ceph: { endpointExample: "http://rgw.example:7480", defaultRegion: "us-east-1", forcePathStyle: true, checksums: "WHEN_REQUIRED", notes: [] },
  r2: {
    endpointExample: "https://<account-id>.r2.cloudflarestorage.com",
    defaultRegion: "auto",
    forcePathStyle: true,
    checksums: "WHEN_REQUIRED",
    notes: [
      "Cloudflare R2 API tokens are scoped to whole buckets: per-profile prefix isolation is not possible with them. Give each profile a bucket of its own, or accept that profiles can reach each other's artifacts.",
    ],
  },
  oss: {
    endpoint: (region) => `https://s3.oss-${region}.aliyuncs.com`,
    endpointExample: "https://s3.oss-<region>.aliyuncs.com",
    // OSS refuses path-style requests (SecondLevelDomainForbidden).
    forcePathStyle: false,
    checksums: "WHEN_REQUIRED",
    notes: [],
  },
  "ibm-cos": {
    endpoint: (region) => `https://s3.${region}.cloud-object-storage.appdomain.cloud`,
    endpointExample: "https://s3.<location>.cloud-object-storage.appdomain.cloud",
    forcePathStyle: true,
    checksums: "WHEN_REQUIRED",
    notes: [],
  },
  // Upstream KFP's default store since 2.15 (manifests/kustomize/third-party/seaweedfs, `weed server -s3`):
  // plain HTTP, path-style only (virtual hosts need -s3.domainName, which KFP's manifests do not set),
  // any signing region (GetBucketLocation answers an empty constraint). Sources: docs/components.md.
  seaweedfs: {
    endpointExample: "http://seaweedfs.kubeflow:9000",
    defaultRegion: "us-east-1",
    forcePathStyle: true,
    checksums: "WHEN_REQUIRED",
    notes: [
      "SeaweedFS serves path-style requests only, and its IAM takes only Allow statements in user policies: a Deny has to live in the bucket policy.",
    ],
  },
  wasabi: {
    endpoint: (region) => `https://s3.${region}.wasabisys.com`,
    endpointExample: "https://s3.<region>.wasabisys.com",
    defaultRegion: "us-east-1",
    forcePathStyle: true,
    checksums: "WHEN_REQUIRED",
    notes: [],
  },
} as const satisfies Record<string, ProviderPreset>;

export type ProviderName = keyof typeof PROVIDERS;
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

export function isAwsEndpoint(endpoint: string): boolean {
  return new URL(endpoint).hostname.endsWith(".amazonaws.com");
}
