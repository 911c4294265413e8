/**
 * The secrets, which `wrangler types` cannot see because they are not in wrangler.toml: this is the one place
 * they are declared. Set them with `wrangler secret put NAME`, and for development in .dev.vars.
 */
interface Secrets {
  /** Basic credentials configured on the Bandwidth application. */
  CALLBACK_USERNAME?: string;
  CALLBACK_PASSWORD?: string;
  /** The previous credentials, still accepted while a rotation is under way. */
  CALLBACK_USERNAME_PREVIOUS?: string;
  CALLBACK_PASSWORD_PREVIOUS?: string;
  /** Standard Webhooks signing secret(s), `whsec_…`, space-separated while rotating. */
  DOWNSTREAM_SECRET?: string;
  /** Bearer token(s) of the operator API, space-separated while rotating. */
  ADMIN_TOKEN?: string;
}

interface Env extends Secrets {}

declare namespace Cloudflare {
  interface Env extends Secrets {}
}
