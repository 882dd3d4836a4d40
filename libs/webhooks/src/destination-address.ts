import { BlockList, isIP } from 'node:net';

/** Ranges a webhook may not reach unless configuration allows them, with why. */
const BLOCKED: readonly [string, number, 'ipv4' | 'ipv6', string][] = [
  ['169.254.169.254', 32, 'ipv4', 'cloud metadata address'],
  ['0.0.0.0', 8, 'ipv4', '"this network" address'],
  ['127.0.0.0', 8, 'ipv4', 'loopback address'],
  ['10.0.0.0', 8, 'ipv4', 'private address'],
  ['172.16.0.0', 12, 'ipv4', 'private address'],
  ['192.168.0.0', 16, 'ipv4', 'private address'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT) address'],
  ['169.254.0.0', 16, 'ipv4', 'link-local address'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol address'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'reserved address'],
  ['::', 128, 'ipv6', 'unspecified address'],
  ['::1', 128, 'ipv6', 'loopback address'],
  ['fc00::', 7, 'ipv6', 'unique-local address'],
  ['fe80::', 10, 'ipv6', 'link-local address'],
  ['ff00::', 8, 'ipv6', 'multicast address'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64 address'],
  ['2001:db8::', 32, 'ipv6', 'documentation address'],
];

/** An IPv4 address written inside IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`), as the IPv4 address it is. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

/** The addresses configuration lets webhooks reach although they are blocked: IPs or CIDR ranges. */
export class AddressAllowList {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  /** Refuses an entry that is not an address or a CIDR range, so a typo does not silently allow nothing. */
  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const [address, bits] = entry.trim().split('/');
      const family = isIP(address);
      if (family === 0) throw new Error(`${entry} is not an IP address or a CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(address, type);
      else {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`${entry} is not a CIDR range`);
        this.list.addSubnet(address, prefix, type);
      }
    }
  }

  allows(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * Why a webhook may not connect to `address` (an IP, as DNS resolved it), or null when it
 * may: loopback, private, shared, link-local, unique-local, metadata and other special
 * ranges are refused, IPv4 written inside IPv6 included, unless the allow-list names them.
 */
export function refusedAddress(address: string, allow: AddressAllowList): string | null {
  const plain = unmapped(address);
  const family = isIP(plain);
  if (family === 0) return `${address} is not an IP address`;
  if (allow.allows(plain) || allow.allows(address)) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [network, prefix, rangeType, why] of BLOCKED) {
    if (rangeType !== type) continue;
    const list = new BlockList();
    list.addSubnet(network, prefix, rangeType);
    if (list.check(plain, type)) return `${address} is a ${why}`;
  }
  return null;
}
