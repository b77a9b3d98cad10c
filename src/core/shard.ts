// --shard I/N: which identities one process of N probes. Identity i (in the run's order: the
// backend, the profiles, the anonymous caller) belongs to shard i mod N, so every identity is
// probed by exactly one shard and the shards stay even whatever the order of the profiles.
export interface Shard {
  index: number;
  count: number;
}

const MAX_SHARDS = 1000;

/** "2/4" → { index: 2, count: 4 }; undefined when the text is not I/N with 0 ≤ I < N ≤ 1000. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && count <= MAX_SHARDS && index < count ? { index, count } : undefined;
}

export function inShard(position: number, shard: Shard | undefined): boolean {
  return shard === undefined || position % shard.count === shard.index;
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
