import { EVENT_TYPES } from "@lapse/consent/words";
import { useId } from "react";
import type { EventType } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";

/** The seven customer actions as checkboxes; `locked` disables them and says why. */
export function EventCheckboxes({
  legend,
  hint,
  value,
  onChange,
  locked,
}: {
  legend: string;
  hint?: string;
  value: readonly EventType[];
  onChange(next: EventType[]): void;
  /** Why the choice cannot change now; the boxes are disabled while it is set. */
  locked?: string | null;
}) {
  const { t } = useI18n();
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, locked ? `${id}-lock` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <fieldset
      className="events"
      disabled={Boolean(locked)}
      aria-describedby={describedBy || undefined}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {locked ? (
        <p id={`${id}-lock`} className="lock-note">
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1Zm2 0h4V5a2 2 0 1 0-4 0v2Z"
            />
          </svg>{" "}
          {locked}
        </p>
      ) : null}
      <ul className="checkboxes">
        {EVENT_TYPES.map((type) => (
          <li key={type}>
            <label>
              <input
                type="checkbox"
                name={type}
                checked={value.includes(type)}
                onChange={(event) =>
                  onChange(
                    EVENT_TYPES.filter((t) =>
                      t === type ? event.target.checked : value.includes(t),
                    ),
                  )
                }
              />
              <span>{t.events[type]}</span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** Whether two choices hold the same actions, whatever their order. */
export function sameEvents(a: readonly EventType[], b: readonly EventType[]): boolean {
  return a.length === b.length && a.every((type) => b.includes(type));
}
