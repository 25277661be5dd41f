// The local-API harness for the browser tests: a fresh local D1 in a directory of the
// caller's (real migrations, then whatever the caller seeds through a D1 binding), and the
// Worker under `wrangler dev` on it. What to seed is the caller's: this package knows no app.
import path from "node:path";
import { openLocalD1, type SqlDatabase } from "./d1.ts";
import { applyMigrations, type DevServer, startWranglerDev } from "./wrangler.ts";

export interface LocalApiState {
  /** The Worker's wrangler config, by absolute path. */
  config: string;
  /** A directory of the caller's; the D1 lives in its `wrangler/` (`--persist-to`). */
  stateDir: string;
}

const persistTo = (state: LocalApiState) => path.join(state.stateDir, "wrangler");

/**
 * Migrates a fresh local D1 under `stateDir`, hands it to `seed`, and closes it again (before
 * `wrangler dev` opens it); resolves with what `seed` returned.
 */
export async function prepareLocalD1<T>(
  state: LocalApiState & { seed: (db: SqlDatabase) => Promise<T> },
): Promise<T> {
  await applyMigrations({ config: state.config, persistTo: persistTo(state) });
  const db = await openLocalD1({ config: state.config, persistTo: persistTo(state) });
  try {
    return await state.seed(db);
  } finally {
    await db.close();
  }
}

/** The Worker on that D1; ready once `readyPath` answers. */
export function startLocalApi(
  state: LocalApiState & {
    host?: string;
    port?: number;
    readyPath: string;
    /** Vars and secrets for the Worker (`--var`), e.g. the keys a `.dev.vars` would hold. */
    vars?: Record<string, string>;
  },
): Promise<DevServer> {
  return startWranglerDev({
    config: state.config,
    persistTo: persistTo(state),
    readyPath: state.readyPath,
    ...(state.host ? { host: state.host } : {}),
    ...(state.port ? { port: state.port } : {}),
    ...(state.vars ? { vars: state.vars } : {}),
  });
}
