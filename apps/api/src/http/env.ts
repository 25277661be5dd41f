import type { Db } from "../db/client.ts";
import type { SigningSecrets } from "../services/keys/authenticate-key.ts";
import type { CallAuth } from "../trpc/context.ts";

/** The Hono app's bindings and per-request variables. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    /** Set by the credentials middleware on `/trpc/*`. */
    auth: CallAuth;
    signingSecrets: SigningSecrets;
  };
};
