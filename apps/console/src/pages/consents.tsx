import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Consent, type ConsentKind, type EventType, lapse } from "../api.ts";
import { EventCheckboxes } from "../components/event-checkboxes.tsx";
import { ErrorAlert, Loading, Section, useFlash } from "../components/feedback.tsx";
import { Field } from "../components/field.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { type I18n, useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";

/** One cached list for every page, archived consents included: one place to refresh. */
export const consentsQuery = {
  queryKey: ["consents"] as const,
  queryFn: () => lapse.admin.consents.list.query({ includeArchived: true }),
};

export function expiryText({ t, day }: I18n, consent: Consent): string {
  const expiry = consent.expiry;
  if (!expiry) {
    return t.consents.expiryNone;
  }
  if (!expiry.enabled || !expiry.activatedOn) {
    return t.consents.expiryOff(expiry.days);
  }
  return t.consents.expiryOn(expiry.days, day(expiry.activatedOn));
}

export function ConsentsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [includeArchived, setIncludeArchived] = useState(false);
  const consents = useQuery({
    ...consentsQuery,
    select: (list) => (includeArchived ? list : list.filter((c) => c.archivedAt === null)),
  });

  return (
    <>
      <PageHeading>{t.consents.title}</PageHeading>
      <p className="intro">{t.consents.intro}</p>
      <div className="card">
        <label className="inline">
          <input
            type="checkbox"
            checked={includeArchived}
            onChange={(event) => setIncludeArchived(event.target.checked)}
          />
          {t.consents.showArchived}
        </label>
        {consents.isPending ? <Loading /> : null}
        <ErrorAlert error={consents.error} />
        {consents.data?.length === 0 ? <p>{t.consents.empty}</p> : null}
        {consents.data && consents.data.length > 0 ? (
          <table className="consents">
            <caption className="visually-hidden">{t.consents.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.consents.colTitle}</th>
                <th scope="col">{t.consents.colKey}</th>
                <th scope="col">{t.consents.colKind}</th>
                <th scope="col">{t.consents.colExpiry}</th>
              </tr>
            </thead>
            <tbody>
              {consents.data.map((consent) => (
                <tr key={consent.key} data-consent={consent.key}>
                  <th scope="row">
                    <a href={href({ page: "consent", key: consent.key })}>{consent.title}</a>
                    {consent.archivedAt ? (
                      <span className="badge muted">{t.consents.archived}</span>
                    ) : null}
                  </th>
                  <td>
                    <code>{consent.key}</code>
                  </td>
                  <td>{t.kind[consent.kind]}</td>
                  <td className="expiry">
                    <span className={consent.expiry?.enabled ? "badge on" : "badge off"}>
                      {expiryText(i18n, consent)}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      <CreateConsent />
    </>
  );
}

/** A slug suggestion from the title: what a marketing manager would type by hand. */
function slugOf(title: string): string {
  return title
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

function CreateConsent() {
  const { t } = useI18n();
  const id = useId();
  const client = useQueryClient();
  const flash = useFlash();
  const [title, setTitle] = useState("");
  const [key, setKey] = useState("");
  const [keyEdited, setKeyEdited] = useState(false);
  const [kind, setKind] = useState<ConsentKind>("opt_in");
  const [description, setDescription] = useState("");
  const [entryEvents, setEntryEvents] = useState<EventType[]>([]);
  const create = useMutation({
    mutationFn: () =>
      lapse.admin.consents.create.mutate({
        key,
        kind,
        title,
        ...(description.trim() ? { description } : {}),
        ...(kind === "legal_basis" ? { entryEvents } : {}),
      }),
    onSuccess: async (consent) => {
      await client.invalidateQueries({ queryKey: consentsQuery.queryKey });
      flash.show(t.consents.created(consent.title));
      navigate({ page: "consent", key: consent.key });
    },
  });

  return (
    <Section title={t.consents.newTitle}>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Field id={`${id}-title`} label={t.consents.fieldTitle} hint={t.consents.fieldTitleHint}>
          {(control) => (
            <input
              {...control}
              name="title"
              required
              maxLength={200}
              value={title}
              onChange={(event) => {
                setTitle(event.target.value);
                if (!keyEdited) {
                  setKey(slugOf(event.target.value));
                }
              }}
            />
          )}
        </Field>
        <Field id={`${id}-key`} label={t.consents.fieldKey} hint={t.consents.fieldKeyHint}>
          {(control) => (
            <input
              {...control}
              name="key"
              required
              maxLength={64}
              pattern="[a-z0-9][a-z0-9_\-]*"
              spellCheck={false}
              value={key}
              onChange={(event) => {
                setKey(event.target.value);
                setKeyEdited(true);
              }}
            />
          )}
        </Field>
        <fieldset>
          <legend>{t.consents.fieldKind}</legend>
          {(["opt_in", "legal_basis"] as const).map((value) => (
            <label key={value} className="inline">
              <input
                type="radio"
                name="kind"
                value={value}
                checked={kind === value}
                onChange={() => setKind(value)}
              />
              {t.kindLong[value]}
            </label>
          ))}
        </fieldset>
        <Field
          id={`${id}-description`}
          label={t.consents.fieldDescription}
          hint={t.consents.fieldDescriptionHint}
        >
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
        {kind === "legal_basis" ? (
          <EventCheckboxes
            legend={t.consent.entryLegend}
            hint={t.consent.entryHint}
            value={entryEvents}
            onChange={setEntryEvents}
          />
        ) : null}
        <ErrorAlert error={create.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {t.consents.create}
          </button>
        </div>
      </form>
    </Section>
  );
}
