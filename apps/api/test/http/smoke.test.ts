import { describe, expect, it } from "vitest";
import { createTenant, DEMO_CONSENTS } from "../support/factories.ts";
import { mutate, query } from "../support/http.ts";

describe("smoke", () => {
  it("R2: a back end accepts a consent and the profile shows it", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const list = await query<{ key: string }[]>("catalog.list", undefined, {
      key: tenant.secretKey,
    });
    expect(list.status).toBe(200);
    expect(list.data.map((c) => c.key)).toEqual(["newsletter", "order", "sms"]);
    const up = await mutate<{ consents: { consent: string; status: string }[] }>(
      "profile.update",
      { profileId: "p1", changes: [{ consent: "newsletter", status: "accepted" }] },
      { key: tenant.secretKey },
    );
    expect(up.status).toBe(200);
    expect(up.data.consents.find((c) => c.consent === "newsletter")?.status).toBe("accepted");
  });
});
