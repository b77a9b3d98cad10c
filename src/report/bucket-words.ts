// The bucket's settings in words, for the text report's header: what the run found, what it could
// not read, and the findings about KFP on this bucket. One small function the layout places.
import { type BucketFacts, isVersioned, type Reading } from "../core/bucket-facts.js";
import { CAUSE_WORDS } from "./hint.js";
import type { Report } from "./model.js";

type ReportBucket = NonNullable<Report["bucket"]>;
type Setting = Exclude<keyof ReportBucket, "versionsRemovable" | "findings">;

const NAMES: Record<Setting, string> = {
  versioning: "versioning",
  objectLock: "object lock",
  encryption: "encryption",
  lifecycle: "lifecycle",
  policy: "policy",
};

function settingWords(bucket: ReportBucket, setting: Setting): string | undefined {
  switch (setting) {
    case "versioning":
      return bucket.versioning.status === "read" ? bucket.versioning.value : undefined;
    case "objectLock": {
      if (bucket.objectLock.status !== "read") return undefined;
      const { enabled, defaultRetention: r } = bucket.objectLock.value;
      if (!enabled) return "off";
      return r ? `${r.mode} retention${r.days ? ` ${r.days} d` : r.years ? ` ${r.years} y` : ""} by default` : "on, no default retention";
    }
    case "encryption":
      return bucket.encryption.status === "read" ? bucket.encryption.value.algorithm : undefined;
    case "lifecycle": {
      if (bucket.lifecycle.status !== "read") return undefined;
      const { rules } = bucket.lifecycle.value;
      const noncurrent = rules.some((rule) => rule.noncurrentExpiration) ? ", noncurrent versions expire" : "";
      return `${rules.length} rule${rules.length === 1 ? "" : "s"}${noncurrent}`;
    }
    case "policy":
      return bucket.policy.status === "read" ? `${bucket.policy.value.statements.length} statement(s)` : undefined;
  }
}

const readingOf = (bucket: ReportBucket, setting: Setting): Reading<unknown> => bucket[setting];

/**
 * Two lines at most: what was found ("none" where the bucket has none), and what could not be
 * read, with why; then each finding about KFP on this bucket. Empty where nothing was asked.
 */
export function bucketLines(report: Report): string[] {
  const { bucket } = report;
  if (!bucket) return [];
  const settings = Object.keys(NAMES) as Setting[];
  const found = settings.flatMap((setting) => {
    const reading = readingOf(bucket, setting);
    return reading.status === "none"
      ? [`${NAMES[setting]} none`]
      : reading.status === "read"
        ? [`${NAMES[setting]} ${settingWords(bucket, setting)}`]
        : [];
  });
  const unread = settings.flatMap((setting) => {
    const reading = readingOf(bucket, setting);
    return reading.status === "unread" ? [`${NAMES[setting]} (${reading.problem})`] : [];
  });
  const removable =
    bucket.versionsRemovable === false
      ? ["versions: the run cannot remove what it writes (s3:DeleteObjectVersion denied): each write leaves a version"]
      : [];
  return [
    ...(found.length > 0 ? [`bucket: ${found.join(", ")}`] : []),
    ...(unread.length > 0 ? [`bucket settings not read: ${unread.join("; ")}`] : []),
    ...removable,
    ...bucket.findings.map((finding) => `bucket: ${CAUSE_WORDS[finding.cause].title}: ${finding.hint ?? ""}`.trimEnd()),
  ];
}

/** Said before the checks write more: on a versioned bucket where the first write could not be removed by its version id. */
export function versionWarning(facts: BucketFacts): string | undefined {
  if (!isVersioned(facts) || facts.versionsRemovable !== false) return undefined;
  const retention = facts.objectLock.status === "read" ? facts.objectLock.value.defaultRetention : undefined;
  if (retention) {
    return `this bucket keeps every version under object lock (${retention.mode} retention by default): each write of the run leaves a version no one can remove until it expires, reported as leftovers; a plain delete leaves no probe object current, and it writes on fewer keys (its first write serves as a seed; the multipart upload completes on the CRC32 canary's key). Use --read-only on it`;
  }
  return "this bucket keeps versions and the run's keys may not remove them (s3:DeleteObjectVersion): each write of the run leaves a version and each delete a marker, reported as leftovers; a plain delete leaves no probe object current, and it writes on fewer keys (its first write serves as a seed; the multipart upload completes on the CRC32 canary's key). Grant s3:DeleteObjectVersion on */.kfp-s3-probe/* or use --read-only";
}
