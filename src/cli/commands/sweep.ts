// `kfp-s3-probe sweep`: what probe runs left behind (a killed run cannot clean up), listed, and
// with --delete removed. The store and the identities are given as for a run; only keys inside
// probe namespaces are ever touched.
import { EXIT_CODES } from "../../core/exit-codes.js";
import { LAYOUTS } from "../../core/layout.js";
import { parseAge } from "../../core/sweep-rules.js";
import { UsageError } from "../../core/usage-error.js";
import { type SweepReport, sweep } from "../../probe/sweep.js";
import { closeSessions, loadIdentities, openSessions, type Sessions } from "../run/sessions.js";
import type { OutputConfig, ProbeConfig, RunConfig, StoreConfig } from "../settings/config.js";
import type { Layer } from "../settings/fields.js";
import { type HelpPage, helpText } from "../settings/help.js";
import { readFlags, resolveConfig } from "../settings/resolve.js";
import { helpColumns, helpWidth } from "../start/help-width.js";
import { type CommandContext, defineCommand, HelpText } from "./command.js";

const HELP: HelpPage = {
  usage: ["kfp-s3-probe sweep [--older-than 1h] [--delete] --endpoint URL --bucket NAME (--backend | --identity NAME=DIR ... | --config FILE)"],
  examples: [
    {
      about: "What probe runs that started over an hour ago left, listed with the backend's keys:",
      command: "kfp-s3-probe sweep --backend --endpoint http://minio.kubeflow:9000",
    },
    {
      about: "All of it removed, whatever its age:",
      command: "kfp-s3-probe sweep --delete --older-than 0 --backend --endpoint http://minio.kubeflow:9000",
    },
    {
      about: "With every identity of a deployKF install, as JSON:",
      command: "kfp-s3-probe sweep --values values.yaml --secrets-root /secrets -o json",
    },
  ],
  about: [
    "Finds what probe runs left in the bucket (a run killed by SIGKILL, OOM or a node eviction cannot clean up): every <prefix>.kfp-s3-probe/<run-id>/ namespace under pipelines/ and each profile's prefixes, and the open multipart uploads in them, of runs that started more than --older-than ago. It lists them; with --delete it removes them with the identities given (the backend's keys, or keys that may also list and abort multipart uploads). It never touches a key outside a probe namespace, whatever its arguments.",
  ],
  before: [
    {
      title: "Options",
      rows: [
        ["--older-than AGE", "only runs that started before now less AGE: 30m, 1h (the default), 2d, 0 for all"],
        ["--delete", "remove what was found (without it, nothing is changed)"],
        ["-o, --output FORMAT", "text (the default) or json: what was found as JSON"],
      ],
      paragraphs: ["Every store and identity flag of a run applies (see kfp-s3-probe --help)."],
    },
  ],
  exitCodes: [
    ["asExpected", "nothing left, or what is left listed only (without --delete)"],
    ["usage", "bad usage; nothing was sent"],
    ["unreachable", "no identity may list the bucket"],
    ["internal", "an internal error of the probe"],
    ["leftovers", "--delete could not remove everything (listed)"],
  ],
};

interface SweepFlags {
  olderThanMs: number;
  delete: boolean;
  rest: string[];
}

function sweepFlags(argv: string[]): SweepFlags {
  const rest: string[] = [];
  let olderThan = "1h";
  let remove = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--delete") remove = true;
    else if (arg === "--older-than") olderThan = argv[++i] ?? "";
    else if (arg.startsWith("--older-than=")) olderThan = arg.slice("--older-than=".length);
    else rest.push(arg);
  }
  const olderThanMs = parseAge(olderThan);
  if (olderThanMs === undefined) throw new UsageError("sweep: --older-than takes a duration like 30m, 1h, 2d, or 0 for every run");
  return { olderThanMs, delete: remove, rest };
}

function renderSweep(report: SweepReport, config: StoreConfig, flags: SweepFlags): string {
  const lines = [
    `kfp-s3-probe sweep ${config.endpoint}  bucket ${config.bucket}: ${report.namespaces} probe namespace(s) listed by ${report.listedBy}`,
  ];
  for (const run of report.runs) {
    lines.push(`  run ${run.runId} (started ${run.startedAt}): ${run.keys.length} object(s), ${run.uploads.length} open upload(s)`);
    for (const key of run.keys) lines.push(`    s3://${config.bucket}/${key}`);
    for (const v of run.versions) lines.push(`    s3://${config.bucket}/${v.key} (${v.deleteMarker ? "delete marker" : "version"} ${v.versionId})`);
    for (const upload of run.uploads) lines.push(`    s3://${config.bucket}/${upload.key} (open upload ${upload.uploadId})`);
    for (const left of run.notRemoved)
      lines.push(
        `    NOT REMOVED s3://${config.bucket}/${left.key}${left.uploadId ? ` (upload ${left.uploadId})` : left.versionId ? ` (version ${left.versionId})` : ""}: ${left.reason}`,
      );
  }
  const found = report.runs.reduce((n, run) => n + run.keys.length + run.versions.length + run.uploads.length, 0);
  const notRemoved = report.runs.reduce((n, run) => n + run.notRemoved.length, 0);
  if (found === 0) lines.push(`Nothing left by probe runs older than ${flags.olderThanMs / 1000} s.`);
  else if (!flags.delete) lines.push(`${found} left by probe runs; nothing was changed: rerun with --delete to remove them.`);
  else lines.push(`${found - notRemoved} removed, ${notRemoved} not removed.`);
  if (report.uploadsNotListed > 0) {
    lines.push(
      `note: open uploads could not be listed under ${report.uploadsNotListed} namespace(s): give keys that may s3:ListBucketMultipartUploads`,
    );
  }
  return `${lines.join("\n")}\n`;
}

interface SweepOptions extends SweepFlags {
  settings: Layer;
  positional: string[];
}

/** What sweep takes of a run's config: the store and the identities, and the run's bounds. */
type SweepConfig = Pick<ProbeConfig, "store" | "identities"> & {
  run: Pick<RunConfig, "layout" | "deadlineMs" | "concurrency" | "credentialsTimeoutMs">;
  output: Pick<OutputConfig, "output">;
};

async function sweepRun(config: SweepConfig, flags: SweepFlags, { io, redactor }: CommandContext): Promise<number> {
  const { store, run } = config;
  const loaded = await loadIdentities(config.identities, io.env, run.credentialsTimeoutMs);
  for (const { keys } of loaded) redactor.add(...keys.secrets);
  let sessions: Sessions | undefined;
  try {
    // The anonymous caller has nothing to sweep.
    sessions = await openSessions(store, loaded, { anonymous: false, signal: AbortSignal.timeout(run.deadlineMs) }, []);
    const cleaners = sessions.signed.map((identity) => ({ identity: identity.name, port: identity.port }));
    const report = await sweep(cleaners, {
      layout: LAYOUTS[run.layout],
      startedBefore: new Date(Date.now() - flags.olderThanMs),
      delete: flags.delete,
      signal: AbortSignal.timeout(run.deadlineMs),
      requestTimeoutMs: store.requestTimeoutMs,
      concurrency: run.concurrency,
    });
    const rendered = config.output.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderSweep(report, store, flags);
    io.stdout.write(redactor.redact(rendered));
    if (!report.listedBy) return EXIT_CODES.unreachable;
    return report.runs.some((run) => run.notRemoved.length > 0) ? EXIT_CODES.leftovers : EXIT_CODES.asExpected;
  } finally {
    closeSessions(sessions);
  }
}

export const command = defineCommand({
  name: "sweep",
  async options(argv: string[], { io, commands }): Promise<SweepOptions | HelpText> {
    if (argv.includes("--help") || argv.includes("-h")) return new HelpText(helpText(HELP, helpWidth(helpColumns(io.stdout, io.env)), ""));
    const flags = sweepFlags(argv);
    const read = await readFlags(flags.rest, commands, ["older-than", "delete"]);
    return read.helpShown ? new HelpText(read.help) : { ...flags, settings: read.flags, positional: read.positional };
  },
  // The store and the identities as for a run; the anonymous caller has nothing to sweep.
  complete: async (options, { io }) => ({
    options,
    config: { ...(await resolveConfig(options.settings, options.positional, io.env)), anonymous: false },
  }),
  validate({ config }) {
    if (config.output.output === "sarif") throw new UsageError("sweep: -o sarif is a report of checks, which sweep has none of: -o text or -o json");
  },
  run: ({ options, config }, context) => sweepRun(config, options, context),
});
