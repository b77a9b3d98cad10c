// The store's clock against this machine's: the JS SDK corrects skew by itself, KFP's Go
// clients do not, so a skew that this probe survives can still break KFP.

/** Past this, SigV4 signatures are refused. */
const MAX_CLOCK_SKEW_SECONDS = 15 * 60;

export interface ClockReading {
  /** Store minus this machine, in whole seconds. */
  skewSeconds: number;
  tooFar: boolean;
}

export function readClock(serverDate: string | undefined, now: number): ClockReading | undefined {
  const serverTime = serverDate ? Date.parse(serverDate) : Number.NaN;
  if (Number.isNaN(serverTime)) return undefined;
  const skewSeconds = Math.round((serverTime - now) / 1000);
  return { skewSeconds, tooFar: Math.abs(skewSeconds) > MAX_CLOCK_SKEW_SECONDS };
}
