import type { ReactNode } from "react";
import type { EventType } from "../../api.ts";
import { EventCheckboxes } from "../../components/event-checkboxes.tsx";
import { Field, InputField } from "../../components/field.tsx";
import { useI18n } from "../../i18n/index.tsx";

/** What a consent's title and description fields take; their limits are the API's. */
interface TextFieldProps {
  id: string;
  hint?: ReactNode;
  value: string;
  onValue(value: string): void;
}

/** A consent's title, when it is created and when it is edited. */
export function ConsentTitleField({ id, hint, value, onValue }: TextFieldProps) {
  const { t } = useI18n();
  return (
    <InputField
      id={id}
      label={t.consents.fieldTitle}
      hint={hint}
      name="title"
      required
      maxLength={200}
      value={value}
      onValue={onValue}
    />
  );
}

/** A consent's description, when it is created and when it is edited. */
export function ConsentDescriptionField({ id, hint, value, onValue }: TextFieldProps) {
  const { t } = useI18n();
  return (
    <Field id={id} label={t.consents.fieldDescription} hint={hint}>
      {(control) => (
        <textarea
          {...control}
          name="description"
          rows={3}
          maxLength={4000}
          value={value}
          onChange={(event) => onValue(event.target.value)}
        />
      )}
    </Field>
  );
}

/** A legal-basis consent's entry events, when it is created and when it is edited. */
export function EntryEventsField({
  value,
  onChange,
}: {
  value: readonly EventType[];
  onChange(next: EventType[]): void;
}) {
  const { t } = useI18n();
  return (
    <EventCheckboxes
      legend={t.consent.entryLegend}
      hint={t.consent.entryHint}
      value={value}
      onChange={onChange}
    />
  );
}
