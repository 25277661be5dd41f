import { ProfileId } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { historyHead } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { checkChain, GENESIS } from "./chain.ts";
import { loadTrail } from "./view.ts";

export const VerifyProfileInput = z.strictObject({ profileId: ProfileId });
export type VerifyProfileInput = z.infer<typeof VerifyProfileInput>;

/** Checks one profile's proof trail (R11); `ok` is false with every problem found. */
export async function verifyProfile({ ctx, input }: ServiceCall<VerifyProfileInput>) {
  const [rows, head] = await Promise.all([
    loadTrail(ctx, input.profileId),
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
