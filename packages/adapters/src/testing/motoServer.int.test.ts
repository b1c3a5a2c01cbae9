import { describe, expect, it } from "vitest";
import { MOTO_SKIP_REASON, motoAvailable, startMotoServer } from "./motoServer.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

describe.skipIf(!available)(`startMotoServer${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  it("serves on a loopback port until stopped, and stop is idempotent", async () => {
    const moto = await startMotoServer();
    try {
      expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${moto.endpoint}/moto-api/`);
      await response.body?.cancel();
      expect(response.ok).toBe(true);
    } finally {
      await moto.stop();
    }
    await moto.stop();
    await expect(fetch(`${moto.endpoint}/moto-api/`)).rejects.toThrow();
  });
});
