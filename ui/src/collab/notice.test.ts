import { describe, expect, it } from 'vitest';
import { identityNotice, noticeKey } from './notice';
import type { IdentityInfo } from './types';

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
};

const id = (init: Partial<IdentityInfo>): IdentityInfo => ({ state: 'ready', publicKey: 'k', name: 'Ada', keyStore: 'file', warning: null, error: null, ...init });

describe('identity notice', () => {
  it('says the plain-file key store warning once per installation', () => {
    const storage = memory();
    const warned = id({ warning: 'the identity secret is stored in a plain file /x/identity (0600) because EASEL_KEY_STORE=file' });
    const first = identityNotice(warned, storage);
    expect(first.show).toBe(true);
    expect(first.tone).toBe('warn');
    expect(first.lines).toEqual([`Note: ${warned.warning}.`]);
    expect(storage.m.get(noticeKey(warned.warning!))).toBe('1');
    // The next start (same storage): not shown, but still there to show again (the Share dialog).
    const again = identityNotice(warned, storage);
    expect(again.show).toBe(false);
    expect(again.lines).toEqual(first.lines);
    // Another warning is new.
    expect(identityNotice(id({ warning: 'something else' }), storage).show).toBe(true);
  });

  it('says an unavailable key store at every start, and nothing when all is well', () => {
    const storage = memory();
    const broken = id({ state: 'unavailable', error: 'no Secret Service', publicKey: null });
    expect(identityNotice(broken, storage)).toMatchObject({ show: true, tone: 'bad' });
    expect(identityNotice(broken, storage).show).toBe(true);
    expect(identityNotice(id({}), storage)).toEqual({ lines: [], tone: 'warn', show: false });
    // Without storage the warning shows every time.
    expect(identityNotice(id({ warning: 'w' }), null).show).toBe(true);
    expect(identityNotice(id({ warning: 'w' }), null).show).toBe(true);
  });
});
