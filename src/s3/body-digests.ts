// Digests of request bodies, computed once per body: the probe sends the same few canary bodies
// (and one 64 KiB multipart part) thousands of times, and the SDK would hash each send anew.
// Keyed by the body's identity, so a body must not change once sent (the probe's never do).
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

const sha256s = new WeakMap<Uint8Array, string>();
const crc32s = new WeakMap<Uint8Array, string>();

/** The hex SHA-256 that SigV4 signs as x-amz-content-sha256. */
export function payloadSha256(body: Uint8Array): string {
  let hex = sha256s.get(body);
  if (hex === undefined) {
    hex = createHash("sha256").update(body).digest("hex");
    sha256s.set(body, hex);
  }
  return hex;
}

/** The base64 big-endian CRC32 that S3 takes as x-amz-checksum-crc32 (what the SDK would compute). */
export function crc32Base64(body: Uint8Array): string {
  let value = crc32s.get(body);
  if (value === undefined) {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(crc32(body));
    value = bytes.toString("base64");
    crc32s.set(body, value);
  }
  return value;
}
