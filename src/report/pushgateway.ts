// --pushgateway URL: the run's metrics pushed to a Prometheus Pushgateway (PUT, so the group holds
// this run's figures only), grouped by job and bucket. Keys in the URL (user:password@) become a
// Basic Authorization header and are never said: errors name the URL's origin and path alone.
const JOB = "kfp-s3-probe";
const PUSH_TIMEOUT_MS = 10_000;

/** The group's address: the URL as given where it names a group already, else /metrics/job/kfp-s3-probe/bucket/BUCKET under it. */
function pushAddress(base: URL, bucket: string): URL {
  const url = new URL(base.href);
  url.username = "";
  url.password = "";
  if (!url.pathname.includes("/metrics/job/")) {
    url.pathname = `${url.pathname.replace(/\/$/, "")}/metrics/job/${JOB}/bucket/${encodeURIComponent(bucket)}`;
  }
  return url;
}

/** The URL as it may be printed: no user, no password, no query. */
const shownUrl = (url: URL): string => `${url.origin}${url.pathname}`;

function authorization(base: URL): Record<string, string> {
  if (!base.username && !base.password) return {};
  const pair = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString("base64")}` };
}

/** Pushes Prometheus text; resolves to a problem in words, or undefined when the Pushgateway took it. */
export async function pushMetrics(base: URL, bucket: string, text: string): Promise<string | undefined> {
  const url = pushAddress(base, bucket);
  try {
    const answer = await fetch(url, {
      method: "PUT",
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", ...authorization(base) },
      body: text,
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
    if (answer.ok) return undefined;
    const said = (await answer.text()).trim().split("\n")[0]?.slice(0, 200) ?? "";
    return `${shownUrl(url)} answered HTTP ${answer.status}${said ? `: ${said}` : ""}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return `${shownUrl(url)} could not be reached (${cause})`;
  }
}
