import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from './files';
import { layoutImages, refusal, sortFiles } from './images';
import { resolveKey } from './tools/keymap';
import { actionAllowed } from './tools/mode';

const file = (name: string, type: string, size = 1000) => ({ name, type, size });

describe('which files become images on the board', () => {
  it('takes the raster types webviews decode and refuses the rest with the reason', () => {
    for (const t of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif']) expect(refusal(file('a', t))).toBeNull();
    expect(refusal(file('logo.svg', 'image/svg+xml'))).toMatch(/^logo\.svg: SVG images are not supported/);
    expect(refusal(file('notes.txt', 'text/plain'))).toMatch(/^notes\.txt: not an image/);
    expect(refusal(file('x', ''))).toMatch(/not an image/);
    expect(refusal(file('empty.png', 'image/png', 0))).toBe('empty.png: the file is empty');
  });

  it('refuses what the core would refuse for size, saying how big it is', () => {
    expect(refusal(file('ok.png', 'image/png', MAX_FILE_BYTES))).toBeNull();
    expect(refusal(file('huge.png', 'image/png', 20 * 1024 * 1024))).toBe('huge.png: 20.0 MiB is larger than a board allows (16 MiB)');
  });

  it('a mixed drop keeps the images, in order, and reports each refused file', () => {
    const { accepted, refused } = sortFiles([file('a.png', 'image/png'), file('b.pdf', 'application/pdf'), file('c.jpg', 'image/jpeg'), file('d.svg', 'image/svg+xml')]);
    expect(accepted.map((f) => f.name)).toEqual(['a.png', 'c.jpg']);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatch(/^b\.pdf/);
    expect(refused[1]).toMatch(/^d\.svg/);
  });
});

describe('where images land', () => {
  const visible = { x: 0, y: 0, width: 1000, height: 800 };

  it('one small image: natural size, centred on the point', () => {
    expect(layoutImages([{ width: 200, height: 100 }], { x: 500, y: 400 }, visible)).toEqual([{ x: 400, y: 350, width: 200, height: 100 }]);
  });

  it('a large image shrinks to half the view, keeping its aspect', () => {
    const [r] = layoutImages([{ width: 4000, height: 1000 }], { x: 0, y: 0 }, visible);
    expect(r!.width).toBe(500);
    expect(r!.height).toBe(125);
    const [tall] = layoutImages([{ width: 1000, height: 4000 }], { x: 0, y: 0 }, visible);
    expect(tall!.height).toBe(400);
    expect(tall!.width).toBe(100);
  });

  it('several sit side by side in one row centred on the point, without overlapping', () => {
    const rs = layoutImages(
      [
        { width: 100, height: 50 },
        { width: 200, height: 100 },
        { width: 50, height: 50 },
      ],
      { x: 0, y: 0 },
      visible,
    );
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.x).toBeGreaterThanOrEqual(rs[i - 1]!.x + rs[i - 1]!.width);
    const left = rs[0]!.x;
    const right = rs.at(-1)!.x + rs.at(-1)!.width;
    expect((left + right) / 2).toBeCloseTo(0);
    expect(rs.every((r) => r.y === -50)).toBe(true);
  });

  it('degenerate sizes still give a visible box', () => {
    const [r] = layoutImages([{ width: 0, height: 0 }], { x: 0, y: 0 }, visible);
    expect(r!.width).toBeGreaterThan(0);
    expect(r!.height).toBeGreaterThan(0);
  });
});

describe('the insert image shortcut', () => {
  const key = (k: string) => ({ key: k, code: `Digit${k}`, shift: false, alt: false, mod: false });
  it('9 inserts an image, as in Excalidraw; only when editing', () => {
    expect(resolveKey(key('9'))).toEqual({ type: 'insertImage' });
    expect(actionAllowed('edit', { type: 'insertImage' })).toBe(true);
    expect(actionAllowed('view', { type: 'insertImage' })).toBe(false);
    expect(actionAllowed('comment', { type: 'insertImage' })).toBe(false);
  });
});
