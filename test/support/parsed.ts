// A parsed YAML or XML document of the probe's own output (a Job manifest, a JUnit file), walked
// by tests whose assertions check its shape: typing every level would only restate the assertions.
// biome-ignore lint/suspicious/noExplicitAny: the walking test asserts the shape
export type Parsed = any;
