import { type ReactNode, type RefObject, useEffect, useId, useRef } from "react";
import { useI18n } from "../i18n/index.tsx";
import type { Action } from "./action.ts";
import { ErrorAlert } from "./feedback.tsx";

/**
 * A modal confirmation on the native <dialog>: the rest of the page is inert while it is open,
 * Escape cancels, and the focus goes back to what opened it. The focus starts on `initialFocus`
 * when given (a form field), else on Cancel, so a stray Enter never confirms a consequence.
 * Confirming runs `action`, whose error shows in the dialog; closing it forgets that error, so
 * the dialog opens again clean.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  tone = "primary",
  action,
  confirmDisabled = false,
  initialFocus,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  tone?: "primary" | "danger";
  action: Action;
  confirmDisabled?: boolean;
  initialFocus?: RefObject<HTMLElement | null>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const pending = action.isPending;
  const close = () => {
    action.reset();
    onClose();
  };
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element || !open) {
      return;
    }
    opener.current = document.activeElement;
    element.showModal();
    (initialFocus?.current ?? cancel.current)?.focus();
    return () => {
      element.close();
      // Back to what opened it; when the action removed that button (activate becomes
      // deactivate), to the heading of the section the dialog belongs to.
      const back = opener.current;
      const fallback =
        element.closest("section")?.querySelector<HTMLElement>("h2[tabindex]") ??
        document.querySelector<HTMLElement>("main");
      (back instanceof HTMLElement && back.isConnected ? back : fallback)?.focus();
    };
  }, [open, initialFocus]);

  return (
    <dialog
      ref={dialog}
      className={`dialog ${tone}`}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        // Escape: React state decides whether the dialog is open.
        event.preventDefault();
        if (!pending) {
          close();
        }
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (!pending && !confirmDisabled) {
            action.mutate();
          }
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div id={bodyId} className="dialog-body">
          {children}
        </div>
        <ErrorAlert error={action.error} />
        <div className="actions">
          <button ref={cancel} type="button" onClick={close} disabled={pending}>
            {t.cancel}
          </button>
          <button
            type="submit"
            className={tone === "danger" ? "danger" : "primary"}
            disabled={pending || confirmDisabled}
            aria-busy={pending}
          >
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
