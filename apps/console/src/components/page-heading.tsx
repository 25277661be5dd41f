import { type ReactNode, useEffect, useRef } from "react";

/**
 * The page's h1 takes the focus when the page opens, so keyboard and screen-reader users land
 * on the new content after following a link (the fragment changes, the document does not).
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
