// The built-in modules of a start: the module itself, from process.getBuiltinModule or, on a Node
// without it, from an import.
import fs from "node:fs";
import nodeModule from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { builtin } from "../../src/cli/start/builtins.js";

const getBuiltinModule = Object.getOwnPropertyDescriptor(process, "getBuiltinModule");
afterEach(() => {
  if (getBuiltinModule) Object.defineProperty(process, "getBuiltinModule", getBuiltinModule);
});

describe("a built-in module for the start", () => {
  it("is the module itself, with process.getBuiltinModule and without it (Node before 20.16 and 22.3)", async () => {
    expect(await builtin("fs")).toBe(fs);
    expect(await builtin("module")).toBe(nodeModule);
    Object.defineProperty(process, "getBuiltinModule", { value: undefined, configurable: true, writable: true });
    expect(await builtin("fs")).toBe(fs);
    expect(await builtin("module")).toBe(nodeModule);
  });
});
