import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema.ts";

/** Drizzle for typed queries; `$client` is the raw D1 binding, for batches of bulk SQL. */
export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database };

/** One Drizzle instance per binding: building one walks the whole schema (2 % of a request). */
const instances = new WeakMap<D1Database, Db>();

export function createDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    instances.set(d1, db);
  }
  return db;
}

/** Finds a data shard's Drizzle instance by its binding name (db/shards.ts builds it). */
export type ShardResolver = (binding: string) => Db;
