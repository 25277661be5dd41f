import { createLapseClient, LapseError } from "@lapse/client";
import type { DemoConfig, DemoToken } from "../server/demo-backend.ts";
import {
  type Choice,
  type ConsentRow,
  consentRow,
  formatDay,
  type ProfileConsent,
} from "./consent-row.ts";

/** The demo's stand-in for the shop's session: `?profile=…`, or a fixed customer. */
const profileId = new URLSearchParams(location.search).get("profile") || "cust-42";

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) {
    throw new Error(`#${id} is missing from index.html`);
  }
  return node;
}
const statusRegion = byId("status");
const alertRegion = byId("alert");
const list = byId("consents");

function say(message: string): void {
  alertRegion.textContent = "";
  statusRegion.textContent = message;
}
function warn(message: string): void {
  statusRegion.textContent = "";
  alertRegion.textContent = message;
}

/** A call to the shop's own back end (same origin). */
async function backEnd<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  if (!response.ok) {
    throw new Error(body?.message ?? `${url} answered ${response.status}`);
  }
  return body as T;
}

/** Profile tokens from the back end, asked again a minute before they run out. */
function profileTokens(): () => Promise<string> {
  let current: DemoToken | null = null;
  return async () => {
    if (!current || current.expiresAt - 60_000 < Date.now()) {
      current = await backEnd<DemoToken>(`/demo-token?profileId=${encodeURIComponent(profileId)}`);
    }
    return current.profileToken;
  };
}

function failure(error: unknown): string {
  if (error instanceof LapseError) {
    return `${error.message}${error.requestId ? ` (request ${error.requestId})` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function start(): Promise<void> {
  byId("profile-id").textContent = profileId;
  say("Loading your preferences…");
  const config = await backEnd<DemoConfig>("/demo-config");
  const lapse = createLapseClient({
    url: config.apiUrl,
    key: config.publishableKey,
    profileToken: profileTokens(),
  });
  const [catalogue, profile] = await Promise.all([
    lapse.catalog.list.query(),
    lapse.profile.get.query({ profileId }),
  ]);
  const descriptions = new Map(catalogue.map((c) => [c.key, c.description]));
  const rows = new Map<string, ConsentRow>();

  const showAll = (states: ProfileConsent[]) => {
    for (const state of states) {
      rows.get(state.consent)?.show(state);
    }
  };

  const choose = async (state: ProfileConsent, choice: Choice) => {
    const row = rows.get(state.consent);
    row?.setBusy(true);
    say(`Saving your choice for ${state.title}…`);
    try {
      const next = await lapse.profile.update.mutate({
        profileId,
        changes: [{ consent: state.consent, status: choice }],
        context: { channel: "preference-centre" },
      });
      // The answer is every state: accepting one consent extends the others (R6).
      showAll(next.consents);
      const saved = next.consents.find((c) => c.consent === state.consent);
      const until =
        saved?.status === "accepted" && saved.expiresOn
          ? ` It is valid until ${formatDay(saved.expiresOn)}.`
          : "";
      say(`${state.title}: ${choice === "accepted" ? "accepted" : "refused"}.${until}`);
    } catch (error) {
      if (error instanceof LapseError && error.code === "LEGAL_BASIS_REFUSED") {
        warn(
          `You refused “${state.title}” earlier. A legal basis you have refused cannot be accepted again, so nothing was changed.`,
        );
      } else {
        warn(`Your choice for ${state.title} was not saved: ${failure(error)}`);
      }
    } finally {
      row?.setBusy(false);
    }
  };

  for (const state of profile.consents) {
    const row = consentRow(state, descriptions.get(state.consent) ?? "", (choice) => {
      void choose(state, choice);
    });
    rows.set(state.consent, row);
  }
  list.replaceChildren(...[...rows.values()].map((row) => row.node));
  say("");
}

start().catch((error: unknown) => {
  warn(`Your preferences could not be loaded: ${failure(error)}`);
});
