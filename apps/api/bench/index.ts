// What the API offers its bench driver (tooling/bench, as `@lapse/api/bench`): the nightly
// run on raw SQLite, D1 tallies, key generation for the bench's extra keys, and the routing of
// profiles to a tenant's slots (to seed a tenant spanning several shards). The metered
// Worker is reached by path (`@lapse/api/bench/metered-worker`), to be bundled, never imported.
export { generateKey } from "../src/services/keys/material.ts";
export { slotOf } from "../src/services/shards/route.ts";
export { addTally, type D1Tally, newTally } from "./d1-tally.ts";
export { openRaw, type RawRun, rawNight, storageByTable } from "./raw-sqlite.ts";
