// The questions the probe asks of a policy, answered for ALL keys by the exact evaluator: may this
// identity do an action on any key outside what KFP gives its role (a profile's own prefixes, the
// backend's and every profile's), on any key of one other profile, may anyone (the anonymous
// caller, through the bucket policy), and may it list names under a prefix outside its own.
import { type KeyLayout, profilePrefixes } from "../layout.js";
import { OBJECT_ACTIONS } from "../operations.js";
import type { Role } from "../plan.js";
import type { PolicyDocument } from "./document.js";
import { type Caller, type Candidate, decide, type ExactAnswer, objectCandidates } from "./exact.js";
import { decideList, type ListWitness } from "./exact-list.js";
import { grantedPrefixes } from "./generate.js";
import { ALL_KEYS, allOf, anyOf, complement, exactly, glob, type KeySet, startingWith } from "./key-language.js";

/** Whose policies: an identity's own documents, the bucket's policy, and its ARN where known (for Principal). */
export interface PolicySubject {
  role: Role;
  identityPolicies: PolicyDocument[];
  bucketPolicy: PolicyDocument[];
  arn?: string;
}

/**
 * Keys a person would write: no empty path segment, not ending in "/". A witness is the shortest of
 * these where there is one (`artifacts/x/metrics/x` rather than `artifacts//metrics/`).
 */
const PLAIN_KEYS: KeySet = complement(anyOf(exactly(""), glob("/*"), glob("*/"), glob("*//*")));

const underAny = (prefixes: string[]): KeySet => anyOf(...prefixes.map(startingWith));

/** What KFP gives the role: its prefixes and everything under them. */
export function ownKeys(role: Role, layout: KeyLayout): KeySet {
  return underAny(grantedPrefixes(role, layout));
}

export function callerOf(subject: PolicySubject): { caller: Caller; documents: PolicyDocument[] } {
  if (subject.role.kind === "anonymous") return { caller: { kind: "anonymous" }, documents: subject.bucketPolicy };
  const caller: Caller = subject.arn === undefined ? { kind: "identity" } : { kind: "identity", arn: subject.arn };
  return { caller, documents: [...subject.identityPolicies, ...subject.bucketPolicy] };
}

/** The subject's statements on `action` as key sets: what `decide` answers questions over. */
export function subjectCandidates(subject: PolicySubject, bucket: string, action: string): Candidate[] {
  const { caller, documents } = callerOf(subject);
  return objectCandidates(documents, caller, action, bucket);
}

/** May the subject do `action` on any key of `keys`? The witness is a shortest such key. */
function mayActOn(subject: PolicySubject, bucket: string, action: string, keys: KeySet): ExactAnswer<string> {
  return decide(subjectCandidates(subject, bucket, action), keys, PLAIN_KEYS);
}

/** Any key outside what KFP gives the role, including the prefixes of profiles that do not exist yet. */
export function mayActOutsideOwn(subject: PolicySubject, layout: KeyLayout, bucket: string, action: string): ExactAnswer<string> {
  return mayActOn(subject, bucket, action, complement(ownKeys(subject.role, layout)));
}

/** Any key of `profile`'s prefixes that is not also the subject's own. */
export function mayActOnProfile(subject: PolicySubject, layout: KeyLayout, bucket: string, action: string, profile: string): ExactAnswer<string> {
  return mayActOn(subject, bucket, action, allOf(underAny(profilePrefixes(layout, profile)), complement(ownKeys(subject.role, layout))));
}

/** May anyone (no credentials at all) do `action` on a key of `keys`, by the bucket policy's Principal "*" statements? */
export function mayAnyoneAct(bucketPolicy: PolicyDocument[], bucket: string, action: string, keys: KeySet = ALL_KEYS): ExactAnswer<string> {
  return mayActOn({ role: { kind: "anonymous" }, identityPolicies: [], bucketPolicy }, bucket, action, keys);
}

/**
 * May the subject list key names under a prefix outside its own: a prefix that is not under one of
 * its prefixes ("", "artifacts/" or "artifacts/team-1" all list other teams' names), or no prefix.
 */
export function mayListOutsideOwn(subject: PolicySubject, layout: KeyLayout, bucket: string, action = "s3:ListBucket"): ExactAnswer<ListWitness> {
  const { caller, documents } = callerOf(subject);
  return decideList(documents, caller, bucket, complement(ownKeys(subject.role, layout)), action);
}

/** Every question for one identity: per object action, outside its own keys and on each other profile; and listing. */
export interface ExactAudit {
  actions: { action: string; outside: ExactAnswer<string>; profiles: { profile: string; answer: ExactAnswer<string> }[] }[];
  list: ExactAnswer<ListWitness>;
}

/**
 * The questions for one subject against the named profiles. Where nothing outside its own keys is
 * allowed, nothing on another profile is (those keys are a subset), so the profiles are answered "no"
 * without a search of their own; otherwise each profile is searched.
 */
export function auditSubject(subject: PolicySubject, layout: KeyLayout, bucket: string, profiles: string[]): ExactAudit {
  const others = profiles.filter((name) => subject.role.kind !== "profile" || name !== subject.role.profile);
  const actions = OBJECT_ACTIONS.map((action) => {
    const outside = mayActOutsideOwn(subject, layout, bucket, action);
    const answerFor = (profile: string) => (outside.answer === "no" ? outside : mayActOnProfile(subject, layout, bucket, action, profile));
    return { action, outside, profiles: others.map((profile) => ({ profile, answer: answerFor(profile) })) };
  });
  return { actions, list: mayListOutsideOwn(subject, layout, bucket) };
}
