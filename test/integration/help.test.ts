// --help of every command as a user sees it from the built CLI, piped (as into less or a file):
// wrapped to COLUMNS within 80 to 100, examples first, its exit codes, and defaults said truthfully.
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { runCli } from "./local-s3.js";

const EVERY_COMMAND = [[], ...COMMANDS.map((row) => [row.name])];

async function help(command: string[], columns: string): Promise<string> {
  const result = await runCli([...command, "--help"], { env: { COLUMNS: columns } });
  expect([result.code, result.stderr]).toEqual([0, ""]);
  return result.stdout;
}

const widest = (text: string): number => Math.max(...text.split("\n").map((line) => line.length));

describe("--help of every command", () => {
  it.each(EVERY_COMMAND.map((command) => [command.join("") || "(the run)", command]))(
    "%s: at COLUMNS=80 piped, no line over 80; usage, examples first, then the options, and its exit codes",
    async (_, command) => {
      const text = await help(command, "80");
      expect(widest(text)).toBeLessThanOrEqual(80);
      const at = (heading: string) => text.indexOf(`\n${heading}:\n`);
      expect(text.startsWith(`Usage: kfp-s3-probe${command.length > 0 ? ` ${command[0]}` : ""}`)).toBe(true);
      expect(at("Examples")).toBeGreaterThan(0);
      expect(at("Examples")).toBeLessThan(at("Options"));
      expect(at("Exit codes")).toBeGreaterThan(at("Options"));
      // The examples are command lines of this command, a comment above each.
      const examples = text.slice(at("Examples")).split("\n\n")[0]?.split("\n").slice(1) ?? [];
      const commandLines = examples.filter((line) => /^ {2}[^ #]/.test(line));
      expect(commandLines.length).toBeGreaterThanOrEqual(2);
      expect(commandLines.some((line) => line.startsWith(`  kfp-s3-probe ${command[0] ?? ""}`.trimEnd()))).toBe(true);
      expect(examples.filter((line) => line.startsWith("  # ")).length).toBeGreaterThanOrEqual(commandLines.length);
      // Exit codes: 0 and 2 at least, each a code and its meaning.
      const codes = text
        .slice(at("Exit codes"))
        .split("\n")
        .slice(1)
        .filter((line) => /^ {2}\d+ +\S/.test(line));
      expect(codes.map((line) => line.trim().split(" ")[0])).toEqual(expect.arrayContaining(["0", "2"]));
    },
  );

  it.each(EVERY_COMMAND.map((command) => [command.join("") || "(the run)", command]))(
    "%s: wraps to COLUMNS when piped, within 80 to 100",
    async (_, command) => {
      expect(widest(await help(command, "90"))).toBeLessThanOrEqual(90);
      const wide = await help(command, "100");
      expect(widest(wide)).toBeLessThanOrEqual(100);
      // A prose paragraph is one paragraph at any width: never wrapped twice (a short line after a long one).
      expect(await help(command, "200")).toBe(wide);
      expect(widest(await help(command, "40"))).toBeLessThanOrEqual(80);
    },
  );

  it("the bare --help (answered from the build's text) is the one the parser renders, at 80 and 100", async () => {
    for (const columns of ["80", "100"]) {
      const quick = await help([], columns);
      // With another flag the parser renders it.
      const parsed = await runCli(["--backend", "--help"], { env: { COLUMNS: columns } });
      expect(parsed.stdout).toBe(quick);
    }
  });

  it("states defaults truthfully: --region's is worked out, so no fixed one is shown", async () => {
    const text = await help([], "100");
    const region = text.slice(text.indexOf("\n      --region "), text.indexOf("\n      --path-style "));
    expect(region).toMatch(/else detected or us-east-1/);
    expect(region).not.toMatch(/\[default:/);
    expect(text).toMatch(/--bucket +the KFP bucket +\[string\] \[default: kubeflow-pipelines\]/);
  });

  it("says where a flag means something else than aws-cli's (--profile), and lists the aliases", async () => {
    const text = (await help([], "100")).replace(/\s+/g, " ");
    expect(text).toMatch(/--profile +probe the keys of this KFP profile \(its Kubernetes namespace\)\. Not aws-cli's --profile/);
    expect(text).toMatch(/--endpoint, --endpoint-url/);
    expect(text).toMatch(/-o, --output/);
    expect(text).toMatch(/--no-color/);
    for (const command of [["policy"], ["check-policy"]])
      expect((await help(command, "100")).replace(/\s+/g, " ")).toMatch(/not aws-cli's named profile/);
    expect(await help(["job"], "100")).toMatch(/-n, --namespace/);
  });
});
