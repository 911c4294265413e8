/**
 * The IP address ranges DOWNSTREAM_URL must not point at, and the address parsing to match them. Pure.
 *
 * The table holds every range of IANA's IPv4 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv4-special-registry/) and IPv6 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv6-special-registry/) that is not globally reachable (RFC 6890;
 * the registries as of 2025). It errs on the side of refusing:
 * - ranges the registry marks globally reachable but where no webhook endpoint lives: AS112, AMT and the
 *   NAT64 prefix 64:ff9b::/96; and Teredo and 6to4 (reachability "N/A"). NAT64, Teredo and 6to4 embed IPv4.
 * - 192.0.0.0/24 and 2001::/23 are refused whole, with their few globally reachable sub-ranges (anycast,
 *   AMT, AS112, ORCHIDv2, drone IDs); sub-entries such as 0.0.0.0/32 and 192.88.99.2/32 need no line.
 * - ranges from other IANA registries: IPv4 and IPv6 multicast, the deprecated IPv6 site-local block, and
 *   ::/8, reserved by the IETF, which holds the deprecated IPv4-compatible and IPv4-translated forms.
 * Ranges may nest; a lookup answers with the most specific one.
 */

/** One refused range: its CIDR and its name in the registry. */
export interface SpecialRange {
  readonly cidr: string;
  readonly name: string;
}

/** The refused ranges, IPv4 first. */
export const SPECIAL_PURPOSE_RANGES: readonly SpecialRange[] = [
  { cidr: "0.0.0.0/8", name: '"This network"' },
  { cidr: "10.0.0.0/8", name: "Private-Use" },
  { cidr: "100.64.0.0/10", name: "Shared Address Space" },
  { cidr: "127.0.0.0/8", name: "Loopback" },
  { cidr: "169.254.0.0/16", name: "Link Local" },
  { cidr: "172.16.0.0/12", name: "Private-Use" },
  { cidr: "192.0.0.0/24", name: "IETF Protocol Assignments" },
  { cidr: "192.0.2.0/24", name: "Documentation (TEST-NET-1)" },
  { cidr: "192.31.196.0/24", name: "AS112-v4" },
  { cidr: "192.52.193.0/24", name: "AMT" },
  { cidr: "192.88.99.0/24", name: "Deprecated (6to4 Relay Anycast)" },
  { cidr: "192.168.0.0/16", name: "Private-Use" },
  { cidr: "192.175.48.0/24", name: "Direct Delegation AS112 Service" },
  { cidr: "198.18.0.0/15", name: "Benchmarking" },
  { cidr: "198.51.100.0/24", name: "Documentation (TEST-NET-2)" },
  { cidr: "203.0.113.0/24", name: "Documentation (TEST-NET-3)" },
  { cidr: "224.0.0.0/4", name: "Multicast (IPv4 Multicast Address Space registry)" },
  { cidr: "240.0.0.0/4", name: "Reserved" },
  { cidr: "255.255.255.255/32", name: "Limited Broadcast" },

  { cidr: "::/8", name: "Reserved by IETF (IPv6 Address Space registry)" },
  { cidr: "::/128", name: "Unspecified Address" },
  { cidr: "::1/128", name: "Loopback Address" },
  { cidr: "::ffff:0:0/96", name: "IPv4-mapped Address" },
  { cidr: "64:ff9b::/96", name: "IPv4-IPv6 Translat." },
  { cidr: "64:ff9b:1::/48", name: "IPv4-IPv6 Translat. (local use)" },
  { cidr: "100::/64", name: "Discard-Only Address Block" },
  { cidr: "100:0:0:1::/64", name: "Dummy IPv6 Prefix" },
  { cidr: "2001::/23", name: "IETF Protocol Assignments" },
  { cidr: "2001::/32", name: "TEREDO" },
  { cidr: "2001:db8::/32", name: "Documentation" },
  { cidr: "2002::/16", name: "6to4" },
  { cidr: "2620:4f:8000::/48", name: "Direct Delegation AS112 Service" },
  { cidr: "3fff::/20", name: "Documentation" },
  { cidr: "5f00::/16", name: "Segment Routing (SRv6) SIDs" },
  { cidr: "fc00::/7", name: "Unique-Local" },
  { cidr: "fe80::/10", name: "Link-Local Unicast" },
  { cidr: "fec0::/10", name: "Site-Local (deprecated, RFC 3879)" },
  { cidr: "ff00::/8", name: "Multicast (IPv6 Multicast Address Space registry)" },
];

/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/**
 * Reads a dotted-quad IPv4 address or an IPv6 address without brackets and without an embedded dotted quad
 * (the forms the URL parser serializes a host to); undefined for anything else.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const version = text.includes(":") ? 6 : 4;
  const value = version === 6 ? parseIpv6(text) : parseIpv4(text);
  return value === undefined ? undefined : { version, value };
}

/** Whether `address` lies in `cidr` (of either version; an address never lies in a range of the other). */
export function inRange(address: IpAddress, cidr: string): boolean {
  return contains(parseCidr(cidr), address);
}

/** The most specific range of SPECIAL_PURPOSE_RANGES that holds `address`, or undefined when none does. */
export function specialPurposeRange(address: IpAddress): SpecialRange | undefined {
  let best: (typeof TABLE)[number] | undefined;
  for (const cidr of TABLE) if (contains(cidr, address) && (!best || cidr.prefix > best.prefix)) best = cidr;
  return best?.range;
}

interface Cidr {
  readonly network: IpAddress;
  readonly prefix: number;
}

const TABLE = SPECIAL_PURPOSE_RANGES.map((range) => ({ range, ...parseCidr(range.cidr) }));

function contains({ network, prefix }: Cidr, address: IpAddress): boolean {
  const shift = BigInt(width(network) - prefix);
  return address.version === network.version && address.value >> shift === network.value >> shift;
}

function width(address: IpAddress): number {
  return address.version === 4 ? 32 : 128;
}

/** Reads "address/prefix"; throws on a malformed CIDR or one with host bits set (a mistake in the code). */
function parseCidr(cidr: string): Cidr {
  const [text = "", length = ""] = cidr.split("/");
  const network = parseIpAddress(text);
  const prefix = /^\d{1,3}$/.test(length) ? Number(length) : Number.NaN;
  if (network === undefined || !(prefix <= width(network))) throw new Error(`malformed CIDR ${cidr}`);
  const hostBits = (1n << BigInt(width(network) - prefix)) - 1n;
  if ((network.value & hostBits) !== 0n) throw new Error(`host bits set in CIDR ${cidr}`);
  return { network, prefix };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)?.slice(1).map(Number);
  if (octets === undefined || octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

/** Expands "::" into the zero groups it stands for, then reads the 8 groups of 16 bits. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const [head = [], tail] = halves.map((half) => (half === "" ? [] : half.split(":")));
  if (tail === undefined ? head.length !== 8 : head.length + tail.length > 7) return undefined;
  const zeros = tail === undefined ? [] : Array<string>(8 - head.length - tail.length).fill("0");
  let value = 0n;
  for (const group of [...head, ...zeros, ...(tail ?? [])]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}
