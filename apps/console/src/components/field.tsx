import type { ComponentProps, ReactNode } from "react";

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

/**
 * A Field holding one controlled `<input>`: the other props go to the input as they are, and
 * `onValue` receives its new text.
 */
export function InputField({
  id,
  label,
  hint,
  value,
  onValue,
  ...input
}: Omit<ComponentProps<"input">, "id" | "value" | "onChange"> & {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  value: string;
  onValue(value: string): void;
}) {
  return (
    <Field id={id} label={label} hint={hint}>
      {(control) => (
        <input
          {...control}
          {...input}
          value={value}
          onChange={(event) => onValue(event.target.value)}
        />
      )}
    </Field>
  );
}
