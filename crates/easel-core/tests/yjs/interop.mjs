// A stock Yjs client reading and writing an Easel board document.
//   node interop.mjs read FILE        prints the document's elements, meta and files as JSON
//   node interop.mjs write FILE OUT   applies FILE, adds an element the way a Yjs app would
//                                     (a Y.Map with a Y.Text), edits one, writes the update to OUT
//   node interop.mjs comments-read FILE            prints a comments document's threads as JSON
//   node interop.mjs comments-reply FILE THREAD OUT  replies to THREAD, writes the update to OUT
import * as Y from 'yjs';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, file, out, out2] = process.argv.slice(2);
const doc = new Y.Doc();
Y.applyUpdate(doc, readFileSync(file));
const elements = doc.getMap('elements');

if (mode === 'read') {
  console.log(
    JSON.stringify({ elements: elements.toJSON(), meta: doc.getMap('meta').toJSON(), files: doc.getMap('files').toJSON() }),
  );
} else if (mode === 'write') {
  const before = Y.encodeStateVector(doc);
  doc.transact(() => {
    const el = new Y.Map();
    el.set('kind', 'sticky');
    el.set('geom', [5, 6, 200, 100, 0]);
    el.set('z', 'a5');
    el.set('fill', '#ffec99');
    el.set('edited', ['yjs-user', 1700000000000]);
    el.set('text', new Y.Text('written by Yjs'));
    elements.set('from-yjs', el);
    // Type into an existing Easel text, as a collaborator would: after the emoji, which is
    // two UTF-16 code units (Yjs's unit for text positions).
    const text = elements.get('t').get('text');
    text.insert(2, ">>");
  });
  writeFileSync(out, Y.encodeStateAsUpdate(doc, before));
} else if (mode === 'comments-read') {
  console.log(JSON.stringify({ threads: doc.getMap('threads').toJSON() }));
} else if (mode === 'comments-reply') {
  // `out` is the thread id here, `out2` the output file.
  const before = Y.encodeStateVector(doc);
  doc.transact(() => {
    const m = new Y.Map();
    m.set('id', 'from-yjs');
    m.set('author', 'yjs-user');
    m.set('authorName', 'Yjs');
    m.set('text', 'replied by Yjs');
    m.set('createdAt', 1700000000000);
    doc.getMap('threads').get(out).get('messages').push([m]);
  });
  writeFileSync(out2, Y.encodeStateAsUpdate(doc, before));
} else {
  console.error('usage: interop.mjs read FILE | write FILE OUT | comments-read FILE | comments-reply FILE THREAD OUT');
  process.exit(2);
}
