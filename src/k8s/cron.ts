// A CronJob's schedule as Kubernetes reads it (robfig/cron's standard parser, which the CronJob
// controller and kube-apiserver's validation use): five fields, or one of its descriptors. Written
// here rather than taken from an npm cron library: those read other dialects (seconds, L, W, #, a
// day of week 7), so a schedule they accept could still be refused by the API server.

const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

function fieldValue(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}

/** One comma-separated part: `*` or `?`, a value or a range, with an optional `/step`. */
function partIsValid(part: string, field: Field): boolean {
  const [range = "", step, extra] = part.split("/");
  if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return false;
  if (range === "*" || range === "?") return true;
  const [low = "", high, beyond] = range.split("-");
  if (beyond !== undefined) return false;
  const start = fieldValue(low, field);
  if (start === undefined) return false;
  if (high === undefined) return true;
  const end = fieldValue(high, field);
  return end !== undefined && end >= start;
}

/** Why Kubernetes would refuse this schedule, or undefined where it accepts it. */
export function scheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (/\b(CRON_)?TZ=/.test(text)) return "a time zone goes in --time-zone, not in the schedule (Kubernetes refuses TZ= there)";
  if (text.startsWith("@every "))
    return /^@every (\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text) ? undefined : "@every takes a duration such as 6h or 30m";
  if (text.startsWith("@")) return DESCRIPTORS.has(text) ? undefined : `${text} is none of ${[...DESCRIPTORS].join(", ")}, @every DURATION`;
  const fields = text.split(/\s+/);
  if (fields.length !== FIELDS.length) return `a schedule has 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`;
  const bad = FIELDS.findIndex((field, i) => !(fields[i] ?? "").split(",").every((part) => partIsValid(part, field)));
  return bad < 0 ? undefined : `${fields[bad]} is not a valid ${FIELDS[bad]?.name} (${FIELDS[bad]?.min}-${FIELDS[bad]?.max})`;
}

/** An IANA time zone the runtime knows (Kubernetes loads it from the tz database; "Local" it refuses). */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone === "Local") return "Local is refused by Kubernetes: name the zone, e.g. Europe/Berlin or UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return undefined;
  } catch {
    return `${zone} is not a time zone of the tz database (e.g. Europe/Berlin, UTC)`;
  }
}
