// Policies read from the store's IAM (--policy-reader) and the bucket policy: the answers AWS and
// RGW give that no local server gives on demand (URL-encoded documents, managed policies at their
// default version, a store that serves no managed policies).
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { GetBucketPolicyCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { principalOfArn, readPrincipalPolicies } from "../../src/iam/policy-reader.js";
import { readBucketPolicy } from "../../src/s3/bucket-policy.js";

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
afterEach(() => {
  iamMock.reset();
  s3Mock.reset();
});

const iam = new IAMClient({ region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "unit-test-secret" } });
const signal = new AbortController().signal;
const doc = (resource: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: resource }] });

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message: name });
}

describe("principalOfArn", () => {
  it.each([
    ["arn:aws:iam::123456789012:user/team-1", { kind: "user", name: "team-1" }],
    ["arn:aws:iam::123456789012:user/kfp/profiles/team-1", { kind: "user", name: "team-1" }],
    ["arn:aws:iam::123456789012:role/kfp-team-1", { kind: "role", name: "kfp-team-1" }],
    ["arn:aws:sts::123456789012:assumed-role/kfp-team-1/botocore-session-1", { kind: "role", name: "kfp-team-1" }],
    ["arn:aws-us-gov:iam::123456789012:user/team-1", { kind: "user", name: "team-1" }],
  ])("%s", (arn, principal) => expect(principalOfArn(arn)).toEqual(principal));

  it.each(["arn:aws:iam::123456789012:root", "arn:aws:sts::123456789012:federated-user/bob", "not an arn"])("%s: no user or role", (arn) =>
    expect(principalOfArn(arn)).toBeUndefined(),
  );
});

describe("readPrincipalPolicies", () => {
  it("a user on AWS: inline policies URL-encoded, attached ones at their default version", async () => {
    iamMock.on(ListUserPoliciesCommand, { UserName: "team-1" }).resolves({ PolicyNames: ["inline-1"] });
    iamMock
      .on(GetUserPolicyCommand, { UserName: "team-1", PolicyName: "inline-1" })
      .resolves({ PolicyDocument: encodeURIComponent(doc("arn:aws:s3:::b/a/*")) });
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::1:policy/kfp", PolicyName: "kfp" }] });
    iamMock.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: "v3" } });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: "arn:aws:iam::1:policy/kfp", VersionId: "v3" })
      .resolves({ PolicyVersion: { Document: encodeURIComponent(doc("arn:aws:s3:::b/v3/*")) } });
    iamMock.on(ListGroupsForUserCommand).resolves({ Groups: [] });
    const reading = await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal);
    expect("documents" in reading && reading.documents.map((d) => d.statements[0]?.resource)).toEqual([
      ["arn:aws:s3:::b/a/*"],
      ["arn:aws:s3:::b/v3/*"],
    ]);
    expect("source" in reading && reading.source).toBe("IAM user team-1 (inline inline-1; attached kfp; groups none)");
  });

  it("a user's groups: their inline and attached policies are the user's too; groups refused: a problem, not a complete reading", async () => {
    iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: [] });
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iamMock
      .on(ListGroupsForUserCommand, { UserName: "team-1" })
      .resolves({ Groups: [{ GroupName: "kfp-users", GroupId: "g", Arn: "a", Path: "/", CreateDate: new Date() }] });
    iamMock.on(ListGroupPoliciesCommand, { GroupName: "kfp-users" }).resolves({ PolicyNames: ["read-all"] });
    iamMock
      .on(GetGroupPolicyCommand, { GroupName: "kfp-users", PolicyName: "read-all" })
      .resolves({ PolicyDocument: encodeURIComponent(doc("arn:aws:s3:::b/*")) });
    iamMock.on(ListAttachedGroupPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::1:policy/more", PolicyName: "more" }] });
    iamMock.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: "v1" } });
    iamMock.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: encodeURIComponent(doc("arn:aws:s3:::b/more/*")) } });
    const reading = await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal);
    expect("documents" in reading && reading.documents.map((d) => d.statements[0]?.resource)).toEqual([
      ["arn:aws:s3:::b/*"],
      ["arn:aws:s3:::b/more/*"],
    ]);
    expect("source" in reading && reading.source).toBe("IAM user team-1 (inline none; attached none; groups kfp-users/read-all, kfp-users/more)");
    iamMock.on(ListGroupsForUserCommand).rejects(serviceError("AccessDenied", 403));
    expect(await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal)).toEqual({
      problem: "IAM user team-1: IAM refused or failed: 403 AccessDenied",
    });
  });

  it("a role on RGW: documents as they were put, and no managed policies (405) said so", async () => {
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ["p"] });
    iamMock.on(GetRolePolicyCommand).resolves({ PolicyDocument: doc("arn:aws:s3:::b/*") });
    iamMock.on(ListAttachedRolePoliciesCommand).rejects(serviceError("UnknownError", 405));
    const reading = await readPrincipalPolicies(iam, { kind: "role", name: "kfp-team-1" }, signal);
    expect("documents" in reading && reading.documents).toHaveLength(1);
    expect("source" in reading && reading.source).toBe("IAM role kfp-team-1 (inline p; attached: the store serves no managed policies)");
  });

  it("IAM refused: a problem naming the principal and the answer, no documents", async () => {
    iamMock.on(ListUserPoliciesCommand).rejects(serviceError("AccessDenied", 403));
    expect(await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal)).toEqual({
      problem: "IAM user team-1: IAM refused or failed: 403 AccessDenied",
    });
  });

  it("no IAM API at all: said so", async () => {
    iamMock.on(ListUserPoliciesCommand).rejects(serviceError("NotImplemented", 501));
    expect(await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal)).toEqual({
      problem: "IAM user team-1: the store serves no IAM API: 501 NotImplemented",
    });
  });

  it("a document the evaluator cannot read: a problem naming where it came from", async () => {
    iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: ["broken"] });
    iamMock.on(GetUserPolicyCommand).resolves({ PolicyDocument: "{not json" });
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iamMock.on(ListGroupsForUserCommand).resolves({ Groups: [] });
    expect(await readPrincipalPolicies(iam, { kind: "user", name: "team-1" }, signal)).toEqual({
      problem: "IAM user team-1, policy broken: not valid JSON",
    });
  });
});

describe("readBucketPolicy", () => {
  const s3 = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "unit-test-secret" } });

  it("a policy: its statements, and who read it", async () => {
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: doc("arn:aws:s3:::b/artifacts/*") });
    const reading = await readBucketPolicy(s3, "b", "backend", signal);
    expect("document" in reading && reading.document.statements).toHaveLength(1);
    expect("source" in reading && reading.source).toBe("the bucket policy of b, read by backend");
  });

  it("none: a decided answer, not a problem", async () => {
    s3Mock.on(GetBucketPolicyCommand).rejects(serviceError("NoSuchBucketPolicy", 404));
    expect(await readBucketPolicy(s3, "b", "backend", signal)).toEqual({ none: true, source: "b has no bucket policy (read by backend)" });
  });

  it("denied: a problem", async () => {
    s3Mock.on(GetBucketPolicyCommand).rejects(serviceError("AccessDenied", 403));
    expect(await readBucketPolicy(s3, "b", "team-1", signal)).toEqual({ problem: "GetBucketPolicy by team-1: 403 AccessDenied" });
  });
});
