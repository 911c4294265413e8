// @ts-check
/**
 * Running what an operator clicks (redeliver, release, pause, …): the button's outcome or failure is shown in
 * a place of the view, in plain words; a refused token signs the console out.
 */
import { ApiError } from "./api.js";
import { notice } from "./dom.js";

/** The event app.js listens to: the token was refused, show the sign-in again. */
export const SIGNED_OUT_EVENT = "console:signed-out";

/** Says that the receiver refused the token, so that app.js shows the sign-in with `message`. @param {string} message */
export function signedOut(message) {
  window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT, { detail: message }));
}

/** The words for a failure: the API's own message, or the error's. @param {unknown} error */
export function describeFailure(error) {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Runs `action`; on success hands the text it returned to `refresh` (which reloads the view and shows it), or
 * without one shows it in `place` (`action-result`); a failure is shown in `place` (`action-error`). The view's
 * buttons are disabled meanwhile, so that one click sends one request.
 * @param {HTMLElement} place
 * @param {() => Promise<string>} action
 * @param {(outcome: string) => Promise<void>} [refresh]
 */
export async function runAction(place, action, refresh) {
  const buttons = Array.from(place.closest("main")?.querySelectorAll("button") ?? []);
  for (const b of buttons) b.disabled = true;
  try {
    const text = await action();
    if (refresh) await refresh(text);
    else place.replaceChildren(...(text ? [notice("action-result", text)] : []));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signedOut(error.message);
      return;
    }
    place.replaceChildren(notice("action-error", describeFailure(error), true));
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}
