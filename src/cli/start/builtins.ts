// Node's built-in modules for the first milliseconds of a start (quick.ts, compile-cache.ts), taken
// without an import: an ES import of node:fs builds its whole namespace, and with it fs/promises,
// readline and the streams (about 30 internal modules, a fifth of a bare node start, more than the
// rest of a bare --help costs). process.getBuiltinModule (Node 20.16, 22.3) hands over the module
// as it is; an older Node imports it.
type Builtins = { fs: typeof import("node:fs"); module: typeof import("node:module") };

/** The same objects by import, where getBuiltinModule is missing: each module's default export. */
const IMPORTS: { [N in keyof Builtins]: () => Promise<Builtins[N]> } = {
  fs: async () => (await import("node:fs")).default,
  module: async () => (await import("node:module")).default,
};

export async function builtin<N extends keyof Builtins>(name: N): Promise<Builtins[N]> {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return (get?.call(process, name) as Builtins[N] | undefined) ?? IMPORTS[name]();
}
