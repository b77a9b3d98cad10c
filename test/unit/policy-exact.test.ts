// The exact evaluator's questions on the reference policies, the fixtures' wrong ones, the issue's
// metrics grant, bucket policies and unread conditions: every answer for all keys, every witness a
// key the per-request evaluator allows.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LAYOUTS } from "../../src/core/layout.js";
import { OBJECT_ACTIONS } from "../../src/core/operations.js";
import type { Role } from "../../src/core/plan.js";
import { fillTemplate, type PolicyDocument, parsePolicy } from "../../src/core/policy/document.js";
import { evaluate } from "../../src/core/policy/evaluate.js";
import {
  mayActOnProfile,
  mayActOutsideOwn,
  mayAnyoneAct,
  mayListOutsideOwn,
  ownKeys,
  type PolicySubject,
} from "../../src/core/policy/exact-questions.js";
import { afterLiteral, allOf, complement, contains, glob, globPattern, startingWith } from "../../src/core/policy/key-language.js";
import { shortestMember } from "../../src/core/policy/key-search.js";

const BUCKET = "kfp";
const deploykf = LAYOUTS.deploykf;
const fixture = (file: string, profile = "") => parsePolicy(fillTemplate(readFileSync(file, "utf8"), BUCKET, profile), file);
const doc = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), "test.json");
const profile = (name: string, ...identityPolicies: PolicyDocument[]): PolicySubject => ({
  role: { kind: "profile", profile: name },
  identityPolicies,
  bucketPolicy: [],
});
const referenceProfile = (name: string) => fixture("fixtures/reference-policies/profile.json", name);
const METRICS = { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/artifacts/*/metrics/*` };

/** The per-request evaluator's word on a witness key. */
function allowedByEvaluate(subject: PolicySubject, action: string, key: string): boolean {
  const documents = [...subject.identityPolicies, ...subject.bucketPolicy];
  return evaluate(documents, { action, resource: `arn:aws:s3:::${BUCKET}/${key}`, context: {}, caller: "identity" }).effect === "allow";
}

describe("key sets", () => {
  it("a shortest member of a glob less another, and none where the other covers it", () => {
    expect(shortestMember(allOf(glob("a*"), complement(glob("a?*"))))).toEqual({ found: true, word: "a" });
    expect(shortestMember(allOf(glob("ab*"), complement(glob("a*"))))).toEqual({ found: false });
    expect(shortestMember(allOf(glob("*/metrics/*"), complement(startingWith("artifacts/team-1/"))))).toEqual({ found: true, word: "/metrics/" });
  });

  it("what is left of an ARN glob once the bucket's ARN is read", () => {
    expect(afterLiteral(globPattern("arn:aws:s3:::kfp/artifacts/*"), "arn:aws:s3:::kfp/")).toEqual([globPattern("artifacts/*")]);
    expect(afterLiteral(globPattern("arn:aws:s3:::*"), "arn:aws:s3:::kfp/")).toEqual([globPattern("*")]);
    expect(afterLiteral(globPattern("arn:aws:s3:::k*/a"), "arn:aws:s3:::kfp/")).toEqual([globPattern("*/a"), globPattern("a")]);
    expect(afterLiteral(globPattern("arn:aws:s3:::kfp"), "arn:aws:s3:::kfp/")).toEqual([]);
  });
});

describe("a profile's reference policy", () => {
  const subject = profile("team-1", referenceProfile("team-1"));

  it("allows no object action on any key outside its own prefixes, nor on another profile's", () => {
    for (const action of OBJECT_ACTIONS) {
      expect(mayActOutsideOwn(subject, deploykf, BUCKET, action)).toEqual({ answer: "no" });
      expect(mayActOnProfile(subject, deploykf, BUCKET, action, "team-2")).toEqual({ answer: "no" });
    }
  });

  it("lets it list every name in the bucket (the reference's known weak spot); strict-list does not", () => {
    expect(mayListOutsideOwn(subject, deploykf, BUCKET)).toEqual({ answer: "yes", witness: { prefix: "", delimiter: null } });
    const strict = profile("team-1", fixture("fixtures/policies/strict-list.json", "team-1"));
    expect(mayListOutsideOwn(strict, deploykf, BUCKET)).toEqual({ answer: "no" });
  });

  it("in the kubeflow layout its own prefix is private-artifacts/<p>/, so the deployKF grant is outside it", () => {
    const answer = mayActOutsideOwn(subject, LAYOUTS.kubeflow, BUCKET, "s3:GetObject");
    expect(answer).toEqual({ answer: "yes", witness: "artifacts/team-1/x" });
  });
});

describe("the backend's reference policy", () => {
  const backend: PolicySubject = {
    role: { kind: "backend" },
    identityPolicies: [fixture("fixtures/reference-policies/backend.json")],
    bucketPolicy: [],
  };

  it("stays within KFP's prefixes for every object action", () => {
    for (const action of OBJECT_ACTIONS) expect(mayActOutsideOwn(backend, deploykf, BUCKET, action)).toEqual({ answer: "no" });
  });

  it("a grant on the whole bucket has a witness outside pipelines/, artifacts/ and v2/artifacts/", () => {
    const admin: PolicySubject = { ...backend, identityPolicies: [fixture("fixtures/policies/bucket-admin.json")] };
    const answer = mayActOutsideOwn(admin, deploykf, BUCKET, "s3:DeleteObject");
    expect(answer).toEqual({ answer: "yes", witness: "x" });
  });
});

describe("grants nobody wrote down in advance", () => {
  it("the issue's metrics grant: a witness under a profile that is not its own, for every team", () => {
    const subject = profile("team-1", referenceProfile("team-1"), doc(METRICS));
    const outside = mayActOutsideOwn(subject, deploykf, BUCKET, "s3:GetObject");
    expect(outside).toEqual({ answer: "yes", witness: "artifacts/x/metrics/x" });
    const other = mayActOnProfile(subject, deploykf, BUCKET, "s3:GetObject", "team-2");
    expect(other).toEqual({ answer: "yes", witness: "artifacts/team-2/metrics/x" });
    for (const answer of [outside, other]) {
      const key = answer.answer === "yes" ? answer.witness : "";
      expect(allowedByEvaluate(subject, "s3:GetObject", key)).toBe(true);
      expect(contains(ownKeys(subject.role, deploykf), key)).toBe(false);
    }
    expect(mayActOutsideOwn(subject, deploykf, BUCKET, "s3:PutObject")).toEqual({ answer: "no" });
  });

  it("the near miss reaches team-10 but not team-2; the wildcard and the extra read reach team-2", () => {
    const nearMiss = profile("team-1", fixture("fixtures/policies/near-miss.json", "team-1"));
    expect(mayActOutsideOwn(nearMiss, deploykf, BUCKET, "s3:GetObject")).toEqual({ answer: "yes", witness: "artifacts/team-1" });
    expect(mayActOnProfile(nearMiss, deploykf, BUCKET, "s3:PutObject", "team-10")).toEqual({ answer: "yes", witness: "artifacts/team-10/x" });
    expect(mayActOnProfile(nearMiss, deploykf, BUCKET, "s3:GetObject", "team-2")).toEqual({ answer: "no" });
    const wildcard = profile("team-3", fixture("fixtures/policies/artifacts-wildcard.json", "team-3"));
    expect(mayActOnProfile(wildcard, deploykf, BUCKET, "s3:DeleteObject", "team-2")).toEqual({ answer: "yes", witness: "artifacts/team-2/x" });
    const extra = profile("team-6", fixture("fixtures/policies/extra-read.json", "team-6"));
    expect(mayActOnProfile(extra, deploykf, BUCKET, "s3:GetObject", "team-2")).toEqual({ answer: "yes", witness: "artifacts/team-2/x" });
    expect(mayActOnProfile(extra, deploykf, BUCKET, "s3:PutObject", "team-2")).toEqual({ answer: "no" });
  });

  it("an explicit Deny with NotResource keeps s3:* on the bucket within the profile's own prefixes", () => {
    const subject = profile("team-1", fixture("fixtures/policies/explicit-deny.json", "team-1"));
    for (const action of [...OBJECT_ACTIONS, "s3:PutObjectAcl"])
      expect(mayActOutsideOwn(subject, deploykf, BUCKET, action)).toEqual({ answer: "no" });
  });

  it("listing under a prefix without its slash lists team-10's names too", () => {
    const list = doc({
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringLike: { "s3:prefix": ["artifacts/team-1*"] } },
    });
    expect(mayListOutsideOwn(profile("team-1", list), deploykf, BUCKET)).toEqual({
      answer: "yes",
      witness: { prefix: "artifacts/team-1", delimiter: null },
    });
  });

  it("a delimiter condition is met by a delimiter it allows", () => {
    const list = doc({
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { "s3:delimiter": "/" }, StringLike: { "s3:prefix": "artifacts/*" } },
    });
    expect(mayListOutsideOwn(profile("team-1", list), deploykf, BUCKET)).toEqual({
      answer: "yes",
      witness: { prefix: "artifacts/", delimiter: "/" },
    });
  });
});

describe("anyone, by the bucket policy", () => {
  const publicRead = [fixture("fixtures/policies/public-read-bucket.json")];

  it("Principal * on artifacts/* lets anyone read every profile's v1 artifacts, and write nothing", () => {
    expect(mayAnyoneAct(publicRead, BUCKET, "s3:GetObject")).toEqual({ answer: "yes", witness: "artifacts/x" });
    expect(mayAnyoneAct(publicRead, BUCKET, "s3:GetObject", startingWith("artifacts/team-1/"))).toEqual({
      answer: "yes",
      witness: "artifacts/team-1/x",
    });
    expect(mayAnyoneAct(publicRead, BUCKET, "s3:GetObject", startingWith("v2/artifacts/"))).toEqual({ answer: "no" });
    expect(mayAnyoneAct(publicRead, BUCKET, "s3:PutObject")).toEqual({ answer: "no" });
  });

  it("the identity's policies are not the anonymous caller's; the bucket policy's * statements are the identity's too", () => {
    const anonymous: PolicySubject = { role: { kind: "anonymous" }, identityPolicies: [doc(METRICS)], bucketPolicy: [] };
    expect(mayActOutsideOwn(anonymous, deploykf, BUCKET, "s3:GetObject")).toEqual({ answer: "no" });
    const withBucket: PolicySubject = { ...profile("team-1", referenceProfile("team-1")), bucketPolicy: publicRead };
    expect(mayActOnProfile(withBucket, deploykf, BUCKET, "s3:GetObject", "team-2")).toEqual({ answer: "yes", witness: "artifacts/team-2/x" });
  });
});

describe("what it does not read is undecided, never guessed", () => {
  const arn = "arn:aws:iam::123456789012:user/team-1";
  const named = doc({ Effect: "Allow", Principal: { AWS: [arn] }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` });
  const role: Role = { kind: "profile", profile: "team-1" };

  it("a bucket policy naming the identity's ARN applies when the ARN is known, and is undecided when it is not", () => {
    const known: PolicySubject = { role, identityPolicies: [], bucketPolicy: [named], arn };
    expect(mayActOutsideOwn(known, deploykf, BUCKET, "s3:GetObject")).toEqual({ answer: "yes", witness: "x" });
    expect(mayActOutsideOwn({ ...known, arn: "arn:aws:iam::123456789012:user/team-2" }, deploykf, BUCKET, "s3:GetObject")).toEqual({ answer: "no" });
    const unknown = mayActOutsideOwn({ role, identityPolicies: [], bucketPolicy: [named] }, deploykf, BUCKET, "s3:GetObject");
    expect(unknown).toMatchObject({ answer: "undecided", unread: ["a Principal naming specific callers (their ARNs are not known offline)"] });
  });

  it("an Allow on a condition key it does not read is undecided naming the key; a Deny of it where nothing is allowed is not", () => {
    const sourceIp = { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } };
    const allow = doc({ Sid: "FromTheOffice", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: sourceIp });
    const answer = mayActOutsideOwn(profile("team-1", referenceProfile("team-1"), allow), deploykf, BUCKET, "s3:GetObject");
    expect(answer).toEqual({
      answer: "undecided",
      reasons: ["statement FromTheOffice uses condition key aws:SourceIp, which the exact evaluator does not read"],
      unread: ["condition key aws:SourceIp"],
      witness: "x",
    });
    const deny = doc({ Effect: "Deny", Action: "s3:*", Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: sourceIp });
    expect(mayActOutsideOwn(profile("team-1", referenceProfile("team-1"), deny), deploykf, BUCKET, "s3:GetObject")).toEqual({ answer: "no" });
  });

  it("a Deny it cannot read over a grant outside the profile's prefixes makes that grant undecided", () => {
    const deny = doc({
      Effect: "Deny",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
    });
    const answer = mayActOutsideOwn(profile("team-1", referenceProfile("team-1"), doc(METRICS), deny), deploykf, BUCKET, "s3:GetObject");
    expect(answer).toMatchObject({ answer: "undecided", unread: ["condition key aws:CurrentTime"], witness: "artifacts/x/metrics/x" });
  });
});
