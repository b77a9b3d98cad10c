// The first thing the entry does, before any other module of the tool is evaluated: on a Node.js
// older than the floor, one line with the fix and exit 2, before anything is read or sent. It
// imports nothing, so that it runs on any Node that can parse the entry.

/** Node.js 22 is the floor: the AWS SDK drops Node 20 in January 2027, and Node 20 is past its end of life. */
export const NODE_FLOOR = 22;

/** The one line for a Node.js older than the floor, or undefined when this one will do. */
export function nodeTooOld(version: string): string | undefined {
  const major = Number.parseInt(version.replace(/^v/, ""), 10);
  if (Number.isFinite(major) && major >= NODE_FLOOR) return undefined;
  return (
    `kfp-s3-probe: Node.js ${version} is too old, it needs ${NODE_FLOOR} or newer: install Node.js 24 LTS ` +
    "(in a checkout, `npx kfp-s3-probe` runs it on the Node 24 that npm ci brought)\n"
  );
}

const refusal = nodeTooOld(process.version);
if (refusal !== undefined) {
  process.stderr.write(refusal);
  process.exit(2);
}
