import { ProfileId } from "@lapse/consent";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { consentVersion, tenant } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { iso } from "../iso.ts";
import { loadProfile } from "../profiles/states.ts";
import { profileView } from "../profiles/view.ts";
import { verifyProfile } from "./verify-profile.ts";
import { historyItem, loadTrail } from "./view.ts";

export const GetProfileProofInput = z.strictObject({ profileId: ProfileId });
export type GetProfileProofInput = z.infer<typeof GetProfileProofInput>;

/**
 * A self-contained proof document for one profile, as a DPO hands it to a regulator (R11):
 * the current states, the whole trail oldest first with its chain hashes, the wording of every
 * consent version the trail refers to, and the result of checking the chain.
 */
export async function getProfileProof({ ctx, input }: ServiceCall<GetProfileProofInput>) {
  const [owner, { consents, states }, trail, chain] = await Promise.all([
    ctx.db
      .select({ id: tenant.id, name: tenant.name })
      .from(tenant)
      .where(eq(tenant.id, ctx.tenantId))
      .get(),
    loadProfile(ctx, input.profileId),
    loadTrail(ctx, input.profileId),
    verifyProfile({ ctx, input }),
  ]);
  // `consents` holds archived ones too: the trail may refer to them.
  const idByKey = new Map(consents.map((c) => [c.consent.key, c.id]));
  const ids = [
    ...new Set([
      ...trail.map((t) => t.consentId),
      ...[...states.keys()].flatMap((key) => idByKey.get(key) ?? []),
    ]),
  ];
  const versions =
    ids.length === 0
      ? []
      : await ctx.db
          .select()
          .from(consentVersion)
          .where(
            and(eq(consentVersion.tenantId, ctx.tenantId), inArray(consentVersion.consentId, ids)),
          )
          .orderBy(asc(consentVersion.consentId), asc(consentVersion.version));
  return {
    format: "lapse-proof/1" as const,
    generatedAt: iso(ctx.now),
    tenant: { id: ctx.tenantId, name: owner?.name ?? "" },
    profileId: input.profileId,
    states: profileView(input.profileId, consents, states).consents,
    trail: trail.map((row) => ({
      seq: row.seq,
      ...historyItem(row),
      prevHash: row.prevHash,
      hash: row.hash,
    })),
    consents: consents
      .filter((c) => ids.includes(c.id))
      .map((c) => ({
        key: c.consent.key,
        kind: c.consent.kind,
        versions: versions
          .filter((v) => v.consentId === c.id)
          .map((v) => ({
            version: v.version,
            title: v.title,
            description: v.description,
            createdAt: iso(v.createdAt),
          })),
      })),
    chain: {
      algorithm:
        "SHA-256 over [tenant, prevHash, profile, consent id, key, version, from, to, reason, actor, occurredAt, recordedAt] as JSON",
      ok: chain.ok,
      entries: chain.entries,
      head: chain.head,
      problems: chain.problems,
    },
  };
}
