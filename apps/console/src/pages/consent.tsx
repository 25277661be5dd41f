import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Consent, type EventType, lapse } from "../api.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { EventCheckboxes, sameEvents } from "../components/event-checkboxes.tsx";
import { ErrorAlert, Loading, Section, useFlash } from "../components/feedback.tsx";
import { Field } from "../components/field.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";
import { ExpiryPanel } from "./consent/expiry-panel.tsx";
import { useConsentInvalidation } from "./consent/invalidation.ts";
import { consentsQuery } from "./consents.tsx";

export function ConsentPage({ consentKey }: { consentKey: string }) {
  const { t } = useI18n();
  // Archived consents too: a link to one must still open it.
  const consents = useQuery(consentsQuery);
  const consent = consents.data?.find((c) => c.key === consentKey);

  if (consents.isPending) {
    return <Loading />;
  }
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
      await client.invalidateQueries({ queryKey: consentsQuery.queryKey });
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
