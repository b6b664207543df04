/**
 * Hosting on the LAN and the hosts found there, as the Connect dialog shows them. DOM-free: the
 * shapes the core sends (`host_status`, `hosts_discover`) and the pure steps from them to what
 * the dialog lists.
 */

/** A running host, as `easel_host::HostInfo` serializes it. */
export interface HostInfo {
  /** The name announced over mDNS (`Easel on NAME`). */
  name: string;
  /** The URL peers connect to. */
  url: string;
  /** The address listened on, `IP:PORT`. */
  listen: string;
  /** `ws://IP:PORT` for each LAN address, when listening on every interface. */
  lanUrls: string[];
  boards: string[];
  open: boolean;
  announced: boolean;
  /** Why it is not announced. */
  notAnnounced: string | null;
}

/** `host_status`'s answer and the `host-status` event. */
export interface HostStatus {
  running: boolean;
  host: HostInfo | null;
  /** Boards that got a new id when hosting started (only in `host_start`'s answer). */
  rekeyed: { from: string; to: string }[];
  /** Why hosting that was on when the app quit did not start again. */
  error?: string | null;
}

/** A host found over mDNS, as `easel_host::FoundHost` serializes it. */
export interface FoundHost {
  name: string;
  addresses: string[];
  port: number;
  /** `ws://ADDRESS:PORT` with the first IPv4 address, or null when it gave no address. */
  url: string | null;
  boards: string[];
  /** How many boards it serves (more than `boards` lists when it serves many). */
  board_count: number;
}

/** One row of the "Hosts on this network" list. */
export interface HostRow {
  name: string;
  url: string | null;
  /** The host serves the open board: clicking it connects. */
  offersBoard: boolean;
  /** This app's own host. */
  self: boolean;
  /** What the row says under the name. */
  detail: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function portOf(listen: string): number | null {
  const m = /:(\d+)$/.exec(listen);
  return m ? Number(m[1]) : null;
}

/**
 * The list rows for what discovery found: hosts offering `board` first, then the others, each
 * group by name; our own host is marked (and never offered as a place to connect to).
 */
export function hostRows(found: FoundHost[], board: string | null, self: HostInfo | null): HostRow[] {
  const rows = found.map((h): HostRow => {
    const isSelf = !!self && h.name === self.name && h.port === portOf(self.listen);
    const listed = board !== null && h.boards.includes(board);
    // A host announcing more boards than fit may serve this one without listing it.
    const unlisted = h.board_count > h.boards.length;
    const offersBoard = listed && !isSelf && h.url !== null;
    let detail: string;
    if (isSelf) detail = 'This computer';
    else if (h.url === null) detail = 'Announced no address';
    else if (listed) detail = `Has this board · ${h.url}`;
    else if (unlisted) detail = `${plural(h.board_count, 'board')}, this one not among those listed · ${h.url}`;
    else detail = `${plural(h.board_count, 'board')}, not this one · ${h.url}`;
    return { name: h.name, url: h.url, offersBoard, self: isSelf, detail };
  });
  return rows.sort((a, b) => Number(b.offersBoard) - Number(a.offersBoard) || a.name.localeCompare(b.name));
}

/** What the "Host on this network" section says about the running host (or its absence). */
export function hostingSummary(status: HostStatus | null, board: string | null): { hosting: boolean; hostsBoard: boolean; text: string; announce: string } {
  const h = status?.running ? status.host : null;
  if (!h && status?.error) return { hosting: false, hostsBoard: false, text: `${status.error}. Host again, or forget it.`, announce: '' };
  if (!h) return { hosting: false, hostsBoard: false, text: 'Not hosting. Peers on your network can sync this board with you directly, no relay needed.', announce: '' };
  const hostsBoard = board !== null && h.boards.includes(board);
  const others = h.boards.length - (hostsBoard ? 1 : 0);
  let text = hostsBoard ? 'Hosting this board' : 'Hosting, but not this board';
  if (others > 0) text += ` (and ${plural(others, 'other board')})`;
  text += '. Give peers this address, or a share link naming it:';
  const announce = h.announced ? 'Announced on the LAN: Easel apps nearby list it under “Hosts on this network”.' : `Not announced on the LAN: ${h.notAnnounced ?? 'unknown reason'}.`;
  return { hosting: true, hostsBoard, text, announce };
}

/**
 * The line under the address when peers may need a plain IP: `NAME.local` resolves only where
 * mDNS name lookup is installed. Null when there is nothing else to offer.
 */
export function otherAddresses(h: HostInfo | null): string | null {
  if (!h) return null;
  const others = h.lanUrls.filter((u) => u !== h.url);
  if (!others.length) return null;
  const host = /^ws:\/\/([^/:]+\.local):/.exec(h.url)?.[1];
  return `${host ? `If a peer cannot find ${host}, use` : 'Also reachable at'} ${others.join(' or ')}`;
}

/** The boards to host when the user asks to host `board`: those already hosted, plus it. */
export function boardsToHost(status: HostStatus | null, board: string): string[] {
  const now = status?.running && status.host ? status.host.boards : [];
  return now.includes(board) ? [...now] : [...now, board];
}

/**
 * The sync indicator of a board that has no relay sync but is hosted here: peers sync with us.
 * Null when the board is not hosted (the indicator says what the relay sync says).
 */
export function hostedLabel(status: HostStatus | null, board: string | null): { text: string; tone: 'ok'; title: string } | null {
  const h = status?.running ? status.host : null;
  if (!h || board === null || !h.boards.includes(board)) return null;
  return { text: 'Hosting', tone: 'ok', title: `Hosting this board on the LAN at ${h.url}` };
}
