// The sharded layout's figures (`--shards N`, shards.ts) beside the 1-shard run's: a table with
// a column for each layout and one per shard, D1's rows per binding, and the JSON (`shards`).
import type { D1Tally } from "@lapse/api/bench";
import { fmt } from "./bench.ts";
import { exactlyOnce } from "./expiry-check.ts";
import type { Results } from "./report.ts";
import type { ShardedFigures } from "./shards.ts";
import type { VerifyFigures } from "./verify.ts";

/** The floors of issue 14 (the performance part), reported against, never tuned to. */
export const SHARD_FLOORS = {
  /** N shards' night over the 1-shard night, states/s, on this 2-core machine. */
  speedup: 1.3,
} as const;

/** The headline figures of the sharded layout against the 1-shard run. */
export function shardedHeadline(r: Results, s: ShardedFigures) {
  const oneShard = r.nights.night.expired / (r.nights.night.httpMs / 1000);
  const busyMs = s.night.perShard.reduce((n, x) => n + x.ms, 0);
  const isolated = isolation(s);
  return {
    oneShardStatesPerSecond: oneShard,
    statesPerSecond: s.night.statesPerSecond,
    speedup: s.night.statesPerSecond / oneShard,
    /** Σ of the shards' busy time over the night's wall time: 1 when they took turns. */
    overlap: busyMs / Math.max(1, s.night.httpMs),
    exactlyOnce: exactlyOnce(s.check),
    isolated,
  };
}

/**
 * Whether the meter shows the work of a request on its tenant's shards only: the spare shard
 * read and wrote nothing in any metered request or run, and the calls with one slot's
 * profiles read only the control plane and that slot's shard.
 */
function isolation(s: ShardedFigures): { ok: boolean; why: string } {
  const { metered, spare } = s;
  const touched = (t: D1Tally, binding: string) => {
    const b = t.byBinding[binding];
    return (b?.rowsRead ?? 0) + (b?.rowsWritten ?? 0) > 0;
  };
  const all = [metered.quiet, metered.slotEvents.tally, metered.mixedEvents.tally, metered.due];
  const spareTouched = all.some((t) => touched(t, spare));
  const slotOthers = Object.keys(metered.slotEvents.tally.byBinding).filter(
    (b) => b !== "DB" && b !== metered.slotEvents.binding && touched(metered.slotEvents.tally, b),
  );
  const ok = !spareTouched && slotOthers.length === 0;
  return {
    ok,
    why: ok
      ? `${spare} read and wrote 0 rows in every metered call and night; one slot's calls touched DB and ${metered.slotEvents.binding} only`
      : `${spareTouched ? `${spare} was touched; ` : ""}${slotOthers.length > 0 ? `one slot's calls touched ${slotOthers.join(", ")}` : ""}`,
  };
}

function grid(rows: string[][]): void {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  for (const row of rows) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    );
  }
}

/** D1's rows per binding of a tally, over `per`, one cell per binding of `bindings`. */
function perBinding(t: D1Tally, bindings: string[], per: number): string[] {
  return bindings.map((b) => {
    const x = t.byBinding[b];
    return x ? `${fmt(x.rowsRead / per, 2)} / ${fmt(x.rowsWritten / per, 2)}` : "0 / 0";
  });
}

function verifyCell(v: VerifyFigures): string {
  return "skipped" in v
    ? `skipped: ${v.skipped}`
    : `${v.exitCode === 0 ? "ok" : `exit ${v.exitCode}`}, ${fmt(v.entries)} entries in ${fmt(v.seconds, 1)} s`;
}

export function printSharded(r: Results, s: ShardedFigures): void {
  const h = shardedHeadline(r, s);
  const night1 = r.nights.night;
  const shards = s.seeded.map((x) => x.binding);
  const runOf = (binding: string) => s.night.perShard.find((x) => x.binding === binding);
  const quietOf = (binding: string) => s.quiet.perShard.find((x) => x.binding === binding);
  const checkOf = (binding: string) => s.checks.find((x) => x.binding === binding)?.check;
  const storeOf = (binding: string) => s.storage.perShard.find((x) => x.binding === binding);
  console.log(
    `\nThe same data on ${s.count} data shards (one tenant on ${shards.join(", ")}; ${s.spare} holds nothing), beside the 1-shard run`,
  );
  const rows: string[][] = [
    [
      "figure",
      "1 shard",
      `${s.count} shards, all`,
      ...shards.map((b) => `${b} (slot ${s.seeded.find((x) => x.binding === b)?.slot})`),
    ],
    [
      "states (due at T)",
      `${fmt(r.load.counts.reduce((n, c) => n + c.n, 0))} (${fmt(r.check.due)})`,
      `${fmt(s.seeded.reduce((n, x) => n + x.states, 0))} (${fmt(s.check.due)})`,
      ...s.seeded.map((x) => `${fmt(x.states)} (${fmt(x.due)})`),
    ],
    [
      "seed (node:sqlite)",
      `${fmt(r.load.seconds, 1)} s`,
      `${fmt(s.seedSeconds, 1)} s`,
      ...shards.map(() => ""),
    ],
    [
      "storage / state as seeded",
      `${fmt(r.storage.bytesPerState, 1)} B`,
      `${fmt(s.storage.bytesPerState, 1)} B`,
      ...shards.map(
        (b) =>
          `${fmt(storeOf(b)?.bytesPerState ?? Number.NaN, 1)} B, ${fmt(storeOf(b)?.mib ?? Number.NaN, 1)} MiB`,
      ),
    ],
    [
      "storage / further line",
      `${fmt(r.storage.bytesPerHistoryLine, 1)} B`,
      `${fmt(s.storage.bytesPerHistoryLine, 1)} B`,
      ...shards.map(() => ""),
    ],
    [
      "night at T: expired (chunks)",
      `${fmt(night1.expired)} (${fmt(night1.chunks)})`,
      `${fmt(s.night.expired)} (${fmt(s.night.chunks)})`,
      ...shards.map((b) => `${fmt(runOf(b)?.expired ?? 0)} (${fmt(runOf(b)?.chunks ?? 0)})`),
    ],
    [
      "  time: wall (per shard: its consents' durations)",
      `${fmt(night1.httpMs / 1000, 2)} s`,
      `${fmt(s.night.httpMs / 1000, 2)} s`,
      ...shards.map((b) => `${fmt((runOf(b)?.ms ?? 0) / 1000, 2)} s`),
    ],
    [
      "  states expired / s",
      fmt(h.oneShardStatesPerSecond),
      fmt(h.statesPerSecond),
      ...shards.map((b) => fmt(runOf(b)?.statesPerSecond ?? Number.NaN)),
    ],
    [
      `  ${s.count} shards / 1 shard (floor ≥ ${SHARD_FLOORS.speedup}×)`,
      "",
      `${fmt(h.speedup, 2)}× ${h.speedup >= SHARD_FLOORS.speedup ? "met" : "MISSED"}`,
      ...shards.map(() => ""),
    ],
    ["  overlap: Σ shard time / wall time", "", `${fmt(h.overlap, 2)}×`, ...shards.map(() => "")],
    [
      "  CPU ms / 1,000 expired: workerd",
      fmt((night1.cpu.workerd * 1000) / Math.max(1, night1.expired)),
      fmt((s.night.cpu.workerd * 1000) / Math.max(1, s.night.expired)),
      ...shards.map(() => ""),
    ],
    [
      "  D1 rows read / written per state (ledger)",
      `${fmt(night1.rows_read / Math.max(1, night1.expired), 2)} / ${fmt(night1.rows_written / Math.max(1, night1.expired), 2)}`,
      `${fmt(s.night.rows_read / Math.max(1, s.night.expired), 2)} / ${fmt(s.night.rows_written / Math.max(1, s.night.expired), 2)}`,
      ...shards.map((b) => {
        const x = runOf(b);
        return x
          ? `${fmt(x.rowsRead / Math.max(1, x.expired), 2)} / ${fmt(x.rowsWritten / Math.max(1, x.expired), 2)}`
          : "";
      }),
    ],
    [
      "  exactly once: due / expired / entries / states named",
      `${fmt(r.check.due)} / ${fmt(r.check.expired)} / ${fmt(r.check.entries)} / ${fmt(r.check.entryStates)} ${exactlyOnce(r.check) ? "met" : "MISSED"}`,
      `${fmt(s.check.due)} / ${fmt(s.check.expired)} / ${fmt(s.check.entries)} / ${fmt(s.check.entryStates)} ${h.exactlyOnce ? "met" : "MISSED"}`,
      ...shards.map((b) => {
        const c = checkOf(b);
        return c
          ? `${fmt(c.due)} / ${fmt(c.expired)} / ${fmt(c.entries)} / ${fmt(c.entryStates)}`
          : "";
      }),
    ],
    [
      "  not exactly one entry; expired not due; due left",
      `${fmt(r.check.unmatched)}; ${fmt(r.check.notDue)}; ${fmt(r.check.left)}`,
      `${fmt(s.check.unmatched)}; ${fmt(s.check.notDue)}; ${fmt(s.check.left)}`,
      ...shards.map((b) => {
        const c = checkOf(b);
        return c ? `${fmt(c.unmatched)}; ${fmt(c.notDue)}; ${fmt(c.left)}` : "";
      }),
    ],
    [
      "  history:verify (every log against its tree and checkpoint)",
      verifyCell(r.verify),
      verifyCell(s.verify),
      ...shards.map(() => ""),
    ],
    [
      "night with nothing due: wall; rows read / consent (ledger)",
      `${fmt(r.nights.quiet.httpMs)} ms; ${fmt(r.nights.quiet.rows_read / Math.max(1, r.nights.quiet.consents), 1)}`,
      `${fmt(s.quiet.httpMs)} ms; ${fmt(s.quiet.rows_read / Math.max(1, s.quiet.consents), 1)}`,
      ...shards.map((b) => {
        const q = quietOf(b);
        return q ? `${fmt(q.rowsRead / Math.max(1, q.consents), 1)} / consent` : "";
      }),
    ],
  ];
  grid(rows);

  const { metered } = s;
  const bindings = ["DB", ...shards, s.spare];
  console.log(
    `\nD1 rows read / written per binding, ${s.count}-shard layout (metered entry): floor, work reads only its tenant's shards: ${h.isolated.ok ? "met" : "MISSED"} (${h.isolated.why})`,
  );
  grid([
    ["", ...bindings],
    [
      `due night at T + 40 d, per expired state (${fmt(metered.dueNight.expired)})`,
      ...perBinding(metered.due, bindings, Math.max(1, metered.dueNight.expired)),
    ],
    [
      `night with nothing due (T + 2 d), per consent (${s.quiet.consents})`,
      ...perBinding(metered.quiet, bindings, Math.max(1, s.quiet.consents)),
    ],
    [
      `events.track, slot ${s.seeded[0]?.slot ?? 0}'s profiles only, per event (${fmt(metered.slotEvents.events)})`,
      ...perBinding(metered.slotEvents.tally, bindings, Math.max(1, metered.slotEvents.events)),
    ],
    [
      `events.track, every slot's profiles, per event (${fmt(metered.mixedEvents.events)})`,
      ...perBinding(metered.mixedEvents.tally, bindings, Math.max(1, metered.mixedEvents.events)),
    ],
  ]);
}

/** The JSON report's `shards`. */
export function shardedJson(r: Results, s: ShardedFigures) {
  const h = shardedHeadline(r, s);
  return {
    count: s.count,
    spare: s.spare,
    floors: SHARD_FLOORS,
    night: {
      ...s.night,
      /** Every shard together: the night's expired states over its wall time. */
      statesPerSecond: h.statesPerSecond,
      oneShardStatesPerSecond: h.oneShardStatesPerSecond,
      speedup: h.speedup,
      overlap: h.overlap,
      perShard: s.night.perShard,
    },
    quiet: s.quiet,
    exactlyOnce: { met: h.exactlyOnce, total: s.check, perShard: s.checks, oneShard: r.check },
    verify: s.verify,
    isolation: h.isolated,
    seeded: s.seeded,
    seedSeconds: s.seedSeconds,
    storage: s.storage,
    metered: s.metered,
  };
}
