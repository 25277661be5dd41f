import { ListChangesInput, listChanges } from "../../services/changes/index.ts";
import {
  ArchiveConsentInput,
  archiveConsent,
  CreateConsentInput,
  createConsent,
  ListConsentsInput,
  listConsents,
  UpdateConsentInput,
  updateConsent,
} from "../../services/consents/index.ts";
import {
  ActivateExpiryInput,
  activateExpiry,
  ConfigureExpiryInput,
  configureExpiry,
  DeactivateExpiryInput,
  deactivateExpiry,
  ForecastExpiryInput,
  forecastExpiry,
  PreviewExpiryInput,
  previewExpiry,
  ReconfigureExpiryInput,
  reconfigureExpiry,
  UpcomingExpiryInput,
  upcomingExpiry,
} from "../../services/expiry/index.ts";
import {
  CreateKeyInput,
  createKey,
  listKeys,
  RevokeKeyInput,
  revokeKey,
} from "../../services/keys/index.ts";
import {
  EraseProfileInput,
  eraseProfile,
  ImportProfilesInput,
  importProfiles,
} from "../../services/profiles/index.ts";
import {
  GetCheckpointInput,
  GetConsistencyInput,
  GetProfileProofInput,
  getCheckpoint,
  getConsistency,
  getProfileProof,
  VerifyProfileInput,
  verifyProfile,
} from "../../services/proof/index.ts";
import {
  GetRunInput,
  getRun,
  ListRunsInput,
  listRuns,
  RunsHealthInput,
  runsHealth,
  TriggerRunInput,
  triggerRun,
} from "../../services/runs/index.ts";
import {
  GetSettingsInput,
  getSettings,
  UpdateSettingsInput,
  updateSettings,
} from "../../services/settings/index.ts";
import { router, scopedProcedure, serviceContext } from "../init.ts";

const admin = scopedProcedure("admin");

export const adminRouter = router({
  consents: router({
    list: admin
      .input(ListConsentsInput)
      .query(({ ctx, input }) => listConsents({ ctx: serviceContext(ctx), input })),
    create: admin
      .input(CreateConsentInput)
      .mutation(({ ctx, input }) => createConsent({ ctx: serviceContext(ctx), input })),
    update: admin
      .input(UpdateConsentInput)
      .mutation(({ ctx, input }) => updateConsent({ ctx: serviceContext(ctx), input })),
    archive: admin
      .input(ArchiveConsentInput)
      .mutation(({ ctx, input }) => archiveConsent({ ctx: serviceContext(ctx), input })),
  }),
  expiry: router({
    configure: admin
      .input(ConfigureExpiryInput)
      .mutation(({ ctx, input }) => configureExpiry({ ctx: serviceContext(ctx), input })),
    activate: admin
      .input(ActivateExpiryInput)
      .mutation(({ ctx, input }) => activateExpiry({ ctx: serviceContext(ctx), input })),
    deactivate: admin
      .input(DeactivateExpiryInput)
      .mutation(({ ctx, input }) => deactivateExpiry({ ctx: serviceContext(ctx), input })),
    reconfigure: admin
      .input(ReconfigureExpiryInput)
      .mutation(({ ctx, input }) => reconfigureExpiry({ ctx: serviceContext(ctx), input })),
    forecast: admin
      .input(ForecastExpiryInput)
      .query(({ ctx, input }) => forecastExpiry({ ctx: serviceContext(ctx), input })),
    preview: admin
      .input(PreviewExpiryInput)
      .query(({ ctx, input }) => previewExpiry({ ctx: serviceContext(ctx), input })),
    upcoming: admin
      .input(UpcomingExpiryInput)
      .query(({ ctx, input }) => upcomingExpiry({ ctx: serviceContext(ctx), input })),
  }),
  settings: router({
    get: admin
      .input(GetSettingsInput)
      .query(({ ctx, input }) => getSettings({ ctx: serviceContext(ctx), input })),
    update: admin
      .input(UpdateSettingsInput)
      .mutation(({ ctx, input }) => updateSettings({ ctx: serviceContext(ctx), input })),
  }),
  runs: router({
    list: admin
      .input(ListRunsInput)
      .query(({ ctx, input }) => listRuns({ ctx: serviceContext(ctx), input })),
    get: admin
      .input(GetRunInput)
      .query(({ ctx, input }) => getRun({ ctx: serviceContext(ctx), input })),
    health: admin
      .input(RunsHealthInput)
      .query(({ ctx, input }) => runsHealth({ ctx: serviceContext(ctx), input })),
    trigger: admin
      .input(TriggerRunInput)
      .mutation(({ ctx, input }) =>
        triggerRun({ ctx: serviceContext(ctx), input, runtime: ctx.expiry }),
      ),
  }),
  changes: router({
    list: admin
      .input(ListChangesInput)
      .query(({ ctx, input }) => listChanges({ ctx: serviceContext(ctx), input })),
  }),
  profiles: router({
    import: admin
      .input(ImportProfilesInput)
      .mutation(({ ctx, input }) =>
        importProfiles({ ctx: serviceContext(ctx), input, erasureKey: ctx.proof.erasureKey() }),
      ),
    // R13: the profile's states and id go; its entries stay, linked to no one.
    erase: admin
      .input(EraseProfileInput)
      .mutation(({ ctx, input }) =>
        eraseProfile({ ctx: serviceContext(ctx), input, erasureKey: ctx.proof.erasureKey() }),
      ),
    // The transparency log (R11): services/proof, docs/proof.md.
    verify: admin
      .input(VerifyProfileInput)
      .query(({ ctx, input }) =>
        verifyProfile({ ctx: serviceContext(ctx), input, keys: ctx.proof }),
      ),
    proof: admin
      .input(GetProfileProofInput)
      .query(({ ctx, input }) =>
        getProfileProof({ ctx: serviceContext(ctx), input, keys: ctx.proof }),
      ),
  }),
  // The transparency log (R11): services/proof, docs/proof.md.
  proof: router({
    checkpoint: admin
      .input(GetCheckpointInput)
      .query(({ ctx, input }) =>
        getCheckpoint({ ctx: serviceContext(ctx), input, keys: ctx.proof }),
      ),
    consistency: admin
      .input(GetConsistencyInput)
      .query(({ ctx, input }) =>
        getConsistency({ ctx: serviceContext(ctx), input, keys: ctx.proof }),
      ),
  }),
  keys: router({
    create: admin
      .input(CreateKeyInput)
      .mutation(({ ctx, input }) => createKey({ ctx: serviceContext(ctx), input })),
    list: admin.query(({ ctx }) => listKeys({ ctx: serviceContext(ctx) })),
    revoke: admin
      .input(RevokeKeyInput)
      .mutation(({ ctx, input }) => revokeKey({ ctx: serviceContext(ctx), input })),
  }),
});
