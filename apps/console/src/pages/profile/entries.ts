import type { ProofEntry } from "../../api.ts";

/**
 * What the console shows of one entry of a proof document: its `view`, the readable line the API
 * adds next to the entry's bytes (apps/api services/proof/profile-proof.ts). The view is
 * informative (the bytes and their inclusion proof are the proof), so it is read defensively: a
 * view of a kind this console does not know, or with a field missing, still gets a row.
 */
export type EntryView =
  | {
      kind: "status_change";
      consent: string;
      consentVersion: number | null;
      from: string;
      to: string;
      reason: string;
      actor: string;
      occurredAt: string;
      recordedAt: string;
    }
  /** The customer id was bound to the profile's key in the log (a salted commitment). */
  | { kind: "profile_binding"; recordedAt: string | null }
  | { kind: "erasure"; reason: string; recordedAt: string | null }
  | { kind: "other"; name: string; recordedAt: string | null };

export interface TrailRow {
  /** The leaf index in the tenant's log. */
  index: number;
  view: EntryView;
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

export function readView(view: Record<string, unknown>): EntryView {
  const recordedAt = text(view.recordedAt);
  switch (view.kind) {
    case "status_change": {
      const consent = text(view.consent);
      const occurredAt = text(view.occurredAt);
      if (consent === null || occurredAt === null || recordedAt === null) {
        break;
      }
      return {
        kind: "status_change",
        consent,
        consentVersion: typeof view.consentVersion === "number" ? view.consentVersion : null,
        from: text(view.from) ?? "?",
        to: text(view.to) ?? "?",
        reason: text(view.reason) ?? "?",
        actor: text(view.actor) ?? "?",
        occurredAt,
        recordedAt,
      };
    }
    case "profile_binding":
      return { kind: "profile_binding", recordedAt };
    case "erasure":
      return { kind: "erasure", reason: text(view.reason) ?? "", recordedAt };
  }
  return { kind: "other", name: text(view.kind) ?? "?", recordedAt };
}

/** The document's entries as trail rows, newest first as people read a history. */
export function trailRows(entries: readonly ProofEntry[]): TrailRow[] {
  return entries.map((entry) => ({ index: entry.index, view: readView(entry.view) })).reverse();
}

/** When an entry happened: the change's own time, else when it was recorded. */
export function entryTime(view: EntryView): string | null {
  return view.kind === "status_change" ? view.occurredAt : view.recordedAt;
}

/**
 * A consent's title as the customer saw it: the wording of the version the entry names (the
 * document's `consents`), else the consent's current title, else its key.
 */
export function consentTitles(consents: readonly unknown[], current: ReadonlyMap<string, string>) {
  const versions = new Map<string, string>();
  for (const consent of consents) {
    if (typeof consent !== "object" || consent === null) {
      continue;
    }
    const { key, versions: list } = consent as { key?: unknown; versions?: unknown };
    if (typeof key !== "string" || !Array.isArray(list)) {
      continue;
    }
    for (const version of list as { version?: unknown; title?: unknown }[]) {
      if (typeof version.version === "number" && typeof version.title === "string") {
        versions.set(`${key}@${version.version}`, version.title);
      }
    }
  }
  return (consent: string, version: number | null): string =>
    (version === null ? undefined : versions.get(`${consent}@${version}`)) ??
    current.get(consent) ??
    consent;
}
