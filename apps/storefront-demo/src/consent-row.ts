import type { RouterOutputs } from "@lapse/client";

export type ProfileConsent = RouterOutputs["profile"]["get"]["consents"][number];
export type Choice = "accepted" | "refused";

const longDate = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

/** `2027-11-29` (a UTC day, as the API sends `expiresOn`) → "29 November 2027". */
export function formatDay(day: string): string {
  return longDate.format(new Date(`${day}T00:00:00Z`));
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Pick<HTMLElementTagNameMap[K], "className" | "id" | "textContent">> = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function time(day: string): HTMLTimeElement {
  const node = element("time", { textContent: formatDay(day) });
  node.dateTime = day;
  return node;
}

/** What the customer reads about one consent's state (text only: titles come from the API). */
export function describeState(state: ProfileConsent): (Node | string)[] {
  switch (state.status) {
    case "accepted":
      return state.expiresOn === null
        ? ["Accepted · does not lapse"]
        : ["Accepted · valid until ", time(state.expiresOn)];
    case "refused":
      return ["Refused"];
    case "unknown":
      return state.expiredAt === null
        ? ["Not set"]
        : ["Not set · your earlier acceptance lapsed on ", time(state.expiredAt.slice(0, 10))];
  }
}

export interface ConsentRow {
  node: HTMLLIElement;
  show(state: ProfileConsent): void;
  setBusy(busy: boolean): void;
}

/**
 * One consent: title, description, state and the two choices. Built once and updated in
 * place, so the button the customer just used keeps its focus.
 */
export function consentRow(
  state: ProfileConsent,
  description: string,
  choose: (choice: Choice) => void,
): ConsentRow {
  const id = `consent-${state.consent}`;
  const title = element("h2", { id: `${id}-title`, textContent: state.title });
  const stateLine = element("p", { id: `${id}-state`, className: "state" });
  const button = (choice: Choice, label: string) => {
    const node = element("button", { className: `choice ${choice}` }, [
      label,
      element("span", { className: "visually-hidden", textContent: ` ${state.title}` }),
    ]);
    node.type = "button";
    node.setAttribute("aria-describedby", stateLine.id);
    node.addEventListener("click", () => choose(choice));
    return node;
  };
  const accept = button("accepted", "Accept");
  const refuse = button("refused", "Refuse");
  const actions = element("div", { className: "actions" }, [accept, refuse]);
  actions.setAttribute("role", "group");
  actions.setAttribute("aria-labelledby", title.id);

  const heading = element("div", { className: "heading" }, [title]);
  const notes: HTMLElement[] = [];
  if (state.kind === "legal_basis") {
    heading.append(element("span", { className: "tag", textContent: "Legal basis" }));
    notes.push(
      element("p", {
        className: "note",
        textContent:
          "We rely on this without asking. You may refuse it; once refused, it cannot be accepted again.",
      }),
    );
  }
  const node = element("li", { className: "consent" }, [
    heading,
    element("p", { className: "description", textContent: description }),
    ...notes,
    stateLine,
    actions,
  ]);
  node.dataset.consent = state.consent;

  const row: ConsentRow = {
    node,
    show(next) {
      node.dataset.status = next.status;
      stateLine.replaceChildren(...describeState(next));
      accept.classList.toggle("current", next.status === "accepted");
      refuse.classList.toggle("current", next.status === "refused");
    },
    setBusy(busy) {
      node.setAttribute("aria-busy", String(busy));
      accept.disabled = busy;
      refuse.disabled = busy;
    },
  };
  row.show(state);
  return row;
}
