import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/closing-line-reporter.ts"],
    // For the test processes' own SDK clients; the CLI under test is run without it and must
    // keep the warning out of its output by itself.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // Starts the real Ceph RGW (and installs its Debian packages when missing).
          globalSetup: ["test/integration/global-setup.ts"],
          // One server, one bucket: files run one after another, so each test sees only its own objects.
          fileParallelism: false,
          hookTimeout: 300_000,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
