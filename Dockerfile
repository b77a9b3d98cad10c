# The probe as one file on a small Node image: no node_modules, no shell needed, not root.
#   npm ci && npm run build && docker build -t kfp-s3-probe:0.1.0 .
# The Job that `kfp-s3-probe job` prints runs this image with a read-only root filesystem.
FROM node:20-alpine
COPY dist/kfp-s3-probe.mjs /app/kfp-s3-probe.mjs
USER 65532:65532
ENV NO_COLOR=1
ENTRYPOINT ["node", "/app/kfp-s3-probe.mjs"]
