import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/closing-line-reporter.ts"],
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // Starts the real Ceph RGW (and installs its Debian packages when missing).
          globalSetup: ["test/integration/global-setup.ts"],
          hookTimeout: 300_000,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
