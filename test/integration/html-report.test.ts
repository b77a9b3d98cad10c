// The HTML report, the metrics and diff, from real runs against the local RGW: the backend and the
// profile granted artifacts/* (fixtures/policies/artifacts-wildcard.json). The page is opened from
// file:// in Debian's headless Chromium (scripts/chromium.sh installs it), driven by playwright-core;
// its screenshots are kept in test-artifacts/ (gitignored).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import type { Log } from "sarif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { chromiumPath, drawn, launchChromium, watch } from "../support/browser.js";
import { parseOpenMetrics } from "../support/openmetrics.js";
import { type CliResult, expectNoSecretIn, parseReport, projectRoot, runCli, secretsDirOf, storeArgs } from "./local-s3.js";

const WILDCARD = "wrong-artifacts-wildcard";
const artifacts = join(projectRoot, "test-artifacts");
const dir = mkdtempSync(join(tmpdir(), "kfp-html-it-"));
const file = (name: string) => join(dir, name);
const identityArgs = (names: string[]) => names.flatMap((name) => ["--identity", `${name}=${secretsDirOf(name)}`]);

let browser: Browser;
/** The done-when run: backend + the wildcard profile, --output html, with SARIF and metrics beside it. */
let htmlRun: CliResult;
let leakCells: string[];
/** JSON reports: backend + team-1 (clean), and the same with the wildcard profile. */
let clean: Report;
let leaky: Report;

beforeAll(async () => {
  browser = await launchChromium(chromiumPath(projectRoot));
  mkdirSync(artifacts, { recursive: true });
  htmlRun = await runCli([
    ...storeArgs(),
    ...identityArgs(["backend", WILDCARD]),
    "--output",
    "html",
    "--sarif",
    file("run.sarif"),
    "--metrics",
    file("run.prom"),
  ]);
  writeFileSync(file("run.html"), htmlRun.stdout);
  const sarif = JSON.parse(readFileSync(file("run.sarif"), "utf8")) as Log;
  const leaks = (sarif.runs[0]?.results ?? []).filter((r) => r.properties?.verdict === "leak" && r.properties.identity === WILDCARD);
  leakCells = [...new Set(leaks.map((r) => (r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? "").replace(/^s3:\/\/[^/]+\//, "")))].sort();
  const [cleanRun, leakyRun] = [
    await runCli([...storeArgs(), ...identityArgs(["backend", "team-1"]), "--output", "json"]),
    await runCli([...storeArgs(), ...identityArgs(["backend", "team-1", WILDCARD]), "--output", "json"]),
  ];
  [clean, leaky] = [parseReport(cleanRun), parseReport(leakyRun)];
  writeFileSync(file("clean.json"), cleanRun.stdout);
  writeFileSync(file("leaky.json"), leakyRun.stdout);
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

async function open(path: string, colorScheme: "light" | "dark" = "light"): Promise<{ page: Page; seen: ReturnType<typeof watch> }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 }, colorScheme });
  const seen = watch(page);
  await page.goto(pathToFileURL(path).href);
  await drawn(page, 1);
  return { page, seen };
}

/** The matrix's drawn cells as "identity prefix verdict". */
async function drawnCells(page: Page): Promise<string[]> {
  const cells = await page
    .locator("#matrix td[data-cell]")
    .evaluateAll((tds) => tds.map((td) => `${td.closest("tr")?.dataset.identity} ${td.dataset.prefix} ${td.className.replace(/^v-/, "")}`));
  return cells.sort();
}

describe("--output html, in Chromium", () => {
  it("one self-contained file: no reference outside it, nothing fetched, no secret", async () => {
    expect(htmlRun.code).toBe(1);
    const html = htmlRun.stdout;
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.includes(WILDCARD)).toBe(true);
    // No element or style that could fetch: no src, href, srcset or action attribute, no <link>, no url(), no @import.
    expect(html).not.toMatch(/<[a-z]+\b[^>]*\s(?:src|href|srcset|action|poster|data)\s*=/i);
    expect(html).not.toMatch(/<link\b|url\(|@import/i);
    // Nothing may be fetched, whatever the page held: the policy says so to the browser.
    expect(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/.test(html)).toBe(true);
    expectNoSecretIn([htmlRun, { code: 0, stdout: readFileSync(file("run.prom"), "utf8"), stderr: "" }], 2);
    const { page, seen } = await open(file("run.html"));
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([pathToFileURL(file("run.html")).href]);
    await page.close();
  });

  it("opens with the verdict, the assurance and the findings with their fixes; the wildcard profile's LEAK cells are in the matrix", async () => {
    const { page, seen } = await open(file("run.html"));
    expect(await page.locator("#verdict h1").textContent()).toMatch(/^FAIL: exit 1/);
    expect(await page.locator("#assurance").textContent()).toMatch(/^assurance: sampled/);
    const findings = await page.locator("#findings tr.finding").allTextContents();
    expect(findings.some((row) => row.includes("LEAK") && row.includes(WILDCARD) && row.includes("remove s3:"))).toBe(true);
    expect(leakCells.length).toBeGreaterThan(10);
    // KFP's components with each identity's keys: the reference backend's work; each row says works or what fails.
    const components = await page
      .locator("#components tr.component")
      .evaluateAll((rows) => rows.map((row) => `${row.children[0]?.textContent} ${row.children[1]?.textContent} ${row.dataset.works}`));
    expect(components.length).toBeGreaterThanOrEqual(4);
    expect(components).toContain("backend api-server true");
    const leaking = (await drawnCells(page)).filter((c) => c.startsWith(`${WILDCARD} `) && c.endsWith(" leak"));
    expect(leaking.map((c) => c.split(" ")[1])).toEqual(leakCells);
    await page.screenshot({ path: join(artifacts, "html-report-light.png"), fullPage: true });
    expect(seen.errors).toEqual([]);
    await page.close();
  });

  it("filtering to LEAK draws only the LEAK cells; by name, only cells whose identity or prefix has it; a click shows the cell's evidence", async () => {
    const { page, seen } = await open(file("run.html"));
    await page.selectOption("#filter-verdict", "leak");
    await drawn(page, 2);
    expect(await drawnCells(page)).toEqual(leakCells.map((prefix) => `${WILDCARD} ${prefix} leak`).sort());
    await page.screenshot({ path: join(artifacts, "html-report-leak-filter.png"), fullPage: true });
    await page.selectOption("#filter-verdict", "all");
    await page.fill("#filter-name", "team-1");
    await drawn(page, 4);
    const named = await drawnCells(page);
    expect(named.length).toBeGreaterThan(0);
    for (const cell of named) expect(cell.split(" ").slice(0, 2).join(" ")).toContain("team-1");
    await page.locator(`#matrix tr[data-identity="${WILDCARD}"] td.v-leak`).first().click();
    const detail = await page.locator("#detail").textContent();
    expect(detail).toContain(`${WILDCARD} × artifacts/team-1`);
    expect(detail).toMatch(/LEAK[\s\S]*→ 200/);
    expect(seen.errors).toEqual([]);
    await page.close();
  });

  it("dark where the system is dark, and printed without its controls", async () => {
    const { page, seen } = await open(file("run.html"), "dark");
    const background = await page.locator("body").evaluate((body) => body.ownerDocument.defaultView?.getComputedStyle(body).backgroundColor);
    expect(background).toBe("rgb(13, 17, 23)");
    await page.screenshot({ path: join(artifacts, "html-report-dark.png") });
    await page.emulateMedia({ media: "print", colorScheme: "light" });
    expect(await page.locator("#controls").isVisible()).toBe(false);
    expect(await page.locator("#matrix td.v-leak").count()).toBe(leakCells.length);
    expect(seen.errors).toEqual([]);
    await page.close();
  });

  it("merge --html and check-policy --html write the page too", async () => {
    const merged = await runCli(["merge", file("leaky.json"), "--output", "json", "--html", file("merged.html")]);
    expect(merged.code).toBe(1);
    const policy = join(projectRoot, "fixtures", "policies", "artifacts-wildcard.json");
    const checked = await runCli(["check-policy", "--profile", "team-3", policy, "--html", file("check-policy.html")]);
    expect(checked.code).toBe(1);
    for (const [name, identity] of [
      ["merged.html", WILDCARD],
      ["check-policy.html", "team-3"],
    ] as const) {
      const { page, seen } = await open(file(name));
      expect((await drawnCells(page)).some((c) => c.startsWith(`${identity} `) && c.endsWith(" leak"))).toBe(true);
      expect(seen.errors).toEqual([]);
      await page.close();
    }
  });
});

describe("metrics", () => {
  const sample = (text: string, name: string, labels: Record<string, string>) =>
    parseOpenMetrics(text)
      .find((f) => f.name === name)
      ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  it("--metrics FILE of the run, and merge --output openmetrics: OpenMetrics text, the counts of the report", async () => {
    const text = readFileSync(file("run.prom"), "utf8");
    const families = parseOpenMetrics(text);
    expect(families.map((f) => f.name)).toEqual(expect.arrayContaining(["kfp_s3_probe_checks", "kfp_s3_probe_leftovers", "kfp_s3_probe_exit_code"]));
    expect(families.every((f) => f.type === "gauge" && f.help)).toBe(true);
    expect(sample(text, "kfp_s3_probe_exit_code", {})).toBe(1);
    expect(sample(text, "kfp_s3_probe_leftovers", {})).toBe(0);
    const started = sample(text, "kfp_s3_probe_start_time_seconds", {}) ?? 0;
    expect(Math.abs(started - Date.now() / 1000)).toBeLessThan(600);
    const merged = await runCli(["merge", file("leaky.json"), "--output", "openmetrics"]);
    const leaks = leaky.checks.filter((c) => c.identity === WILDCARD && c.verdict === "leak").length;
    expect(leaks).toBeGreaterThan(10);
    expect(sample(merged.stdout, "kfp_s3_probe_checks", { identity: WILDCARD, verdict: "leak" })).toBe(leaks);
    expect(sample(merged.stdout, "kfp_s3_probe_checks", { identity: "team-1", verdict: "leak" })).toBe(0);
    expect(sample(merged.stdout, "kfp_s3_probe_diagnoses", { kind: "wildcard-grant" })).toBe(1);
  });

  it("--pushgateway URL: PUT to the job's group, Prometheus text, Basic auth from the URL, never echoed; a refusal is one line and the exit code stands", async () => {
    const received: { method?: string; url?: string; type?: string; auth?: string; body: string }[] = [];
    let status = 200;
    const server = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push({ method: request.method, url: request.url, type: request.headers["content-type"], auth: request.headers.authorization, body });
        response.writeHead(status).end(status === 200 ? "" : "pushed metrics are invalid or inconsistent\n");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const pushed = await runCli(["merge", file("leaky.json"), "--output", "json", "--pushgateway", `http://ops:s3cr3t-push@127.0.0.1:${port}`]);
      expect(pushed.code).toBe(1);
      expect(received[0]).toMatchObject({
        method: "PUT",
        url: "/metrics/job/kfp-s3-probe/bucket/kubeflow-pipelines",
        type: "text/plain; version=0.0.4; charset=utf-8",
      });
      expect(received[0]?.auth).toBe(`Basic ${Buffer.from("ops:s3cr3t-push").toString("base64")}`);
      // Prometheus text 0.0.4 is OpenMetrics without # EOF (and # UNIT): with it added, the strict parser reads it.
      expect(received[0]?.body).not.toContain("# EOF");
      expect(parseOpenMetrics(`${received[0]?.body}# EOF\n`).length).toBeGreaterThan(3);
      status = 400;
      const refused = await runCli(["merge", file("leaky.json"), "--output", "json", "--pushgateway", `http://ops:s3cr3t-push@127.0.0.1:${port}/`]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `--pushgateway: the metrics were not pushed: http://127.0.0.1:${port}/metrics/job/kfp-s3-probe/bucket/kubeflow-pipelines answered HTTP 400`,
      );
      expect(`${pushed.stdout}${pushed.stderr}${refused.stdout}${refused.stderr}`).not.toContain("s3cr3t-push");
    } finally {
      server.close();
    }
  });
});

describe("diff", () => {
  it("a clean report, then one with the wildcard profile: exit 1, each new LEAK named by identity and prefix; text, JSON and SARIF", async () => {
    const text = await runCli(["diff", file("clean.json"), file("leaky.json")]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`NEW    LEAK ${WILDCARD} get artifacts/team-1/`);
    expect(text.stdout).toContain(`new identities: ${WILDCARD}`);
    expect(text.stdout).toMatch(/NEW {4}DIAGNOSIS wildcard-grant/);
    expect(text.stdout).toMatch(/^worse: \d+ new LEAK\/MISSING cell\(s\)/m);
    const json = await runCli(["diff", file("clean.json"), file("leaky.json"), "--output", "json", "--sarif", file("diff.sarif")]);
    const diff = JSON.parse(json.stdout) as { worse: boolean; newFindings: { identity: string; prefix: string; after: string }[] };
    expect(diff.worse).toBe(true);
    const expected = leaky.checks.filter((c) => c.identity === WILDCARD && c.verdict === "leak").length;
    expect(diff.newFindings.length).toBe(expected);
    expect(diff.newFindings.every((cell) => cell.identity === WILDCARD && cell.after === "leak")).toBe(true);
    const sarif = JSON.parse(readFileSync(file("diff.sarif"), "utf8")) as Log;
    expect(sarif.runs[0]?.results?.length).toBe(expected);
    expect(sarif.runs[0]?.results?.every((r) => r.baselineState === "new")).toBe(true);
  });

  it("a report against itself, and two runs of the same identities: exit 0; the way back: fixed, exit 0", async () => {
    const itself = await runCli(["diff", file("leaky.json"), file("leaky.json")]);
    expect(itself.code).toBe(0);
    expect(itself.stdout).toContain("no change in findings");
    const again = await runCli([...storeArgs(), ...identityArgs(["backend", "team-1"]), "--output", "json"]);
    writeFileSync(file("clean-again.json"), again.stdout);
    // Two runs have their own canary profile and namespace: the diff makes them the same cells.
    const twoRuns = await runCli(["diff", file("clean.json"), file("clean-again.json")]);
    expect(twoRuns.stdout).toContain("no change in findings");
    expect(twoRuns.code).toBe(0);
    const back = await runCli(["diff", file("leaky.json"), file("clean.json")]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`FIXED  LEAK ${WILDCARD}`);
    expect(back.stdout).toContain(`gone identities: ${WILDCARD}`);
    expect(clean.exitCode).toBe(0);
  });
});
