/** The core's sharing, sync and comments values as the app's commands return them. */

export type Level = 'VIEW' | 'COMMENT' | 'EDIT';

/** `identity_get` and the `identity-changed` event. */
export interface IdentityInfo {
  state: 'loading' | 'ready' | 'unavailable';
  publicKey: string | null;
  name: string | null;
  keyStore: string | null;
  warning: string | null;
  error: string | null;
}

/** The core's `SyncStatus` (serde: `{state, detail}`). */
export type SyncStatus =
  | { state: 'offline' }
  | { state: 'connecting'; detail: { attempt: number } }
  | { state: 'downloading'; detail: { received: number } }
  | { state: 'synced' }
  | { state: 'denied'; detail: string }
  | { state: 'error'; detail: string }
  | { state: 'failed'; detail: string };

export interface SyncStatusEvent {
  board: string;
  url: string;
  status: SyncStatus;
}

export interface BoardRemote {
  board_id: string;
  url: string;
  kind: string;
  added_at: string;
}

/** `share_links` rows (the core's `IssuedLink`, snake_case). */
export interface IssuedLink {
  link_id: string;
  board_id: string;
  level: Level;
  subject_id: string | null;
  relay: string | null;
  issued_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  subject_key: string | null;
  status: 'active' | 'expired' | 'revoked';
  url: string;
}

export interface ShareCreated {
  link: IssuedLink;
  rekeyedFrom: string | null;
  /** Shown beside the link: e.g. a ws:// relay on the internet exposes the link's token. */
  warnings?: string[];
}

/** `link_preview` (the core's `LinkPreview`). */
export interface LinkPreview {
  board: string;
  title: string | null;
  issued_by: string | null;
  owner_key: string;
  level: Level;
  expires_at: number | null;
  personal: boolean;
  relay: string | null;
  known: boolean;
}

export interface Joined {
  board: { id: string; title: string };
  level: Level;
  relay: string | null;
  created: boolean;
}

export interface Anchor {
  element?: string;
  x: number;
  y: number;
}

export interface Comment {
  id: string;
  author: string;
  authorName: string;
  text: string;
  createdAt: number;
  editedAt?: number;
  deleted?: boolean;
}

export interface Thread {
  id: string;
  anchor: Anchor;
  createdBy: string;
  createdAt: number;
  resolved: boolean;
  resolvedBy?: string;
  resolvedAt?: number;
  messages: Comment[];
}

export interface CommentsChanged {
  board: string;
  threads: Thread[];
}

export interface PresenceEvent {
  board: string;
  peers: [number, string][];
}
