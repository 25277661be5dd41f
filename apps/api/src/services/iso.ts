/** Instants are epoch milliseconds inside; ISO 8601 strings on the wire. */
export function iso(at: number): string {
  return new Date(at).toISOString();
}

export function isoOrNull(at: number | null): string | null {
  return at === null ? null : iso(at);
}
