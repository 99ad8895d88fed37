import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { RemoteLocation } from './remote-url.js';

/**
 * Which remotes the server may fetch from (security rule 11). A remote URL is chosen by a user,
 * so without this rule "add a project" would be a way to make the server reach its own
 * loopback, the cloud metadata address or the office LAN. Refused unless an admin allowlists
 * them: loopback, link-local, private, shared, reserved and multicast addresses, and local
 * paths / `file://`.
 *
 * Allowlist entries (config, comma-separated): `file://` (local repositories — tests use it),
 * an IP (`10.0.0.5`), a CIDR (`10.1.0.0/16`), or a host name (`git.internal`, exact match).
 *
 * Every spelling of an address is judged by the address it means: the URL parser already turns
 * decimal, octal and hex IPv4 (`2130706433`, `0177.0.0.1`, `0x7f.1`) into dotted quads and
 * IPv6 into its canonical form; IPv4-mapped (`::ffff:127.0.0.1`) and IPv4-compatible
 * (`::127.0.0.1` = `::7f00:1`) IPv6 are in the refused ranges; host names are compared without
 * case and trailing dots, and `localhost` / `*.localhost` mean loopback whatever DNS says
 * (RFC 6761: resolvers — the engine's among them — may answer them locally).
 *
 * The answer pins the addresses that were checked, and the fetch connects to those (curl's
 * resolve list), so a DNS answer that changes between check and fetch cannot slip through.
 */
export interface OutboundPolicy {
  /** Throws OutboundRefused, or says which addresses the fetch must use. */
  check(location: RemoteLocation): Promise<{ pinnedAddresses: string[] }>;
}

export class OutboundRefused extends Error {}
/** The name did not resolve: nothing to connect to now (a stored registry entry may accept it). */
export class UnresolvableHost extends OutboundRefused {}

export type HostLookup = (host: string) => Promise<string[]>;

const defaultLookup: HostLookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

export function createOutboundPolicy(
  opts: { allowlist?: readonly string[]; lookup?: HostLookup } = {},
): OutboundPolicy {
  const entries = (opts.allowlist ?? []).map((e) => e.trim()).filter((e) => e.length > 0);
  const allowFiles = entries.some((e) => e === 'file://' || e === 'file:');
  const allowedHosts = new Set(
    entries.filter((e) => !e.includes(':') && isIP(e.split('/')[0]!) === 0).map(normalizeName),
  );
  const allowedAddresses = addressList(entries.filter((e) => isIP(e.split('/')[0]!) !== 0));
  const lookup = opts.lookup ?? defaultLookup;

  return {
    async check(location) {
      if (location.kind === 'file') {
        if (!allowFiles) throw new OutboundRefused('local repositories are not allowed as remotes');
        return { pinnedAddresses: [] };
      }
      const host = normalizeName(bareHost(location.url.hostname));
      const addresses =
        isIP(host) !== 0 ? [host] : isLocalhostName(host) ? LOOPBACK : await resolveHost(lookup, host);
      if (allowedHosts.has(host)) return { pinnedAddresses: addresses };
      for (const address of addresses) {
        const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
        if (NON_PUBLIC.check(address, family) && !allowedAddresses.check(address, family)) {
          throw new OutboundRefused(
            `${host} resolves to a loopback, link-local or private address; an admin must allowlist it`,
          );
        }
      }
      return { pinnedAddresses: addresses };
    },
  };
}

async function resolveHost(lookup: HostLookup, host: string): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch {
    throw new UnresolvableHost(`cannot resolve ${host}`);
  }
  if (addresses.length === 0) throw new UnresolvableHost(`cannot resolve ${host}`);
  return addresses;
}

/** Host names compare without case and without trailing dots (`Git.Internal.` is `git.internal`). */
function normalizeName(host: string): string {
  return host.toLowerCase().replace(/\.+$/, '');
}

/** What `localhost` and its subdomains mean (RFC 6761), without asking DNS. */
const LOOPBACK = ['127.0.0.1', '::1'];

function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/** `[::1]` → `::1` (URL keeps the brackets of IPv6 literals). */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function addressList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const entry of cidrs) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

/**
 * Not the public internet. BlockList also matches IPv4-mapped IPv6 (::ffff:a.b.c.d) to the IPv4
 * ranges, so ::ffff:127.0.0.1 is refused and ::ffff:8.8.8.8 is not.
 */
const NON_PUBLIC = addressList([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  // IPv4-compatible IPv6 (`::a.b.c.d`, deprecated), which also holds :: and ::1; engines and
  // kernels may route it to the embedded IPv4 address.
  '::/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
]);
