import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { lapse, type Proof } from "../api.ts";
import { DataTable } from "../components/data-table.tsx";
import { ErrorAlert, Loading, Section } from "../components/feedback.tsx";
import { Field } from "../components/field.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";
import { keysQuery } from "./keys.tsx";

export function ProfilesPage({ profileId }: { profileId: string | null }) {
  const { t } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState(profileId ?? "");
  // admin.profiles.proof holds the states, the whole trail and the chain check in one answer,
  // and needs only the admin scope (profile.get and profile.history need `profiles`).
  const proof = useQuery({
    queryKey: ["proof", profileId],
    queryFn: () => lapse.admin.profiles.proof.query({ profileId: profileId ?? "" }),
    enabled: profileId !== null,
  });

  return (
    <>
      <PageHeading>{t.profiles.title}</PageHeading>
      <p className="intro">{t.profiles.intro}</p>
      <search>
        <form
          className="card lookup"
          onSubmit={(event) => {
            event.preventDefault();
            const value = draft.trim();
            if (value) {
              navigate({ page: "profiles", profileId: value });
            }
          }}
        >
          <Field id={`${id}-profile`} label={t.profiles.idLabel} hint={t.profiles.idHint}>
            {(control) => (
              <div className="row">
                <input
                  {...control}
                  name="profileId"
                  required
                  maxLength={128}
                  spellCheck={false}
                  value={draft}
                  onChange={(event) => setDraft(event.target.value)}
                />
                <button type="submit" className="primary">
                  {t.profiles.lookUp}
                </button>
              </div>
            )}
          </Field>
        </form>
      </search>
      {profileId !== null && proof.isPending ? <Loading /> : null}
      <ErrorAlert error={proof.error} />
      {proof.data ? <ProofView proof={proof.data} /> : null}
    </>
  );
}

function ProofView({ proof }: { proof: Proof }) {
  const { t, day, instant } = useI18n();
  const titles = new Map(proof.states.map((s) => [s.consent, s.title]));
  return (
    <>
      <ChainCheck proof={proof} />
      <Section title={t.profiles.statesTitle}>
        <DataTable
          className="states"
          columns={[
            t.profiles.colConsent,
            t.profiles.colStatus,
            t.profiles.colSince,
            t.profiles.colLastActivity,
            t.profiles.colValidUntil,
            t.profiles.colLapsedOn,
          ]}
          rows={proof.states}
        >
          {(state) => (
            <tr key={state.consent} data-consent={state.consent}>
              <th scope="row">
                {state.title} <span className="muted small">({t.kind[state.kind]})</span>
              </th>
              <td>
                <span className={`badge status-${state.status}`}>{t.status[state.status]}</span>
              </td>
              <td>{state.statusChangedAt ? instant(state.statusChangedAt) : t.profiles.never}</td>
              <td>{state.lastActivityOn ? day(state.lastActivityOn) : t.profiles.never}</td>
              <td className="valid-until">
                {state.expiresOn ? (
                  <time dateTime={state.expiresOn}>{day(state.expiresOn)}</time>
                ) : state.status === "accepted" ? (
                  t.profiles.noLapse
                ) : (
                  t.profiles.never
                )}
              </td>
              <td>{state.expiredAt ? instant(state.expiredAt) : t.profiles.never}</td>
            </tr>
          )}
        </DataTable>
      </Section>
      <Section title={t.profiles.trailTitle}>
        <DataTable
          className="trail"
          columns={[
            t.profiles.colWhen,
            t.profiles.colConsent,
            t.profiles.colChange,
            t.profiles.colReason,
            t.profiles.colActor,
            t.profiles.colRecorded,
            t.profiles.colHash,
          ]}
          // Newest first, as people read a history; the proof document keeps chain order.
          rows={[...proof.trail].reverse()}
          empty={t.profiles.trailEmpty}
        >
          {(entry) => (
            <tr key={entry.seq} data-seq={entry.seq} data-consent={entry.consent}>
              <th scope="row">{instant(entry.occurredAt)}</th>
              <td>
                {titles.get(entry.consent) ?? entry.consent}{" "}
                <span className="muted small">v{entry.consentVersion}</span>
              </td>
              <td className="change">
                {t.status[entry.from as keyof typeof t.status] ?? entry.from}
                {" → "}
                {t.status[entry.to as keyof typeof t.status] ?? entry.to}
              </td>
              <td>{t.reason[entry.reason] ?? entry.reason}</td>
              <td>
                <Actor actor={entry.actor} />
              </td>
              <td>{instant(entry.recordedAt)}</td>
              <td>
                <code title={entry.hash}>{entry.hash.slice(0, 12)}…</code>
              </td>
            </tr>
          )}
        </DataTable>
        <div className="actions start">
          <button type="button" onClick={() => download(proof)}>
            {t.profiles.download}
          </button>
        </div>
      </Section>
    </>
  );
}

/** Who made a change: the key's name, or a link to the run that lapsed it; the raw id stays. */
function Actor({ actor }: { actor: string }) {
  const { t } = useI18n();
  const keys = useQuery(keysQuery);
  const runId = actor.startsWith("cron:") ? actor.slice("cron:".length) : null;
  const name = keys.data?.find((key) => key.id === actor)?.name;
  return (
    <>
      {runId ? <a href={href({ page: "run", id: runId })}>{t.profiles.byRun}</a> : name}
      {runId || name ? <br /> : null}
      <code className="small">{actor}</code>
    </>
  );
}

/** The chain result of the proof, and a fresh check on demand (admin.profiles.verify). */
function ChainCheck({ proof }: { proof: Proof }) {
  const { t, instant } = useI18n();
  const verify = useMutation({
    mutationFn: async () => ({
      result: await lapse.admin.profiles.verify.query({ profileId: proof.profileId }),
      at: new Date().toISOString(),
    }),
  });
  const chain = verify.data?.result ?? proof.chain;
  const checkedAt = verify.data?.at ?? proof.generatedAt;
  return (
    <div className={chain.ok ? "card chain ok" : "card chain broken"} data-chain-ok={chain.ok}>
      <p role={chain.ok ? undefined : "alert"}>
        <strong>
          {chain.ok
            ? t.profiles.chainOk(chain.entries)
            : t.profiles.chainBroken(chain.problems.length)}
        </strong>{" "}
        <span className="muted">{t.profiles.checkedAt(instant(checkedAt))}</span>
      </p>
      {chain.problems.length > 0 ? (
        <ul>
          {chain.problems.map((problem) => (
            <li key={`${problem.seq}-${problem.kind}`}>
              {problem.seq === null ? "" : `#${problem.seq}: `}
              {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorAlert error={verify.error} />
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {t.profiles.checkAgain}
      </button>
    </div>
  );
}

function download(proof: Proof) {
  const blob = new Blob([`${JSON.stringify(proof, null, 2)}\n`], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `lapse-proof-${proof.profileId.replace(/[^\w.-]+/g, "_")}.json`;
  link.click();
  URL.revokeObjectURL(url);
}
