// The words of a diagnosis across identities: what it means and what to do, made from its data.
import type { Diagnosis, Place } from "../core/diagnoses.js";
import { fewAndMore } from "./hint.js";

export interface WordedDiagnosis extends Diagnosis {
  message: string;
  fix: string;
}

/** The places of a diagnosis: all of a few, the first two and how many more of many. */
function places(where: Place[] | undefined): string {
  const all = (where ?? []).map((p) => `${[...new Set(p.operations)].join("/")} ${p.prefix ?? "the bucket"}`);
  return fewAndMore(all, "more prefixes");
}

function words(d: Diagnosis, bucket: string): { message: string; fix: string } {
  const who = d.identities.join(", ");
  const profiles = d.profiles.join(", ");
  switch (d.kind) {
    case "shared-key":
      return {
        message: `${who} present the same access key id (${d.accessKeyId ?? "…"})${profiles ? `, for ${profiles}` : ""}: one key for several identities`,
        fix: "give each profile keys of its own: its own user (or service account) and policy, in its own Secret",
      };
    case "keys-of-another-profile":
      return {
        message: `${who} is denied its own prefixes but reaches ${profiles}'s (${places(d.where)}): its Secret holds ${profiles}'s keys`,
        fix: `put ${who}'s own keys in its Secret, not ${profiles}'s`,
      };
    case "public":
      return {
        message: `anyone, without keys, can ${places(d.where)}`,
        fix: `remove the grant to everyone from bucket ${bucket}: a bucket policy statement with Principal "*" or a public ACL; on AWS turn on Block Public Access, on MinIO remove the anonymous policy (mc anonymous set none)`,
      };
    case "denied-everything":
      return {
        message: `${who} is denied every request, its own prefixes included: the store knows the keys but grants them nothing`,
        fix: "attach the role's policy to the user these keys belong to (or put the keys of the user that has the policy in the Secret)",
      };
    case "wildcard-grant":
      return {
        message:
          d.variant === "wildcard"
            ? `${who} reaches a profile that exists nowhere (${places(d.where)}): its policy's resource has a wildcard`
            : `${who} reaches near-miss names (${places(d.where)}): its policy's resource lacks the trailing slash`,
        fix: `write each resource with the profile's name and a trailing slash: arn:aws:s3:::${bucket}/artifacts/<profile>/* (and v2/artifacts/<profile>/*)`,
      };
  }
}

export function wordDiagnoses(diagnoses: Diagnosis[], bucket: string): WordedDiagnosis[] {
  return diagnoses.map((d) => ({ ...d, ...words(d, bucket) }));
}
