import { createLapseClient } from "@lapse/client";

// Must not compile: "maybe" is not a status, and the profile answer has no `email`.
const lapse = createLapseClient({ url: "https://lapse.example", key: "lapse_pk_x" });
await lapse.profile.update.mutate({
  profileId: "p",
  changes: [{ consent: "newsletter", status: "maybe" }],
});
const profile = await lapse.profile.get.query({ profileId: "p" });
export const email: string = profile.email;
