/**
 * Where `npm run dev` runs its built-in downstream and what DOWNSTREAM_URL the receiver gets. Pure.
 */

/** The default DOWNSTREAM_URL of development: the built-in downstream. */
export const DEFAULT_DOWNSTREAM_PORT = 8788;

/** The decision: the port to listen on (none when events go elsewhere) and the receiver's DOWNSTREAM_URL. */
export interface DownstreamPlan {
  /** Port of the built-in downstream on 127.0.0.1, or undefined when DOWNSTREAM_URL is not local. */
  listenPort: number | undefined;
  /** The DOWNSTREAM_URL the receiver forwards to. */
  url: string;
  /** Whether `url` differs from the settings file, so it must be passed to wrangler with `--var`. */
  override: boolean;
}

function loopbackUrl(value: string | undefined): URL | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  const host = url.hostname;
  const loopback = host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  return url.protocol === "http:" && loopback ? url : undefined;
}

/**
 * Plans the downstream from the settings file's DOWNSTREAM_URL and the `--downstream-port` option: a
 * loopback URL (or none) means the built-in downstream, on the option's port, else the URL's, else 8788,
 * always addressed as 127.0.0.1 (where it listens); any other URL is left alone and nothing is started.
 */
export function planDownstream(fileUrl: string | undefined, portOption: number | undefined): DownstreamPlan {
  const local = loopbackUrl(fileUrl);
  if (fileUrl && !local && portOption === undefined) {
    return { listenPort: undefined, url: fileUrl, override: false };
  }
  const port = portOption ?? (local ? Number(local.port || 80) : DEFAULT_DOWNSTREAM_PORT);
  const path = local ? `${local.pathname}${local.search}` : "/events";
  const url = `http://127.0.0.1:${port}${path}`;
  return { listenPort: port, url, override: url !== fileUrl };
}
