// Debian's Chromium for the browser tests, driven by playwright-core, which never downloads a
// browser.
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Where a test's screenshot goes: `<dir>/<the test's name as a slug>.png`. */
export function screenshotPath(dir: string, testName: string): string {
  return path.join(dir, `${testName.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.png`);
}
