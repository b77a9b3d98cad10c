// Build step: --help rendered at the common widths into dist/help-texts.json, which the bundle
// inlines, so that --help does not load the parser (see src/cli/start/quick.ts).
import { writeFileSync } from "node:fs";
import { toolCommands } from "../src/cli/commands.js";
import { renderHelp } from "../src/cli/settings/parser.js";
import { PRERENDERED_HELP_WIDTHS } from "../src/cli/start/help-width.js";

const texts: Record<string, string> = {};
for (const width of PRERENDERED_HELP_WIDTHS) texts[String(width)] = await renderHelp(width, toolCommands());
writeFileSync(new URL("../help-texts.json", import.meta.url), `${JSON.stringify(texts)}\n`);
