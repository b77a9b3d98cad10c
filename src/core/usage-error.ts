/** Bad usage or configuration: one line that says what to fix; exit 2, nothing sent. */
export class UsageError extends Error {
  override name = "UsageError";
}
