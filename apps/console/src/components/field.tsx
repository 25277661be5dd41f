import type { ReactNode } from "react";

/** What a field gives its control: the id its label points at, and the link to its hint. */
export interface FieldControl {
  id: string;
  "aria-describedby": string | undefined;
}

/** A labelled form control with an optional hint under it, linked by `aria-describedby`. */
export function Field({
  id,
  label,
  hint,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  children: (control: FieldControl) => ReactNode;
}) {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-describedby": hintId })}
      {hint === undefined ? null : (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
