/**
 * Quarantine from the console, across a deploy: a version of the receiver whose schema refused a tag holds an
 * event in quarantine; after the fixed version is deployed on the same state, the console lists the held
 * events with their issues and releases them: the one today's schemas accept is stored and forwarded, the
 * one still invalid stays.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../harness/wait.ts";
import { admin, postCallback } from "../e2e/harness/client.ts";
import { printReceiverLogOnFailure } from "../e2e/harness/stack.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { expectTokenOnlyInHeaders, openSignedIn, useConsoleTab } from "./harness/console.ts";
import { settledMessage, withMessage } from "./harness/messages.ts";
import { type RedeployableStack, type SourcePatch, startPatchedStack } from "./harness/redeploy.ts";

/** The tag the older version refused. */
const REFUSED_TAG = "refused-by-the-older-version";

/** The older version: its schema refused one tag, as if Bandwidth had started sending a value it did not know. */
const OLDER_SCHEMA: SourcePatch = {
  file: "src/bandwidth/schema.ts",
  find: 'tag: v.optional(v.string("must be a string")),',
  replace: `tag: v.optional(v.pipe(v.string("must be a string"), v.check((tag) => tag !== "${REFUSED_TAG}", "was refused by the older version"))),`,
};

let current: RedeployableStack | undefined;
const stack = () => {
  if (!current) throw new Error("the stack did not start");
  return current;
};
const tab = useConsoleTab(stack);
printReceiverLogOnFailure(() => current);

const fixable = newMessageId("console-held-fixable");
const invalid = newMessageId("console-held-invalid");

/** Message ids listed by GET /quarantine. */
async function heldIds(): Promise<string[]> {
  const response = await admin(stack().receiver, "GET", "/quarantine?limit=1000");
  const body = response.body as { items: Array<{ messageId: string }> };
  return body.items.map((item) => item.messageId);
}

beforeAll(async () => {
  current = await startPatchedStack(OLDER_SCHEMA);
  const held = [
    withMessage(statusEvent("message-delivered", { id: fixable }), { tag: REFUSED_TAG }),
    withMessage(statusEvent("message-delivered", { id: invalid }), { to: "+15554443333" }),
  ];
  for (const event of held) {
    const ack = await postCallback(stack().receiver, [event]);
    expect(ack.body).toMatchObject({ accepted: 0, quarantined: 1 });
  }
  await stack().redeploy();
  await waitFor(async () => {
    const ids = await heldIds();
    return ids.includes(fixable) && ids.includes(invalid);
  }, 15_000);
}, 180_000);

afterAll(async () => {
  await current?.stop();
});

describe("quarantine", () => {
  it("lists each held event with its issues, never its text or numbers", async () => {
    expect(await openSignedIn(tab(), "#/quarantine")).toBe("quarantine");
    const rows = await tab().cells("[data-testid=quarantine-row]");
    const byMessage = new Map(rows.map((cells) => [cells[1], cells]));
    expect(byMessage.get(fixable)?.slice(2, 4)).toEqual([
      "message-delivered",
      "message.tag was refused by the older version",
    ]);
    expect(byMessage.get(invalid)?.slice(2, 4)).toEqual([
      "message-delivered",
      "message.to must be an array of strings",
    ]);
    expect(await tab().text("[data-testid=view-quarantine]")).not.toContain("+1555");
  });

  it("releases a held event that today's version accepts: stored, forwarded and no longer listed", async () => {
    await openSignedIn(tab(), "#/quarantine");
    await tab().clickAndSettle(
      `[data-testid=quarantine-row][data-message-id="${fixable}"] [data-testid=quarantine-release]`,
    );
    expect(await tab().text("[data-testid=action-result]")).toBe(
      `Released 1 event(s) of ${fixable}; 0 of its events still held.`,
    );
    expect(await tab().attributes("[data-testid=quarantine-row]", "data-message-id")).toEqual([invalid]);
    await settledMessage(stack(), fixable, 1);
    const forwarded = stack().downstream.deliveredFor(fixable);
    expect(forwarded.map((request) => request.event?.data.tag)).toEqual([REFUSED_TAG]);
    expect(await tab().navigate(`#/messages/${encodeURIComponent(fixable)}`)).toBe("message");
    expect(await tab().text("[data-testid=message-status]")).toBe("delivered");
    expectTokenOnlyInHeaders(tab());
  });

  it("keeps a held event that is still invalid, and says so", async () => {
    await openSignedIn(tab(), "#/quarantine");
    await tab().clickAndSettle(
      `[data-testid=quarantine-row][data-message-id="${invalid}"] [data-testid=quarantine-release]`,
    );
    expect(await tab().text("[data-testid=action-result]")).toBe(
      `Released 0 event(s) of ${invalid}; 1 of its events still held.`,
    );
    expect(await tab().attributes("[data-testid=quarantine-row]", "data-message-id")).toContain(invalid);
  });
});
