import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Consent, type ConsentKind, type EventType, lapse } from "../api.ts";
import { QueryTable } from "../components/data-table.tsx";
import { useFlash } from "../components/feedback.tsx";
import { InputField } from "../components/field.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { RadioGroup } from "../components/radio-group.tsx";
import { FormSection } from "../components/submit-form.tsx";
import { type I18n, useI18n } from "../i18n/index.tsx";
import { href, navigate } from "../router.ts";
import { ConsentDescriptionField, ConsentTitleField, EntryEventsField } from "./consent/fields.tsx";

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
        <QueryTable
          query={consents}
          className="consents"
          caption={t.consents.title}
          columns={[
            t.consents.colTitle,
            t.consents.colKey,
            t.consents.colKind,
            t.consents.colExpiry,
          ]}
          empty={t.consents.empty}
        >
          {(consent) => (
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
          )}
        </QueryTable>
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
    <FormSection
      title={t.consents.newTitle}
      action={create}
      submitLabel={t.consents.create}
      primary
    >
      <ConsentTitleField
        id={`${id}-title`}
        hint={t.consents.fieldTitleHint}
        value={title}
        onValue={(next) => {
          setTitle(next);
          if (!keyEdited) {
            setKey(slugOf(next));
          }
        }}
      />
      <InputField
        id={`${id}-key`}
        label={t.consents.fieldKey}
        hint={t.consents.fieldKeyHint}
        name="key"
        required
        maxLength={64}
        pattern="[a-z0-9][a-z0-9_\-]*"
        spellCheck={false}
        value={key}
        onValue={(next) => {
          setKey(next);
          setKeyEdited(true);
        }}
      />
      <RadioGroup
        legend={t.consents.fieldKind}
        name="kind"
        options={["opt_in", "legal_basis"] as const}
        value={kind}
        labelOf={(value) => t.kindLong[value]}
        onChange={setKind}
      />
      <ConsentDescriptionField
        id={`${id}-description`}
        hint={t.consents.fieldDescriptionHint}
        value={description}
        onValue={setDescription}
      />
      {kind === "legal_basis" ? (
        <EntryEventsField value={entryEvents} onChange={setEntryEvents} />
      ) : null}
    </FormSection>
  );
}
