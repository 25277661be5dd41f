import { useQueryClient } from "@tanstack/react-query";
import { consentsQuery } from "../consents.tsx";

/** After any change to a consent: its row in the list, and the expiry panel's forecast and preview. */
export function useConsentInvalidation(key: string) {
  const client = useQueryClient();
  return async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: consentsQuery.queryKey }),
      client.invalidateQueries({ queryKey: ["forecast", key] }),
      client.invalidateQueries({ queryKey: ["preview", key] }),
    ]);
  };
}
