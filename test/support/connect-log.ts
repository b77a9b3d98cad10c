// Loaded into a CLI under test with `--import`: it appends every outgoing TCP connection's
// destination (host:port) to the file KFP_S3_PROBE_CONNECT_LOG names, so that a test can hold that
// a run went nowhere but 127.0.0.1 (not to IMDS at 169.254.169.254, nor to a real STS). Imported
// without that variable (by the test itself, for readConnectLog), it changes nothing.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { Socket } from "node:net";

const logFile = process.env.KFP_S3_PROBE_CONNECT_LOG;

/** host:port from Socket#connect's arguments: (options), (port, host), net.connect's normalized [options, callback], or (path) for IPC, which is left out. */
function destinationOf(args: unknown[]): string | undefined {
  const [first, second] = args;
  if (Array.isArray(first)) return destinationOf(first);
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    return `${typeof second === "string" ? second : "localhost"}:${first}`;
  }
  if (typeof first !== "object" || first === null || !("port" in first)) return undefined;
  const host = "host" in first && typeof first.host === "string" ? first.host : "localhost";
  return `${host}:${String(first.port)}`;
}

if (logFile) {
  const connect = Socket.prototype.connect;
  Object.defineProperty(Socket.prototype, "connect", {
    configurable: true,
    writable: true,
    value: function (this: Socket, ...args: unknown[]) {
      const destination = destinationOf(args);
      if (destination) appendFileSync(logFile, `${destination}\n`);
      return Reflect.apply(connect, this, args);
    },
  });
}

/** The destinations a run connected to, one per connection. */
export function readConnectLog(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}
