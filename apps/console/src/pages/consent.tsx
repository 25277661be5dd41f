import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import {
  type Consent,
  type EventType,
  EXPIRY_DAYS_MAX,
  EXPIRY_DAYS_MIN,
  FORECAST_DAYS,
  lapse,
  utcDay,
} from "../api";
import { ConfirmDialog } from "../components/confirm-dialog";
import { EventCheckboxes } from "../components/event-checkboxes";
import { ErrorAlert, Loading, Section, useFlash } from "../components/feedback";
import { Field } from "../components/field";
import { ForecastChart } from "../components/forecast-chart";
import { PageHeading } from "../components/page-heading";
import { useI18n } from "../i18n";
import { href, navigate } from "../router";
import { consentsQuery } from "./consents";

type Policy = NonNullable<Consent["expiry"]>;

function parseDays(text: string): number | null {
  if (!/^\d{1,4}$/.test(text.trim())) return null;
  const days = Number(text);
  return days >= EXPIRY_DAYS_MIN && days <= EXPIRY_DAYS_MAX ? days : null;
}

function sameEvents(a: readonly EventType[], b: readonly EventType[]): boolean {
  return a.length === b.length && a.every((type) => b.includes(type));
}

export function ConsentPage({ consentKey }: { consentKey: string }) {
  const { t } = useI18n();
  // Archived consents too: a link to one must still open it.
  const consents = useQuery(consentsQuery);
  const consent = consents.data?.find((c) => c.key === consentKey);

  if (consents.isPending) return <Loading />;
  if (!consent) {
    return (
      <>
        <PageHeading>{t.consents.title}</PageHeading>
        <ErrorAlert error={consents.error} />
        {consents.data ? <p className="alert">{t.consent.notFound}</p> : null}
        <p>
          <a href={href({ page: "consents" })}>{t.consent.back}</a>
        </p>
      </>
    );
  }
  const archived = consent.archivedAt !== null;
  return (
    <>
      <p className="breadcrumb">
        <a href={href({ page: "consents" })}>
          <span aria-hidden="true">← </span>
          {t.consent.back}
        </a>
      </p>
      <PageHeading>{consent.title}</PageHeading>
      <p className="meta">
        <code>{consent.key}</code>
        <span className="badge">{t.kind[consent.kind]}</span>
        {archived ? <span className="badge muted">{t.consents.archived}</span> : null}
      </p>
      {archived ? <p className="notice">{t.consent.archivedNote}</p> : null}
      {archived ? null : <ExpiryPanel consent={consent} />}
      {consent.kind === "legal_basis" && !archived ? <EntryEvents consent={consent} /> : null}
      {archived ? null : <Texts consent={consent} />}
      {archived ? null : <Archive consent={consent} />}
    </>
  );
}

function useConsentInvalidation(key: string) {
  const client = useQueryClient();
  return async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: ["consents"] }),
      client.invalidateQueries({ queryKey: ["forecast", key] }),
      client.invalidateQueries({ queryKey: ["preview", key] }),
    ]);
  };
}

/** `restartClocks`: forecast a reconfigure, where every clock restarts today. */
function usePreview(
  key: string,
  days: number | null,
  extendOn: EventType[],
  enabled: boolean,
  restartClocks = false,
) {
  return useQuery({
    queryKey: ["preview", key, days, extendOn, restartClocks],
    queryFn: () =>
      lapse.admin.expiry.preview.query({
        consent: key,
        days: days ?? EXPIRY_DAYS_MIN,
        extendOn,
        horizonDays: FORECAST_DAYS,
        restartClocks,
      }),
    enabled: enabled && days !== null,
    placeholderData: keepPreviousData,
  });
}

function ExpiryPanel({ consent }: { consent: Consent }) {
  const { t, day } = useI18n();
  const id = useId();
  const flash = useFlash();
  const invalidate = useConsentInvalidation(consent.key);
  const policy: Policy | null = consent.expiry;
  const active = policy?.enabled === true;

  const [daysText, setDaysText] = useState(policy ? String(policy.days) : "");
  const [extendOn, setExtendOn] = useState<EventType[]>(policy?.extendOn ?? []);
  const [dialog, setDialog] = useState<"activate" | "deactivate" | "reconfigure" | null>(null);
  const days = parseDays(daysText);
  const daysChanged = days !== null && days !== policy?.days;
  const draftChanged = daysChanged || !sameEvents(extendOn, policy?.extendOn ?? []);

  const forecast = useQuery({
    queryKey: ["forecast", consent.key, policy?.days, policy?.activatedAt],
    queryFn: () =>
      lapse.admin.expiry.forecast.query({ consent: consent.key, horizonDays: FORECAST_DAYS }),
    enabled: active,
  });
  // What the settings being edited would give: before activating, or a new number of days.
  const showPreview = !active || daysChanged;
  const preview = usePreview(consent.key, days, extendOn, showPreview);

  /** Puts the drafts back to what the API now holds. */
  const reset = (next: Policy | null) => {
    setDaysText(next ? String(next.days) : "");
    setExtendOn(next?.extendOn ?? []);
  };

  const save = useMutation({
    mutationFn: async () => {
      if (days === null) throw new Error(t.consent.daysInvalid);
      // While active only the days may change (R8); the criteria go through reconfigure.
      return lapse.admin.expiry.configure.mutate(
        active ? { consent: consent.key, days } : { consent: consent.key, days, extendOn },
      );
    },
    onSuccess: async (result) => {
      reset(result.consent.expiry);
      await invalidate();
      flash.show(t.consent.saved);
    },
  });
  const activate = useMutation({
    mutationFn: async () => {
      if (days === null) throw new Error(t.consent.daysInvalid);
      if (policy === null || draftChanged) {
        await lapse.admin.expiry.configure.mutate({ consent: consent.key, days, extendOn });
      }
      return lapse.admin.expiry.activate.mutate({ consent: consent.key });
    },
    onSuccess: async (result) => {
      reset(result.consent.expiry);
      setDialog(null);
      await invalidate();
      flash.show(t.consent.activated(day(utcDay())));
    },
  });
  const deactivate = useMutation({
    mutationFn: () => lapse.admin.expiry.deactivate.mutate({ consent: consent.key }),
    onSuccess: async (result) => {
      reset(result.consent.expiry);
      setDialog(null);
      await invalidate();
      flash.show(t.consent.deactivated);
    },
  });

  const state = !policy
    ? t.consent.stateNone
    : active && policy.activatedOn
      ? t.consent.stateOn(day(policy.activatedOn), policy.days)
      : t.consent.stateOff;

  return (
    <Section title={t.consent.expiryTitle} className="expiry-panel">
      <p className={active ? "state on" : "state off"} data-expiry-state={active ? "on" : "off"}>
        {state}
      </p>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Field
          id={`${id}-days`}
          label={t.consent.daysLabel}
          hint={
            daysText !== "" && days === null
              ? t.consent.daysInvalid
              : active
                ? t.consent.daysLater
                : t.consent.daysHint
          }
        >
          {(control) => (
            <input
              {...control}
              name="days"
              type="number"
              inputMode="numeric"
              min={EXPIRY_DAYS_MIN}
              max={EXPIRY_DAYS_MAX}
              step={1}
              required
              className="short"
              placeholder="365"
              value={daysText}
              aria-invalid={daysText !== "" && days === null ? true : undefined}
              onChange={(event) => setDaysText(event.target.value)}
            />
          )}
        </Field>
        <EventCheckboxes
          legend={t.consent.extendLegend}
          hint={t.consent.extendHint}
          value={active ? (policy?.extendOn ?? []) : extendOn}
          onChange={setExtendOn}
          locked={active ? t.consent.locked : null}
        />
        <ErrorAlert error={save.error} />
        <div className="actions">
          {active ? (
            <>
              <button type="submit" disabled={!daysChanged || save.isPending}>
                {t.consent.saveDays}
              </button>
              <button type="button" onClick={() => setDialog("reconfigure")}>
                {t.consent.reconfigure}
              </button>
              <button type="button" className="danger" onClick={() => setDialog("deactivate")}>
                {t.consent.deactivate}
              </button>
            </>
          ) : (
            <>
              <button
                type="submit"
                disabled={days === null || (policy !== null && !draftChanged) || save.isPending}
              >
                {t.consent.saveDraft}
              </button>
              <button
                type="button"
                className="primary"
                disabled={days === null}
                onClick={() => {
                  activate.reset();
                  setDialog("activate");
                }}
              >
                {t.consent.activate}
              </button>
            </>
          )}
        </div>
      </form>

      <div className="forecasts" aria-live="polite">
        <h3>{t.forecast.title}</h3>
        {!active ? <p className="muted">{t.forecast.off}</p> : null}
        {active && forecast.data ? (
          <ForecastChart title={t.forecast.current} forecast={forecast.data} />
        ) : null}
        {showPreview && days !== null && preview.data ? (
          <ForecastChart
            title={active ? t.forecast.previewDays : t.forecast.previewActivate}
            forecast={preview.data}
          />
        ) : null}
        <ErrorAlert error={forecast.error ?? preview.error} />
      </div>

      <ConfirmDialog
        open={dialog === "activate"}
        title={t.dialogs.activateTitle(consent.title)}
        confirmLabel={t.dialogs.activateConfirm}
        pending={activate.isPending}
        error={activate.error}
        onConfirm={() => activate.mutate()}
        onClose={() => setDialog(null)}
      >
        <p>{t.dialogs.activateBody(days ?? 0, day(utcDay(days ?? 0)))}</p>
        <EventList events={extendOn} />
        {preview.data ? <p>{t.dialogs.forecastTotal(preview.data.total)}</p> : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={dialog === "deactivate"}
        title={t.dialogs.deactivateTitle(consent.title)}
        confirmLabel={t.dialogs.deactivateConfirm}
        tone="danger"
        pending={deactivate.isPending}
        error={deactivate.error}
        onConfirm={() => deactivate.mutate()}
        onClose={() => {
          deactivate.reset();
          setDialog(null);
        }}
      >
        <p>{t.dialogs.deactivateBody}</p>
        <p>{t.dialogs.deactivateBody2}</p>
      </ConfirmDialog>

      {dialog === "reconfigure" && policy ? (
        <ReconfigureDialog
          consent={consent}
          policy={policy}
          onDone={(next) => {
            reset(next);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </Section>
  );
}

function EventList({ events }: { events: readonly EventType[] }) {
  const { t } = useI18n();
  if (events.length === 0) return <p>{t.dialogs.noExtend}</p>;
  return (
    <>
      <p>{t.dialogs.extendList}</p>
      <ul>
        {events.map((type) => (
          <li key={type}>{t.events[type]}</li>
        ))}
      </ul>
    </>
  );
}

/** New criteria while active: the dialog holds its own draft, applied in one atomic step. */
function ReconfigureDialog({
  consent,
  policy,
  onDone,
  onClose,
}: {
  consent: Consent;
  policy: Policy;
  onDone(next: Policy | null): void;
  onClose(): void;
}) {
  const { t, day } = useI18n();
  const id = useId();
  const flash = useFlash();
  const invalidate = useConsentInvalidation(consent.key);
  const daysInput = useRef<HTMLInputElement>(null);
  const [daysText, setDaysText] = useState(String(policy.days));
  const [extendOn, setExtendOn] = useState<EventType[]>(policy.extendOn);
  const days = parseDays(daysText);
  const preview = usePreview(consent.key, days, extendOn, true, true);
  const reconfigure = useMutation({
    mutationFn: () => {
      if (days === null) throw new Error(t.consent.daysInvalid);
      return lapse.admin.expiry.reconfigure.mutate({ consent: consent.key, days, extendOn });
    },
    onSuccess: async (result) => {
      onDone(result.consent.expiry);
      await invalidate();
      flash.show(t.consent.reconfigured(day(utcDay())));
    },
  });

  return (
    <ConfirmDialog
      open
      title={t.dialogs.reconfigureTitle(consent.title)}
      confirmLabel={t.dialogs.reconfigureConfirm}
      pending={reconfigure.isPending}
      error={reconfigure.error}
      confirmDisabled={days === null}
      initialFocus={daysInput}
      onConfirm={() => reconfigure.mutate()}
      onClose={onClose}
    >
      <p className="warning">
        <strong>{t.dialogs.reconfigureBody(day(utcDay(days ?? policy.days)))}</strong>
      </p>
      <Field id={`${id}-days`} label={t.consent.daysLabel}>
        {(control) => (
          <input
            ref={daysInput}
            {...control}
            name="days"
            type="number"
            inputMode="numeric"
            min={EXPIRY_DAYS_MIN}
            max={EXPIRY_DAYS_MAX}
            required
            className="short"
            value={daysText}
            aria-invalid={days === null ? true : undefined}
            onChange={(event) => setDaysText(event.target.value)}
          />
        )}
      </Field>
      <EventCheckboxes legend={t.consent.extendLegend} value={extendOn} onChange={setExtendOn} />
      {preview.data ? <p>{t.dialogs.forecastTotal(preview.data.total)}</p> : null}
    </ConfirmDialog>
  );
}

function EntryEvents({ consent }: { consent: Consent }) {
  const { t } = useI18n();
  const flash = useFlash();
  const invalidate = useConsentInvalidation(consent.key);
  const [entryEvents, setEntryEvents] = useState<EventType[]>(consent.entryEvents);
  const save = useMutation({
    mutationFn: () => lapse.admin.consents.update.mutate({ key: consent.key, entryEvents }),
    onSuccess: async (result) => {
      setEntryEvents(result.entryEvents);
      await invalidate();
      flash.show(t.consent.entrySaved);
    },
  });
  return (
    <Section title={t.consent.entryTitle}>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <EventCheckboxes
          legend={t.consent.entryLegend}
          hint={t.consent.entryHint}
          value={entryEvents}
          onChange={setEntryEvents}
        />
        <ErrorAlert error={save.error} />
        <div className="actions">
          <button
            type="submit"
            disabled={sameEvents(entryEvents, consent.entryEvents) || save.isPending}
          >
            {t.save}
          </button>
        </div>
      </form>
    </Section>
  );
}

function Texts({ consent }: { consent: Consent }) {
  const { t } = useI18n();
  const id = useId();
  const flash = useFlash();
  const invalidate = useConsentInvalidation(consent.key);
  const [title, setTitle] = useState(consent.title);
  const [description, setDescription] = useState(consent.description);
  const changed = title.trim() !== consent.title || description !== consent.description;
  const save = useMutation({
    mutationFn: () => lapse.admin.consents.update.mutate({ key: consent.key, title, description }),
    onSuccess: async () => {
      await invalidate();
      flash.show(t.consent.textsSaved);
    },
  });
  return (
    <Section title={t.consent.textsTitle}>
      <p className="hint">{t.consent.textsHint}</p>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Field id={`${id}-title`} label={t.consents.fieldTitle}>
          {(control) => (
            <input
              {...control}
              name="title"
              required
              maxLength={200}
              value={title}
              onChange={(event) => setTitle(event.target.value)}
            />
          )}
        </Field>
        <Field id={`${id}-description`} label={t.consents.fieldDescription}>
          {(control) => (
            <textarea
              {...control}
              name="description"
              rows={3}
              maxLength={4000}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          )}
        </Field>
        <ErrorAlert error={save.error} />
        <div className="actions">
          <button type="submit" disabled={!changed || save.isPending}>
            {t.save}
          </button>
        </div>
      </form>
    </Section>
  );
}

function Archive({ consent }: { consent: Consent }) {
  const { t } = useI18n();
  const flash = useFlash();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const archive = useMutation({
    mutationFn: () => lapse.admin.consents.archive.mutate({ key: consent.key }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["consents"] });
      setOpen(false);
      flash.show(t.consent.archivedDone(consent.title));
      navigate({ page: "consents" });
    },
  });
  return (
    <Section title={t.consent.archiveTitle} className="danger-zone">
      <p className="hint">{t.consent.archiveHint}</p>
      <div className="actions">
        <button
          type="button"
          className="danger"
          onClick={() => {
            archive.reset();
            setOpen(true);
          }}
        >
          {t.consent.archive}
        </button>
      </div>
      <ConfirmDialog
        open={open}
        title={t.dialogs.archiveTitle(consent.title)}
        confirmLabel={t.dialogs.archiveConfirm}
        tone="danger"
        pending={archive.isPending}
        error={archive.error}
        onConfirm={() => archive.mutate()}
        onClose={() => setOpen(false)}
      >
        <p>{t.dialogs.archiveBody}</p>
      </ConfirmDialog>
    </Section>
  );
}
