// --output html, --html FILE: the report as one self-contained page (its style and script inline,
// nothing fetched: a Content-Security-Policy forbids it), for a person to open from a file. The
// verdict, the assurance and the findings with their fixes first, then the identity × prefix matrix
// (drawn by the page's script from the report's data: a heatmap with filters, sorting and each
// cell's evidence), the diagnoses and cleanup. Every word comes from the report's data.
import { EXIT_CODE_TABLE } from "../core/exit-codes.js";
import { OFFLINE_RUN_ID } from "../core/policy/offline.js";
import { byRank, VERDICTS } from "../core/verdicts.js";
import { assuranceLines } from "./assurance-words.js";
import { failingWords, unjudgedWords, warningWords } from "./component-words.js";
import { diagnosisLabel } from "./diagnosis-words.js";
import { fewAndMore } from "./hint.js";
import { PAGE_SCRIPT, PAGE_STYLE } from "./html-assets.js";
import { pageDataOf, scriptJson } from "./html-data.js";
import { isMutedComponent, type Report, type ReportCheck, type ReportComponent } from "./model.js";
import { SUMMARY_ORDER, verdictWord, whyOf } from "./verdict-words.js";

const ESCAPES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ESCAPES[c] ?? c);
}

/** Tagged template: every interpolated value escaped, unless it is already markup (an array of it, or Markup). */
class Markup {
  constructor(readonly html: string) {}
}

function html(strings: TemplateStringsArray, ...values: (string | number | Markup | Markup[])[]): Markup {
  const part = (value: string | number | Markup | Markup[]): string =>
    value instanceof Markup ? value.html : Array.isArray(value) ? value.map((v) => v.html).join("") : escapeHtml(String(value));
  return new Markup(strings.reduce((out, text, i) => out + text + (i < values.length ? part(values[i] ?? "") : ""), ""));
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function verdictSection(report: Report): Markup {
  const exit = EXIT_CODE_TABLE.find((row) => row.code === report.exitCode);
  const failing = report.exitCode !== 0;
  const counts = SUMMARY_ORDER.filter((verdict) => report.summary[verdict] > 0).map(
    (verdict) => html`<span class="chip v-${verdict}">${report.summary[verdict]} ${verdictWord(verdict)}</span>`,
  );
  const assurance = assuranceLines(report.assurance, report.runId === OFFLINE_RUN_ID);
  return html`<section id="verdict" class="${failing ? "fail" : "pass"}">
<h1>${failing ? "FAIL" : "PASS"}: exit ${report.exitCode}${exit ? html`, ${exit.meaning}` : ""}</h1>
<p class="counts">${counts}</p>
<p id="assurance" class="assurance-${report.assurance.status}">${assurance.join(" ")}</p>
${report.interruptedBy ? html`<p class="warn">interrupted by ${report.interruptedBy}: checks not run are marked NOT-RUN</p>` : ""}
${report.notes.map((note) => html`<p class="note">note: ${note}</p>`)}
</section>`;
}

const SHOWN_AS_FINDINGS = (check: ReportCheck) => check.verdict !== "ok" && check.verdict !== "not-run";

/** Findings with the same identity, verdict, cause and reason are one row, their prefixes listed. */
function findingGroups(report: Report): ReportCheck[][] {
  const groups = new Map<string, ReportCheck[]>();
  for (const check of report.checks.filter(SHOWN_AS_FINDINGS)) {
    const key = [check.identity, check.verdict, check.cause, check.reason, check.errorKind].join("|");
    groups.set(key, [...(groups.get(key) ?? []), check]);
  }
  return [...groups.values()].sort((a, b) => byRank(a[0] as ReportCheck, b[0] as ReportCheck));
}

function findingRow(group: ReportCheck[]): Markup {
  const first = group[0] as ReportCheck;
  const operations = [...new Set(group.map((c) => c.operation))].join(", ");
  const prefixes = fewAndMore([...new Set(group.map((c) => c.prefix ?? "the bucket"))], "more prefixes");
  const fixes = [...new Set(group.flatMap((c) => (c.hint ? [c.hint] : [])))];
  return html`<tr class="finding" data-verdict="${first.verdict}"><td><span class="chip v-${first.verdict}">${verdictWord(first.verdict)}</span></td>
<td>${first.identity}</td><td><code>${operations}</code> ${prefixes}</td><td>${whyOf(first)}</td>
<td>${fewAndMore(fixes, "more fixes (each cell's in the matrix)", "; ")}</td></tr>`;
}

const findingsTable = (groups: ReportCheck[][]) =>
  html`<table class="findings"><thead><tr><th>verdict</th><th>identity</th><th>where</th><th>why</th><th>fix</th></tr></thead>
<tbody>${groups.map(findingRow)}</tbody></table>`;

/** Failures in full; warnings and undecided cells (one row per identity and kind, 300 of them at 300 profiles) folded below. */
function findingsSection(report: Report): Markup {
  const groups = findingGroups(report);
  const failing = groups.filter((group) => VERDICTS[(group[0] as ReportCheck).verdict].failing);
  const others = groups.filter((group) => !VERDICTS[(group[0] as ReportCheck).verdict].failing);
  const notRun = report.checks.filter((c) => c.verdict === "not-run").length;
  const kinds = [...new Set(others.map((group) => verdictWord((group[0] as ReportCheck).verdict)))].join(", ");
  return html`<section id="findings"><h2>Findings</h2>
${failing.length > 0 ? findingsTable(failing) : html`<p>No LEAK, MISSING or ERROR: every identity can do what KFP needs, and nothing it must not.</p>`}
${others.length > 0 ? html`<details id="warnings"${failing.length === 0 && others.length <= 20 ? html` open` : ""}><summary>${others.length} warning or undecided finding(s): ${kinds}</summary>${findingsTable(others)}</details>` : ""}
${notRun > 0 ? html`<p class="note">${notRun} check(s) not run (NOT-RUN in the matrix).</p>` : ""}</section>`;
}

function matrixSection(): Markup {
  const options = SUMMARY_ORDER.map((verdict) => html`<option value="${verdict}">${verdictWord(verdict)}</option>`);
  const legend = SUMMARY_ORDER.map((verdict) => html`<span class="chip v-${verdict}">${verdictWord(verdict)}</span>`);
  return html`<section id="matrix-section"><h2>Identities × prefixes</h2>
<form id="controls" class="controls" onsubmit="return false">
<label>verdict <select id="filter-verdict"><option value="all">all</option><option value="findings">not as expected</option>${options}</select></label>
<label>name <input id="filter-name" type="search" placeholder="identity or prefix contains…" autocomplete="off"></label>
<label>rows <select id="sort-rows"><option value="findings">most findings first</option><option value="name">by name</option><option value="report">as in the report</option></select></label>
<label>columns <select id="sort-columns"><option value="findings">most findings first</option><option value="name">by name</option><option value="report">as in the report</option></select></label>
</form>
<p class="legend">${legend} <span class="hint">worst verdict of the cell's checks; hover or click a cell for its evidence</span></p>
<p id="matrix-status" role="status"></p>
<div id="matrix" class="matrix"><div class="matrix-grid"><div class="corner">identity \\ prefix</div><div class="column-band"></div><div class="row-band"></div><div class="cell-band"></div></div></div>
<p id="matrix-empty" hidden>No cell matches.</p>
<aside id="detail" hidden></aside>
<noscript><p>The matrix is drawn by the page's script; the findings above are complete without it.</p></noscript>
</section>`;
}

function diagnosesSection(report: Report): Markup {
  if (report.diagnoses.length === 0) return html``;
  const rows = report.diagnoses.map(
    (d) => html`<tr><td><span class="chip v-leak">${diagnosisLabel(d.kind)}</span></td><td>${d.message}</td><td>${d.fix}</td></tr>`,
  );
  return html`<section id="diagnoses"><h2>Diagnoses</h2><table><thead><tr><th></th><th>what</th><th>fix</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function disagreementsSection(report: Report): Markup {
  if (report.disagreements.length === 0) return html``;
  const rows = report.disagreements.map(
    (d) =>
      html`<tr><td>${d.identity}</td><td><code>${d.operation}</code> ${d.prefix ?? "(bucket)"}</td><td>the store ${d.store} it</td><td>the policy says ${d.policy}</td><td>${d.request}</td></tr>`,
  );
  return html`<section id="disagreements"><h2>The store and the policies disagree</h2><table><tbody>${rows}</tbody></table></section>`;
}

const warningOf = (component: ReportComponent, endpoint: string): string => {
  const words = warningWords(component, endpoint);
  return words ? `warning: ${words}` : "";
};

/** A component's verdict chip and words: works (with its warnings), FAILS or MUTED (what fails and the fix), or NOT JUDGED (why). */
function componentCells(c: ReportComponent, endpoint: string): Markup {
  const [chip, word, words] = c.unjudged
    ? ["v-ambiguous", "NOT JUDGED", unjudgedWords(c)]
    : c.works
      ? ["v-ok", "works", warningOf(c, endpoint)]
      : [isMutedComponent(c) ? "v-not-run" : "v-missing", isMutedComponent(c) ? "MUTED" : "FAILS", failingWords(c, endpoint)];
  return html`<td><span class="chip ${chip}">${word}</span></td><td>${words}</td>`;
}

/** Each KFP component with each identity's keys: works, or what its users see fail, on which request, and the fix. */
function componentsSection(report: Report): Markup {
  const components = report.components ?? [];
  if (components.length === 0) return html``;
  const release = report.settings["kfp-version"]?.value;
  const rows = components.map(
    (c) =>
      html`<tr class="component" data-works="${String(c.works)}"><td>${c.identity}</td><td>${c.component}</td><td>${componentCells(c, report.store.endpoint)}</tr>`,
  );
  return html`<section id="components"><h2>KFP's components${release ? ` (KFP ${String(release)})` : ""}</h2><table><thead><tr><th>identity</th><th>component</th><th></th><th>what fails, and the fix</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function cleanupSection(report: Report): Markup {
  const { cleanup, store } = report;
  const leftovers = cleanup.leftovers.map(
    (l) =>
      html`<li><code>s3://${store.bucket}/${l.key}</code>${l.uploadId ? ` (upload ${l.uploadId})` : ""}${l.versionId ? ` (version ${l.versionId})` : ""}: ${l.reason}</li>`,
  );
  const open = (cleanup.unverifiedUploads ?? []).map((u) => html`<li><code>s3://${store.bucket}/${u.key}</code>: ${u.reason}</li>`);
  const unseen = (cleanup.unverifiedVersions ?? []).map((u) => html`<li><code>s3://${store.bucket}/${u.key}</code>: ${u.reason}</li>`);
  const summary =
    cleanup.leftovers.length > 0
      ? html`<p class="fail-text">${cleanup.created} probe object(s) created, ${cleanup.leftovers.length} NOT removed (kfp-s3-probe sweep --delete removes them):</p><ul>${leftovers}</ul>`
      : html`<p>${cleanup.created === 0 ? "The probe wrote nothing." : `${cleanup.created} probe object(s) created, all removed.`}</p>`;
  return html`<section id="cleanup"><h2>Cleanup</h2>${summary}${open.length > 0 ? html`<p class="warn">Uploads that may be open:</p><ul>${open}</ul>` : ""}${
    unseen.length > 0
      ? html`<p class="warn">Versions or delete markers that may be left (only ListObjectVersions can find them):</p><ul>${unseen}</ul>`
      : ""
  }</section>`;
}

function headerSection(report: Report): Markup {
  const { store } = report;
  const requests = report.requests ? `, ${report.requests.sent} requests` : "";
  return html`<header><p class="tool">${report.tool.name} ${report.tool.version}</p>
<p class="meta">${store.endpoint} · bucket <b>${store.bucket}</b> · region ${store.region} · layout ${report.layout} · run ${report.runId}
· started ${report.startedAt} · ${(report.durationMs / 1000).toFixed(1)} s${requests} · ${report.identities.length} identities, ${report.checks.length} checks</p></header>`;
}

export function renderHtml(report: Report): string {
  const failing = SUMMARY_ORDER.filter((verdict) => VERDICTS[verdict].failing && report.summary[verdict] > 0);
  const title = `kfp-s3-probe: ${report.store.bucket} ${failing.length > 0 ? failing.map(verdictWord).join(", ") : "pass"}`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<style>${new Markup(PAGE_STYLE)}</style></head>
<body>
${headerSection(report)}
<main>
${verdictSection(report)}
${findingsSection(report)}
${matrixSection()}
${diagnosesSection(report)}
${componentsSection(report)}
${disagreementsSection(report)}
${cleanupSection(report)}
</main>
<script id="report-data" type="application/json">${new Markup(scriptJson(pageDataOf(report)))}</script>
<script>${new Markup(PAGE_SCRIPT)}</script>
</body></html>
`;
  return page.html;
}
