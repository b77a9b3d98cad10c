// The assurance in words: the text report's first lines say what its answer rests on, and the
// flag that would make it proven.
import type { Assurance } from "../core/assurance.js";

type OpenItem = Assurance["open"][number];

const TO_PROVE = {
  live: "to prove it, give each identity's policy: --policy-dir DIR (NAME.json per identity, anonymous.json for the bucket policy)",
  offline: "to prove it, give the bucket's policy too: --bucket-policy FILE",
};

const grantWords = ({ action, key }: { action: string; key: string }): string => `${action} on ${key === "" ? "the bucket" : key}`;

function openWords(item: OpenItem): string {
  switch (item.kind) {
    case "no-policy":
      return `no policy of ${item.identity}`;
    case "no-bucket-policy":
      return "not the bucket policy";
    case "policy-undecided":
      return `${item.identity}'s policy uses ${item.unread.join(", ")}, which the evaluator does not read`;
    case "witness-undecided":
      return `${item.identity} at ${item.key}: ${item.reason}`;
    case "policy-understates":
      return `the store let ${item.identity} do ${item.count} thing${item.count === 1 ? "" : "s"} its policies deny (see disagreements)`;
    case "public-untried": {
      const named = [...item.keys.map(({ operation, key }) => `${operation} ${key}`), ...item.untried.map(grantWords)];
      const grants = named.length > 0 ? [`lets anyone ${named.join(", ")}`] : [];
      const unread = item.unread.length > 0 ? [`uses ${item.unread.join(", ")}, which the evaluator does not read`] : [];
      return `the bucket policy ${[...grants, ...unread].join(" and ")}, untried: the anonymous caller is not in the run (--no-anonymous)`;
    }
    case "grant-untried":
      return `${item.identity}'s policy lets it ${grantWords(item)}, which KFP never needs and the probe does not try`;
    case "cells-undecided":
      return `${item.count} undecided cell${item.count === 1 ? "" : "s"} of ${item.identity}`;
  }
}

/** At most this many open items are named; the JSON report has them all. */
const NAMED = 3;

function openList(open: OpenItem[]): string {
  const named = open.slice(0, NAMED).map(openWords).join("; ");
  return open.length > NAMED ? `${named}; and ${open.length - NAMED} more` : named;
}

/** `offline`: check-policy's report, where witnesses are found, not tried on a store. */
export function assuranceLines(assurance: Assurance, offline = false): string[] {
  const { status, witnesses, enforcementSample, open } = assurance;
  const toProve = offline ? TO_PROVE.offline : TO_PROVE.live;
  if (status === "sampled") return [`assurance: sampled: decided on the probe's sample keys; a grant no sample key matches would pass; ${toProve}`];
  const tried = `${witnesses.tried} key${witnesses.tried === 1 ? "" : "s"} beyond KFP's grant ${offline ? "found" : "tried on the store"}`;
  const sample = enforcementSample.length > 0 ? `, ${enforcementSample.join(" and ")} on every prefix` : "";
  if (status === "proven") return [`assurance: proven: every policy in hand, decided for all keys; ${tried}${sample}`];
  return [
    `assurance: partial: open: ${openList(open)}; ${tried}${sample}`,
    ...(open.some((o) => o.kind === "no-policy" || o.kind === "no-bucket-policy") ? [toProve] : []),
  ];
}
