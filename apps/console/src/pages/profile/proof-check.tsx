import { useQuery } from "@tanstack/react-query";
import { lapse, type Proof, verifyProof } from "../../api.ts";
import { ErrorAlert } from "../../components/feedback.tsx";
import { useI18n } from "../../i18n/index.tsx";

/** The document as "Download proof" saves it: the bytes the browser check verifies. */
export function proofText(proof: Proof): string {
  return `${JSON.stringify(proof, null, 2)}\n`;
}

/** The log's verifier keys (current and earlier ones), public at the API's well-known address. */
async function verifierKeys(): Promise<string[]> {
  const response = await fetch("/.well-known/lapse-proof-key", { credentials: "omit" });
  if (!response.ok) {
    throw new Error(`/.well-known/lapse-proof-key: HTTP ${response.status}`);
  }
  return (await response.text()).split("\n").filter((line) => line.trim() !== "");
}

/**
 * The proof check of a customer: the API's check (admin.profiles.verify: every entry of the
 * customer against the tree, the tree against its signed checkpoint, the id's binding), and
 * the document itself checked in this browser with @lapse/client's `verifyProof`, which trusts
 * nothing but the log's verifier key. "Check again" runs both again.
 */
export function ProofCheck({ proof }: { proof: Proof }) {
  const { t, instant } = useI18n();
  const server = useQuery({
    queryKey: ["verify", proof.profileId],
    queryFn: () => lapse.admin.profiles.verify.query({ profileId: proof.profileId }),
  });
  const local = useQuery({
    queryKey: ["verify-document", proof.profileId, proof.generatedAt],
    queryFn: async () => verifyProof(proofText(proof), await verifierKeys()),
    retry: false,
  });
  const result = server.data;
  const pending = server.isFetching || local.isFetching;
  const broken = result?.ok === false || local.data?.ok === false;
  return (
    <section
      className={`card chain ${result === undefined ? "" : broken ? "broken" : "ok"}`}
      aria-label={t.profiles.checkTitle}
      data-proof-ok={result === undefined ? undefined : result.ok}
      aria-busy={pending}
    >
      {result ? (
        <div className="proof-server">
          <p role={result.ok ? undefined : "alert"}>
            <strong>
              {result.ok
                ? t.profiles.proofOk(result.entries)
                : t.profiles.proofBroken(result.problems.length)}
            </strong>{" "}
            <span className="muted">
              {t.profiles.provenAgainst(result.treeSize)}{" "}
              {t.profiles.checkedAt(instant(new Date(server.dataUpdatedAt).toISOString()))}
            </span>
          </p>
          <Problems problems={result.problems} />
        </div>
      ) : server.isPending ? (
        <p className="muted">{t.profiles.checking}</p>
      ) : null}
      <ErrorAlert error={server.error} />

      <div className="proof-document" data-document-ok={local.data?.ok}>
        {local.data ? (
          <p role={local.data.ok ? undefined : "alert"}>
            {local.data.ok
              ? t.profiles.documentOk(local.data.entries, local.data.treeSize ?? 0)
              : t.profiles.documentBroken(local.data.problems.length)}
          </p>
        ) : local.isPending ? (
          <p className="muted">{t.profiles.checking}</p>
        ) : null}
        {local.data ? <Problems problems={local.data.problems} /> : null}
        <ErrorAlert error={local.error} />
      </div>

      <details className="checkpoint">
        <summary>{t.profiles.checkpointTitle(proof.log.treeSize)}</summary>
        <dl className="small">
          <dt>{t.profiles.checkpointOrigin}</dt>
          <dd>
            <code>{proof.log.origin}</code>
          </dd>
          <dt>{t.profiles.checkpointRoot}</dt>
          <dd>
            <code>{proof.log.rootHash}</code>
          </dd>
        </dl>
        <pre className="small">{proof.log.checkpoint}</pre>
      </details>

      <button
        type="button"
        onClick={() => {
          void server.refetch();
          void local.refetch();
        }}
        disabled={pending}
      >
        {t.profiles.checkAgain}
      </button>
    </section>
  );
}

/** Each problem's kind, in words and as the API names it, and its message (which names the entry). */
function Problems({ problems }: { problems: readonly { kind: string; message: string }[] }) {
  const { t } = useI18n();
  if (problems.length === 0) {
    return null;
  }
  return (
    <ul className="problems">
      {problems.map((problem, n) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list is replaced whole.
        <li key={n} data-problem={problem.kind}>
          <strong>{t.profiles.problemKind[problem.kind] ?? problem.kind}</strong>{" "}
          <code className="small">{problem.kind}</code>: {problem.message}
        </li>
      ))}
    </ul>
  );
}
