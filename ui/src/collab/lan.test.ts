import { describe, expect, it } from 'vitest';
import { boardsToHost, type FoundHost, type HostInfo, type HostStatus, hostingSummary, hostedLabel, hostRows, otherAddresses } from './lan';

const B = '11111111-1111-8111-8111-111111111111';
const C = '22222222-2222-8222-8222-222222222222';

const found = (name: string, port: number, boards: string[], extra: Partial<FoundHost> = {}): FoundHost => ({
  name,
  addresses: ['192.168.1.7'],
  port,
  url: `ws://192.168.1.7:${port}`,
  boards,
  board_count: boards.length,
  ...extra,
});

const me: HostInfo = { name: 'Easel on mine', url: 'ws://mine.local:8788', listen: '0.0.0.0:8788', lanUrls: ['ws://192.168.1.4:8788', 'ws://[fd00::4]:8788'], boards: [B], open: false, announced: true, notAnnounced: null };
const running = (host: HostInfo): HostStatus => ({ running: true, host, rekeyed: [] });

describe('hosts found on the LAN', () => {
  it('puts hosts offering the board first, then the rest by name', () => {
    const rows = hostRows([found('Easel on zed', 1, [C]), found('Easel on bob', 2, [C]), found('Easel on amy', 3, [C, B])], B, null);
    expect(rows.map((r) => [r.name, r.offersBoard])).toEqual([
      ['Easel on amy', true],
      ['Easel on bob', false],
      ['Easel on zed', false],
    ]);
    expect(rows[0]?.detail).toBe('Has this board · ws://192.168.1.7:3');
    expect(rows[1]?.detail).toBe('1 board, not this one · ws://192.168.1.7:2');
  });

  it('marks our own host and never offers it as a place to connect', () => {
    const rows = hostRows([found('Easel on mine', 8788, [B]), found('Easel on mine', 9000, [B])], B, me);
    expect(rows.map((r) => [r.url, r.self, r.offersBoard])).toEqual([
      ['ws://192.168.1.7:9000', false, true],
      ['ws://192.168.1.7:8788', true, false],
    ]);
    expect(rows[1]?.detail).toBe('This computer');
  });

  it('says when a host lists only some of its boards, or gave no address', () => {
    const many = found('Easel on big', 5, [C], { board_count: 60 });
    const mute = found('Easel on mute', 6, [B], { url: null, addresses: [] });
    const rows = hostRows([many, mute], B, null);
    expect(rows.find((r) => r.name === 'Easel on big')?.detail).toBe('60 boards, this one not among those listed · ws://192.168.1.7:5');
    const m = rows.find((r) => r.name === 'Easel on mute');
    expect(m?.offersBoard).toBe(false);
    expect(m?.detail).toBe('Announced no address');
  });

  it('offers nothing when no board is open', () => {
    expect(hostRows([found('Easel on amy', 3, [B])], null, null)[0]?.offersBoard).toBe(false);
  });
});

describe('hosting on the LAN', () => {
  it('describes not hosting, hosting this board, and hosting others', () => {
    expect(hostingSummary(null, B).hosting).toBe(false);
    expect(hostingSummary({ running: false, host: null, rekeyed: [] }, B).text).toMatch(/^Not hosting/);
    // Hosting remembered from the last run that could not start again says why.
    const failed = hostingSummary({ running: false, host: null, rekeyed: [], error: 'Hosting on this network could not start again: port 9000 is in use' }, B);
    expect(failed).toMatchObject({ hosting: false, hostsBoard: false });
    expect(failed.text).toBe('Hosting on this network could not start again: port 9000 is in use. Host again, or forget it.');
    const s = hostingSummary(running({ ...me, boards: [B, C] }), B);
    expect(s).toMatchObject({ hosting: true, hostsBoard: true });
    expect(s.text).toBe('Hosting this board (and 1 other board). Give peers this address, or a share link naming it:');
    expect(s.announce).toMatch(/^Announced on the LAN/);
    const other = hostingSummary(running({ ...me, boards: [C], announced: false, notAnnounced: 'cannot start mDNS: no interface' }), B);
    expect(other.hostsBoard).toBe(false);
    expect(other.text).toMatch(/^Hosting, but not this board \(and 1 other board\)/);
    expect(other.announce).toBe('Not announced on the LAN: cannot start mDNS: no interface.');
  });

  it('hosts the open board next to those already hosted, once', () => {
    expect(boardsToHost(null, B)).toEqual([B]);
    expect(boardsToHost(running({ ...me, boards: [C] }), B)).toEqual([C, B]);
    expect(boardsToHost(running({ ...me, boards: [B, C] }), B)).toEqual([B, C]);
  });

  it('offers the LAN addresses for peers that cannot resolve NAME.local', () => {
    expect(otherAddresses(me)).toBe('If a peer cannot find mine.local, use ws://192.168.1.4:8788 or ws://[fd00::4]:8788');
    expect(otherAddresses({ ...me, url: 'ws://192.168.1.4:8788', lanUrls: ['ws://192.168.1.4:8788'] })).toBeNull();
    expect(otherAddresses({ ...me, url: 'ws://10.0.0.2:8788' })).toBe('Also reachable at ws://192.168.1.4:8788 or ws://[fd00::4]:8788');
    expect(otherAddresses(null)).toBeNull();
  });

  it('labels the sync indicator of a hosted board', () => {
    expect(hostedLabel(running(me), B)).toEqual({ text: 'Hosting', tone: 'ok', title: 'Hosting this board on the LAN at ws://mine.local:8788' });
    expect(hostedLabel(running(me), C)).toBeNull();
    expect(hostedLabel({ running: false, host: null, rekeyed: [] }, B)).toBeNull();
    expect(hostedLabel(running(me), null)).toBeNull();
  });
});
