// Last line of defence: every byte the CLI writes passes through here, so a secret that slipped
// into an SDK message or a stack trace is replaced before it reaches a terminal, a log or a file.
export const REDACTED = "[REDACTED]";

export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: (string | undefined)[]): void {
    for (const value of values) if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    // A scan without allocation first: a report of hundreds of identities is megabytes, and almost
    // never holds a secret.
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
}
