import { and, asc, eq } from "drizzle-orm";
import { consentHistory, historyHead } from "../../db/schema";
import type { ServiceContext } from "../context";
import { checkChain, GENESIS } from "./chain";

/** Checks one profile's proof trail (R11); `ok` is false with every problem found. */
export async function verifyProfile({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { profileId: string };
}) {
  const [rows, head] = await Promise.all([
    ctx.db
      .select()
      .from(consentHistory)
      .where(
        and(
          eq(consentHistory.tenantId, ctx.tenantId),
          eq(consentHistory.profileId, input.profileId),
        ),
      )
      .orderBy(asc(consentHistory.seq)),
    ctx.db
      .select()
      .from(historyHead)
      .where(
        and(eq(historyHead.tenantId, ctx.tenantId), eq(historyHead.profileId, input.profileId)),
      )
      .get(),
  ]);
  const problems = await checkChain(
    ctx.tenantId,
    rows.map((row) => ({ ...row, from: row.fromStatus, to: row.toStatus })),
    head,
  );
  return {
    profileId: input.profileId,
    entries: rows.length,
    head: head?.hash ?? GENESIS,
    ok: problems.length === 0,
    problems,
  };
}
