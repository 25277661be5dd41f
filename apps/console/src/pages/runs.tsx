import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { lapse, type Run } from "../api.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { ErrorAlert, Loading, Section } from "../components/feedback.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { type I18n, useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";

/** Wall time of the whole run; per consent, the time spent on its chunks. */
function duration({ t, number }: I18n, run: Run): string {
  if (run.finishedAt === null) {
    return t.runs.runStatus.running ?? "";
  }
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return ms < 1000 ? t.runs.ms(ms) : `${number(Math.round(ms / 100) / 10)} s`;
}

function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge run-${status}`}>{t.runs.runStatus[status] ?? status}</span>;
}

export function RunsPage() {
  const i18n = useI18n();
  const { t, instant, number } = i18n;
  const client = useQueryClient();
  const runs = useQuery({
    queryKey: ["runs"],
    queryFn: () => lapse.admin.runs.list.query({ limit: 100 }),
  });
  const [open, setOpen] = useState(false);
  const trigger = useMutation({
    mutationFn: () => lapse.admin.runs.trigger.mutate(),
    onSuccess: async (run) => {
      await client.invalidateQueries({ queryKey: ["runs"] });
      setOpen(false);
      navigate({ page: "run", id: run.id });
    },
  });

  return (
    <>
      <PageHeading>{t.runs.title}</PageHeading>
      <p className="intro">{t.runs.intro}</p>
      <div className="card">
        <div className="actions start">
          <button
            type="button"
            onClick={() => {
              trigger.reset();
              setOpen(true);
            }}
          >
            {t.runs.runNow}
          </button>
        </div>
        {runs.isPending ? <Loading /> : null}
        <ErrorAlert error={runs.error} />
        {runs.data?.length === 0 ? <p>{t.runs.empty}</p> : null}
        {runs.data && runs.data.length > 0 ? (
          <table className="runs">
            <caption className="visually-hidden">{t.runs.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.runs.colStarted}</th>
                <th scope="col">{t.runs.colTrigger}</th>
                <th scope="col">{t.runs.colStatus}</th>
                <th scope="col" className="num">
                  {t.runs.colConsents}
                </th>
                <th scope="col" className="num">
                  {t.runs.colExpired}
                </th>
                <th scope="col" className="num">
                  {t.runs.colDuration}
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((run) => (
                <tr key={run.id} data-run={run.id}>
                  <th scope="row">
                    <a href={href({ page: "run", id: run.id })}>{instant(run.startedAt)}</a>
                  </th>
                  <td>{t.runs.trigger[run.trigger] ?? run.trigger}</td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td className="num">{number(run.consents)}</td>
                  <td className="num">{number(run.expired)}</td>
                  <td className="num">{duration(i18n, run)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      <ConfirmDialog
        open={open}
        title={t.runs.runNowTitle}
        confirmLabel={t.runs.runNowConfirm}
        pending={trigger.isPending}
        error={trigger.error}
        onConfirm={() => trigger.mutate()}
        onClose={() => setOpen(false)}
      >
        <p>{t.runs.runNowBody}</p>
      </ConfirmDialog>
    </>
  );
}

export function RunPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t, instant, number } = i18n;
  const run = useQuery({
    queryKey: ["run", id],
    queryFn: () => lapse.admin.runs.get.query({ id }),
    // A run still going shows its progress.
    refetchInterval: (query) => (query.state.data?.status === "running" ? 2000 : false),
  });

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ page: "runs" })}>
          <span aria-hidden="true">← </span>
          {t.runs.back}
        </a>
      </p>
      {run.isPending ? <Loading /> : null}
      <ErrorAlert error={run.error} />
      {run.data ? (
        <>
          <PageHeading>{t.runs.detailTitle(instant(run.data.startedAt))}</PageHeading>
          <div className="card">
            <dl className="summary">
              <div>
                <dt>{t.runs.colStatus}</dt>
                <dd>
                  <StatusBadge status={run.data.status} />
                </dd>
              </div>
              <div>
                <dt>{t.runs.colTrigger}</dt>
                <dd>{t.runs.trigger[run.data.trigger] ?? run.data.trigger}</dd>
              </div>
              <div>
                <dt>{t.runs.scheduledAt}</dt>
                <dd>{instant(run.data.scheduledAt)}</dd>
              </div>
              <div>
                <dt>{t.runs.mode}</dt>
                <dd>{run.data.mode}</dd>
              </div>
              <div>
                <dt>{t.runs.colExpired}</dt>
                <dd>{number(run.data.expired)}</dd>
              </div>
              <div>
                <dt>{t.runs.colDuration}</dt>
                <dd>{duration(i18n, run.data)}</dd>
              </div>
            </dl>
          </div>
          <Section title={t.runs.perConsent}>
            {run.data.perConsent.length === 0 ? (
              <p>{t.runs.noConsent}</p>
            ) : (
              <table className="per-consent">
                <thead>
                  <tr>
                    <th scope="col">{t.runs.colConsent}</th>
                    <th scope="col">{t.runs.colStatus}</th>
                    <th scope="col" className="num">
                      {t.runs.colExpired}
                    </th>
                    <th scope="col" className="num">
                      {t.runs.colChunks}
                    </th>
                    <th scope="col" className="num">
                      {t.runs.colDuration}
                    </th>
                    <th scope="col" className="num">
                      {t.runs.colRowsRead}
                    </th>
                    <th scope="col" className="num">
                      {t.runs.colRowsWritten}
                    </th>
                    <th scope="col">{t.runs.colError}</th>
                  </tr>
                </thead>
                <tbody>
                  {run.data.perConsent.map((c) => (
                    <tr key={c.consent} data-consent={c.consent}>
                      <th scope="row">
                        <a href={href({ page: "consent", key: c.consent })}>
                          <code>{c.consent}</code>
                        </a>
                      </th>
                      <td>
                        <StatusBadge status={c.status} />
                      </td>
                      <td className="num">{number(c.expired)}</td>
                      <td className="num">{number(c.chunks)}</td>
                      <td className="num">{t.runs.ms(c.durationMs)}</td>
                      <td className="num">{number(c.rowsRead)}</td>
                      <td className="num">{number(c.rowsWritten)}</td>
                      <td>{c.error ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </>
      ) : null}
    </>
  );
}
