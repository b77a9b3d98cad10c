# The probe as one folder (dist/bundle/: an entry and its chunks) on a small Node image: no
# node_modules, no shell needed, not root. Built by `npm run image` (scripts/image.sh: npm run build,
# then docker or podman build -t kfp-s3-probe:<version> .); see the README for pushing it and `job --image`.
# The Job that `kfp-s3-probe job` prints runs this image with a read-only root filesystem.
# The current Node LTS: the AWS SDK supports it without its Node-version warning (Node 20 is past
# its end of life, and the SDK needs Node 22 or later from January 2027).
FROM node:24-alpine
COPY dist/bundle/ /app/
USER 65532:65532
ENV NO_COLOR=1
# --max-semi-space-size: the young generation Node 20 had (src/node-flags.ts says why).
ENTRYPOINT ["node", "--max-semi-space-size=16", "/app/kfp-s3-probe.mjs"]
