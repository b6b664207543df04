import { describe, expect, it } from 'vitest';
import { bytesToDataUrl, dataUrlBytes, FileStore, type StoredFile } from './files';

describe('FileStore', () => {
  it('stores bytes once under their SHA-256 and persists them through the backend', async () => {
    const put: string[] = [];
    const files = new FileStore();
    files.backend = { put: async (id) => void put.push(id), get: async () => null };
    const bytes = new TextEncoder().encode('abc');
    const id = await files.add('image/png', bytes);
    expect(id).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await files.add('image/png', bytes)).toBe(id);
    expect(put).toEqual([id]);
    expect(files.get(id)).toEqual({ mime: 'image/png', dataURL: 'data:image/png;base64,YWJj' });
  });

  it('refuses what the core would refuse', async () => {
    const files = new FileStore();
    await expect(files.add('text/plain', new Uint8Array(1))).rejects.toThrow(/not an image/);
  });

  it('fetches unknown files from the backend once and reports when they arrive', async () => {
    const asked: string[] = [];
    let ready = 0;
    const files = new FileStore(() => ready++);
    const f: StoredFile = { mime: 'image/png', dataURL: 'data:image/png;base64,AA==' };
    files.backend = { put: async () => {}, get: async (id) => (asked.push(id), f) };
    expect(files.image('x')).toBeUndefined();
    expect(files.image('x')).toBeUndefined();
    await Promise.resolve();
    await Promise.resolve();
    expect(asked).toEqual(['x']);
    expect(files.get('x')).toEqual(f);
    expect(ready).toBe(1);
  });

  it('asks again for a file the backend did not have once it says the file arrived', async () => {
    let have = false;
    let asked = 0;
    let ready = 0;
    const files = new FileStore(() => ready++);
    const f: StoredFile = { mime: 'image/png', dataURL: 'data:image/png;base64,AA==' };
    files.backend = { put: async () => {}, get: async () => (asked++, have ? f : null) };
    expect(files.image('y')).toBeUndefined();
    await Promise.resolve();
    await Promise.resolve();
    expect(asked).toBe(1);
    // Drawn again before it arrives: not asked again (the server was asked once already).
    expect(files.image('y')).toBeUndefined();
    await Promise.resolve();
    expect(asked).toBe(1);
    have = true;
    files.arrived('y');
    await Promise.resolve();
    await Promise.resolve();
    expect(asked).toBe(2);
    expect(files.get('y')).toEqual(f);
    expect(ready).toBe(1);
    // An arrival for a file it holds already changes nothing.
    files.arrived('y');
    expect(asked).toBe(2);
  });

  it('converts data: URLs and bytes both ways', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect(dataUrlBytes(bytesToDataUrl('image/png', bytes))).toEqual(bytes);
    expect(dataUrlBytes('data:image/svg+xml,<svg/>')).toBeNull();
  });
});
