// A fault-injecting HTTP proxy on 127.0.0.1, in front of the local RGW, in the spirit of
// toxiproxy: it forwards requests unchanged (Host included, so SigV4 signatures stay valid) and,
// for a share of them chosen by a seeded generator, injects one fault. Written here rather than
// taken from a library because each fault needs a hand on the exact moment: after the request
// acted upstream, mid-body, or before it is forwarded at all.

import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net";

export type Fault =
  /** The upstream answer starts, then the connection is reset (the request acted). */
  | "reset"
  /** The request is forwarded and acts, and its answer is never sent: the connection is dropped. */
  | "drop"
  /** The answer is held back this long before it is forwarded. */
  | "delay"
  /** 503 SlowDown without forwarding (the request did not act). */
  | "slowdown"
  /** The headers and half the body, then the connection is closed (the request acted). */
  | "truncate";

export const FAULTS: Fault[] = ["reset", "drop", "delay", "slowdown", "truncate"];

/** mulberry32: a small seeded generator, so that a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultProxy {
  endpoint: string;
  /** Requests that got a fault. */
  injected: () => number;
  /** Requests that reached the proxy, faulty or not. */
  seen: () => number;
  close: () => Promise<void>;
}

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

function answerWithFault(fault: Fault, upstream: IncomingMessage, res: ServerResponse, delayMs: number): void {
  const body: Buffer[] = [];
  upstream.on("data", (chunk: Buffer) => body.push(chunk));
  upstream.on("end", () => {
    const whole = Buffer.concat(body);
    const socket = res.socket;
    if (fault === "drop") {
      socket?.destroy();
      return;
    }
    if (fault === "delay") {
      setTimeout(() => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        res.end(whole);
      }, delayMs);
      return;
    }
    res.writeHead(upstream.statusCode ?? 502, { ...upstream.headers, "content-length": String(Math.max(whole.length, 2)) });
    res.write(whole.subarray(0, Math.floor(whole.length / 2)));
    // Let the half that was written leave, then break the connection.
    setTimeout(() => (fault === "reset" ? socket?.resetAndDestroy() : socket?.destroy()), 5);
  });
}

/** Sends a request on to the store unchanged; `onAnswer` takes the answer, else it is passed back as it came. */
export function forward(req: IncomingMessage, res: ServerResponse, target: URL, onAnswer?: (answer: IncomingMessage) => void): void {
  const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    if (onAnswer) return onAnswer(answer);
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
}

/** Listens on a free loopback port; closing drops every open connection. */
export async function serveOnLoopback(server: Server): Promise<{ endpoint: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startFaultProxy(target: string, fault: Fault, rate: number, seed: number, delayMs = 1500): Promise<FaultProxy> {
  const upstreamUrl = new URL(target);
  const random = seeded(seed);
  let injected = 0;
  let seen = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen += 1;
    const faulty = random() < rate;
    if (faulty) injected += 1;
    if (faulty && fault === "slowdown") {
      req.resume();
      res.writeHead(503, { "content-type": "application/xml", "content-length": String(SLOW_DOWN.length) });
      res.end(SLOW_DOWN);
      return;
    }
    forward(req, res, upstreamUrl, faulty ? (answer) => answerWithFault(fault, answer, res, delayMs) : undefined);
  });
  const served = await serveOnLoopback(server);
  return { ...served, injected: () => injected, seen: () => seen };
}

/**
 * A proxy that rewrites the URL of the requests `rewrite` changes and forwards them (headers,
 * signature and all): a proxy that re-encodes what it should pass as sent. The store then
 * computes another signature than the client did, and refuses those requests alone.
 */
export async function startRewritingProxy(
  target: string,
  rewrite: (url: string) => string,
): Promise<{ endpoint: string; rewritten: () => number; close: () => Promise<void> }> {
  const upstreamUrl = new URL(target);
  let rewritten = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = rewrite(req.url ?? "/");
    if (url !== req.url) rewritten += 1;
    req.url = url;
    forward(req, res, upstreamUrl);
  });
  return { ...(await serveOnLoopback(server)), rewritten: () => rewritten };
}

/** A listener that accepts connections and never answers: a store that hangs. */
export async function startSilentListener(): Promise<{ endpoint: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A proxy that answers the requests `refuses` picks with an S3 error of its own, unforwarded, and
 * forwards the rest: a store (or a gateway before it) that does not take a header or a shape KFP's
 * component sends (a CRC32 checksum, path-style addressing).
 */
export async function startRefusingProxy(
  target: string,
  refuses: (req: IncomingMessage) => boolean,
  answer: { status: number; code: string; message: string },
): Promise<{ endpoint: string; refused: () => number; close: () => Promise<void> }> {
  const upstreamUrl = new URL(target);
  let refused = 0;
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>${answer.message}</Message></Error>`;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!refuses(req)) return forward(req, res, upstreamUrl);
    refused += 1;
    req.resume();
    res.writeHead(answer.status, { "content-type": "application/xml", "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  });
  return { ...(await serveOnLoopback(server)), refused: () => refused };
}
