// --help's layout, and the words of the run's page around its flags (each flag's own words are its
// row in fields.ts). Every command's page is data (a HelpPage in its module): usage, examples
// first, what it does, its sections and its exit codes (from the one table in core/exit-codes.ts);
// the layout wraps all of it to one width, and the options between are yargs' (parser.ts,
// commands/subcommand.ts), wrapped to the same width.
import { EXIT_CODE_TABLE } from "../../core/exit-codes.js";

/** Two columns: a name (a flag, a code, a command) and what it is. */
export type HelpRow = readonly [string, string];

interface HelpSection {
  title: string;
  paragraphs?: readonly string[];
  rows?: readonly HelpRow[];
}

type ExitCodeName = (typeof EXIT_CODE_TABLE)[number]["name"];

export interface HelpPage {
  /** The command's forms, one command line each. */
  usage: readonly string[];
  /** A few real command lines, each with what it is for. */
  examples: readonly { about: string; command: string }[];
  /** What the command does, a paragraph each. */
  about: readonly string[];
  /** Sections before the options (the run's commands) and after them. */
  before?: readonly HelpSection[];
  after?: readonly HelpSection[];
  /** The codes the command exits with, and what each means for it. */
  exitCodes: readonly (readonly [ExitCodeName, string])[];
}

/** Words to lines of at most `width`, the first after `first`, the others after `rest` (a word longer than a line stands alone). */
function wrapWords(text: string, width: number, first = "", rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** A command line over several lines, each ending in " \" as a shell continues it, so that it can be pasted. */
function commandLines(command: string, width: number, indent: string): string[] {
  const lines = wrapWords(command, width - 2, indent, `${indent}    `);
  return lines.map((line, i) => (i < lines.length - 1 ? `${line} \\` : line));
}

/** Rows in two columns: the second starts where the widest first one ends (at most a third of the width). */
function rowLines(rows: readonly HelpRow[], width: number, indent = "  "): string[] {
  const column = Math.min(Math.floor(width / 3), Math.max(...rows.map(([name]) => name.length)) + 2);
  return rows.flatMap(([name, words]) => {
    const head = `${indent}${name}`;
    const hanging = " ".repeat(indent.length + column);
    if (head.length + 1 > indent.length + column) return [head, ...wrapWords(words, width, hanging)];
    return wrapWords(words, width, head.padEnd(indent.length + column), hanging);
  });
}

function sectionLines(section: HelpSection, width: number): string[] {
  const paragraphs = (section.paragraphs ?? []).map((paragraph) => wrapWords(paragraph, width, "  ").join("\n"));
  const rows = section.rows ? [rowLines(section.rows, width).join("\n")] : [];
  return [`${section.title}:\n${[...rows, ...paragraphs].join("\n\n")}`];
}

function exitCodeRows(page: HelpPage): HelpRow[] {
  return page.exitCodes.map(([name, words]) => [String(EXIT_CODE_TABLE.find((row) => row.name === name)?.code), words]);
}

/** Usage, examples, what it does and the sections before the options. */
function headOf(page: HelpPage, width: number): string[] {
  const usage = page.usage.flatMap((form, i) => wrapWords(form, width, i === 0 ? "Usage: " : "       ", "           "));
  const examples = page.examples.flatMap(({ about, command }) => [...wrapWords(about, width, "  # "), ...commandLines(command, width, "  ")]);
  return [
    usage.join("\n"),
    `Examples:\n${examples.join("\n")}`,
    ...page.about.map((paragraph) => wrapWords(paragraph, width).join("\n")),
    ...(page.before ?? []).flatMap((section) => sectionLines(section, width)),
  ];
}

/** A command's --help: its page around its options (yargs' lines, wrapped to the same width). */
export function helpText(page: HelpPage, width: number, options: string): string {
  const tail = [...(page.after ?? []), { title: "Exit codes", rows: exitCodeRows(page) }].flatMap((section) => sectionLines(section, width));
  return `${[...headOf(page, width), options.trimEnd(), ...tail].filter((block) => block !== "").join("\n\n")}\n`;
}

const RUN_SECTIONS: readonly HelpSection[] = [
  {
    title: "Credentials (never on the command line)",
    rows: [
      ["--credentials env", "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)"],
      [
        "--credentials-dir DIR",
        "a Kubernetes Secret mounted as a directory: files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (deployKF's key names; others with --key-names)",
      ],
      [
        "--credentials chain",
        "the AWS default chain: env, AWS_PROFILE's named profile, web identity (IRSA on EKS), container, instance metadata; bounded by --credentials-timeout",
      ],
      [
        "--credentials gcs-hmac",
        "GCS HMAC keys (from the env variables above or --credentials-dir); endpoint https://storage.googleapis.com, region auto",
      ],
    ],
  },
  {
    title: "Habits from aws-cli and kubectl",
    paragraphs: [
      "--endpoint-url is --endpoint, -o is --output, --no-color (or NO_COLOR=1) turns colour off. --profile is not aws-cli's: it names a KFP profile (a Kubernetes namespace); an AWS named profile is AWS_PROFILE with --credentials chain.",
    ],
  },
  {
    title: "What is checked",
    paragraphs: [
      "For the bucket, HeadBucket, GetBucketLocation and a bucket-wide ListObjectsV2; under each KFP prefix, ListObjectsV2, PutObject of a canary, HeadObject, GetObject (bytes compared) and DeleteObject. The backend must be able to do all of it on pipelines/, artifacts/ and v2/artifacts/; a profile only under its own artifacts/<profile>/ and v2/artifacts/<profile>/. Reads are decided on objects that exist (the probe's canary, or one KFP stored), never on a 404.",
      "Each profile is tried against every other: those in the run, those found by listing artifacts/ and v2/artifacts/ (--no-discover, --max-profiles), and --other-profile NAME. The anonymous caller (unsigned requests) is tried under every prefix (--no-anonymous): what it may do is public.",
    ],
  },
  {
    title: "Safety",
    paragraphs: [
      "Canaries are written only under <prefix>.kfp-s3-probe/<run-id>/, never over an existing key (If-None-Match), and removed at the end, also on Ctrl-C, errors and --timeout; then the run's namespace is listed, and only what is still there is reported as left (exit 5). A killed run cannot clean up: kfp-s3-probe sweep [--delete] finds and removes what it left (sweep --help). Secrets never appear in any output.",
    ],
  },
  {
    title: "Settings, lowest to highest",
    paragraphs: [
      "Defaults, the --provider preset, the region and endpoint_url of AWS_PROFILE in the AWS shared config (~/.aws/config, AWS_CONFIG_FILE), the AWS variables (AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_CA_BUNDLE), the deployKF values (--values), the config file (--config), KFP_S3_PROBE_<FLAG> variables (e.g. KFP_S3_PROBE_ENDPOINT, KFP_S3_PROBE_BUCKET, KFP_S3_PROBE_PROFILE), flags. --debug shows where each one came from.",
    ],
  },
];

/** The run's exit codes: every code of the table, in its brief words. */
const RUN_EXIT_CODES = EXIT_CODE_TABLE.map((row) => [row.name, row.brief] as const);

/** The run's page; `commands` are the other commands, listed before the options. */
export function runPage(commands: readonly HelpRow[]): HelpPage {
  return {
    usage: [
      "kfp-s3-probe (--backend | --profile NAME) --endpoint URL --bucket NAME [options]",
      "kfp-s3-probe --identity backend=DIR --identity team-1=DIR ... --endpoint URL --bucket NAME",
      "kfp-s3-probe --values values.yaml --secrets-root DIR",
      "kfp-s3-probe --config probe.yaml",
      "kfp-s3-probe COMMAND [options] (each command has its own --help)",
    ],
    examples: [
      {
        about: "The backend's keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY:",
        command: "kfp-s3-probe --backend --endpoint http://minio.kubeflow:9000 --bucket kubeflow-pipelines",
      },
      {
        about: "A profile's keys from its mounted Kubernetes Secret:",
        command: "kfp-s3-probe --profile team-1 --endpoint http://minio.kubeflow:9000 --credentials-dir /secrets/team-1",
      },
      {
        about: "Every identity of a deployKF install, each Secret mounted under /secrets/<secret-name>:",
        command: "kfp-s3-probe --values values.yaml --secrets-root /secrets",
      },
      {
        about: "IRSA on EKS (the AWS default credential chain), a JSON report for CI:",
        command: "kfp-s3-probe --profile team-1 --provider aws --region eu-west-1 --bucket my-kfp-bucket --credentials chain -o json",
      },
    ],
    about: [
      "Checks that object-store credentials can do what Kubeflow Pipelines needs in its bucket, and that no profile can reach another profile's artifacts.",
    ],
    before: [{ title: "Commands", rows: commands }],
    after: RUN_SECTIONS,
    exitCodes: RUN_EXIT_CODES,
  };
}
