// On AWS, who the keys belong to: sts:GetCallerIdentity, which any valid key may call.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { factsFromError } from "./s3-port.js";

/** The caller's ARN, or why it could not be had (no secret in it). */
export async function callerArn(credentials: AwsCredentialIdentity, region: string, timeoutMs: number): Promise<{ arn?: string; problem?: string }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const sts = new STSClient({ region, credentials, maxAttempts: 1, requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs } });
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    return answer.Arn ? { arn: answer.Arn } : { problem: "no ARN in the answer" };
  } catch (error) {
    const facts = factsFromError(error);
    return { problem: [facts.status, facts.errorName ?? facts.systemCode].filter(Boolean).join(" ") || "no answer" };
  } finally {
    sts.destroy();
  }
}
