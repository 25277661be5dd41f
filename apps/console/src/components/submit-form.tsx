import type { ReactNode } from "react";
import type { Action } from "./action.ts";
import { ErrorAlert, Section } from "./feedback.tsx";

/**
 * A form the page handles itself: submitting calls `onSubmit` (no navigation), the error of
 * the last attempt shows above the buttons, and `actions` holds the buttons.
 */
export function SubmitForm({
  onSubmit,
  error,
  actions,
  children,
}: {
  onSubmit(): void;
  error: unknown;
  actions: ReactNode;
  children: ReactNode;
}) {
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <ErrorAlert error={error} />
      <div className="actions">{actions}</div>
    </form>
  );
}

/**
 * A card holding one form with one submit button, which runs `action`; the button is disabled
 * while it runs and whenever `submitDisabled` says there is nothing to send.
 */
export function FormSection({
  title,
  hint,
  action,
  submitLabel,
  submitDisabled = false,
  primary = false,
  children,
}: {
  title: string;
  hint?: string;
  action: Action;
  submitLabel: string;
  submitDisabled?: boolean;
  /** The page's main action (creating something), drawn as such. */
  primary?: boolean;
  children: ReactNode;
}) {
  return (
    <Section title={title}>
      {hint === undefined ? null : <p className="hint">{hint}</p>}
      <SubmitForm
        onSubmit={() => action.mutate()}
        error={action.error}
        actions={
          <button
            type="submit"
            className={primary ? "primary" : undefined}
            disabled={submitDisabled || action.isPending}
          >
            {submitLabel}
          </button>
        }
      >
        {children}
      </SubmitForm>
    </Section>
  );
}
