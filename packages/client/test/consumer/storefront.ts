import {
  createLapseClient,
  LapseError,
  type ProofProblemKind,
  type ProofVerification,
  type RouterInputs,
  type RouterOutputs,
  verifyProof,
} from "@lapse/client";
import { signProfileToken } from "@lapse/client/server";

type Profile = RouterOutputs["profile"]["get"];
type Change = RouterInputs["profile"]["update"]["changes"][number];

export async function preferences(profileId: string): Promise<Profile> {
  const token = await signProfileToken({ secret: "s", kid: "sig_1", profileId });
  const lapse = createLapseClient({
    url: "https://lapse.example",
    key: "lapse_pk_x",
    profileToken: token,
  });
  const change: Change = { consent: "newsletter", status: "accepted" };
  try {
    await lapse.profile.update.mutate({ profileId, changes: [change] });
  } catch (error) {
    if (error instanceof LapseError && error.code === "LEGAL_BASIS_REFUSED") {
      return lapse.profile.get.query({ profileId });
    }
    throw error;
  }
  const profile = await lapse.profile.get.query({ profileId });
  const until: string | null = profile.consents[0]?.expiresOn ?? null;
  void until;
  return profile;
}

// A DPO tool on the same package: the offline proof check and its result types.
export async function proofHolds(document: unknown, verifierKey: string): Promise<boolean> {
  const verification: ProofVerification = await verifyProof(document, [verifierKey]);
  const kinds: ProofProblemKind[] = verification.problems.map((problem) => problem.kind);
  return verification.ok && kinds.length === 0;
}
