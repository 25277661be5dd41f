import { TRPCError } from "@trpc/server";
import { type Credential, verifyProfileToken } from "../../services/keys/index.ts";
import {
  type ChangeVia,
  GetProfileInput,
  getProfile,
  ListProfileHistoryInput,
  listProfileHistory,
  ProfileRef,
  UpdateProfileInput,
  updateProfile,
} from "../../services/profiles/index.ts";
import type { ServerDeps } from "../context.ts";
import { keyedProcedure, requireScope, router, serviceContext } from "../init.ts";

/**
 * Who may touch a profile: a secret key with the `profiles` scope (`api`), or a publishable
 * key with a profile token whose `sub` is this very profile (`customer`, docs/rules.md: credentials).
 */
const profileProcedure = keyedProcedure.input(ProfileRef).use(async ({ ctx, input, next }) => {
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
): Promise<ChangeVia> {
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
  if (!token.ok) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: token.message });
  }
  if (token.profileId !== profileId) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "The profile token is for another profile.",
    });
  }
  return "customer";
}

export const profileRouter = router({
  get: profileProcedure
    .input(GetProfileInput)
    .query(({ ctx, input }) => getProfile({ ctx: serviceContext(ctx), input })),
  update: profileProcedure
    .input(UpdateProfileInput)
    .mutation(({ ctx, input }) => updateProfile({ ctx: serviceContext(ctx), input, via: ctx.via })),
  history: profileProcedure
    .input(ListProfileHistoryInput)
    .query(({ ctx, input }) => listProfileHistory({ ctx: serviceContext(ctx), input })),
});
