/**
 * Which URLs of a message's `media` the receiver fetches with its API token: media files of the configured
 * account, `/api/v2/users/{accountId}/media/<name>`, and nothing else on the allowed hosts. A callback's
 * sender (anyone, with ALLOW_UNAUTHENTICATED_CALLBACKS) chooses those URLs, so without this rule it could make
 * the receiver GET any path of Bandwidth's API with the account's token and read the answer back as a copy.
 */

/** Whether `url` names a media file of account `accountId` (the host is checked elsewhere). */
export function isAccountMediaUrl(url: string, accountId: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  // The parser has already resolved dot segments (`..`, `%2e%2e`) and turned `\` into `/`.
  const prefix = `/api/v2/users/${accountId}/media/`;
  if (!target.pathname.startsWith(prefix)) return false;
  const name = target.pathname.slice(prefix.length);
  // An encoded separator could become another path once the host decodes it.
  return name !== "" && !/%2f|%5c/i.test(name);
}
