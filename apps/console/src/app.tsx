import {
  MutationCache,
  QueryCache,
  QueryClient,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useRef } from "react";
import { getSession, LapseError, lapse, type Session, signOut } from "./api.ts";
import { FlashProvider, FlashRegion, Loading, useFlash } from "./components/feedback.tsx";
import { type Lang, useI18n } from "./i18n/index.tsx";
import { ConsentPage } from "./pages/consent.tsx";
import { ConsentsPage } from "./pages/consents.tsx";
import { KeysPage } from "./pages/keys.tsx";
import { ProfilesPage } from "./pages/profiles.tsx";
import { RunPage, RunsPage } from "./pages/runs.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { href, type Route, useRoute } from "./router.ts";

type SessionState =
  | { signedIn: true; session: Session }
  | { signedIn: false; reason: "ended" | "signed-out" | null };

const SESSION_QUERY = ["session"] as const;

/** Any call answered 401 means the session ended (expired, signed out elsewhere, key revoked). */
function onError(error: unknown) {
  if (error instanceof LapseError && error.code === "UNAUTHORIZED") {
    const ended: SessionState = { signedIn: false, reason: "ended" };
    queryClient.setQueryData(SESSION_QUERY, ended);
  }
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({
    // A rejected sign-in is the sign-in form's to explain, not an ended session.
    onError: (error, _variables, _context, mutation) => {
      if (!mutation.meta?.signIn) {
        onError(error);
      }
    },
  }),
  defaultOptions: {
    queries: {
      refetchOnWindowFocus: false,
      // Retry only what may pass on a second try: the network and the server's own failures.
      retry: (count, error) =>
        count < 2 &&
        !(error instanceof LapseError && error.httpStatus !== null && error.httpStatus < 500),
    },
  },
});

async function sessionState(): Promise<SessionState> {
  const session = await getSession();
  return session ? { signedIn: true, session } : { signedIn: false, reason: null };
}

export function App() {
  const { t } = useI18n();
  const client = useQueryClient();
  const state = useQuery({ queryKey: SESSION_QUERY, queryFn: sessionState, staleTime: Infinity });

  if (state.isPending) {
    return (
      <main id="main">
        <Loading />
      </main>
    );
  }
  if (state.isError || !state.data.signedIn) {
    const reason = state.data && !state.data.signedIn ? state.data.reason : null;
    return (
      <>
        <TopBar session={null} />
        <SignIn
          notice={
            reason === "ended"
              ? t.signIn.ended
              : reason === "signed-out"
                ? t.signIn.signedOut
                : null
          }
          onSignedIn={() => {
            // Whatever was cached belongs to the previous session.
            client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_QUERY[0] });
            void client.invalidateQueries({ queryKey: SESSION_QUERY });
          }}
        />
      </>
    );
  }
  return (
    <FlashProvider>
      <Shell session={state.data.session} />
    </FlashProvider>
  );
}

function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label className="lang">
      <span>{t.language}</span>
      <select name="lang" value={lang} onChange={(event) => setLang(event.target.value as Lang)}>
        <option value="en" lang="en">
          English
        </option>
        <option value="fr" lang="fr">
          Français
        </option>
      </select>
    </label>
  );
}

function TopBar({ session }: { session: Session | null }) {
  const { t } = useI18n();
  const client = useQueryClient();
  return (
    <header className="topbar">
      <span className="brand">{t.appName}</span>
      {session ? <span className="tenant">{t.signedInAs(session.tenant)}</span> : null}
      <span className="spacer" />
      <LanguageSwitch />
      {session ? (
        <button
          type="button"
          onClick={async () => {
            await signOut().catch(() => undefined);
            const out: SessionState = { signedIn: false, reason: "signed-out" };
            client.setQueryData(SESSION_QUERY, out);
            // Nothing of the signed-out session stays in memory.
            client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_QUERY[0] });
          }}
        >
          {t.signOut}
        </button>
      ) : null}
    </header>
  );
}

/** The nightly run's health, looked at again every five minutes. */
const HEALTH_QUERY = {
  queryKey: ["runs-health"] as const,
  queryFn: () => lapse.admin.runs.health.query(),
  refetchInterval: 5 * 60_000,
};

/** A warning under the top bar when a night is overdue or a consent's last run failed (R10). */
function NightlyWarning() {
  const { t, instant } = useI18n();
  const health = useQuery(HEALTH_QUERY);
  const data = health.data;
  if (!data || (!data.overdue && data.failedConsents.length === 0)) {
    return null;
  }
  const last = data.lastSucceededRun?.finishedAt;
  return (
    <div className="night-warning" role="status">
      {data.overdue ? (
        <p>{t.health.overdue(data.overdueAfterHours, last ? instant(last) : null)}</p>
      ) : null}
      {data.failedConsents.length > 0 ? (
        <p>{t.health.failed(data.failedConsents.map((f) => f.consent))}</p>
      ) : null}
      <p>
        <a href={href({ page: "runs" })}>{t.health.seeRuns}</a>
      </p>
    </div>
  );
}

const SECTIONS = ["consents", "runs", "profiles", "keys"] as const;

function sectionOf(route: Route): (typeof SECTIONS)[number] {
  switch (route.page) {
    case "consent":
      return "consents";
    case "run":
      return "runs";
    default:
      return route.page;
  }
}

function Shell({ session }: { session: Session }) {
  const { t } = useI18n();
  const route = useRoute();
  const flash = useFlash();
  const main = useRef<HTMLElement>(null);
  const current = sectionOf(route);
  return (
    <>
      {/* A button, not a link: the fragment holds the page, so only the focus moves. */}
      <button type="button" className="skip" onClick={() => main.current?.focus()}>
        {t.skipToContent}
      </button>
      <TopBar session={session} />
      <NightlyWarning />
      <nav aria-label={t.nav.label} className="nav">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section}>
              <a
                href={href(
                  section === "profiles" ? { page: section, profileId: null } : { page: section },
                )}
                aria-current={current === section ? "page" : undefined}
                onClick={flash.clear}
              >
                {t.nav[section]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <FlashRegion />
        <Page route={route} session={session} />
      </main>
    </>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case "consents":
      return <ConsentsPage />;
    case "consent":
      return <ConsentPage key={route.key} consentKey={route.key} />;
    case "runs":
      return <RunsPage />;
    case "run":
      return <RunPage key={route.id} id={route.id} />;
    case "profiles":
      return <ProfilesPage profileId={route.profileId} />;
    case "keys":
      return <KeysPage session={session} />;
  }
}
