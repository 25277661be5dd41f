import {
  ConsentKey,
  ConsentKind,
  EventType,
  ExpiryDays,
  InstantText,
  isWellFormedText,
  ProfileId,
  RequestedStatus,
  WELL_FORMED_MESSAGE,
  WellFormedText,
} from "@lapse/consent";
import { z } from "zod";
import { list as listChanges } from "../../services/changes/list";
import { archive } from "../../services/consents/archive";
import { create as createConsent } from "../../services/consents/create";
import { list as listConsents } from "../../services/consents/list";
import { update as updateConsent } from "../../services/consents/update";
import { forecast, MAX_HORIZON_DAYS, preview } from "../../services/expiry/forecast";
import { activate, configure, deactivate, reconfigure } from "../../services/expiry/policy";
import { proof } from "../../services/history/proof";
import { verifyProfile } from "../../services/history/verify";
import { create as createKey } from "../../services/keys/create";
import { list as listKeys } from "../../services/keys/list";
import { SCOPES } from "../../services/keys/material";
import { revoke } from "../../services/keys/revoke";
import { importProfiles } from "../../services/profiles/import";
import { get as getRun } from "../../services/runs/get";
import { list as listRuns } from "../../services/runs/list";
import { trigger } from "../../services/runs/trigger";
import { router, scopedProcedure, serviceContext } from "../init";

export const MAX_IMPORT_ITEMS = 1000;

const admin = scopedProcedure("admin");
const EventTypes = z.array(EventType).max(EventType.options.length);

export const ConsentCreateInput = z.strictObject({
  key: ConsentKey,
  kind: ConsentKind,
  title: z.string().trim().min(1).max(200).refine(isWellFormedText, WELL_FORMED_MESSAGE),
  description: WellFormedText(0, 4000).optional(),
  entryEvents: EventTypes.optional(),
});
export const ConsentUpdateInput = z.strictObject({
  key: ConsentKey,
  title: z.string().trim().min(1).max(200).refine(isWellFormedText, WELL_FORMED_MESSAGE).optional(),
  description: WellFormedText(0, 4000).optional(),
  entryEvents: EventTypes.optional(),
});
export const ConsentKeyInput = z.strictObject({ key: ConsentKey });
export const ConsentListInput = z
  .strictObject({ includeArchived: z.boolean().optional() })
  .optional();

export const ExpiryConfigureInput = z.strictObject({
  consent: ConsentKey,
  days: ExpiryDays.optional(),
  extendOn: EventTypes.optional(),
});
export const ExpiryReconfigureInput = z.strictObject({
  consent: ConsentKey,
  days: ExpiryDays.optional(),
  extendOn: EventTypes,
});
export const ExpiryConsentInput = z.strictObject({ consent: ConsentKey });
const HorizonDays = z.number().int().min(1).max(MAX_HORIZON_DAYS);
export const ExpiryForecastInput = z.strictObject({
  consent: ConsentKey,
  horizonDays: HorizonDays.default(90),
});
export const ExpiryPreviewInput = z.strictObject({
  consent: ConsentKey,
  days: ExpiryDays,
  extendOn: EventTypes,
  /** Forecast a reconfigure: every clock restarts today, even with unchanged criteria. */
  restartClocks: z.boolean().optional(),
  horizonDays: HorizonDays.default(90),
});

export const RunsListInput = z
  .strictObject({ limit: z.number().int().min(1).max(100).optional() })
  .optional();
export const RunGetInput = z.strictObject({ id: z.string().min(1).max(64) });
export const RunTriggerInput = z.strictObject({ asOf: InstantText.optional() }).optional();
export const ChangesListInput = z
  .strictObject({
    cursor: z.string().max(32).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .optional();

export const ProfileIdInput = z.strictObject({ profileId: ProfileId });
export const ProfilesImportInput = z.strictObject({
  items: z
    .array(
      z.strictObject({
        profileId: ProfileId,
        consent: ConsentKey,
        status: RequestedStatus,
        changedAt: InstantText,
        lastActivityAt: InstantText.optional(),
      }),
    )
    .min(1)
    .max(MAX_IMPORT_ITEMS),
});

export const KeyCreateInput = z.strictObject({
  kind: z.enum(["secret", "publishable"]),
  name: z.string().trim().min(1).max(100).refine(isWellFormedText, WELL_FORMED_MESSAGE),
  scopes: z.array(z.enum(SCOPES)).max(SCOPES.length).optional(),
  expiresAt: InstantText.optional(),
});
export const KeyRevokeInput = z.strictObject({ id: z.string().min(1).max(64) });

export const adminRouter = router({
  consents: router({
    list: admin
      .input(ConsentListInput)
      .query(({ ctx, input }) => listConsents({ ctx: serviceContext(ctx), input: input ?? {} })),
    create: admin
      .input(ConsentCreateInput)
      .mutation(({ ctx, input }) => createConsent({ ctx: serviceContext(ctx), input })),
    update: admin
      .input(ConsentUpdateInput)
      .mutation(({ ctx, input }) => updateConsent({ ctx: serviceContext(ctx), input })),
    archive: admin
      .input(ConsentKeyInput)
      .mutation(({ ctx, input }) => archive({ ctx: serviceContext(ctx), input })),
  }),
  expiry: router({
    configure: admin
      .input(ExpiryConfigureInput)
      .mutation(({ ctx, input }) => configure({ ctx: serviceContext(ctx), input })),
    activate: admin
      .input(ExpiryConsentInput)
      .mutation(({ ctx, input }) => activate({ ctx: serviceContext(ctx), input })),
    deactivate: admin
      .input(ExpiryConsentInput)
      .mutation(({ ctx, input }) => deactivate({ ctx: serviceContext(ctx), input })),
    reconfigure: admin
      .input(ExpiryReconfigureInput)
      .mutation(({ ctx, input }) => reconfigure({ ctx: serviceContext(ctx), input })),
    forecast: admin
      .input(ExpiryForecastInput)
      .query(({ ctx, input }) => forecast({ ctx: serviceContext(ctx), input })),
    preview: admin
      .input(ExpiryPreviewInput)
      .query(({ ctx, input }) => preview({ ctx: serviceContext(ctx), input })),
  }),
  runs: router({
    list: admin
      .input(RunsListInput)
      .query(({ ctx, input }) => listRuns({ ctx: serviceContext(ctx), input: input ?? {} })),
    get: admin
      .input(RunGetInput)
      .query(({ ctx, input }) => getRun({ ctx: serviceContext(ctx), input })),
    trigger: admin
      .input(RunTriggerInput)
      .mutation(({ ctx, input }) =>
        trigger({ ctx: serviceContext(ctx), input: input ?? {}, runtime: ctx.expiry }),
      ),
  }),
  changes: router({
    list: admin
      .input(ChangesListInput)
      .query(({ ctx, input }) => listChanges({ ctx: serviceContext(ctx), input: input ?? {} })),
  }),
  profiles: router({
    import: admin
      .input(ProfilesImportInput)
      .mutation(({ ctx, input }) => importProfiles({ ctx: serviceContext(ctx), input })),
    verify: admin
      .input(ProfileIdInput)
      .query(({ ctx, input }) => verifyProfile({ ctx: serviceContext(ctx), input })),
    proof: admin
      .input(ProfileIdInput)
      .query(({ ctx, input }) => proof({ ctx: serviceContext(ctx), input })),
  }),
  keys: router({
    create: admin
      .input(KeyCreateInput)
      .mutation(({ ctx, input }) => createKey({ ctx: serviceContext(ctx), input })),
    list: admin.query(({ ctx }) => listKeys({ ctx: serviceContext(ctx) })),
    revoke: admin
      .input(KeyRevokeInput)
      .mutation(({ ctx, input }) => revoke({ ctx: serviceContext(ctx), input })),
  }),
});
