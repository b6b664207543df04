// A stock Yjs client (yjs + y-websocket's WebsocketProvider over the `ws` package) for the
// relay's interop tests. Usage: node client.mjs ws://127.0.0.1:PORT ROOM [CAP [KEY]]
//
// It publishes an awareness state, sets m[KEY] (default from_js) once synced, and exits 0 once
// it sees m.from_rust (set by the Rust client), printing what it saw; it exits 1 after 20 s.
// CAP, if given, is presented as the `cap` query parameter, as a share link's holder would.
// With EXPECT_KEYS=N in the environment it only joins: once synced it prints how many keys m
// holds and exits 0 if that is N (a large document arrives as several updates, then step 2).
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [url, room, cap, key = 'from_js'] = process.argv.slice(2)
const doc = new Y.Doc()
// The largest frame the server sent, printed with SYNCED.
let maxFrame = 0
class MeasuredWebSocket extends WebSocket {
  constructor (...args) {
    super(...args)
    this.on('message', (data) => { maxFrame = Math.max(maxFrame, data.byteLength ?? data.length) })
  }
}
const provider = new WebsocketProvider(url, room, doc, {
  WebSocketPolyfill: MeasuredWebSocket,
  disableBc: true,
  params: cap ? { cap } : { probe: 'interop' }
})
provider.awareness.setLocalStateField('user', { name: 'yjs-node' })
// y-websocket reports the server's auth message through this hook.
provider.on('status', (e) => console.log('status ' + e.status))
const m = doc.getMap('m')

const timer = setTimeout(() => {
  console.error('timeout: m =', JSON.stringify(m.toJSON()))
  process.exit(1)
}, 20000)

const expect = process.env.EXPECT_KEYS
provider.on('sync', (synced) => {
  if (synced && expect !== undefined) {
    console.log('SYNCED keys=' + m.size + ' max_frame=' + maxFrame)
    process.exit(m.size === Number(expect) ? 0 : 1)
  }
  if (synced && !m.has(key)) {
    m.set(key, 'hello from yjs')
    console.log('synced; set ' + key)
  }
})

m.observe(() => {
  if (m.has('from_rust')) {
    console.log('GOT from_rust=' + m.get('from_rust'))
    clearTimeout(timer)
    // Let our last messages go out before leaving.
    setTimeout(() => {
      provider.destroy()
      process.exit(0)
    }, 200)
  }
})
