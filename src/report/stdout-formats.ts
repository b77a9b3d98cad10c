// The formats --output may choose, by name only: reading the command line needs their names, not
// their renderers (formats.ts, which a test holds to this list).
export const STDOUT_FORMATS = ["text", "json", "sarif"] as const;
