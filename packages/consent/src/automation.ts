import { isbot } from "isbot";
import type { EventType } from "./schemas.ts";
import type { Instant } from "./time.ts";

/**
 * R5: only a person's actions extend. Mail security gateways open and click every link of a
 * message on its way to the inbox, seconds after it is sent; counted as `email_clicked`, their
 * clicks would keep every consent alive for ever. An event is ignored (extends nothing, enters
 * nothing) when it is marked `automated`, when its user agent is a known scanner or bot, or when
 * it is a click less than `minSecondsAfterSend` after the message was sent.
 */

/** Why an event was ignored. */
export type IgnoredReason = "automated" | "bot" | "too_soon";

/**
 * Mail security scanners by the token their user agent carries, with where it is documented
 * (scanners that leave no such token, such as Microsoft Safe Links or Mimecast, are caught by
 * the `sentAt` rule or by the ESP's own `automated` flag).
 * Crawlers, headless browsers, HTTP libraries and the other bots are recognised by `isbot`
 * (npm `isbot`, a maintained list of bot user-agent patterns).
 */
const SCANNERS_SOURCE =
  "https://check.live-direct-marketing.online/blog/bot-clicks-security-scanners-detect";

export const MAIL_SCANNERS: readonly { name: string; pattern: RegExp; source: string }[] = [
  {
    name: "Barracuda Link Protection",
    pattern: /barracuda/i,
    source: SCANNERS_SOURCE,
  },
  {
    name: "Proofpoint URL Defense",
    pattern: /proofpoint/i,
    source: SCANNERS_SOURCE,
  },
  {
    name: "Cisco Secure Email (IronPort)",
    pattern: /cisco\s?secure\s?email|ironport/i,
    source: SCANNERS_SOURCE,
  },
  {
    name: "Trend Micro Email Security",
    pattern: /\bTMES\b/,
    source: SCANNERS_SOURCE,
  },
];

/** Whether a user agent is a mail scanner or another bot. */
export function isAutomatedUserAgent(userAgent: string): boolean {
  return MAIL_SCANNERS.some((scanner) => scanner.pattern.test(userAgent)) || isbot(userAgent);
}

/** The event types that follow a message's link: a click too soon after sending is a scanner's. */
export const CLICK_EVENTS: ReadonlySet<EventType> = new Set(["email_clicked", "sms_clicked"]);

/** The default of the tenant setting `minSecondsAfterSend`; 0 switches the rule off. */
export const DEFAULT_MIN_SECONDS_AFTER_SEND = 10;

/** What an event says about who made it (all optional; `events.track` input). */
export interface EventOrigin {
  type: EventType;
  occurredAt: Instant;
  automated?: boolean | undefined;
  userAgent?: string | undefined;
  /** When the message whose link was clicked was sent. */
  sentAt?: Instant | undefined;
}

/** Why this event is ignored (R5), or null when a person made it. */
export function ignoredReason(
  event: EventOrigin,
  minSecondsAfterSend: number,
): IgnoredReason | null {
  if (event.automated === true) {
    return "automated";
  }
  if (event.userAgent !== undefined && isAutomatedUserAgent(event.userAgent)) {
    return "bot";
  }
  if (
    minSecondsAfterSend > 0 &&
    event.sentAt !== undefined &&
    CLICK_EVENTS.has(event.type) &&
    event.occurredAt - event.sentAt < minSecondsAfterSend * 1000
  ) {
    return "too_soon";
  }
  return null;
}
