import { createContext, type ReactNode, useCallback, useId, useMemo, useState } from "react";
import { LapseError } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useRequiredContext } from "../required-context.ts";

/** An error in the user's language when its code is known, with the API's own words otherwise. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) {
    return null;
  }
  const lapse = error instanceof LapseError ? error : null;
  const known = lapse ? t.errors[lapse.code] : undefined;
  const text = known ?? (error instanceof Error ? error.message : String(error));
  return (
    <div className="alert" role="alert">
      <p>{text}</p>
      {lapse && known && lapse.code !== "UNAUTHORIZED" && lapse.message !== text ? (
        <p className="muted">{lapse.message}</p>
      ) : null}
      {lapse?.issues.length ? (
        <ul>
          {lapse.issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {lapse?.requestId ? <p className="muted small">{t.requestId(lapse.requestId)}</p> : null}
    </div>
  );
}

interface Flash {
  message: string | null;
  show(message: string): void;
  clear(): void;
}

const FlashContext = createContext<Flash | null>(null);

/** Success messages that outlive a page change (e.g. "created", then the new page opens). */
export function FlashProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState<string | null>(null);
  const show = useCallback((next: string) => setMessage(next), []);
  const clear = useCallback(() => setMessage(null), []);
  const value = useMemo(() => ({ message, show, clear }), [message, show, clear]);
  return <FlashContext.Provider value={value}>{children}</FlashContext.Provider>;
}

export function useFlash(): Flash {
  return useRequiredContext(FlashContext, "useFlash outside FlashProvider");
}

/** Always in the page, so screen readers announce what appears in it. */
export function FlashRegion() {
  const { message, clear } = useFlash();
  const { t } = useI18n();
  return (
    <div role="status" className={message ? "flash" : "flash empty"}>
      {message ? (
        <>
          <span>{message}</span>
          <button type="button" className="link" onClick={clear} aria-label={t.close}>
            ×
          </button>
        </>
      ) : null}
    </div>
  );
}

/** Where a query's answer goes: "Loading…" until it comes, and its error if it failed. */
export function QueryStatus({ query }: { query: { isPending: boolean; error: unknown } }) {
  return (
    <>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
    </>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p className="muted">{t.loading}</p>;
}

export function Section({
  title,
  children,
  className,
}: {
  title: string;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby={id}>
      <h2 id={id} tabIndex={-1}>
        {title}
      </h2>
      {children}
    </section>
  );
}
