// A credential chain that was set up and failed: the keys' source is there (IRSA's token file and
// role), but gave no keys, because STS refused them or could not be reached, or the token file
// could not be read. Such a failure is the run's connection failure (exit 3), as a store that
// cannot be reached is, not bad input. Data only: the report words it.

export interface CredentialFailure {
  /** What failed: reading the web identity token file, or the STS request (its answer, or none). */
  step: "token-file" | "sts";
  /** sts: the STS call (AssumeRoleWithWebIdentity, AssumeRole). */
  call?: string;
  /** sts: where the request went, scheme and host:port (AWS_ENDPOINT_URL_STS, or STS's regional endpoint). */
  endpoint?: string;
  /** sts: the HTTP status of STS's answer, where one came. */
  status?: number;
  /** sts: STS's error code (AccessDenied, InvalidIdentityToken, ExpiredTokenException), or the SDK's (TimeoutError). */
  errorName?: string;
  /** Node's system error code: the connection's (ECONNREFUSED, ENOTFOUND) or the token file's (ENOENT, EACCES). */
  systemCode?: string;
  /** STS's message, one line (it names the action, never the token). */
  message?: string;
  /** token-file: the file's path (AWS_WEB_IDENTITY_TOKEN_FILE). */
  file?: string;
  /** The role the chain asked for (AWS_ROLE_ARN). */
  roleArn?: string;
  /** No answer within the chain's bound (--credentials-timeout). */
  timeoutMs?: number;
}

/** The failure as evidence, one line: what was asked, where, and what came back. */
export function credentialFailureReason(failure: CredentialFailure): string {
  if (failure.step === "token-file") {
    return `the web identity token file ${failure.file ?? "(AWS_WEB_IDENTITY_TOKEN_FILE)"} cannot be read (${failure.systemCode ?? "unreadable"})`;
  }
  const request = `sts:${failure.call ?? "AssumeRoleWithWebIdentity"} at ${failure.endpoint ?? "STS"}`;
  if (failure.timeoutMs !== undefined) return `${request}: no answer within ${failure.timeoutMs} ms`;
  if (failure.status === undefined) return `${request}: no answer (${failure.systemCode ?? failure.errorName ?? "no connection"})`;
  const error = [failure.errorName, failure.message].filter(Boolean).join(": ");
  return `${request} refused (${failure.status}${error ? ` ${error}` : ""})`;
}
