import { useInfiniteQuery } from "@tanstack/react-query";
import { type Consent, lapse } from "../../api.ts";
import { DataTable } from "../../components/data-table.tsx";
import { ErrorAlert, Loading, Section } from "../../components/feedback.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { href } from "../../router.ts";

/** How far ahead the list looks, and how many rows a page holds. */
const WITHIN_DAYS = 30;
const PAGE = 50;

/**
 * The customers whose consent lapses in the next 30 days, soonest first (R14,
 * `admin.expiry.upcoming`): who a re-permission campaign should ask to renew.
 */
export function UpcomingLapses({ consent }: { consent: Consent }) {
  const { t, day } = useI18n();
  const upcoming = useInfiniteQuery({
    queryKey: ["upcoming", consent.key, consent.expiry?.days, consent.expiry?.activatedAt],
    queryFn: ({ pageParam }) =>
      lapse.admin.expiry.upcoming.query({
        consent: consent.key,
        withinDays: WITHIN_DAYS,
        limit: PAGE,
        ...(pageParam ? { cursor: pageParam } : {}),
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = upcoming.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Section title={t.upcoming.title(WITHIN_DAYS)} className="upcoming">
      <p className="muted">{t.upcoming.intro}</p>
      {upcoming.isPending ? <Loading /> : null}
      <ErrorAlert error={upcoming.error} />
      {upcoming.data ? (
        <DataTable
          columns={[t.upcoming.colCustomer, t.upcoming.colLapsesOn, t.upcoming.colLastActivity]}
          rows={rows}
          empty={t.upcoming.none}
        >
          {(row) => (
            <tr key={row.profileId}>
              <td>
                <a href={href({ page: "profiles", profileId: row.profileId })}>{row.profileId}</a>
              </td>
              <td>
                <time dateTime={row.lapsesOn}>{day(row.lapsesOn)}</time>
              </td>
              <td>{day(row.lastActivityOn)}</td>
            </tr>
          )}
        </DataTable>
      ) : null}
      {upcoming.hasNextPage ? (
        <button
          type="button"
          disabled={upcoming.isFetchingNextPage}
          onClick={() => upcoming.fetchNextPage()}
        >
          {t.upcoming.more}
        </button>
      ) : null}
    </Section>
  );
}
