import {
  applyEvents,
  type ConsentEvent,
  type ConsentState,
  dayOf,
  EventType,
  effectiveExtendOn,
  InstantText,
  ignoredReason,
  isEventTooFarAhead,
  lapsedThroughDay,
  MAX_EVENTS_PER_CALL,
  ProfileId,
} from "@lapse/consent";
import { z } from "zod";
import { loadConsents, type StoredConsent } from "../consents/load.ts";
import type { ServiceCall, ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import type { HistoryWrite } from "../history/append.ts";
import { recordPendingLapses } from "../profiles/lapses.ts";
import { type ExtensionWrite, loadStatesOfPairs, type StateWrite } from "../profiles/states.ts";
import { writeChanges } from "../profiles/write-changes.ts";
import { getSettings } from "../settings/index.ts";

export const TrackEventsInput = z.strictObject({
  events: z
    .array(
      z.strictObject({
        profileId: ProfileId,
        type: EventType,
        occurredAt: InstantText,
        /** R5: a machine made it (the ESP's bot flag, a link check): it extends nothing. */
        automated: z.boolean().optional(),
        /** The user agent that made it (a click's): known scanners and bots are ignored. */
        userAgent: z.string().max(1024).optional(),
        /** When the message whose link was clicked was sent: too soon after, a scanner's. */
        sentAt: InstantText.optional(),
      }),
    )
    .min(1)
    .max(MAX_EVENTS_PER_CALL),
});
export type TrackEventsInput = z.infer<typeof TrackEventsInput>;

export interface TrackEventsResult {
  /** Events received. */
  events: number;
  /**
   * R5: events not made by a person, which changed nothing: `automated` (marked so), `bot` (a
   * scanner's or bot's user agent), `tooSoon` (a click sooner than `minSecondsAfterSend` after
   * `sentAt`).
   */
  ignored: { total: number; automated: number; bot: number; tooSoon: number };
  /** States whose last-activity day moved forward (R5). */
  extended: number;
  /** Unknown legal-basis states that an entry event made accepted (R4). */
  entered: number;
}

/**
 * Ingests customer activity (R4, R5). Extensions are folded here to one (profile, consent,
 * largest day) row each and written by one UPDATE that touches a state only when its day
 * increases: a repeat writes nothing, and the order of events does not matter. Entries (R4)
 * are decided by @lapse/consent on the few states they concern. One batch, all or nothing.
 */
export async function trackEvents({
  ctx,
  input,
}: ServiceCall<TrackEventsInput>): Promise<TrackEventsResult> {
  const issues = input.events.flatMap((event, i) =>
    isEventTooFarAhead(event.occurredAt, ctx.now)
      ? [{ path: `events.${i}.occurredAt`, message: "is more than 5 minutes in the future (R5)" }]
      : [],
  );
  if (issues.length > 0) {
    throw new ServiceError("BAD_REQUEST", "Invalid events; none was recorded.", issues);
  }

  // R5: only a person's actions extend or enter.
  const minSeconds = input.events.some((e) => e.sentAt !== undefined)
    ? (await getSettings({ ctx, input: undefined })).minSecondsAfterSend
    : 0;
  const ignored = { total: 0, automated: 0, bot: 0, tooSoon: 0 };
  const human: ConsentEvent[] = [];
  for (const event of input.events) {
    const reason = ignoredReason(event, minSeconds);
    if (reason === null) {
      human.push({ profileId: event.profileId, type: event.type, occurredAt: event.occurredAt });
    } else {
      ignored.total += 1;
      ignored[reason === "too_soon" ? "tooSoon" : reason] += 1;
    }
  }
  const result = human.length > 0 ? await write(ctx, human) : { extended: 0, entered: 0 };
  return { events: input.events.length, ignored, ...result };
}

async function write(
  ctx: ServiceContext,
  events: readonly ConsentEvent[],
): Promise<{ extended: number; entered: number }> {
  const consents = await loadConsents(ctx);
  const extensions = foldExtensions(consents, events, ctx.now);
  const { writes, history, entered } = await decideEntries(ctx, consents, events);

  const { extended } = await writeChanges(ctx, { states: writes, history, extensions });
  return { extended, entered };
}

/** For each (profile, consent) the largest day among the events that extend it (R5). */
function foldExtensions(
  consents: readonly StoredConsent[],
  events: readonly ConsentEvent[],
  now: number,
): ExtensionWrite[] {
  const extendersByType = new Map<EventType, StoredConsent[]>();
  for (const stored of consents) {
    for (const type of effectiveExtendOn(stored.consent)) {
      extendersByType.set(type, [...(extendersByType.get(type) ?? []), stored]);
    }
  }
  const folded = new Map<string, ExtensionWrite>();
  for (const event of events) {
    const day = dayOf(event.occurredAt);
    for (const stored of extendersByType.get(event.type) ?? []) {
      const pair = `${stored.num}\u0000${event.profileId}`;
      const known = folded.get(pair);
      if (!known || known.lastActivityDay < day) {
        folded.set(pair, {
          profileId: event.profileId,
          consent: stored.num,
          lastActivityDay: day,
          source: event.type,
          lapsedThroughDay: lapsedThroughDay(stored.consent.expiry, now),
        });
      }
    }
  }
  return [...folded.values()];
}

/** R4: the legal-basis states that entry events bring (back) in, decided per profile. */
async function decideEntries(
  ctx: ServiceContext,
  consents: readonly StoredConsent[],
  events: readonly ConsentEvent[],
): Promise<{ writes: StateWrite[]; history: HistoryWrite[]; entered: number }> {
  const entering = consents.filter(
    (c) => c.consent.kind === "legal_basis" && c.consent.entryEvents.length > 0,
  );
  const eventsByProfile = new Map<string, ConsentEvent[]>();
  for (const event of events) {
    if (entering.some((c) => c.consent.entryEvents.includes(event.type))) {
      eventsByProfile.set(event.profileId, [
        ...(eventsByProfile.get(event.profileId) ?? []),
        event,
      ]);
    }
  }
  const writes: StateWrite[] = [];
  const history: HistoryWrite[] = [];
  let entered = 0;
  if (eventsByProfile.size === 0) {
    return { writes, history, entered };
  }

  const pairs = [...eventsByProfile.keys()].flatMap((profileId) =>
    entering.map((c) => ({ profileId, consent: c.num })),
  );
  const statesByProfile = await loadStatesOfPairs(ctx, pairs, consents);
  const numByKey = new Map(entering.map((c) => [c.consent.key, c.num]));
  for (const [profileId, profileEvents] of eventsByProfile) {
    // R10: a lapse not recorded yet is recorded first; an entry event then brings it back.
    const pending = recordPendingLapses(
      entering,
      statesByProfile.get(profileId) ?? new Map<string, ConsentState>(),
      profileId,
      ctx.now,
    );
    const before = pending.states;
    // In time order, the earliest entry event after the last status change is the entry.
    const ordered = [...profileEvents].sort((a, b) => a.occurredAt - b.occurredAt);
    const after = applyEvents(
      before,
      entering.map((c) => c.consent),
      ordered,
      { actor: ctx.actor, now: ctx.now },
    );
    const written = new Set<string>();
    for (const entry of [...pending.history, ...after.history]) {
      const consent = numByKey.get(entry.consent);
      const state = after.states.get(entry.consent);
      if (consent === undefined || !state) {
        continue;
      }
      if (!written.has(entry.consent)) {
        written.add(entry.consent);
        writes.push({ profileId, consent, state });
      }
      history.push({ consent, entry });
    }
    entered += after.history.length;
  }
  return { writes, history, entered };
}
