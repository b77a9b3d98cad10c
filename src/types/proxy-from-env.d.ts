// proxy-from-env ships no types: the one function the probe uses.
declare module "proxy-from-env" {
  /** The proxy URL for a request URL from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (process.env); "" for none. */
  export function getProxyForUrl(url: string | URL): string;
}
