import { ConsentKey, ProfileId, RequestedStatus } from "@lapse/consent";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { verifyProfileToken } from "../../http/profile-token";
import type { Credential } from "../../services/keys/authenticate";
import { get } from "../../services/profiles/get";
import { history } from "../../services/profiles/history";
import { update } from "../../services/profiles/update";
import type { ServerDeps } from "../context";
import { keyedProcedure, requireScope, router, serviceContext } from "../init";

export const MAX_CHANGES_PER_UPDATE = 100;

/**
 * Who may touch a profile: a secret key with the `profiles` scope (`api`), or a publishable
 * key with a profile token whose `sub` is this very profile (`customer`, SPEC §5).
 */
const profileProcedure = keyedProcedure
  .input(z.object({ profileId: ProfileId }))
  .use(async ({ ctx, input, next }) => {
    const { credential } = ctx;
    const via = await whoMayTouch(ctx, credential, input.profileId);
    // Only a call that may touch the profile spends its budget: a refused one must not let a
    // stranger holding the public publishable key lock a customer out.
    const limiter = ctx.rateLimiter;
    if (
      limiter.allowProfile &&
      !(await limiter.allowProfile(`${credential.tenantId}:${input.profileId}`))
    ) {
      ctx.resHeaders.set("Retry-After", "60");
      throw new TRPCError({
        code: "TOO_MANY_REQUESTS",
        message: "Rate limit reached for this profile.",
      });
    }
    return next({ ctx: { via } });
  });

/** `api` for a secret key with the `profiles` scope, `customer` for this profile's token. */
async function whoMayTouch(
  ctx: { profileToken: string | null; signingSecrets: ServerDeps["signingSecrets"]; now: number },
  credential: Credential,
  profileId: string,
): Promise<"api" | "customer"> {
  if (credential.kind === "secret") {
    requireScope(credential, "profiles");
    return "api";
  }
  if (ctx.profileToken === null) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "A publishable key needs a profile token in the X-Lapse-Profile-Token header.",
    });
  }
  const token = await verifyProfileToken(
    ctx.profileToken,
    (kid) => ctx.signingSecrets.get(kid) ?? null,
    ctx.now,
  );
  if (!token.ok) throw new TRPCError({ code: "UNAUTHORIZED", message: token.message });
  if (token.profileId !== profileId) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "The profile token is for another profile.",
    });
  }
  return "customer";
}

export const ProfileGetInput = z.strictObject({ profileId: ProfileId });
export type ProfileGetInput = z.infer<typeof ProfileGetInput>;

export const ProfileUpdateInput = z.strictObject({
  profileId: ProfileId,
  changes: z
    .array(z.strictObject({ consent: ConsentKey, status: RequestedStatus }))
    .min(1)
    .max(MAX_CHANGES_PER_UPDATE),
  context: z
    .strictObject({
      /** Where the customer made the change, recorded in the proof trail. */
      channel: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' or '-'")
        .optional(),
    })
    .optional(),
});
export type ProfileUpdateInput = z.infer<typeof ProfileUpdateInput>;

export const ProfileHistoryInput = z.strictObject({
  profileId: ProfileId,
  cursor: z.string().max(32).optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type ProfileHistoryInput = z.infer<typeof ProfileHistoryInput>;

export const profileRouter = router({
  get: profileProcedure
    .input(ProfileGetInput)
    .query(({ ctx, input }) => get({ ctx: serviceContext(ctx), input })),
  update: profileProcedure.input(ProfileUpdateInput).mutation(({ ctx, input }) =>
    update({
      ctx: serviceContext(ctx),
      input: {
        profileId: input.profileId,
        changes: input.changes,
        via: ctx.via,
        channel: input.context?.channel,
      },
    }),
  ),
  history: profileProcedure
    .input(ProfileHistoryInput)
    .query(({ ctx, input }) => history({ ctx: serviceContext(ctx), input })),
});
