// Copies the fonts the exports embed from the npm packages the UI bundles them from (ui/package.json,
// after `npm ci` in ui/), with their licences: resvg reads TrueType, not WOFF, so Fontsource's
// WOFF files are unpacked to TTF (the same tables, decompressed; the glyphs are untouched).
//   node crates/easel-formats/fonts/from-npm.mjs
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, '../../../ui/node_modules');

/** A WOFF 1.0 file (https://www.w3.org/TR/WOFF/) as the sfnt (TTF/OTF) it wraps. */
function woffToSfnt(woff) {
  if (woff.toString('ascii', 0, 4) !== 'wOFF') throw new Error('not a WOFF file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = [];
  for (let i = 0; i < numTables; i++) {
    const at = 44 + i * 20;
    const [tag, offset, compLength, origLength, checksum] = [woff.toString('ascii', at, at + 4), woff.readUInt32BE(at + 4), woff.readUInt32BE(at + 8), woff.readUInt32BE(at + 12), woff.readUInt32BE(at + 16)];
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error(`${tag}: ${data.length} bytes, expected ${origLength}`);
    tables.push({ tag, checksum, data });
  }
  let pow = 1;
  let log = 0;
  while (pow * 2 <= numTables) {
    pow *= 2;
    log++;
  }
  const head = Buffer.alloc(12 + 16 * numTables);
  head.writeUInt32BE(flavor, 0);
  head.writeUInt16BE(numTables, 4);
  head.writeUInt16BE(pow * 16, 6);
  head.writeUInt16BE(log, 8);
  head.writeUInt16BE(numTables * 16 - pow * 16, 10);
  const body = [];
  let offset = head.length;
  tables.forEach((t, i) => {
    const at = 12 + i * 16;
    head.write(t.tag, at, 'ascii');
    head.writeUInt32BE(t.checksum, at + 4);
    head.writeUInt32BE(offset, at + 8);
    head.writeUInt32BE(t.data.length, at + 12);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    body.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([head, ...body]);
}

copyFileSync(join(modules, 'excalifont/fonts/Excalifont-Regular.ttf'), join(here, 'Excalifont-Regular.ttf'));
copyFileSync(join(modules, 'excalifont/OFL.txt'), join(here, 'Excalifont-OFL.txt'));
for (const [pkg, file, out] of [
  ['nunito', 'nunito-latin-400-normal.woff', 'Nunito-Regular-latin.ttf'],
  ['cascadia-code', 'cascadia-code-latin-400-normal.woff', 'CascadiaCode-Regular-latin.ttf'],
]) {
  writeFileSync(join(here, out), woffToSfnt(readFileSync(join(modules, '@fontsource', pkg, 'files', file))));
  copyFileSync(join(modules, '@fontsource', pkg, 'LICENSE'), join(here, out.replace(/-Regular-latin\.ttf$/, '-OFL.txt')));
}
