// When the playground opens the person's browser: only on a desktop, never under CI or BROWSER=none.

import { describe, expect, it } from "vitest";
import { browserDecision } from "../src/browser.js";

describe("opening the page in a browser", () => {
  it("opens on a Linux desktop (X11 or Wayland) with xdg-open, or the BROWSER the person named", () => {
    expect(browserDecision({ DISPLAY: ":0" }, "linux")).toEqual({ open: true, command: "xdg-open" });
    expect(browserDecision({ WAYLAND_DISPLAY: "wayland-0" }, "linux")).toEqual({
      open: true,
      command: "xdg-open",
    });
    expect(browserDecision({ DISPLAY: ":0", BROWSER: "firefox" }, "linux")).toEqual({
      open: true,
      command: "firefox",
    });
    expect(browserDecision({}, "darwin")).toEqual({ open: true, command: "open" });
  });

  it("does not open without a display (SSH, containers), under CI, or with BROWSER=none", () => {
    expect(browserDecision({}, "linux").open).toBe(false);
    expect(browserDecision({ DISPLAY: ":0", CI: "true" }, "linux")).toMatchObject({
      open: false,
      reason: "CI is set",
    });
    expect(browserDecision({ DISPLAY: ":0", CI: "1" }, "linux").open).toBe(false);
    expect(browserDecision({ DISPLAY: ":0", BROWSER: "none" }, "linux")).toMatchObject({
      open: false,
      reason: "BROWSER=none",
    });
    expect(browserDecision({ SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }, "darwin").open).toBe(false);
  });

  it("treats CI=false as no CI", () => {
    expect(browserDecision({ DISPLAY: ":0", CI: "false" }, "linux").open).toBe(true);
  });
});
