// `job --schedule`: the CronJob kfp-s3-probe prints, against the API's rules and the Kubernetes
// schema, and the schedule grammar Kubernetes reads (robfig/cron's standard parser).
import { fileURLToPath } from "node:url";
import { CronJob } from "kubernetes-models/batch/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { readDeploykfValues } from "../../src/deploykf/values.js";
import { scheduleProblem, timeZoneProblem } from "../../src/k8s/cron.js";
import { type JobOptions, jobManifest, RUN_LABEL, SCHEDULE_HISTORY } from "../../src/k8s/job.js";
import { cronJobApiErrors } from "../support/job-api.js";
import type { Parsed } from "../support/parsed.js";
import { runMain } from "../support/run-main.js";

const settings = readDeploykfValues(fileURLToPath(new URL("../../fixtures/deploykf/values.yaml", import.meta.url)));
const base: JobOptions = {
  namespace: "kubeflow",
  runId: "20261201T120000Z-0123456789ab",
  namePrefix: "kfp-s3-probe-",
  image: "kfp-s3-probe:0.1.0",
  ttlSeconds: 86_400,
  deadlineSeconds: 600,
};

function cronJobOf(options: Partial<JobOptions>): Parsed {
  const documents = parseAllDocuments(jobManifest(settings, { ...base, schedule: { cron: "0 3 * * *" }, ...options }));
  expect(documents).toHaveLength(1);
  return documents[0]?.toJSON();
}

describe("job --schedule: a CronJob instead of a Job", () => {
  it("passes the CronJob API's rules and the Kubernetes schema, single and Indexed", () => {
    for (const options of [{}, { parallelism: 4 }, { schedule: { cron: "@daily", timeZone: "Europe/Berlin" } }]) {
      const cronJob = cronJobOf(options);
      expect(cronJob.kind).toBe("CronJob");
      expect(cronJobApiErrors(cronJob)).toEqual([]);
      expect(() => new CronJob(cronJob).validate()).not.toThrow();
    }
    // The rules do refuse what the API server refuses.
    const broken = { ...cronJobOf({}), spec: { ...cronJobOf({}).spec, concurrencyPolicy: "Never" } };
    expect(cronJobApiErrors(broken)).toContainEqual(expect.stringMatching(/concurrencyPolicy/));
    expect(cronJobApiErrors(cronJobOf({ name: "k".repeat(53) }))).toContainEqual(expect.stringMatching(/52 characters/));
  });

  it("never two runs at once, the last runs kept (no TTL in the Job), the Istio sidecar off, the same Secrets", () => {
    const cronJob = cronJobOf({});
    const single = parseAllDocuments(jobManifest(settings, base))[0]?.toJSON();
    expect(cronJob.spec).toMatchObject({
      schedule: "0 3 * * *",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: SCHEDULE_HISTORY.successful,
      failedJobsHistoryLimit: SCHEDULE_HISTORY.failed,
    });
    const jobSpec = cronJob.spec.jobTemplate.spec;
    expect(jobSpec.ttlSecondsAfterFinished).toBeUndefined();
    expect(jobSpec.template.metadata.annotations["sidecar.istio.io/inject"]).toBe("false");
    expect(jobSpec.template.spec.volumes).toEqual(single.spec.template.spec.volumes);
    expect(jobSpec.podFailurePolicy).toEqual(single.spec.podFailurePolicy);
    // Each scheduled Job is a run of its own: no fixed run label that every run would share.
    expect(jobSpec.template.metadata.labels[RUN_LABEL]).toBeUndefined();
    expect(cronJob.metadata.name).toBe("kfp-s3-probe");
  });
});

describe("the schedule as Kubernetes reads it", () => {
  it.each(["0 3 * * *", "*/15 * * * *", "0 0 1,15 * MON-FRI", "5 4 * jan-mar sun", "@hourly", "@weekly", "@every 6h", "0 0 ? * 0"])(
    "accepts %s",
    (schedule) => expect(scheduleProblem(schedule)).toBeUndefined(),
  );
  it.each([
    ["0 3 * *", /5 fields/],
    ["0 0 3 * * *", /5 fields/],
    ["60 * * * *", /minute/],
    ["0 24 * * *", /hour/],
    ["0 0 0 * *", /day of month/],
    ["0 0 * 13 *", /month/],
    ["0 0 * * 7", /day of week/],
    ["0 0 * * 5-1", /day of week/],
    ["*/0 * * * *", /minute/],
    ["@fortnightly", /none of/],
    ["CRON_TZ=UTC 0 3 * * *", /--time-zone/],
    ["@every soon", /duration/],
  ])("refuses %s", (schedule, reason) => expect(scheduleProblem(schedule)).toMatch(reason));

  it("takes time zones of the tz database, not Local", () => {
    expect(timeZoneProblem("Europe/Berlin")).toBeUndefined();
    expect(timeZoneProblem("UTC")).toBeUndefined();
    expect(timeZoneProblem("Mars/Olympus")).toMatch(/not a time zone/);
    expect(timeZoneProblem("Local")).toMatch(/refused/);
  });
});

describe("kfp-s3-probe job --schedule, as a user runs it", () => {
  const values = fileURLToPath(new URL("../../fixtures/deploykf/values.yaml", import.meta.url));

  it("prints a CronJob the API accepts, in YAML and JSON", async () => {
    const { code, stdout } = await runMain(["job", "--values", values, "--schedule", "0 3 * * *", "--time-zone", "Europe/Berlin"]);
    expect(code).toBe(0);
    const cronJob = parseAllDocuments(stdout)[0]?.toJSON();
    expect(cronJob).toMatchObject({ kind: "CronJob", spec: { schedule: "0 3 * * *", timeZone: "Europe/Berlin" } });
    expect(cronJobApiErrors(cronJob)).toEqual([]);
    const json = await runMain(["job", "--values", values, "--schedule", "@daily", "-o", "json"]);
    expect(JSON.parse(json.stdout).kind).toBe("CronJob");
  });

  it.each([
    [["--schedule", "0 3 * *"], /^kfp-s3-probe: job: --schedule: a schedule has 5 fields .*e\.g\. --schedule "0 3 \* \* \*"/],
    [["--schedule", "0 3 * * *", "--time-zone", "Mars/Olympus"], /^kfp-s3-probe: job: --time-zone: Mars\/Olympus is not a time zone/],
    [["--time-zone", "UTC"], /--time-zone goes with --schedule/],
    [["--schedule", "@daily", "--name", "k".repeat(52).concat("x")], /--name/],
  ])("%j: one line naming the fix, exit 2, nothing printed", async (flags, message) => {
    const { code, stdout, stderr } = await runMain(["job", "--values", values, ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
