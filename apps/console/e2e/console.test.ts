// The admin console in Debian's Chromium, against the real Worker on a fresh local D1 (started
// by global-setup.ts), which serves the built console at /console/. Each test signs in on its
// own browser context and works on its own consents, customers and keys.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createLapseClient, LapseError, verifyProof } from "@lapse/client";
import { launchChromium, screenshotPath } from "@lapse/dev/chromium";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
const WAIT = { timeout: 10_000, interval: 100 };

const apiUrl = inject("apiUrl");
const consoleUrl = `${apiUrl}/console/`;
const tenant = inject("tenant");
/** The brand's back end, to set up customers and to check what the API holds. */
const backEnd = createLapseClient({ url: apiUrl, key: tenant.secretKey });

const mediumDate = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
function utcDay(offset = 0): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}
const shown = (day: string) => mediumDate.format(new Date(`${day}T00:00:00Z`));
const unique = () => randomUUID().slice(0, 8);

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: "en-GB" });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterEach(async ({ task }) => {
  await page.screenshot({ path: screenshotPath(SCREENSHOTS, task.name), fullPage: true });
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** An extra screenshot of a moment worth looking at (each test also gets one at its end). */
async function snap(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `moment-${name}.png`), fullPage: true });
}

async function signIn(): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Admin secret key").fill(tenant.secretKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Consents" }).waitFor();
}

/** Opens a page of the console by its fragment, as a bookmark would. */
async function open(fragment: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${consoleUrl}#/${fragment}`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

const flash = () => page.locator("main > [role=status] > span").textContent();
const dialog = () => page.getByRole("dialog");
const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");

/** A disabled fieldset disables every control in it. */
const isDisabled = (fieldset: Locator) =>
  fieldset.evaluate((element) => (element as HTMLFieldSetElement).disabled);

async function accept(consent: string, customers: string[]): Promise<void> {
  for (const profileId of customers) {
    await backEnd.profile.update.mutate({ profileId, changes: [{ consent, status: "accepted" }] });
  }
}

async function policyOf(key: string) {
  const consents = await backEnd.admin.consents.list.query({ includeArchived: true });
  return consents.find((c) => c.key === key)?.expiry;
}

describe("admin console", () => {
  it("signs in with an admin key that no browser storage keeps, and signs out", async () => {
    const sent: { authorization?: string; console?: string }[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/trpc/")) {
        const headers = request.headers();
        sent.push({ authorization: headers.authorization, console: headers["x-lapse-console"] });
      }
    });
    await page.goto(consoleUrl);
    await page.getByRole("heading", { name: "Sign in to the Lapse console" }).waitFor();

    // A key without the admin scope does not open the console.
    const eventsOnly = await backEnd.admin.keys.create.mutate({
      kind: "secret",
      name: `events only ${unique()}`,
      scopes: ["events"],
    });
    await page.getByLabel("Admin secret key").fill(eventsOnly.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent(), WAIT)
      .toContain("This key was not accepted");

    await page.getByLabel("Admin secret key").fill(tenant.secretKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Consents" }).waitFor();
    expect(await page.locator(".tenant").textContent()).toBe("Signed in to E2E brand");
    await page.locator("[data-consent=newsletter]").waitFor();
    expect(await page.locator("[data-consent=newsletter] .expiry").textContent()).toMatch(
      /^365 days · active since /,
    );

    // The key became an HttpOnly, Secure, SameSite=Strict cookie; nothing readable keeps it.
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "lapse_session");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict" });
    const readable = await page.evaluate(() =>
      JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
    );
    expect(readable).not.toContain(tenant.secretKey);
    expect(readable).not.toContain("lapse_session");
    expect(sent.length).toBeGreaterThan(0);
    for (const headers of sent) {
      expect(headers).toEqual({ console: "1" });
    }

    // French, then back.
    await page.locator("select[name=lang]").selectOption("fr");
    await page.getByRole("heading", { level: 1, name: "Consentements" }).waitFor();
    expect(await page.getByRole("navigation").textContent()).toContain("Exécutions nocturnes");
    expect(await page.locator("[data-consent=newsletter] .expiry").textContent()).toMatch(
      /^365 jours · activée depuis le /,
    );
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("fr");
    await snap("consents-in-french");
    await page.locator("select[name=lang]").selectOption("en");
    await page.getByRole("heading", { level: 1, name: "Consents" }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to the Lapse console" }).waitFor();
    // The session is over on the server too, not only forgotten by the browser.
    const probe = await fetch(`${apiUrl}/console/api/session`, {
      headers: { Cookie: `lapse_session=${session?.value}` },
    });
    expect(probe.status).toBe(401);
  });

  it("creates a consent, activates its expiry after a confirmation, and shows the forecast", async () => {
    const key = `loyalty-${unique()}`;
    await signIn();
    const form = page.getByRole("region", { name: "New consent" });
    await form.getByLabel("Title").fill("Loyalty club");
    await form.getByLabel("Key", { exact: true }).fill(key);
    await form.getByLabel("Description").fill("Points and member offers.");
    await form.getByRole("button", { name: "Create consent" }).click();
    await page.getByRole("heading", { level: 1, name: "Loyalty club" }).waitFor();
    expect(await flash()).toContain("“Loyalty club” was created.");
    expect(await page.locator("[data-expiry-state]").textContent()).toBe(
      "Expiry is not configured: this consent never lapses.",
    );

    // Three customers accept it; with 30 days, all three would lapse 30 days from today.
    await accept(key, [`c1-${key}`, `c2-${key}`, `c3-${key}`]);
    await page.getByLabel("Lapses after (days without activity)").fill("30");
    const criteria = page.getByRole("group", { name: "Customer actions that extend the consent" });
    await criteria.getByLabel("Clicked in an email").check();
    await criteria.getByLabel("Placed an order").check();
    const preview = page.locator("figure", {
      hasText: "If you activate with these settings today",
    });
    await expect.poll(() => preview.getAttribute("data-total"), WAIT).toBe("3");

    await page.getByRole("button", { name: "Activate expiry…" }).click();
    await dialog().waitFor();
    expect(await dialog().getAttribute("aria-labelledby")).toBeTruthy();
    expect(await dialog().textContent()).toContain(
      `Every customer's clock restarts today. A customer who accepted it and does none of the chosen actions lapses on ${shown(utcDay(30))}, 30 days from today`,
    );
    expect(await dialog().textContent()).toContain("Clicked in an email");
    expect(await dialog().textContent()).toContain(
      "3 customers lapse in the next 90 days if they do nothing.",
    );
    // The focus starts on Cancel: Enter alone never activates.
    expect(await focused()).toBe("Cancel");
    await snap("activate-dialog");
    await dialog().getByRole("button", { name: "Activate expiry" }).click();
    await dialog().waitFor({ state: "hidden" });

    await expect
      .poll(() => page.locator("[data-expiry-state]").textContent(), WAIT)
      .toBe(
        `Expiry is active since ${shown(utcDay())}: a customer lapses after 30 days without any of the actions below.`,
      );
    await expect
      .poll(flash, WAIT)
      .toBe(`Expiry is active. Every customer's clock restarted today (${shown(utcDay())}).`);
    const chart = page.locator("figure", {
      hasText: "Customers lapsing on each of the next 90 days",
    });
    await expect.poll(() => chart.getAttribute("data-total"), WAIT).toBe("3");
    expect(await chart.locator(`rect[data-day="${utcDay(30)}"]`).getAttribute("data-count")).toBe(
      "3",
    );
    expect(await chart.textContent()).toContain(
      "3 customers lapse in the next 90 days if they do nothing.",
    );
    await snap("active-expiry-and-forecast");
    expect(await policyOf(key)).toMatchObject({
      days: 30,
      extendOn: ["email_clicked", "order_placed"],
      enabled: true,
      activatedOn: utcDay(),
    });

    await page.getByRole("link", { name: "All consents" }).click();
    await expect
      .poll(() => page.locator(`[data-consent="${key}"] .expiry`).textContent(), WAIT)
      .toBe(`30 days · active since ${shown(utcDay())}`);
  });

  it("locks the extending events while expiry is active, and reconfigures them after a confirmation", async () => {
    const key = `sms-${unique()}`;
    await backEnd.admin.consents.create.mutate({ key, kind: "opt_in", title: "SMS promotions" });
    await backEnd.admin.expiry.configure.mutate({
      consent: key,
      days: 180,
      extendOn: ["sms_clicked"],
    });
    await backEnd.admin.expiry.activate.mutate({ consent: key });
    await accept(key, [`c1-${key}`]);

    await signIn();
    await open(`consents/${key}`, "SMS promotions");
    const criteria = page.getByRole("group", { name: "Customer actions that extend the consent" });
    expect(await isDisabled(criteria)).toBe(true);
    expect(await criteria.getByLabel("Clicked in a text message (SMS)").isChecked()).toBe(true);
    expect(await criteria.getByLabel("Placed an order").isDisabled()).toBe(true);
    expect(await criteria.textContent()).toContain(
      "Locked while expiry is active: deactivate or reconfigure to change them",
    );
    // The reason is the group's description, so a screen reader says it with the boxes.
    const describedBy = (await criteria.getAttribute("aria-describedby")) ?? "";
    const descriptions = await Promise.all(
      describedBy.split(" ").map((id) => page.locator(`[id="${id}"]`).textContent()),
    );
    expect(descriptions.join(" ")).toContain("deactivate or reconfigure to change them");

    // Keyboard: Escape closes the dialog and gives the focus back to the button that opened it.
    const reconfigure = page.getByRole("button", { name: "Reconfigure…" });
    await reconfigure.focus();
    await page.keyboard.press("Enter");
    await dialog().waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe(
      "days",
    );
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "hidden" });
    expect(await focused()).toBe("Reconfigure…");

    await reconfigure.click();
    await dialog().waitFor();
    expect(await dialog().textContent()).toContain(
      `Every customer's clock restarts today: without any of the chosen actions, nobody lapses before ${shown(utcDay(180))}.`,
    );
    await dialog().getByLabel("Placed an order").check();
    await snap("reconfigure-dialog");
    await dialog().getByRole("button", { name: "Apply and restart every clock" }).click();
    await dialog().waitFor({ state: "hidden" });
    await expect
      .poll(flash, WAIT)
      .toBe(`New criteria applied. Every customer's clock restarted today (${shown(utcDay())}).`);
    await expect.poll(() => criteria.getByLabel("Placed an order").isChecked(), WAIT).toBe(true);
    expect(await isDisabled(criteria)).toBe(true);
    expect(await policyOf(key)).toMatchObject({
      extendOn: ["sms_clicked", "order_placed"],
      enabled: true,
      activatedOn: utcDay(),
    });

    await page.getByRole("button", { name: "Deactivate expiry…" }).click();
    await dialog().waitFor();
    expect(await dialog().textContent()).toContain("Nobody will lapse while this is off");
    await dialog().getByRole("button", { name: "Deactivate expiry" }).click();
    await dialog().waitFor({ state: "hidden" });
    await expect
      .poll(() => page.locator("[data-expiry-state]").textContent(), WAIT)
      .toBe("Expiry is off: nobody lapses while it is off.");
    expect(await isDisabled(criteria)).toBe(false);
    expect(await criteria.textContent()).not.toContain("Locked");
    expect((await policyOf(key))?.enabled).toBe(false);
  });

  it("edits a legal basis's entry events and texts, and archives it after a confirmation", async () => {
    const key = `after-sales-${unique()}`;
    await backEnd.admin.consents.create.mutate({
      key,
      kind: "legal_basis",
      title: "After-sales service",
    });
    await signIn();
    await open(`consents/${key}`, "After-sales service");

    const entry = page.getByRole("region", { name: "Entry events" });
    await entry.getByLabel("Placed an order").check();
    await entry.getByRole("button", { name: "Save" }).click();
    await expect.poll(flash, WAIT).toBe("Entry events saved.");

    const texts = page.getByRole("region", { name: "Texts" });
    await texts.getByLabel("Title").fill("After-sales follow-up");
    await texts.getByRole("button", { name: "Save" }).click();
    await expect.poll(flash, WAIT).toBe("Texts saved.");
    await page.getByRole("heading", { level: 1, name: "After-sales follow-up" }).waitFor();
    const consents = await backEnd.admin.consents.list.query();
    expect(consents.find((c) => c.key === key)).toMatchObject({
      title: "After-sales follow-up",
      version: 2,
      entryEvents: ["order_placed"],
    });

    await page.getByRole("button", { name: "Archive this consent…" }).click();
    expect(await dialog().textContent()).toContain("Its key can never be used again.");
    await dialog().getByRole("button", { name: "Archive" }).click();
    await page.getByRole("heading", { level: 1, name: "Consents" }).waitFor();
    await expect.poll(flash, WAIT).toBe("“After-sales follow-up” was archived.");
    await page.locator("[data-consent=newsletter]").waitFor();
    expect(await page.locator(`[data-consent="${key}"]`).count()).toBe(0);
    await page.getByLabel("Show archived consents").check();
    expect(await page.locator(`[data-consent="${key}"]`).textContent()).toContain("Archived");
    expect((await backEnd.catalog.list.query()).map((c) => c.key)).not.toContain(key);
  });

  it("looks up a customer's states, valid-until dates and proof trail, with the proof check", async () => {
    const customer = `cust-${unique()}`;
    // The back end accepts the newsletter, then an order enters the "order" legal basis (R4).
    await accept("newsletter", [customer]);
    await backEnd.events.track.mutate({
      events: [{ profileId: customer, type: "order_placed", occurredAt: new Date().toISOString() }],
    });

    await signIn();
    await page.getByRole("navigation").getByRole("link", { name: "Customer lookup" }).click();
    await page.getByRole("heading", { level: 1, name: "Customer lookup" }).waitFor();
    await page.getByLabel("Customer id").fill(customer);
    await page.getByRole("button", { name: "Look up" }).click();

    // The API's check (admin.profiles.verify) and the document's, in the browser.
    const check = page.getByRole("region", { name: "Proof check" });
    await expect.poll(() => check.getAttribute("data-proof-ok"), WAIT).toBe("true");
    const { treeSize } = await backEnd.admin.proof.checkpoint.query();
    // Two changes and the entry that binds the customer id to its key in the log.
    expect(await check.textContent()).toContain(
      "Proof verified: 3 entries in the signed log, none edited, removed or reordered.",
    );
    expect(await check.textContent()).toMatch(/Against the signed checkpoint of \d+ log entries\./);
    await expect
      .poll(() => check.locator("[data-document-ok]").getAttribute("data-document-ok"), WAIT)
      .toBe("true");
    expect(await check.textContent()).toContain(
      "The downloadable document also verifies in this browser with the log's public key: 3 entries",
    );
    expect(await check.locator("li").count()).toBe(0);
    await check.getByText(/^Signed checkpoint \(\d+ log entries\)$/).click();
    expect(await check.locator("pre").textContent()).toContain(`${tenant.tenantId}`);
    expect(treeSize).toBeGreaterThanOrEqual(3);

    const states = page.getByRole("region", { name: "Consents" });
    const newsletter = states.locator("[data-consent=newsletter]");
    expect(await newsletter.locator(".badge").textContent()).toBe("Accepted");
    expect(await newsletter.locator(".valid-until time").getAttribute("datetime")).toBe(
      utcDay(365),
    );
    expect(await newsletter.locator(".valid-until").textContent()).toBe(shown(utcDay(365)));
    expect(await states.locator("[data-consent=order] .valid-until").textContent()).toBe(
      shown(utcDay(1095)),
    );

    const trailRegion = page.getByRole("region", { name: "Proof trail" });
    const trail = trailRegion.locator("tbody tr[data-kind=status_change]");
    expect(await trail.count()).toBe(2);
    // Newest first: the order's entry, then the newsletter accepted through the API.
    expect(await trail.nth(0).getAttribute("data-consent")).toBe("order");
    expect(await trail.nth(0).textContent()).toContain("entry event");
    expect(await trail.nth(1).getAttribute("data-consent")).toBe("newsletter");
    expect(await trail.nth(1).textContent()).toContain("Unknown → Accepted");
    expect(await trail.nth(1).textContent()).toContain("by the brand (API)");
    // The binding comes first in the log, so last here; log indices go down.
    const rows = trailRegion.locator("tbody tr");
    expect(await rows.last().getAttribute("data-kind")).toBe("profile_binding");
    const indices = (
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-index")))
    ).map(Number);
    expect(indices).toEqual([...indices].sort((a, b) => b - a));

    // The download is the JSON document, and it verifies offline.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download the proof (JSON)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`lapse-proof-${customer}.json`);
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    expect(saved).toMatchObject({ format: "lapse-proof/2", profileId: customer });
    const keys = await (await fetch(`${apiUrl}/.well-known/lapse-proof-key`)).text();
    expect(await verifyProof(saved, keys.trim().split("\n"))).toMatchObject({
      ok: true,
      entries: 3,
    });

    const [again] = await Promise.all([
      page.waitForResponse((response) => response.url().includes("admin.profiles.verify")),
      page.getByRole("button", { name: "Check again" }).click(),
    ]);
    expect(again.ok()).toBe(true);
    await expect.poll(() => check.getAttribute("aria-busy"), WAIT).toBe("false");
    expect(await check.getAttribute("data-proof-ok")).toBe("true");
    // The lookup is a link: the same customer opens again from the address.
    expect(page.url()).toContain(`#/profiles/${customer}`);
  });

  it("erases a customer after a confirmation that says what it does, and then reads it as never seen", async () => {
    const customer = `erase-${unique()}`;
    await accept("newsletter", [customer]);
    await backEnd.events.track.mutate({
      events: [{ profileId: customer, type: "order_placed", occurredAt: new Date().toISOString() }],
    });

    await signIn();
    await open(`profiles/${customer}`, "Customer lookup");
    const check = page.getByRole("region", { name: "Proof check" });
    await expect.poll(() => check.getAttribute("data-proof-ok"), WAIT).toBe("true");
    expect(
      await page
        .getByRole("region", { name: "Proof trail" })
        .locator("tbody tr[data-kind=status_change]")
        .count(),
    ).toBe(2);

    const zone = page.getByRole("region", { name: "Erase this customer" });
    await zone.getByRole("button", { name: "Erase customer…" }).click();
    await dialog().waitFor();
    const text = (await dialog().textContent()) ?? "";
    expect(text).toContain(`Erase the customer “${customer}”?`);
    expect(text).toContain(
      "Deletes this customer's consents and their customer id from Lapse, for good.",
    );
    expect(text).toContain("Keeps the proof entries of their past changes, without the id");
    expect(text).toContain("This cannot be undone.");
    expect(text).toContain("A later import of this id is refused.");
    // The focus starts on Cancel: Enter alone never erases.
    expect(await focused()).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "hidden" });
    expect(await focused()).toBe("Erase customer…");
    expect(
      (await backEnd.profile.get.query({ profileId: customer })).consents.find(
        (c) => c.consent === "newsletter",
      )?.status,
    ).toBe("accepted");

    // A reason the API refuses (a control character) shows its error in the dialog.
    await zone.getByRole("button", { name: "Erase customer…" }).click();
    await dialog().getByLabel("Reason (optional)").fill("ticket\u0007");
    await dialog().getByRole("button", { name: "Erase for good" }).click();
    await expect.poll(() => dialog().getByRole("alert").count(), WAIT).toBeGreaterThan(0);
    expect(await dialog().getByRole("alert").textContent()).toContain("reason");
    await dialog().getByLabel("Reason (optional)").fill("ticket DPO-1234");
    await snap("erase-dialog");
    await dialog().getByRole("button", { name: "Erase for good" }).click();
    await dialog().waitFor({ state: "hidden" });

    await expect
      .poll(flash, WAIT)
      .toBe(`The customer “${customer}” was erased: 2 consent states deleted.`);
    const gone = page.locator("[data-profile-found=false]");
    await gone.waitFor();
    expect(await gone.textContent()).toContain(`No customer “${customer}” in Lapse.`);
    expect(await focused()).toContain(`No customer “${customer}” in Lapse.`);
    expect(await page.getByRole("region", { name: "Proof trail" }).count()).toBe(0);
    expect(await page.getByRole("region", { name: "Proof check" }).count()).toBe(0);
    await snap("erased-customer");

    // A reload reads the same; the API holds nothing for the id and refuses its import.
    await page.reload();
    await page.locator("[data-profile-found=false]").waitFor();
    expect(await backEnd.profile.history.query({ profileId: customer })).toMatchObject({
      items: [],
    });
    const refused = await backEnd.admin.profiles.import
      .mutate({
        items: [
          {
            profileId: customer,
            consent: "newsletter",
            status: "accepted",
            changedAt: new Date().toISOString(),
          },
        ],
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LapseError);
    expect((refused as LapseError).code).toBe("PROFILE_ERASED");
  });

  it("creates a key that is shown once with a copy button, and revokes it", async () => {
    const name = `Warehouse sync ${unique()}`;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: apiUrl });
    await signIn();
    await page.getByRole("navigation").getByRole("link", { name: "API keys" }).click();
    const form = page.getByRole("region", { name: "New key" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("profiles: read and change customers").uncheck();
    await form.getByRole("button", { name: "Create key" }).click();

    const created = page.getByRole("region", { name: `Key “${name}” created` });
    await created.waitFor();
    expect(await created.textContent()).toContain("Copy it now: it will not be shown again.");
    const secret = await created.locator("input").inputValue();
    expect(secret).toMatch(/^lapse_sk_/);
    await created.getByRole("button", { name: "Copy" }).click();
    await expect
      .poll(() => created.getByRole("status").textContent(), WAIT)
      .toBe("Copied to the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // The key works, with the scope chosen.
    const withKey = createLapseClient({ url: apiUrl, key: secret });
    expect((await withKey.catalog.list.query()).length).toBeGreaterThan(0);

    await created.getByRole("button", { name: "I have copied it" }).click();
    await created.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);
    const row = page.locator("tr", { hasText: name });
    expect(await row.textContent()).toContain("events");
    expect(await row.textContent()).toContain(`${secret.slice(0, 13)}…`);
    expect(await row.locator(".key-status").textContent()).toBe("active");

    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    await dialog().waitFor();
    expect(await dialog().textContent()).toContain(
      "Everything that uses this key stops working at once.",
    );
    await dialog().getByRole("button", { name: "Revoke the key" }).click();
    await dialog().waitFor({ state: "hidden" });
    await expect
      .poll(() => row.locator(".key-status").textContent(), WAIT)
      .toBe(`revoked ${shown(utcDay())}`);
    await expect.poll(flash, WAIT).toBe(`The key “${name}” was revoked.`);
    const refused = await withKey.catalog.list.query().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LapseError);
    expect((refused as LapseError).code).toBe("UNAUTHORIZED");
  });

  it("runs the expiry after a confirmation, shows its figures per consent, and the lapse in the trail", async () => {
    // A customer who accepted the newsletter 380 days ago and did nothing since: with 365 days,
    // activated 400 days ago (global-setup), their consent ran out 15 days ago.
    const customer = `lapsing-${unique()}`;
    const acceptedAt = new Date(Date.now() - 380 * 86_400_000).toISOString();
    expect(inject("seededAt")).toBeLessThan(Date.parse(acceptedAt));
    await backEnd.admin.profiles.import.mutate({
      items: [
        { profileId: customer, consent: "newsletter", status: "accepted", changedAt: acceptedAt },
      ],
    });

    await signIn();
    await page.getByRole("navigation").getByRole("link", { name: "Nightly runs" }).click();
    await page.getByRole("heading", { level: 1, name: "Nightly runs" }).waitFor();
    await page.getByRole("button", { name: "Run now…" }).click();
    expect(await dialog().textContent()).toContain(
      "Every accepted consent whose clock has run out lapses now",
    );
    await dialog().getByRole("button", { name: "Run now" }).click();

    await page.getByRole("heading", { level: 1, name: /^Run of / }).waitFor();
    const newsletter = page
      .getByRole("region", { name: "Per consent" })
      .locator("[data-consent=newsletter]");
    await newsletter.waitFor();
    expect(await newsletter.locator(".badge").textContent()).toBe("succeeded");
    // Lapsed, chunks, duration, rows read, rows written.
    expect(await newsletter.locator("td.num").first().textContent()).toBe("1");
    expect(await page.locator(".summary").textContent()).toContain("manual");
    const runId = decodeURIComponent(page.url().split("#/runs/")[1] ?? "");

    await page.getByRole("link", { name: "All runs" }).click();
    const run = page.locator(`tr[data-run="${runId}"]`);
    await run.waitFor();
    expect(await run.textContent()).toContain("manual");
    expect(await run.textContent()).toContain("succeeded");
    expect(await run.locator("td.num").nth(1).textContent()).toBe("1");

    // The customer's trail shows the lapse, by this run.
    await open(`profiles/${customer}`, "Customer lookup");
    const state = page
      .getByRole("region", { name: "Consents" })
      .locator("[data-consent=newsletter]");
    await state.waitFor();
    expect(await state.locator(".badge").textContent()).toBe("Unknown");
    const lapse = page.getByRole("region", { name: "Proof trail" }).locator("tbody tr").first();
    expect(await lapse.textContent()).toContain("Accepted → Unknown");
    expect(await lapse.textContent()).toContain("lapsed (expiry)");
    expect(await lapse.textContent()).toContain(`cron:${runId}`);
    await lapse.getByRole("link", { name: "nightly expiry run" }).click();
    await page.getByRole("heading", { level: 1, name: /^Run of / }).waitFor();
    expect(page.url()).toContain(`#/runs/${runId}`);
  });
});
