// The V8 flags the tool starts with, wherever it runs: bin/kfp-s3-probe's shebang, the bundle's
// (rolldown.config.mjs), the image's ENTRYPOINT (Dockerfile) and the Job's NODE_OPTIONS
// (src/k8s/job.ts). A test holds them to this list. They must be given at start: V8 sizes its
// heap when the process starts, and v8.setFlagsFromString later changes nothing.
//
// Node 24's V8 grows the young generation to 64 MB (Node 20's: 32 MB), and a long run's peak
// RSS with it: 342–390 MB for the backend + 100 profiles against 218 MB on Node 20. Semi-spaces of
// 16 MB give the young generation Node 20 had (measured in npm run bench).
const SEMI_SPACE_MB = 16;

export const NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${SEMI_SPACE_MB}`];
