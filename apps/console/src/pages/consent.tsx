import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Consent, type ConsentUpdate, type EventType, lapse } from "../api.ts";
import { Breadcrumb } from "../components/breadcrumb.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { sameEvents } from "../components/event-checkboxes.tsx";
import { ErrorAlert, Loading, Section, useFlash } from "../components/feedback.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { FormSection } from "../components/submit-form.tsx";
import { useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";
import { ExpiryPanel } from "./consent/expiry-panel.tsx";
import { ConsentDescriptionField, ConsentTitleField, EntryEventsField } from "./consent/fields.tsx";
import { useConsentInvalidation } from "./consent/invalidation.ts";
import { UpcomingLapses } from "./consent/upcoming.tsx";
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
      <Breadcrumb to={{ page: "consents" }}>{t.consent.back}</Breadcrumb>
      <PageHeading>{consent.title}</PageHeading>
      <p className="meta">
        <code>{consent.key}</code>
        <span className="badge">{t.kind[consent.kind]}</span>
        {archived ? <span className="badge muted">{t.consents.archived}</span> : null}
      </p>
      {archived ? <p className="notice">{t.consent.archivedNote}</p> : null}
      {archived ? null : <ExpiryPanel consent={consent} />}
      {!archived && consent.expiry?.enabled ? <UpcomingLapses consent={consent} /> : null}
      {consent.kind === "legal_basis" && !archived ? <EntryEvents consent={consent} /> : null}
      {archived ? null : <Texts consent={consent} />}
      {archived ? null : <Archive consent={consent} />}
    </>
  );
}

/**
 * Saves part of a consent (what `changes` gives when the form is sent), then refreshes every
 * view of it and says `saved`; `onSaved` gets the consent as the API now holds it.
 */
function useConsentUpdate(
  consent: Consent,
  {
    changes,
    saved,
    onSaved,
  }: {
    changes(): Omit<ConsentUpdate, "key">;
    saved: string;
    onSaved?(result: Consent): void;
  },
) {
  const flash = useFlash();
  const invalidate = useConsentInvalidation(consent.key);
  return useMutation({
    mutationFn: () => lapse.admin.consents.update.mutate({ key: consent.key, ...changes() }),
    onSuccess: async (result) => {
      onSaved?.(result);
      await invalidate();
      flash.show(saved);
    },
  });
}

function EntryEvents({ consent }: { consent: Consent }) {
  const { t } = useI18n();
  const [entryEvents, setEntryEvents] = useState<EventType[]>(consent.entryEvents);
  const save = useConsentUpdate(consent, {
    changes: () => ({ entryEvents }),
    saved: t.consent.entrySaved,
    onSaved: (result) => setEntryEvents(result.entryEvents),
  });
  return (
    <FormSection
      title={t.consent.entryTitle}
      action={save}
      submitLabel={t.save}
      submitDisabled={sameEvents(entryEvents, consent.entryEvents)}
    >
      <EntryEventsField value={entryEvents} onChange={setEntryEvents} />
    </FormSection>
  );
}

function Texts({ consent }: { consent: Consent }) {
  const { t } = useI18n();
  const id = useId();
  const [title, setTitle] = useState(consent.title);
  const [description, setDescription] = useState(consent.description);
  const changed = title.trim() !== consent.title || description !== consent.description;
  const save = useConsentUpdate(consent, {
    changes: () => ({ title, description }),
    saved: t.consent.textsSaved,
  });
  return (
    <FormSection
      title={t.consent.textsTitle}
      hint={t.consent.textsHint}
      action={save}
      submitLabel={t.save}
      submitDisabled={!changed}
    >
      <ConsentTitleField id={`${id}-title`} value={title} onValue={setTitle} />
      <ConsentDescriptionField
        id={`${id}-description`}
        value={description}
        onValue={setDescription}
      />
    </FormSection>
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
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          {t.consent.archive}
        </button>
      </div>
      <ConfirmDialog
        open={open}
        title={t.dialogs.archiveTitle(consent.title)}
        confirmLabel={t.dialogs.archiveConfirm}
        tone="danger"
        action={archive}
        onClose={() => setOpen(false)}
      >
        <p>{t.dialogs.archiveBody}</p>
      </ConfirmDialog>
    </Section>
  );
}
