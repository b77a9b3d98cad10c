// The offline evaluator against AWS's documented policy evaluation logic: explicit Deny wins, an
// Allow that matches allows, anything else is an implicit deny; wildcards, Not forms, conditions.
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/core/policy/document.js";
import { allowingStatements, evaluate, type PolicyRequest, wildcardMatch } from "../../src/core/policy/evaluate.js";

const doc = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), "test.json");
const BUCKET = "arn:aws:s3:::kfp";
const get = (key: string, caller: PolicyRequest["caller"] = "identity"): PolicyRequest => ({
  action: "s3:GetObject",
  resource: `${BUCKET}/${key}`,
  context: {},
  caller,
});
const list = (prefix?: string, delimiter?: string): PolicyRequest => ({
  action: "s3:ListBucket",
  resource: BUCKET,
  context: { ...(prefix !== undefined ? { "s3:prefix": prefix } : {}), ...(delimiter !== undefined ? { "s3:delimiter": delimiter } : {}) },
  caller: "identity",
});
const effect = (d: ReturnType<typeof doc>, r: PolicyRequest) => evaluate([d], r).effect;

describe("wildcards", () => {
  it("* is any run of characters, ? exactly one, and nothing else is special", () => {
    expect(wildcardMatch("artifacts/team-1/*", "artifacts/team-1/a/b")).toBe(true);
    expect(wildcardMatch("artifacts/team-1*", "artifacts/team-10/x")).toBe(true);
    expect(wildcardMatch("artifacts/team-?/*", "artifacts/team-2/x")).toBe(true);
    expect(wildcardMatch("artifacts/team-?/*", "artifacts/team-10/x")).toBe(false);
    expect(wildcardMatch("a.b(c)[d]+", "a.b(c)[d]+")).toBe(true);
    expect(wildcardMatch("a.b", "axb")).toBe(false);
  });

  it("actions match without regard to case; resources with it", () => {
    const d = doc({ Effect: "Allow", Action: "S3:getobject", Resource: `${BUCKET}/Artifacts/*` });
    expect(effect(d, get("Artifacts/x"))).toBe("allow");
    expect(effect(d, get("artifacts/x"))).toBe("implicit-deny");
    expect(effect(doc({ Effect: "Allow", Action: "s3:Get*", Resource: "*" }), get("x"))).toBe("allow");
    expect(effect(doc({ Effect: "Allow", Action: "s3:*Object", Resource: "*" }), get("x"))).toBe("allow");
  });
});

describe("Allow, Deny and nothing", () => {
  it("an explicit Deny wins over any Allow, in any order and any document", () => {
    const allow = doc({ Effect: "Allow", Action: "s3:*", Resource: "*" });
    const deny = doc({ Effect: "Deny", Action: "s3:GetObject", Resource: `${BUCKET}/artifacts/team-2/*` });
    expect(evaluate([allow, deny], get("artifacts/team-2/x")).effect).toBe("explicit-deny");
    expect(evaluate([deny, allow], get("artifacts/team-2/x")).effect).toBe("explicit-deny");
    expect(evaluate([allow, deny], get("artifacts/team-1/x")).effect).toBe("allow");
  });

  it("nothing that matches is an implicit deny", () => {
    expect(effect(doc({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }), get("x"))).toBe("implicit-deny");
    expect(evaluate([], get("x")).effect).toBe("implicit-deny");
  });

  it("NotAction and NotResource match everything they do not name", () => {
    const notAction = doc({ Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" });
    expect(effect(notAction, get("x"))).toBe("allow");
    expect(effect(notAction, { ...get("x"), action: "s3:DeleteObject" })).toBe("implicit-deny");
    const notResource = doc({ Effect: "Deny", Action: "s3:*", NotResource: [`${BUCKET}/artifacts/team-1/*`, BUCKET] });
    const both = [doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }), notResource];
    expect(evaluate(both, get("artifacts/team-1/x")).effect).toBe("allow");
    expect(evaluate(both, get("artifacts/team-2/x")).effect).toBe("explicit-deny");
  });

  it("a statement needs exactly one of Action/NotAction and Resource/NotResource, and says which field is wrong", () => {
    expect(() => doc({ Effect: "Allow", Resource: "*" })).toThrow(/test.json: Statement\[0\] needs Action or NotAction/);
    expect(() => doc({ Effect: "Allow", Action: "s3:*", Resource: "*", NotResource: "x" })).toThrow(/Resource or NotResource/);
    expect(() => doc({ Effect: "Maybe", Action: "s3:*", Resource: "*" })).toThrow(/Statement\[0\].Effect must be "Allow" or "Deny"/);
    expect(() => parsePolicy("{", "bad.json")).toThrow(/bad.json: not valid JSON/);
  });
});

describe("Principal (bucket policies)", () => {
  const publicRead = doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET}/artifacts/*` });
  it('"*" and {"AWS": "*"} are anyone, the anonymous caller included', () => {
    expect(effect(publicRead, get("artifacts/x", "anonymous"))).toBe("allow");
    const aws = doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: `${BUCKET}/*` });
    expect(effect(aws, get("x", "anonymous"))).toBe("allow");
  });

  it("named principals never include the anonymous caller, and are undecided for a caller whose ARN is unknown", () => {
    const named = doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:user/x" }, Action: "s3:GetObject", Resource: `${BUCKET}/*` });
    expect(effect(named, get("x", "anonymous"))).toBe("implicit-deny");
    expect(evaluate([named], get("x"))).toMatchObject({ effect: "undecided", reason: expect.stringMatching(/Principal/) });
  });
});

describe("conditions on s3:prefix and s3:delimiter", () => {
  const strictList = (operator: string, values: string[]) =>
    doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { [operator]: { "s3:prefix": values } } });

  it("StringLike: any value may match, with wildcards", () => {
    const d = strictList("StringLike", ["artifacts/team-1/*", "v2/artifacts/team-1/*"]);
    expect(effect(d, list("artifacts/team-1/"))).toBe("allow");
    expect(effect(d, list("v2/artifacts/team-1/run"))).toBe("allow");
    expect(effect(d, list("artifacts/team-2/"))).toBe("implicit-deny");
    // A listing without a prefix carries no s3:prefix: a positive operator does not match it.
    expect(effect(d, list())).toBe("implicit-deny");
  });

  it("StringEquals compares whole values, without wildcards", () => {
    const d = strictList("StringEquals", ["artifacts/team-1/*"]);
    expect(effect(d, list("artifacts/team-1/*"))).toBe("allow");
    expect(effect(d, list("artifacts/team-1/"))).toBe("implicit-deny");
  });

  it("the Not forms match when no value does, and when the key is absent", () => {
    const notLike = doc({
      Effect: "Deny",
      Action: "s3:ListBucket",
      Resource: BUCKET,
      Condition: { StringNotLike: { "s3:prefix": ["artifacts/team-1/*"] } },
    });
    const allowAll = doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET });
    expect(evaluate([allowAll, notLike], list("artifacts/team-1/x")).effect).toBe("allow");
    expect(evaluate([allowAll, notLike], list("artifacts/team-2/")).effect).toBe("explicit-deny");
    expect(evaluate([allowAll, notLike], list()).effect).toBe("explicit-deny");
    const notEquals = strictList("StringNotEquals", ["pipelines/"]);
    expect(effect(notEquals, list("pipelines/"))).toBe("implicit-deny");
    expect(effect(notEquals, list("artifacts/"))).toBe("allow");
  });

  it("ForAnyValue: and …IfExists", () => {
    expect(effect(strictList("ForAnyValue:StringLike", ["artifacts/team-1/*"]), list("artifacts/team-1/a"))).toBe("allow");
    const ifExists = strictList("StringLikeIfExists", ["artifacts/team-1/*"]);
    expect(effect(ifExists, list())).toBe("allow");
    expect(effect(ifExists, list("pipelines/"))).toBe("implicit-deny");
    // ForAnyValue: over a key the request lacks is false, the negated form too: such a Deny never applies.
    const notLike = strictList("ForAnyValue:StringNotLike", ["artifacts/team-1/*"]);
    expect(effect(notLike, list())).toBe("implicit-deny");
    expect(effect(notLike, list("pipelines/"))).toBe("allow");
  });

  it("every operator and key of a statement must hold (AND); s3:delimiter too", () => {
    const d = doc({
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: BUCKET,
      Condition: { StringLike: { "s3:prefix": ["artifacts/team-1/*"] }, StringEquals: { "s3:delimiter": ["/"] } },
    });
    expect(effect(d, list("artifacts/team-1/", "/"))).toBe("allow");
    expect(effect(d, list("artifacts/team-1/"))).toBe("implicit-deny");
  });

  it("an operator or key it does not read is undecided where it could change the answer, and only there", () => {
    const ip = doc({ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } } });
    const allow = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/artifacts/*` });
    expect(evaluate([allow, ip], get("artifacts/x"))).toMatchObject({
      effect: "undecided",
      reason: expect.stringMatching(/NotIpAddress|aws:SourceIp/),
    });
    // Denied anyway: an unreadable Deny cannot change that.
    expect(evaluate([allow, ip], get("pipelines/x")).effect).toBe("implicit-deny");
    const maybeAllow = doc({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { DateGreaterThan: { "aws:CurrentTime": ["2020-01-01"] } },
    });
    expect(evaluate([maybeAllow], get("x")).effect).toBe("undecided");
    // Allowed anyway: an unreadable Allow cannot change that.
    expect(evaluate([allow, maybeAllow], get("artifacts/x")).effect).toBe("allow");
  });
});

describe("the statements behind an answer (what check-policy names)", () => {
  it("every Allow that applies: its document's source, its index, its Sid and the Resource that matched", () => {
    const first = doc(
      { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET },
      { Sid: "Wide", Effect: "Allow", Action: "s3:Get*", Resource: [`${BUCKET}/pipelines/*`, `${BUCKET}/artifacts/*`] },
    );
    const second = parsePolicy(
      JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", NotResource: `${BUCKET}/pipelines/*` }] }),
      "other.json",
    );
    expect(allowingStatements([first, second], get("artifacts/team-2/x"))).toEqual([
      { source: "test.json", statement: 1, sid: "Wide", resource: `${BUCKET}/artifacts/*` },
      { source: "other.json", statement: 0 },
    ]);
    // A Deny is no grant, and a statement whose condition does not hold does not apply.
    const denied = doc(
      { Effect: "Deny", Action: "s3:GetObject", Resource: `${BUCKET}/*` },
      { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": ["artifacts/team-1/*"] } } },
    );
    expect(allowingStatements([denied], get("artifacts/x"))).toEqual([]);
    expect(allowingStatements([denied], list("pipelines/"))).toEqual([]);
    expect(allowingStatements([denied], list("artifacts/team-1/x"))).toEqual([{ source: "test.json", statement: 1, resource: BUCKET }]);
  });
});
