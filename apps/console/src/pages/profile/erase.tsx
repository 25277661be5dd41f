import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Erasure, lapse } from "../../api.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { Section, useFlash } from "../../components/feedback.tsx";
import { InputField } from "../../components/field.tsx";
import { useI18n } from "../../i18n/index.tsx";

/** The API's bound on an erasure's reason (apps/api services/profiles/erase-profile.ts). */
const REASON_MAX = 200;

/**
 * Erasure (R13, GDPR art. 17) behind a confirmation that says what it does: the customer's
 * states and id go for good, their proof entries stay naming no one, a later import of the id
 * is refused. The optional reason goes into the log's erasure entry, so never personal data.
 * After it, the customer's queries start again from nothing: the page shows the id as never
 * seen.
 */
export function EraseCustomer({
  profileId,
  onErased,
}: {
  profileId: string;
  onErased(erasure: Erasure): void;
}) {
  const { t } = useI18n();
  const id = useId();
  const flash = useFlash();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const erase = useMutation({
    mutationFn: () => {
      const why = reason.trim();
      return lapse.admin.profiles.erase.mutate({
        profileId,
        ...(why === "" ? {} : { reason: why }),
      });
    },
    onSuccess: async (erasure) => {
      setOpen(false);
      setReason("");
      flash.show(t.profiles.erasedDone(erasure.profileId, erasure.statesDeleted));
      onErased(erasure);
      client.removeQueries({ queryKey: ["verify", profileId] });
      client.removeQueries({ queryKey: ["verify-document", profileId] });
      // Forgets the document (no stale trail while it reloads) and asks again: NOT_FOUND.
      await client.resetQueries({ queryKey: ["proof", profileId] });
    },
  });
  return (
    <Section title={t.profiles.eraseTitle} className="danger-zone erase">
      <p className="hint">{t.profiles.eraseHint}</p>
      <div className="actions start">
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          {t.profiles.erase}
        </button>
      </div>
      <ConfirmDialog
        open={open}
        title={t.profiles.eraseDialogTitle(profileId)}
        confirmLabel={t.profiles.eraseConfirm}
        tone="danger"
        action={erase}
        onClose={() => setOpen(false)}
      >
        <ul>
          {t.profiles.eraseBody.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <p className="muted small">{t.profiles.eraseBackups}</p>
        <InputField
          id={`${id}-reason`}
          label={t.profiles.eraseReason}
          hint={t.profiles.eraseReasonHint(REASON_MAX)}
          name="reason"
          maxLength={REASON_MAX}
          autoComplete="off"
          spellCheck={false}
          value={reason}
          onValue={setReason}
        />
      </ConfirmDialog>
    </Section>
  );
}
