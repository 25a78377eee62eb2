import { chromium, type Browser } from "playwright-core";

/** Debian's chromium package, unless CHROMIUM_PATH names another binary. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless Chromium as the browser tests use it. This machine's network is closed: no background
 * connections (refused many at a time otherwise), no sandbox (root in CI).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
