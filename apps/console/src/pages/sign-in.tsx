import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { LapseError, signIn } from "../api.ts";
import { ErrorAlert } from "../components/feedback.tsx";
import { useI18n } from "../i18n/index.tsx";

/** The key lives in this form's state only until it is exchanged for the session cookie. */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn(): void }) {
  const { t } = useI18n();
  const [key, setKey] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const mutation = useMutation({
    mutationFn: (value: string) => signIn(value),
    meta: { signIn: true },
    onSuccess: () => {
      setKey("");
      onSignedIn();
    },
  });
  useEffect(() => {
    input.current?.focus();
  }, []);
  const rejected = mutation.error instanceof LapseError && mutation.error.httpStatus === 401;

  return (
    <main id="main" className="sign-in">
      <h1>{t.signIn.title}</h1>
      <p>{t.signIn.intro}</p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) {
            mutation.mutate(key.trim());
          }
        }}
      >
        <label htmlFor={`${id}-key`}>{t.signIn.keyLabel}</label>
        <input
          ref={input}
          id={`${id}-key`}
          name="key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={key}
          aria-describedby={`${id}-hint`}
          aria-invalid={rejected || undefined}
          onChange={(event) => setKey(event.target.value)}
        />
        <p id={`${id}-hint`} className="hint">
          {t.signIn.keyHint}
        </p>
        {rejected ? (
          <div className="alert" role="alert">
            <p>{t.signIn.rejected}</p>
          </div>
        ) : (
          <ErrorAlert error={mutation.error} />
        )}
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? t.signIn.submitting : t.signIn.submit}
        </button>
      </form>
    </main>
  );
}
