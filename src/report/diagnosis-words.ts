// The words of a diagnosis across identities: what it means and what to do, made from its data.
import type { Diagnosis, DiagnosisKind, Place } from "../core/diagnoses.js";
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

interface DiagnosisWords {
  /** The text report's label, in at most 11 characters. */
  label: string;
  words: (d: Diagnosis, bucket: string) => { message: string; fix: string };
}

const who = (d: Diagnosis) => d.identities.join(", ");
const profilesOf = (d: Diagnosis) => d.profiles.join(", ");

/** Every kind of diagnosis in words, one record each. */
const DIAGNOSIS_WORDS: Record<DiagnosisKind, DiagnosisWords> = {
  "shared-key": {
    label: "SHARED KEY",
    words: (d) => ({
      message: `${who(d)} present the same access key id (${d.accessKeyId ?? "…"})${profilesOf(d) ? `, for ${profilesOf(d)}` : ""}: one key for several identities`,
      fix: "give each profile keys of its own: its own user (or service account) and policy, in its own Secret",
    }),
  },
  "keys-of-another-profile": {
    label: "WRONG KEYS",
    words: (d) => ({
      message: `${who(d)} is denied its own prefixes but reaches ${profilesOf(d)}'s (${places(d.where)}): its Secret holds ${profilesOf(d)}'s keys`,
      fix: `put ${who(d)}'s own keys in its Secret, not ${profilesOf(d)}'s`,
    }),
  },
  public: {
    label: "PUBLIC",
    words: (d, bucket) => ({
      message: `anyone, without keys, can ${places(d.where)}`,
      fix: `remove the grant to everyone from bucket ${bucket}: a bucket policy statement with Principal "*" or a public ACL; on AWS turn on Block Public Access, on MinIO remove the anonymous policy (mc anonymous set none)`,
    }),
  },
  "denied-everything": {
    label: "DENIED ALL",
    words: (d) => ({
      message: `${who(d)} is denied every request, its own prefixes included: the store knows the keys but grants them nothing`,
      fix: "attach the role's policy to the user these keys belong to (or put the keys of the user that has the policy in the Secret)",
    }),
  },
  "wildcard-grant": {
    label: "WILDCARD",
    words: (d, bucket) => ({
      message:
        d.variant === "wildcard"
          ? `${who(d)} reaches a profile that exists nowhere (${places(d.where)}): its policy's resource has a wildcard`
          : `${who(d)} reaches near-miss names (${places(d.where)}): its policy's resource lacks the trailing slash`,
      fix: `write each resource with the profile's name and a trailing slash: arn:aws:s3:::${bucket}/artifacts/<profile>/* (and v2/artifacts/<profile>/*)`,
    }),
  },
};

export const diagnosisLabel = (kind: DiagnosisKind): string => DIAGNOSIS_WORDS[kind].label;

export function wordDiagnoses(diagnoses: Diagnosis[], bucket: string): WordedDiagnosis[] {
  return diagnoses.map((d) => ({ ...d, ...DIAGNOSIS_WORDS[d.kind].words(d, bucket) }));
}
