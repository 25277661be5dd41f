import { describe, expect, it } from "vitest";
import { ignoredReason, isAutomatedUserAgent, MAIL_SCANNERS } from "../src/index.ts";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const T = Date.UTC(2026, 5, 1, 9);

describe("human clicks only (R5)", () => {
  it.each([
    ["a desktop browser", CHROME, false],
    ["a phone", SAFARI_IPHONE, false],
    ["Barracuda's link check", "Mozilla/5.0 Barracuda Sentinel (EE)", true],
    ["Proofpoint URL Defense", "Proofpoint-URLDefense/2.0", true],
    ["Cisco Secure Email", "CiscoSecureEmail/1.0", true],
    ["Trend Micro", "Mozilla/5.0 TMES", true],
    [
      "a headless browser",
      "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36",
      true,
    ],
    ["curl", "curl/8.5.0", true],
    ["python-requests", "python-requests/2.31.0", true],
    ["Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true],
  ])("R5: %s is %s", (_, ua, automated) => {
    expect(isAutomatedUserAgent(ua)).toBe(automated);
  });

  it("R5: every listed scanner names its source", () => {
    for (const scanner of MAIL_SCANNERS) {
      expect(scanner.source).toMatch(/^https:\/\//);
    }
  });

  it("R5: automated, a bot's user agent, and a click within minSecondsAfterSend are ignored, in that order", () => {
    const click = { type: "email_clicked" as const, occurredAt: T, userAgent: CHROME };
    expect(ignoredReason(click, 10)).toBeNull();
    expect(ignoredReason({ ...click, automated: true, userAgent: "curl/8" }, 10)).toBe("automated");
    expect(ignoredReason({ ...click, automated: false }, 10)).toBeNull();
    expect(ignoredReason({ ...click, userAgent: "curl/8" }, 10)).toBe("bot");
    expect(ignoredReason({ ...click, sentAt: T - 9_999 }, 10)).toBe("too_soon");
    expect(ignoredReason({ ...click, sentAt: T - 10_000 }, 10)).toBeNull();
    // A click dated before its message was sent is not a person's either.
    expect(ignoredReason({ ...click, sentAt: T + 1 }, 10)).toBe("too_soon");
    // 0 switches the rule off; it applies to clicks only.
    expect(ignoredReason({ ...click, sentAt: T - 1 }, 0)).toBeNull();
    expect(ignoredReason({ type: "order_placed", occurredAt: T, sentAt: T - 1 }, 10)).toBeNull();
    expect(ignoredReason({ type: "sms_clicked", occurredAt: T, sentAt: T - 1 }, 10)).toBe(
      "too_soon",
    );
  });
});
