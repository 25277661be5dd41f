import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { lapse, type Run } from "../api.ts";
import { Breadcrumb } from "../components/breadcrumb.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { DataTable, QueryTable } from "../components/data-table.tsx";
import { QueryStatus, Section } from "../components/feedback.tsx";
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

/** One figure of the run's summary: a term and its value in the description list. */
function SummaryItem({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
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
          <button type="button" onClick={() => setOpen(true)}>
            {t.runs.runNow}
          </button>
        </div>
        <QueryTable
          query={runs}
          className="runs"
          caption={t.runs.title}
          columns={[
            t.runs.colStarted,
            t.runs.colTrigger,
            t.runs.colStatus,
            { label: t.runs.colConsents, numeric: true },
            { label: t.runs.colExpired, numeric: true },
            { label: t.runs.colDuration, numeric: true },
          ]}
          empty={t.runs.empty}
        >
          {(run) => (
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
          )}
        </QueryTable>
      </div>
      <ConfirmDialog
        open={open}
        title={t.runs.runNowTitle}
        confirmLabel={t.runs.runNowConfirm}
        action={trigger}
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
      <Breadcrumb to={{ page: "runs" }}>{t.runs.back}</Breadcrumb>
      <QueryStatus query={run} />
      {run.data ? (
        <>
          <PageHeading>{t.runs.detailTitle(instant(run.data.startedAt))}</PageHeading>
          <div className="card">
            <dl className="summary">
              <SummaryItem term={t.runs.colStatus}>
                <StatusBadge status={run.data.status} />
              </SummaryItem>
              <SummaryItem term={t.runs.colTrigger}>
                {t.runs.trigger[run.data.trigger] ?? run.data.trigger}
              </SummaryItem>
              <SummaryItem term={t.runs.scheduledAt}>{instant(run.data.scheduledAt)}</SummaryItem>
              <SummaryItem term={t.runs.mode}>{run.data.mode}</SummaryItem>
              <SummaryItem term={t.runs.colExpired}>{number(run.data.expired)}</SummaryItem>
              <SummaryItem term={t.runs.colDuration}>{duration(i18n, run.data)}</SummaryItem>
            </dl>
          </div>
          <Section title={t.runs.perConsent}>
            <DataTable
              className="per-consent"
              columns={[
                t.runs.colConsent,
                t.runs.colStatus,
                { label: t.runs.colExpired, numeric: true },
                { label: t.runs.colChunks, numeric: true },
                { label: t.runs.colDuration, numeric: true },
                { label: t.runs.colRowsRead, numeric: true },
                { label: t.runs.colRowsWritten, numeric: true },
                t.runs.colError,
              ]}
              rows={run.data.perConsent}
              empty={t.runs.noConsent}
            >
              {(c) => (
                <tr key={c.consent} data-consent={c.consent}>
                  <th scope="row">
                    <a href={href({ page: "consent", key: c.consent })}>
                      <code>{c.consent}</code>
                    </a>
                  </th>
                  <FigureCells figures={c} />
                  <td className="num">{number(c.rowsWritten)}</td>
                  <td>{c.error ?? ""}</td>
                </tr>
              )}
            </DataTable>
          </Section>
          {new Set(run.data.perLog.map((p) => p.log)).size > 1 ? (
            <Section title={t.runs.perLog}>
              <p className="hint">{t.runs.perLogHint}</p>
              <DataTable
                className="per-log"
                columns={[
                  t.runs.colLog,
                  t.runs.colConsent,
                  t.runs.colStatus,
                  { label: t.runs.colExpired, numeric: true },
                  { label: t.runs.colChunks, numeric: true },
                  { label: t.runs.colDuration, numeric: true },
                  { label: t.runs.colRowsRead, numeric: true },
                ]}
                rows={run.data.perLog}
                empty={t.runs.noConsent}
              >
                {(p) => (
                  <tr key={`${p.log}/${p.consent}`} data-log={p.log ?? ""}>
                    <td className="num">{p.log ?? "–"}</td>
                    <th scope="row">
                      <code>{p.consent}</code>
                    </th>
                    <FigureCells figures={p} />
                  </tr>
                )}
              </DataTable>
            </Section>
          ) : null}
        </>
      ) : null}
    </>
  );
}

/** A run's figures for one consent (or one consent on one log): status, lapses, work, reads. */
function FigureCells({
  figures: f,
}: {
  figures: {
    status: string;
    expired: number;
    chunks: number;
    durationMs: number;
    rowsRead: number;
  };
}) {
  const { t, number } = useI18n();
  return (
    <>
      <td>
        <StatusBadge status={f.status} />
      </td>
      <td className="num">{number(f.expired)}</td>
      <td className="num">{number(f.chunks)}</td>
      <td className="num">{t.runs.ms(f.durationMs)}</td>
      <td className="num">{number(f.rowsRead)}</td>
    </>
  );
}
