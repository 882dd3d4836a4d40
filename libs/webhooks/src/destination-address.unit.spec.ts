import { AddressAllowList, refusedAddress } from './destination-address';

describe('the destination address check', () => {
  const none = new AddressAllowList([]);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.100.0.1', 'CGNAT'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.10', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['0.0.0.0', 'this network'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['0:0:0:0:0:ffff:10.0.0.1', 'private'],
  ])('refuses %s (%s)', (address, why) => {
    expect(refusedAddress(address, none)).toContain(why);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'])('lets %s through', (address) => {
    expect(refusedAddress(address, none)).toBeNull();
  });

  it('lets through what configuration allows, and only that', () => {
    const allow = new AddressAllowList(['127.0.0.1', '10.0.0.0/16']);
    expect(refusedAddress('127.0.0.1', allow)).toBeNull();
    expect(refusedAddress('::ffff:127.0.0.1', allow)).toBeNull();
    expect(refusedAddress('10.0.200.1', allow)).toBeNull();
    expect(refusedAddress('127.0.0.2', allow)).toContain('loopback');
    expect(refusedAddress('10.1.0.1', allow)).toContain('private');
    expect(refusedAddress('169.254.169.254', allow)).toContain('metadata');
  });

  it('refuses a malformed allow-list entry instead of allowing nothing silently', () => {
    expect(() => new AddressAllowList(['localhost'])).toThrow(/not an IP/);
    expect(() => new AddressAllowList(['10.0.0.0/40'])).toThrow(/CIDR/);
  });

  it('refuses what is not an address', () => {
    expect(refusedAddress('example.com', none)).toContain('not an IP');
  });
});
