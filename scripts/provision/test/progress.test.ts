import { describe, expect, it } from "vitest";
import { createProgress, formatDuration } from "../src/progress.ts";

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { out: { isTTY, write: (text: string) => void written.push(text) }, written };
}

describe("apply progress", () => {
  it("on a terminal rewrites one line with n of N and the time left (clock frozen)", () => {
    let now = 1_000_000;
    const { out, written } = sink(true);
    const progress = createProgress(out, () => now);
    now += 2_000;
    progress.update(1, 4, "create API https://notes-mcp.acme.dev/mcp");
    now += 2_000;
    progress.update(2, 4, "create client grant cursor");
    progress.done();
    expect(written[0]).toBe("\r\x1b[2K  [1/4] create API https://notes-mcp.acme.dev/mcp — about 6 s left");
    expect(written[1]).toBe("\r\x1b[2K  [2/4] create client grant cursor — about 4 s left");
    expect(written.at(-1)).toBe("\n");
  });

  it("elsewhere (CI logs) prints a plain line per change, without escape codes", () => {
    const { out, written } = sink(false);
    const progress = createProgress(out, () => 0);
    progress.update(1, 2, "update tenant tenant settings");
    progress.update(2, 2, "create application cursor");
    progress.done();
    expect(written).toEqual(["  [1/2] update tenant tenant settings — about 0 s left\n", "  [2/2] create application cursor\n"]);
  });

  it("formats minutes and seconds", () => {
    expect(formatDuration(178_000)).toBe("2 min 58 s");
    expect(formatDuration(40_400)).toBe("40 s");
  });
});
