import { SCOPES } from "@lapse/consent/words";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { type ApiKey, lapse, type Scope, type Session } from "../api.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { QueryTable } from "../components/data-table.tsx";
import { Section, useFlash } from "../components/feedback.tsx";
import { InputField } from "../components/field.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { RadioGroup } from "../components/radio-group.tsx";
import { FormSection } from "../components/submit-form.tsx";
import { useI18n } from "../i18n/index.tsx";

type Kind = ApiKey["kind"];

/** The tenant's keys: listed here, and named in a profile's proof trail. */
export const keysQuery = {
  queryKey: ["keys"] as const,
  queryFn: () => lapse.admin.keys.list.query(),
};

export function KeysPage({ session }: { session: Session }) {
  const { t, day } = useI18n();
  const flash = useFlash();
  const client = useQueryClient();
  const keys = useQuery(keysQuery);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => lapse.admin.keys.revoke.mutate({ id: key.id }),
    onSuccess: async (key) => {
      setRevoking(null);
      flash.show(t.keys.revokedDone(key.name));
      await client.invalidateQueries({ queryKey: keysQuery.queryKey });
    },
  });

  const statusOf = (key: ApiKey) => {
    if (key.revokedAt) {
      return t.keys.revoked(day(key.revokedAt.slice(0, 10)));
    }
    if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) {
      return t.keys.expired;
    }
    return t.keys.active;
  };

  return (
    <>
      <PageHeading>{t.keys.title}</PageHeading>
      <p className="intro">{t.keys.intro}</p>
      <div className="card">
        <QueryTable
          query={keys}
          className="keys"
          caption={t.keys.title}
          columns={[
            t.keys.colName,
            t.keys.colKind,
            t.keys.colPrefix,
            t.keys.colScopes,
            t.keys.colCreated,
            t.keys.colExpires,
            t.keys.colStatus,
            { label: t.keys.colActions, visuallyHidden: true },
          ]}
        >
          {(key) => (
            <tr key={key.id} data-key={key.id} className={key.revokedAt ? "revoked" : undefined}>
              <th scope="row">
                {key.name}
                {key.id === session.keyId ? (
                  <span className="badge">{t.keys.thisSession}</span>
                ) : null}
              </th>
              <td>{key.kind === "secret" ? t.keys.kindSecret : t.keys.kindPublishable}</td>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{key.scopes.join(", ") || t.profiles.never}</td>
              <td>{day(key.createdAt.slice(0, 10))}</td>
              <td>{key.expiresAt ? day(key.expiresAt.slice(0, 10)) : t.profiles.never}</td>
              <td className="key-status">{statusOf(key)}</td>
              <td>
                {key.revokedAt ? null : (
                  <button
                    type="button"
                    className="danger small"
                    aria-label={`${t.keys.revoke.replace("…", "")} ${key.name}`}
                    onClick={() => setRevoking(key)}
                  >
                    {t.keys.revoke}
                  </button>
                )}
              </td>
            </tr>
          )}
        </QueryTable>
      </div>
      <CreateKey />
      <ConfirmDialog
        open={revoking !== null}
        title={t.keys.revokeTitle(revoking?.name ?? "")}
        confirmLabel={t.keys.revokeConfirm}
        tone="danger"
        action={{ ...revoke, mutate: () => revoking && revoke.mutate(revoking) }}
        onClose={() => setRevoking(null)}
      >
        <p>{t.keys.revokeBody}</p>
        {revoking?.id === session.keyId ? (
          <p className="warning">
            <strong>{t.keys.revokeOwn}</strong>
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

function CreateKey() {
  const { t } = useI18n();
  const id = useId();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Kind>("secret");
  const [scopes, setScopes] = useState<Scope[]>(["profiles", "events"]);
  const [expiresOn, setExpiresOn] = useState("");
  const create = useMutation({
    mutationFn: () =>
      lapse.admin.keys.create.mutate({
        kind,
        name,
        ...(kind === "secret" ? { scopes } : {}),
        ...(expiresOn ? { expiresAt: `${expiresOn}T00:00:00.000Z` } : {}),
      }),
    // The new key is shown once: it must not linger in the mutation cache once dismissed.
    gcTime: 0,
    onSuccess: async () => {
      setName("");
      setExpiresOn("");
      await client.invalidateQueries({ queryKey: keysQuery.queryKey });
    },
  });

  if (create.data) {
    return <NewKey name={create.data.name} secret={create.data.key} onDone={create.reset} />;
  }

  return (
    <FormSection
      title={t.keys.newTitle}
      action={create}
      submitLabel={t.keys.create}
      submitDisabled={kind === "secret" && scopes.length === 0}
      primary
    >
      <InputField
        id={`${id}-name`}
        label={t.keys.fieldName}
        hint={t.keys.fieldNameHint}
        name="name"
        required
        maxLength={100}
        value={name}
        onValue={setName}
      />
      <RadioGroup
        legend={t.keys.fieldKind}
        name="kind"
        options={["secret", "publishable"] as const}
        value={kind}
        labelOf={(value) => (value === "secret" ? t.keys.kindSecret : t.keys.kindPublishable)}
        onChange={setKind}
      />
      {kind === "secret" ? (
        <fieldset>
          <legend>{t.keys.fieldScopes}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="inline">
              <input
                type="checkbox"
                name={`scope-${scope}`}
                checked={scopes.includes(scope)}
                onChange={(event) =>
                  setScopes(
                    SCOPES.filter((s) => (s === scope ? event.target.checked : scopes.includes(s))),
                  )
                }
              />
              {t.keys.scope[scope]}
            </label>
          ))}
        </fieldset>
      ) : null}
      <InputField
        id={`${id}-expires`}
        label={t.keys.fieldExpires}
        hint={t.keys.fieldExpiresHint}
        name="expiresOn"
        type="date"
        className="short"
        value={expiresOn}
        onValue={setExpiresOn}
      />
    </FormSection>
  );
}

/** The only time a key is shown: in this panel, until "I have copied it". */
function NewKey({ name, secret, onDone }: { name: string; secret: string; onDone(): void }) {
  const { t } = useI18n();
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"ok" | "failed" | null>(null);
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);
  return (
    <Section title={t.keys.createdTitle(name)} className="new-key">
      <p className="warning">
        <strong>{t.keys.createdBody}</strong>
      </p>
      <label htmlFor={`${id}-key`} className="visually-hidden">
        {t.keys.createdTitle(name)}
      </label>
      <div className="row">
        <input
          ref={field}
          id={`${id}-key`}
          className="secret"
          readOnly
          value={secret}
          spellCheck={false}
          onFocus={(event) => event.target.select()}
        />
        <button
          type="button"
          className="primary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied("ok");
            } catch {
              field.current?.select();
              setCopied("failed");
            }
          }}
        >
          {t.keys.copy}
        </button>
      </div>
      <p role="status" className="hint">
        {copied === "ok" ? t.keys.copied : copied === "failed" ? t.keys.copyFailed : ""}
      </p>
      <div className="actions">
        <button type="button" onClick={onDone}>
          {t.keys.done}
        </button>
      </div>
    </Section>
  );
}
