import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { LapseError, lapse, type ProfileState, type Proof } from "../api.ts";
import { DataTable } from "../components/data-table.tsx";
import { ErrorAlert, Loading, Section } from "../components/feedback.tsx";
import { Field } from "../components/field.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";
import { keysQuery } from "./keys.tsx";
import { consentTitles, entryTime, trailRows } from "./profile/entries.ts";
import { EraseCustomer } from "./profile/erase.tsx";
import { ProofCheck, proofText } from "./profile/proof-check.tsx";

export function ProfilesPage({ profileId }: { profileId: string | null }) {
  const { t } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState(profileId ?? "");
  // admin.profiles.proof holds the states and the whole trail with its inclusion proofs in one
  // answer (the `lapse-proof/2` document), and needs only the admin scope (profile.get and
  // profile.history need `profiles`). It answers NOT_FOUND for an id never seen or erased.
  const proof = useQuery({
    queryKey: ["proof", profileId],
    queryFn: () => lapse.admin.profiles.proof.query({ profileId: profileId ?? "" }),
    enabled: profileId !== null,
  });
  const notFound = proof.error instanceof LapseError && proof.error.code === "NOT_FOUND";
  // The id just erased here, so that the "never seen" notice takes the focus from the dialog.
  const [erased, setErased] = useState<string | null>(null);

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
      {profileId !== null && notFound ? (
        <NeverSeen profileId={profileId} focus={erased === profileId} />
      ) : (
        <ErrorAlert error={proof.error} />
      )}
      {proof.data && !notFound ? (
        <ProofView proof={proof.data} onErased={() => setErased(proof.data.profileId)} />
      ) : null}
    </>
  );
}

/** An id with no profile in the tenant: never seen, or erased (the two read the same, R13). */
function NeverSeen({ profileId, focus }: { profileId: string; focus: boolean }) {
  const { t } = useI18n();
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (focus) {
      ref.current?.focus();
    }
  }, [focus]);
  return (
    <div className="card never-seen" data-profile-found="false">
      <p ref={ref} tabIndex={-1}>
        <strong>{t.profiles.neverSeen(profileId)}</strong> {t.profiles.neverSeenBody}
      </p>
    </div>
  );
}

function ProofView({ proof, onErased }: { proof: Proof; onErased(): void }) {
  const { t, day, instant } = useI18n();
  // The document's states are profile.get's view (informative: nothing signs them).
  const states = proof.states as ProfileState[];
  const titleOf = consentTitles(proof.consents, new Map(states.map((s) => [s.consent, s.title])));
  const rows = trailRows(proof.entries);
  return (
    <>
      <ProofCheck proof={proof} />
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
          rows={states}
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
              <td>
                {state.expiredAt ? instant(state.expiredAt) : t.profiles.never}
                {state.lapsed ? (
                  <span className="muted small lapsed-pending"> ({t.profiles.lapsedPending})</span>
                ) : null}
              </td>
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
            t.profiles.colIndex,
          ]}
          // Newest first, as people read a history; the proof document keeps the log's order.
          rows={rows}
          empty={t.profiles.trailEmpty}
        >
          {({ index, view }) => {
            const when = entryTime(view);
            return (
              <tr
                key={index}
                data-index={index}
                data-kind={view.kind}
                data-consent={view.kind === "status_change" ? view.consent : undefined}
              >
                <th scope="row">{when ? instant(when) : t.profiles.never}</th>
                {view.kind === "status_change" ? (
                  <>
                    <td>
                      {titleOf(view.consent, view.consentVersion)}{" "}
                      {view.consentVersion === null ? null : (
                        <span className="muted small">v{view.consentVersion}</span>
                      )}
                    </td>
                    <td className="change">
                      {t.status[view.from as keyof typeof t.status] ?? view.from}
                      {" → "}
                      {t.status[view.to as keyof typeof t.status] ?? view.to}
                    </td>
                    <td>{t.reason[view.reason] ?? view.reason}</td>
                    <td>
                      <Actor actor={view.actor} />
                    </td>
                  </>
                ) : (
                  <td colSpan={4} className="muted">
                    {view.kind === "profile_binding"
                      ? t.profiles.entryBinding
                      : view.kind === "erasure"
                        ? t.profiles.entryErasure(view.reason)
                        : t.profiles.entryOther(view.name)}
                  </td>
                )}
                <td>{view.recordedAt ? instant(view.recordedAt) : t.profiles.never}</td>
                <td>
                  <code>#{index}</code>
                </td>
              </tr>
            );
          }}
        </DataTable>
        <div className="actions start">
          <button type="button" onClick={() => download(proof)}>
            {t.profiles.download}
          </button>
        </div>
      </Section>
      <EraseCustomer profileId={proof.profileId} onErased={onErased} />
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

function download(proof: Proof) {
  const blob = new Blob([proofText(proof)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `lapse-proof-${proof.profileId.replace(/[^\w.-]+/g, "_")}.json`;
  link.click();
  URL.revokeObjectURL(url);
}
