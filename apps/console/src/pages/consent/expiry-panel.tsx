import { formatDayFrom } from "@lapse/consent";
import {
  DEFAULT_FORECAST_HORIZON_DAYS,
  EXPIRY_DAYS_MAX,
  EXPIRY_DAYS_MIN,
} from "@lapse/consent/limits";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { type Ref, useId, useRef, useState } from "react";
import { type Consent, type EventType, lapse } from "../../api.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { EventCheckboxes, sameEvents } from "../../components/event-checkboxes.tsx";
import { ErrorAlert, Section, useFlash } from "../../components/feedback.tsx";
import { InputField } from "../../components/field.tsx";
import { ForecastChart } from "../../components/forecast-chart.tsx";
import { SubmitForm } from "../../components/submit-form.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { useConsentInvalidation } from "./invalidation.ts";

type Policy = NonNullable<Consent["expiry"]>;

function parseDays(text: string): number | null {
  if (!/^\d{1,4}$/.test(text.trim())) {
    return null;
  }
  const days = Number(text);
  return days >= EXPIRY_DAYS_MIN && days <= EXPIRY_DAYS_MAX ? days : null;
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
        horizonDays: DEFAULT_FORECAST_HORIZON_DAYS,
        restartClocks,
      }),
    enabled: enabled && days !== null,
    placeholderData: keepPreviousData,
  });
}

export function ExpiryPanel({ consent }: { consent: Consent }) {
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
  const daysInvalid = daysText !== "" && days === null;
  const daysChanged = days !== null && days !== policy?.days;
  const draftChanged = daysChanged || !sameEvents(extendOn, policy?.extendOn ?? []);

  const forecast = useQuery({
    queryKey: ["forecast", consent.key, policy?.days, policy?.activatedAt],
    queryFn: () =>
      lapse.admin.expiry.forecast.query({
        consent: consent.key,
        horizonDays: DEFAULT_FORECAST_HORIZON_DAYS,
      }),
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
      if (days === null) {
        throw new Error(t.consent.daysInvalid);
      }
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
      if (days === null) {
        throw new Error(t.consent.daysInvalid);
      }
      if (policy === null || draftChanged) {
        await lapse.admin.expiry.configure.mutate({ consent: consent.key, days, extendOn });
      }
      return lapse.admin.expiry.activate.mutate({ consent: consent.key });
    },
    onSuccess: async (result) => {
      reset(result.consent.expiry);
      setDialog(null);
      await invalidate();
      flash.show(t.consent.activated(day(formatDayFrom(Date.now()))));
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
      <SubmitForm
        onSubmit={() => save.mutate()}
        error={save.error}
        actions={
          active ? (
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
                onClick={() => setDialog("activate")}
              >
                {t.consent.activate}
              </button>
            </>
          )
        }
      >
        <DaysField
          id={`${id}-days`}
          hint={
            daysInvalid ? t.consent.daysInvalid : active ? t.consent.daysLater : t.consent.daysHint
          }
          step={1}
          placeholder="365"
          value={daysText}
          invalid={daysInvalid}
          onValue={setDaysText}
        />
        <EventCheckboxes
          legend={t.consent.extendLegend}
          hint={t.consent.extendHint}
          value={active ? (policy?.extendOn ?? []) : extendOn}
          onChange={setExtendOn}
          locked={active ? t.consent.locked : null}
        />
      </SubmitForm>

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
        action={activate}
        onClose={() => setDialog(null)}
      >
        <p>{t.dialogs.activateBody(days ?? 0, day(formatDayFrom(Date.now(), days ?? 0)))}</p>
        <EventList events={extendOn} />
        {preview.data ? <p>{t.forecast.total(preview.data.total)}</p> : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={dialog === "deactivate"}
        title={t.dialogs.deactivateTitle(consent.title)}
        confirmLabel={t.dialogs.deactivateConfirm}
        tone="danger"
        action={deactivate}
        onClose={() => setDialog(null)}
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

/** A policy's number of days; `invalid` marks a draft that is not a whole number in range. */
function DaysField({
  ref,
  id,
  hint,
  step,
  placeholder,
  value,
  invalid,
  onValue,
}: {
  ref?: Ref<HTMLInputElement>;
  id: string;
  hint?: string;
  step?: number;
  placeholder?: string;
  value: string;
  invalid: boolean;
  onValue(value: string): void;
}) {
  const { t } = useI18n();
  return (
    <InputField
      ref={ref}
      id={id}
      label={t.consent.daysLabel}
      hint={hint}
      name="days"
      type="number"
      inputMode="numeric"
      min={EXPIRY_DAYS_MIN}
      max={EXPIRY_DAYS_MAX}
      step={step}
      required
      className="short"
      placeholder={placeholder}
      value={value}
      aria-invalid={invalid ? true : undefined}
      onValue={onValue}
    />
  );
}

function EventList({ events }: { events: readonly EventType[] }) {
  const { t } = useI18n();
  if (events.length === 0) {
    return <p>{t.dialogs.noExtend}</p>;
  }
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
      if (days === null) {
        throw new Error(t.consent.daysInvalid);
      }
      return lapse.admin.expiry.reconfigure.mutate({ consent: consent.key, days, extendOn });
    },
    onSuccess: async (result) => {
      onDone(result.consent.expiry);
      await invalidate();
      flash.show(t.consent.reconfigured(day(formatDayFrom(Date.now()))));
    },
  });

  return (
    <ConfirmDialog
      open
      title={t.dialogs.reconfigureTitle(consent.title)}
      confirmLabel={t.dialogs.reconfigureConfirm}
      action={reconfigure}
      confirmDisabled={days === null}
      initialFocus={daysInput}
      onClose={onClose}
    >
      <p className="warning">
        <strong>
          {t.dialogs.reconfigureBody(day(formatDayFrom(Date.now(), days ?? policy.days)))}
        </strong>
      </p>
      <DaysField
        ref={daysInput}
        id={`${id}-days`}
        value={daysText}
        invalid={days === null}
        onValue={setDaysText}
      />
      <EventCheckboxes legend={t.consent.extendLegend} value={extendOn} onChange={setExtendOn} />
      {preview.data ? <p>{t.forecast.total(preview.data.total)}</p> : null}
    </ConfirmDialog>
  );
}
