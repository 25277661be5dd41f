// The preference centre in Debian's Chromium, against the real Worker on a fresh local D1
// (started by global-setup.ts). Every test uses its own customer, so tests are independent.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createLapseClient } from "@lapse/client";
import { launchChromium, screenshotPath } from "@lapse/dev/chromium";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
const WAIT = { timeout: 10_000, interval: 100 };

const storefrontUrl = inject("storefrontUrl");
const tenant = inject("tenant");
/** The brand's back end: a secret key, to check what the API holds and to send events. */
const backEnd = createLapseClient({ url: inject("apiUrl"), key: tenant.secretKey });

const longDate = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });
function daysFromToday(days: number): string {
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  return new Date(today + days * 86_400_000).toISOString().slice(0, 10);
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let customer: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  customer = `e2e-${randomUUID()}`;
  context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterEach(async ({ task }) => {
  await page.screenshot({ path: screenshotPath(SCREENSHOTS, task.name), fullPage: true });
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** Opens the preference centre as `customer` and waits for the consents to show. */
async function open(): Promise<void> {
  await page.goto(`${storefrontUrl}/?profile=${encodeURIComponent(customer)}`);
  await page.locator("[data-consent]").nth(2).waitFor();
}

const row = (consent: string) => page.locator(`[data-consent="${consent}"]`);
const stateOf = (consent: string) => row(consent).locator(".state").textContent();
const statusMessage = () => page.getByRole("status").textContent();
const alertMessage = () => page.getByRole("alert").textContent();

async function apiStatus(consent: string) {
  const profile = await backEnd.profile.get.query({ profileId: customer });
  return profile.consents.find((c) => c.consent === consent);
}

describe("storefront preference centre", () => {
  it("shows the catalogue: every consent with its description, none set for a new customer", async () => {
    await open();
    const titles = await page.getByRole("heading", { level: 2 }).allTextContents();
    expect(titles.sort()).toEqual(["Customer relationship (orders)", "Newsletter", "SMS offers"]);
    expect(await row("newsletter").textContent()).toContain("News and offers by email.");
    expect(await row("order").textContent()).toContain("Legal basis");
    for (const consent of ["newsletter", "sms", "order"]) {
      expect(await stateOf(consent)).toBe("Not set");
    }
    expect(await page.getByRole("button", { name: "Accept Newsletter" }).isEnabled()).toBe(true);
    expect(await alertMessage()).toBe("");
  });

  it("keeps an accepted consent after a reload, because the API holds it", async () => {
    await open();
    await page.getByRole("button", { name: "Accept Newsletter" }).click();
    await expect.poll(statusMessage, WAIT).toMatch(/^Newsletter: accepted\. It is valid until /);
    expect(await stateOf("newsletter")).toMatch(/^Accepted · valid until /);

    await page.reload();
    await page.locator("[data-consent]").nth(2).waitFor();
    expect(await stateOf("newsletter")).toMatch(/^Accepted · valid until /);
    expect(await stateOf("sms")).toBe("Not set");
    expect((await apiStatus("newsletter"))?.status).toBe("accepted");
  });

  it("shows each accepted consent's expiresOn as “valid until”", async () => {
    // The back end accepts the newsletter and reports an order, which enters the "order"
    // legal basis (R4): both are accepted today, valid for 365 and 1095 days.
    await backEnd.profile.update.mutate({
      profileId: customer,
      changes: [{ consent: "newsletter", status: "accepted" }],
    });
    await backEnd.events.track.mutate({
      events: [{ profileId: customer, type: "order_placed", occurredAt: new Date().toISOString() }],
    });
    const expected = { newsletter: daysFromToday(365), order: daysFromToday(1095) };
    expect((await apiStatus("newsletter"))?.expiresOn).toBe(expected.newsletter);
    expect((await apiStatus("order"))?.expiresOn).toBe(expected.order);

    await open();
    for (const [consent, day] of Object.entries(expected)) {
      const shown = row(consent).locator(".state time");
      expect(await shown.getAttribute("datetime")).toBe(day);
      expect(await stateOf(consent)).toBe(
        `Accepted · valid until ${longDate.format(new Date(`${day}T00:00:00Z`))}`,
      );
    }
    expect(await stateOf("sms")).toBe("Not set");
  });

  it("says a refused legal basis cannot be accepted again, and keeps it refused", async () => {
    await open();
    const accept = page.getByRole("button", { name: "Accept Customer relationship (orders)" });
    await page.getByRole("button", { name: "Refuse Customer relationship (orders)" }).click();
    await expect.poll(() => stateOf("order"), WAIT).toBe("Refused");

    await accept.click();
    await expect
      .poll(alertMessage, WAIT)
      .toBe(
        "You refused “Customer relationship (orders)” earlier. A legal basis you have refused cannot be accepted again, so nothing was changed.",
      );
    expect(await stateOf("order")).toBe("Refused");

    // Not a page-side rule: after a reload the API still refuses, and says the same.
    await page.reload();
    await page.locator("[data-consent]").nth(2).waitFor();
    expect(await stateOf("order")).toBe("Refused");
    await accept.click();
    await expect.poll(alertMessage, WAIT).toContain("cannot be accepted again");
    expect(await stateOf("order")).toBe("Refused");
    expect((await apiStatus("order"))?.status).toBe("refused");
  });

  it("never sends the signing secret or the secret key to the browser", async () => {
    const bodies: string[] = [];
    const keysSent: string[] = [];
    page.on("request", (request) => {
      const authorization = request.headers().authorization;
      if (authorization) {
        keysSent.push(authorization);
      }
    });
    const reading: Promise<void>[] = [];
    page.on("response", (response) => {
      bodies.push(response.url());
      reading.push(
        response.text().then(
          (text) => void bodies.push(text),
          () => undefined, // preflights and redirects have no body
        ),
      );
    });
    await open();
    await page.getByRole("button", { name: "Accept SMS offers" }).click();
    await expect.poll(statusMessage, WAIT).toMatch(/^SMS offers: accepted/);

    await Promise.all(reading);
    const seen = bodies.join("\n");
    expect(seen).toContain("/demo-token");
    expect(seen).not.toContain(tenant.signingSecret);
    expect(seen).not.toContain(tenant.secretKey);
    expect(keysSent.length).toBeGreaterThan(0);
    expect(new Set(keysSent)).toEqual(new Set([`Bearer ${tenant.publishableKey}`]));
  });
});
