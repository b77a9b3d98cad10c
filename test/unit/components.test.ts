// The components table (src/core/components.ts): what each part of KFP sends, read in its sources.
// These hold the table to itself, to OPERATIONS and to docs/components.md.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ACTION_OF_CALL, COMPONENTS, eraOf, eraReleases, KFP_RELEASES, sentBy } from "../../src/core/components.js";
import { OPERATION_NAMES, OPERATIONS } from "../../src/core/operations.js";

const rows = Object.entries(COMPONENTS);
const eras = rows.flatMap(([name, row]) => row.eras.map((era) => ({ name, era })));
const requests = eras.flatMap(({ name, era }) => era.requests.map((request) => ({ name, kfp: era.kfp, request })));
const where = (r: (typeof requests)[number]) => `${r.name} ${r.kfp} ${r.request.call} ${r.request.key}`;

describe("the components table", () => {
  it("every request is probed by an operation of OPERATIONS that IAM decides by the same action, or says why it is not yet", () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const entry of requests) {
      const { operation, gap } = entry.request.probe;
      if (operation === null) {
        expect(gap.length, where(entry)).toBeGreaterThan(0);
        continue;
      }
      expect(OPERATION_NAMES, where(entry)).toContain(operation);
      expect(OPERATIONS[operation].action, where(entry)).toBe(ACTION_OF_CALL[entry.request.call]);
    }
  });

  it("a listing, and only a listing, has a delimiter and page size; one with a delimiter is not the probe's list, which sends none", () => {
    for (const entry of requests) {
      const { call, list, probe } = entry.request;
      expect(list !== null, where(entry)).toBe(call === "ListObjectsV2");
      if (probe.operation === "list") expect(list?.delimiter ?? null, where(entry)).toBeNull();
      if (probe.operation !== null) expect(OPERATIONS[probe.operation].lists !== null, where(entry)).toBe(call === "ListObjectsV2");
    }
  });

  it("an upload with a CRC32 checksum is the probe's put-checksum, and put-checksum stands for nothing else", () => {
    for (const entry of requests) {
      const { call, headers, probe } = entry.request;
      const crcPut = call === "PutObject" && headers.checksum === "crc32";
      expect(probe.operation === "put-checksum", where(entry)).toBe(crcPut);
    }
  });

  it("every row runs as the backend or a profile, and every era names the files it was read in, at a tag or commit", () => {
    for (const [name, row] of rows) {
      expect(["backend", "profile"], name).toContain(row.identity);
      expect(row.identityNote.length, name).toBeGreaterThan(0);
      expect(row.eras.length, name).toBeGreaterThan(0);
    }
    for (const { name, era } of eras) {
      expect(era.sources.length, `${name} ${era.kfp}`).toBeGreaterThan(0);
      for (const source of era.sources) {
        expect(source.repo, name).toMatch(/^[\w.-]+\/[\w.-]+$/);
        expect(source.ref, name).toMatch(/^(v?\d+\.\d+\.\d+|[0-9a-f]{40})$/);
        expect(source.path.length, name).toBeGreaterThan(0);
        expect(source.lines.length, name).toBeGreaterThan(0);
      }
    }
  });

  it("a client setting the sources did not give says unknown, and says what was not read", () => {
    for (const { name, era } of eras) {
      const { addressing, checksums, region, payload, notes } = era.client;
      const saysUnknown = [addressing, checksums, region, payload].some((value) => value === "unknown" || value.startsWith("unknown:"));
      if (!saysUnknown) continue;
      const explained = [region, payload, ...notes].some((text) => /not read|was read|not applicable/.test(text));
      expect(explained, `${name} ${era.kfp}`).toBe(true);
    }
  });

  it("who sends each operation is read from the table: some component sends each but the bucket-wide list, and what research found holds", () => {
    // The bucket-wide list is the probe's preflight and the exposure check; no component sends it.
    for (const operation of OPERATION_NAMES.filter((o) => o !== "list-bucket")) expect(sentBy(operation).length, operation).toBeGreaterThan(0);
    // No release's API server lists the bucket; HeadObject is Argo's alone; only the API server up to 2.3 deletes.
    expect(sentBy("list-bucket")).toEqual([]);
    expect(sentBy("head")).toEqual(["argo-executor"]);
    expect(sentBy("delete")).toEqual(["api-server"]);
    expect(sentBy("delete", "2.3")).toEqual(["api-server"]);
    expect(sentBy("delete", "2.4")).toEqual([]);
    expect(sentBy("put-checksum", "2.16")).toEqual([]);
    expect(sentBy("put-checksum", "2.17")).toEqual(["v2-launcher"]);
  });

  it("every era names the releases it holds for, and a component's eras do not overlap", () => {
    for (const [name, row] of rows) {
      const ranges = row.eras.map((era) => eraReleases(era.kfp)).sort((a, b) => a.from - b.from);
      for (const [i, range] of ranges.entries()) {
        expect(range.from, name).toBeLessThanOrEqual(range.to);
        const next = ranges[i + 1];
        if (next) expect(next.from, name).toBeGreaterThan(range.to);
      }
    }
    expect(KFP_RELEASES[0]).toBe("2.0");
    expect(KFP_RELEASES.at(-1)).toBe("2.17");
    expect(eraOf("v2-launcher", "2.10")?.kfp).toBe("2.2.0 – 2.14.x");
    expect(eraOf("ui-artifact-proxy", "2.10")).toBeUndefined();
    expect(() => eraReleases("3.0.0")).toThrow(/not a KFP 2.x release range/);
  });

  it("docs/components.md has every row, every era and every source file", () => {
    const docs = readFileSync(fileURLToPath(new URL("../../docs/components.md", import.meta.url)), "utf8");
    for (const [name, row] of rows) {
      expect(docs, name).toContain(`\`${name}\``);
      expect(docs, name).toContain(row.label);
    }
    for (const { name, era } of eras) {
      expect(docs, `${name} ${era.kfp}`).toContain(era.kfp);
      for (const source of era.sources) expect(docs, `${name}: ${source.path}`).toContain(source.path);
    }
  });
});
