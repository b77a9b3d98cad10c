// The HTML report's style and script, inlined into the page (no file, no network): light and dark
// from prefers-color-scheme, print without the controls. The script draws the matrix from the
// page's data (html-data.ts) and redraws it on every filter and sort; the body's data-renders
// counts the draws and data-render-ms times the last (the tests and the bench wait on them).

export const PAGE_STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --ok: #3fa55b; --leak: #cf222e; --missing: #d1570f; --error: #8250df; --exposed: #bf8700; --degraded: #d4a72c;
  --ambiguous: #8c959f; --not-run: #d1d9e0; --on-colour: #ffffff; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
    --ok: #2f8a4a; --leak: #f85149; --missing: #f0883e; --error: #a371f7; --exposed: #d29922; --degraded: #bb8009;
    --ambiguous: #6e7681; --not-run: #30363d; --on-colour: #0d1117; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem 1.5rem 3rem; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .4rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
code { font: 12px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
header .tool { margin: 0; font-weight: 600; } header .meta { margin: .2rem 0 1rem; color: var(--muted); }
#verdict { border-left: 6px solid var(--ok); background: var(--panel); padding: .8rem 1rem; border-radius: 4px; }
#verdict.fail { border-left-color: var(--leak); }
.counts { margin: .3rem 0; } .note, .hint { color: var(--muted); } .warn { color: var(--exposed); } .fail-text { color: var(--leak); }
.chip { display: inline-block; padding: 0 .45rem; margin: 0 .25rem .2rem 0; border-radius: 3px; font-size: 12px; font-weight: 600;
  background: var(--v, var(--ambiguous)); color: var(--on-colour); white-space: nowrap; }
.v-ok { --v: var(--ok); } .v-leak { --v: var(--leak); } .v-missing { --v: var(--missing); } .v-error { --v: var(--error); }
.v-exposed { --v: var(--exposed); } .v-degraded { --v: var(--degraded); } .v-ambiguous { --v: var(--ambiguous); }
.v-not-run { --v: var(--not-run); } .v-not-run.chip { color: var(--fg); }
table { border-collapse: collapse; } th, td { text-align: left; vertical-align: top; }
.findings td, .findings th, #diagnoses td, #diagnoses th, #disagreements td, #detail td, #detail th { padding: .25rem .5rem; border-bottom: 1px solid var(--line); }
.controls { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; margin: .4rem 0; }
.controls input, .controls select { font: inherit; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 3px; padding: .1rem .3rem; }
.controls input { width: 16rem; }
.matrix { overflow: auto; height: var(--matrix-height, 78vh); max-height: 78vh; border: 1px solid var(--line); }
.matrix-grid { display: grid; grid-template-columns: 200px var(--grid-width); grid-template-rows: 170px var(--grid-height); }
.matrix .corner { position: sticky; top: 0; left: 0; z-index: 3; background: var(--bg); font-size: 11px; color: var(--muted); display: flex; align-items: flex-end; padding: 0 .3rem .3rem 0; }
.matrix .column-band { position: sticky; top: 0; z-index: 2; background: var(--bg); }
.matrix .row-band { position: sticky; left: 0; z-index: 1; background: var(--bg); }
.matrix .cell-band { position: relative; }
.matrix .column-band > div { position: absolute; bottom: 4px; width: 14px; height: 164px; font-size: 11px; line-height: 14px; overflow: hidden;
  writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; text-overflow: ellipsis; }
.matrix .row-band > div { position: absolute; left: 0; width: 196px; height: 14px; font-size: 12px; line-height: 14px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; font-weight: 500; }
.matrix table { position: absolute; border-collapse: collapse; table-layout: fixed; }
.matrix td { width: 14px; min-width: 14px; max-width: 14px; height: 14px; padding: 0; background: var(--v, transparent); box-shadow: inset 0 0 0 1px var(--bg);
  font: 9px/14px ui-monospace, monospace; text-align: center; color: var(--on-colour); cursor: pointer; overflow: hidden; }
.matrix td.v-leak::after { content: "L"; } .matrix td.v-missing::after { content: "M"; } .matrix td.v-error::after { content: "E"; }
.matrix td:hover, .matrix td.picked { outline: 2px solid var(--fg); outline-offset: -1px; }
#detail { position: fixed; right: 1rem; bottom: 1rem; max-width: min(60rem, 90vw); max-height: 60vh; overflow: auto; z-index: 5;
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; box-shadow: 0 4px 18px rgb(0 0 0 / 25%); }
#detail h3 { margin: 0 0 .3rem; font-size: 1rem; } #detail button { float: right; font: inherit; }
#detail ul { margin: 0; padding-left: 1rem; }
@media print {
  body { padding: 0; font-size: 11px; } .controls, #detail, .legend .hint { display: none !important; }
  .matrix { height: auto; max-height: none; overflow: visible; border: 0; }
  .chip, .matrix td { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  #verdict { break-inside: avoid; } section { break-inside: auto; }
}
`;

export const PAGE_SCRIPT = `"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const verdicts = data.verdicts;
  const $ = (id) => document.getElementById(id);
  const ESC = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" };
  const esc = (text) => String(text).replace(/[<>&"']/g, (c) => ESC[c]);
  const state = { verdict: "all", name: "", rows: "findings", columns: "findings" };
  let renders = 0;

  // Found once: where each cell is (row → column → cell), the names in lower case, each verdict's weight.
  const cellAt = data.identities.map(() => new Map());
  data.cells.forEach((cell, index) => cellAt[cell[0]].set(cell[1], index));
  const lowerNames = data.identities.map((identity) => identity.name.toLowerCase());
  const lowerPrefixes = data.prefixes.map((prefix) => prefix.toLowerCase());
  const failing = verdicts.map((v) => v.failing);
  const rank = verdicts.map((v) => v.rank);
  const collator = new Intl.Collator(undefined, { numeric: true });

  /** Per row or column of the shown cells: whether it has one, how many fail, the worst rank. */
  function tallies(count) {
    return { seen: new Uint8Array(count), failing: new Int32Array(count), worst: new Int32Array(count).fill(99) };
  }

  function tally(stats, key, verdict) {
    stats.seen[key] = 1;
    if (failing[verdict]) stats.failing[key] += 1;
    if (rank[verdict] < stats.worst[key]) stats.worst[key] = rank[verdict];
  }

  function ordered(stats, names, mode) {
    const keys = [];
    for (let i = 0; i < stats.seen.length; i += 1) if (stats.seen[i]) keys.push(i);
    if (mode === "report") return keys;
    if (mode === "name") return keys.sort((a, b) => collator.compare(names[a], names[b]));
    return keys.sort((a, b) => stats.failing[b] - stats.failing[a] || stats.worst[a] - stats.worst[b] || a - b);
  }

  function shownCells() {
    const wanted = verdicts.map((v) => state.verdict === "all" || (state.verdict === "findings" ? v.name !== "ok" : v.name === state.verdict));
    const rowNamed = lowerNames.map((name) => state.name === "" || name.includes(state.name));
    const columnNamed = lowerPrefixes.map((prefix) => state.name === "" || prefix.includes(state.name));
    const on = new Uint8Array(data.cells.length);
    const rows = tallies(data.identities.length);
    const columns = tallies(data.prefixes.length);
    let size = 0;
    for (let index = 0; index < data.cells.length; index += 1) {
      const [row, column, verdict] = data.cells[index];
      if (!wanted[verdict] || !(rowNamed[row] || columnNamed[column])) continue;
      on[index] = 1;
      size += 1;
      tally(rows, row, verdict);
      tally(columns, column, verdict);
    }
    return { on, size, rows: ordered(rows, lowerNames, state.rows), columns: ordered(columns, lowerPrefixes, state.columns) };
  }

  // Only the cells in view are drawn (300 profiles are some 180,000 cells): the grid has the whole
  // matrix's size, and each scroll draws the rows and columns it shows, a margin around them.
  const CELL = 14;
  const MARGIN = 8;
  let shown;

  function inView(offset, extent, count) {
    return [Math.max(0, Math.floor(offset / CELL) - MARGIN), Math.min(count, Math.ceil((offset + extent) / CELL) + MARGIN)];
  }

  function cellsHtml(rows, columns) {
    let out = "";
    for (const row of rows) {
      out += '<tr data-identity="' + esc(data.identities[row].name) + '">';
      for (const column of columns) {
        const index = cellAt[row].get(column);
        out += index === undefined || !shown.on[index] ? "<td></td>" : '<td class="v-' + verdicts[data.cells[index][2]].name + '" data-cell="' + index + '" data-prefix="' + esc(data.prefixes[column]) + '"></td>';
      }
      out += "</tr>";
    }
    return out;
  }

  function draw(all) {
    const box = $("matrix");
    const [r0, r1] = all ? [0, shown.rows.length] : inView(Math.max(0, box.scrollTop - 170), box.clientHeight, shown.rows.length);
    const [c0, c1] = all ? [0, shown.columns.length] : inView(Math.max(0, box.scrollLeft - 200), box.clientWidth, shown.columns.length);
    const rows = shown.rows.slice(r0, r1);
    const columns = shown.columns.slice(c0, c1);
    box.querySelector(".column-band").innerHTML = columns.map((p, i) => '<div style="left:' + (c0 + i) * CELL + 'px" title="' + esc(data.prefixes[p]) + '">' + esc(data.prefixes[p]) + "</div>").join("");
    box.querySelector(".row-band").innerHTML = rows.map((r, i) => '<div style="top:' + (r0 + i) * CELL + 'px" title="' + esc(data.identities[r].description) + '">' + esc(data.identities[r].name) + "</div>").join("");
    box.querySelector(".cell-band").innerHTML = '<table style="left:' + c0 * CELL + "px;top:" + r0 * CELL + 'px"><tbody>' + cellsHtml(rows, columns) + "</tbody></table>";
  }

  function render() {
    const started = performance.now();
    shown = shownCells();
    const box = $("matrix");
    box.style.setProperty("--grid-width", shown.columns.length * CELL + "px");
    box.style.setProperty("--grid-height", shown.rows.length * CELL + "px");
    box.style.setProperty("--matrix-height", 172 + shown.rows.length * CELL + 18 + "px");
    box.hidden = shown.size === 0;
    $("matrix-empty").hidden = shown.size !== 0;
    draw(false);
    $("matrix-status").textContent = shown.size + " cell(s): " + shown.rows.length + " identities × " + shown.columns.length + " prefixes (of " +
      data.cells.length + " cells, " + data.identities.length + " identities, " + data.prefixes.length + " prefixes)";
    renders += 1;
    document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
    document.body.dataset.renders = String(renders);
  }

  function checkRow(index) {
    const [operation, expected, observed, verdict, why, fix, evidence, ms] = data.checks[index].map((part, i) => (i === 3 || i === 7 ? part : i === 6 ? part.map((e) => data.strings[e]) : data.strings[part]));
    const v = verdicts[verdict];
    return "<tr><td><code>" + esc(operation) + '</code></td><td><span class="chip v-' + v.name + '">' + esc(v.word) + "</span></td><td>expected " +
      esc(expected) + ", " + esc(observed) + (ms === null ? "" : " in " + ms + " ms") + "<br>" + esc(why) + (fix ? "<br><b>fix:</b> " + esc(fix) : "") +
      "</td><td><ul>" + evidence.map((e) => "<li><code>" + esc(e) + "</code></li>").join("") + "</ul></td></tr>";
  }

  function showDetail(index, pinned) {
    const [row, prefix, verdict, checks] = data.cells[index];
    const identity = data.identities[row];
    const panel = $("detail");
    panel.innerHTML = (pinned ? '<button type="button" id="detail-close">close</button>' : "") + "<h3>" + esc(identity.name) + " × " +
      esc(data.prefixes[prefix]) + ": " + esc(verdicts[verdict].word) + "</h3><p class=\\"note\\">" + esc(identity.description) +
      "</p><table><thead><tr><th>operation</th><th>verdict</th><th>what happened</th><th>evidence</th></tr></thead><tbody>" + checks.map(checkRow).join("") + "</tbody></table>";
    panel.hidden = false;
    panel.dataset.pinned = pinned ? "yes" : "";
  }

  let debounce;
  const controls = [["filter-verdict", "verdict"], ["sort-rows", "rows"], ["sort-columns", "columns"]];
  for (const [id, key] of controls) $(id).addEventListener("change", (event) => { state[key] = event.target.value; render(); });
  $("filter-name").addEventListener("input", (event) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { state.name = event.target.value.trim().toLowerCase(); render(); }, 120);
  });
  const cellOf = (event) => event.target.closest("td[data-cell]");
  $("matrix").addEventListener("mouseover", (event) => {
    const cell = cellOf(event);
    if (cell && $("detail").dataset.pinned !== "yes") showDetail(Number(cell.dataset.cell), false);
  });
  $("matrix").addEventListener("click", (event) => {
    const cell = cellOf(event);
    if (!cell) return;
    for (const picked of document.querySelectorAll("td.picked")) picked.classList.remove("picked");
    cell.classList.add("picked");
    showDetail(Number(cell.dataset.cell), true);
  });
  $("detail").addEventListener("click", (event) => {
    if (event.target.id !== "detail-close") return;
    $("detail").hidden = true;
    $("detail").dataset.pinned = "";
  });
  let drawing = 0;
  $("matrix").addEventListener("scroll", () => {
    cancelAnimationFrame(drawing);
    drawing = requestAnimationFrame(() => draw(false));
  });
  // Printed, every cell of a matrix of a few thousand is drawn; a larger one prints the part in view.
  window.addEventListener("beforeprint", () => draw(shown.size <= 20000));
  render();
})();
`;
