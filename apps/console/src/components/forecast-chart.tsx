import { useId } from "react";
import type { Forecast } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { DataTable } from "./data-table.tsx";

const WIDTH = 720;
const HEIGHT = 160;
const LEFT = 36;
const BOTTOM = 22;
const TOP = 8;

/**
 * How many customers lapse on each coming day, as inline SVG bars. The picture is one image
 * with a spoken summary; the figures are also in a table for those who cannot see it.
 */
export function ForecastChart({ title, forecast }: { title: string; forecast: Forecast }) {
  const { t, day, number } = useI18n();
  const id = useId();
  const days = forecast.days;
  const max = Math.max(1, ...days.map((d) => d.count));
  const peak = days.reduce<(typeof days)[number] | null>(
    (best, d) => (d.count > (best?.count ?? 0) ? d : best),
    null,
  );
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const step = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, step - 2);
  const label = t.forecast.chartLabel(title, forecast.total);
  const ticks = [0, 30, 60, days.length - 1].filter((i) => i >= 0 && i < days.length);

  return (
    <figure className="forecast" data-total={forecast.total} aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        <strong>{title}</strong>
        <span>
          {forecast.total === 0 ? t.forecast.none : t.forecast.total(forecast.total)}
          {peak && forecast.total > 0 ? ` ${t.forecast.peak(peak.count, day(peak.day))}` : null}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title`}>
        <title id={`${id}-title`}>{label}</title>
        <line className="axis" x1={LEFT} x2={WIDTH} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} />
        <text className="tick" x={LEFT - 4} y={TOP + 8} textAnchor="end">
          {number(max)}
        </text>
        <text className="tick" x={LEFT - 4} y={HEIGHT - BOTTOM} textAnchor="end">
          0
        </text>
        {days.map((d, i) => {
          if (d.count === 0) {
            return null;
          }
          const height = Math.max(2, (d.count / max) * plotHeight);
          return (
            <rect
              key={d.day}
              className="bar"
              data-day={d.day}
              data-count={d.count}
              x={LEFT + i * step + 1}
              y={HEIGHT - BOTTOM - height}
              width={barWidth}
              height={height}
            >
              <title>{t.forecast.bar(day(d.day), d.count)}</title>
            </rect>
          );
        })}
        {ticks.map((i) => {
          const d = days[i];
          if (!d) {
            return null;
          }
          return (
            <text
              key={d.day}
              className="tick"
              x={LEFT + i * step + step / 2}
              y={HEIGHT - 6}
              textAnchor={i === 0 ? "start" : i === days.length - 1 ? "end" : "middle"}
            >
              {day(d.day)}
            </text>
          );
        })}
      </svg>
      {forecast.total > 0 ? (
        <details>
          <summary>{t.forecast.showTable}</summary>
          <DataTable
            columns={[t.forecast.colDay, t.forecast.colCount]}
            rows={days.filter((d) => d.count > 0)}
          >
            {(d) => (
              <tr key={d.day}>
                <td>{day(d.day)}</td>
                <td className="num">{number(d.count)}</td>
              </tr>
            )}
          </DataTable>
        </details>
      ) : null}
    </figure>
  );
}
