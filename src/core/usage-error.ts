/** Bad usage or configuration: one line that says what to fix; exit 2, nothing sent. */
export class UsageError extends Error {
  override name = "UsageError";
}

const HIDDEN = "[a value that looks like a key: not shown]";

/** Mixed case and digits in a long run of key characters: what access keys, secrets and tokens look like. */
function keyLike(text: string, minLength: number): boolean {
  return text.length >= minLength && /^[A-Za-z0-9+/=]+$/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text) && /[0-9]/.test(text);
}

/**
 * Whether a word of user input looks like a secret: a secret pasted in the wrong place (a config
 * value, a directory, a flag's value) must not be printed back in the error about it.
 */
function looksLikeSecret(word: string): boolean {
  const bare = word.replace(/^[\s'"`(<[{]+|[\s'"`)>\]},.;:]+$/g, "");
  if (keyLike(bare, 24)) return true;
  // A secret with slashes after a scheme, a port or a host's dot ("http://<secret>",
  // "minio:9000/<secret>", "minio.kubeflow/<secret>"): its parts between slashes may each be short,
  // so the text after each ":", "=" or "." is tried whole too.
  const afterSeparators = bare.split(/[:=@,.]/).map((part) => part.replace(/^\/+/, ""));
  if (afterSeparators.some((part) => keyLike(part, 24))) return true;
  return bare.split(/[/:=@,]/).some((part) => keyLike(part, 20));
}

/** The message with every word that looks like a secret replaced: errors name the field, not its content. */
export function withoutSecrets(message: string): string {
  return message.replace(/\S+/g, (word) => (looksLikeSecret(word) ? HIDDEN : word));
}

/** A YAML error as file:line:column, the way editors jump to it. */
export function yamlError(file: string, error: unknown): string {
  const position = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  const where = position ? `${file}:${position.line}:${position.col}` : file;
  const what = error instanceof Error ? (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "") : String(error);
  return `${where}: not valid YAML (${what})`;
}
