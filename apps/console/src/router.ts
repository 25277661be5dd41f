import { useEffect, useState } from "react";

/**
 * The console's pages live in the URL fragment: the Worker serves static files only (no
 * fallback to index.html), and every page stays linkable and works with the back button.
 */
export type Route =
  | { page: "consents" }
  | { page: "consent"; key: string }
  | { page: "runs" }
  | { page: "run"; id: string }
  | { page: "profiles"; profileId: string | null }
  | { page: "keys" };

export function parseRoute(hash: string): Route {
  const [section = "", ...rest] = hash.replace(/^#\/?/, "").split("/");
  const param = rest.length > 0 ? decodeURIComponent(rest.join("/")) : null;
  switch (section) {
    case "consents":
      return param ? { page: "consent", key: param } : { page: "consents" };
    case "runs":
      return param ? { page: "run", id: param } : { page: "runs" };
    case "profiles":
      return { page: "profiles", profileId: param };
    case "keys":
      return { page: "keys" };
    default:
      return { page: "consents" };
  }
}

export function href(route: Route): string {
  switch (route.page) {
    case "consents":
      return "#/consents";
    case "consent":
      return `#/consents/${encodeURIComponent(route.key)}`;
    case "runs":
      return "#/runs";
    case "run":
      return `#/runs/${encodeURIComponent(route.id)}`;
    case "profiles":
      return route.profileId === null
        ? "#/profiles"
        : `#/profiles/${encodeURIComponent(route.profileId)}`;
    case "keys":
      return "#/keys";
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
