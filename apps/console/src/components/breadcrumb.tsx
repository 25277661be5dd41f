import type { ReactNode } from "react";
import { href, type Route } from "../router.ts";

/** The way back to the list a detail page belongs to. */
export function Breadcrumb({ to, children }: { to: Route; children: ReactNode }) {
  return (
    <p className="breadcrumb">
      <a href={href(to)}>
        <span aria-hidden="true">← </span>
        {children}
      </a>
    </p>
  );
}
