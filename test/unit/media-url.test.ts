import { describe, expect, it } from "vitest";
import { isAccountMediaUrl } from "../../src/bandwidth/media-url.ts";

const BASE = "https://messaging.bandwidth.com/api/v2/users/9900000/media";

describe("isAccountMediaUrl", () => {
  it("accepts the configured account's media files, on any host (the host is checked by the client)", () => {
    expect(isAccountMediaUrl(`${BASE}/14762070468292kw2fuqty55yp2b2/0/bw-picture.jpg`, "9900000")).toBe(true);
    expect(isAccountMediaUrl("http://127.0.0.1:9/api/v2/users/9900000/media/a", "9900000")).toBe(true);
    expect(isAccountMediaUrl(`${BASE}/a%20b.png`, "9900000")).toBe(true);
  });

  it.each([
    ["another account", "https://messaging.bandwidth.com/api/v2/users/1234567/media/a"],
    ["an account whose id starts with ours", "https://messaging.bandwidth.com/api/v2/users/99000001/media/a"],
    ["the account's other API paths", "https://messaging.bandwidth.com/api/v2/users/9900000/messages"],
    ["the media folder itself", `${BASE}/`],
    ["the media folder without its slash", BASE],
    ["a dot segment leaving the folder", `${BASE}/../messages`],
    ["an encoded dot segment", `${BASE}/%2e%2e/messages`],
    ["an encoded slash", `${BASE}/..%2F..%2F1234567%2Fmedia%2Fa`],
    ["an encoded backslash", `${BASE}/..%5c..%5cmessages`],
    ["a prefix elsewhere in the path", "https://messaging.bandwidth.com/x/api/v2/users/9900000/media/a"],
    ["not a URL", "not a url"],
  ])("refuses %s", (_, url) => {
    expect(isAccountMediaUrl(url, "9900000")).toBe(false);
  });
});
