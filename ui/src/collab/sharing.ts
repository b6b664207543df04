import type { IssuedLink, Level, SyncStatus } from './types';

/** The share dialog's expiry choices. */
export type ExpiryPreset = 'never' | '1d' | '7d' | '30d';

export const EXPIRY_PRESETS: [ExpiryPreset, string][] = [
  ['never', 'Never'],
  ['1d', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];

const DAY = 86_400;

/** Unix seconds the link stops working, or null for never. */
export function expiryFor(preset: ExpiryPreset, nowSeconds: number): number | null {
  const days = { never: 0, '1d': 1, '7d': 7, '30d': 30 }[preset];
  return days ? Math.floor(nowSeconds) + days * DAY : null;
}

export const LEVELS: [Level, string, string][] = [
  ['VIEW', 'Can view', 'See the board and its comments'],
  ['COMMENT', 'Can comment', 'Add and answer comments, not draw'],
  ['EDIT', 'Can edit', 'Draw and change everything'],
];

export function levelLabel(level: string): string {
  return LEVELS.find(([l]) => l === level.toUpperCase())?.[1] ?? level;
}

/**
 * Checks a relay or host address before it goes to the core: empty is allowed where the field
 * is optional; otherwise `ws://host[:port]`, or `wss://host[:port]` for a relay served over TLS.
 * Returns a message, or null when it looks right (the core has the last word).
 */
export function relayProblem(text: string, required: boolean): string | null {
  const t = text.trim();
  if (!t) return required ? 'Enter the relay or host address, like ws://relay.example:8787' : null;
  const scheme = /^wss?:\/\//i.exec(t);
  if (!scheme) {
    if (/^https:\/\//i.test(t)) return 'A relay served over https is reached with wss://, like wss://relay.example';
    return 'The address starts with ws:// or wss://, like ws://relay.example:8787';
  }
  const rest = t.slice(scheme[0].length).replace(/\/+$/, '');
  if (!rest || /[\s/?#]/.test(rest)) return `Use just ${scheme[0].toLowerCase()}host:port, with no path`;
  return null;
}

/**
 * A pasted share link, trimmed, or a message saying what is wrong with it. Only the outline is
 * checked here; the core checks the rest and names the bad field.
 */
export function parsePastedLink(text: string): { link: string } | { problem: string } {
  const t = text.trim();
  if (!t) return { problem: 'Paste the link you were sent (it starts with easel://board/)' };
  if (/\s/.test(t)) return { problem: 'A link has no spaces: paste it in one piece' };
  if (!t.startsWith('easel://')) return { problem: 'That is not an Easel link: it should start with easel://board/' };
  return { link: t };
}

/** A short, readable fingerprint of a public key (base64url): four groups of four. */
export function fingerprint(key: string): string {
  const k = key.replace(/[^A-Za-z0-9_-]/g, '');
  return (k.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ');
}

/** An expiry as a person reads it, relative to now. */
export function describeExpiry(expiresAt: number | null, nowSeconds: number): string {
  if (expiresAt === null) return 'never expires';
  const left = expiresAt - nowSeconds;
  if (left <= 0) return 'expired';
  if (left < 3600) return `expires in ${Math.max(1, Math.round(left / 60))} min`;
  if (left < DAY) return `expires in ${Math.round(left / 3600)} h`;
  const d = Math.round(left / DAY);
  return `expires in ${d} day${d === 1 ? '' : 's'}`;
}

/** One row of the issued-links list: level, for whom, expiry, status. */
export function describeLink(l: IssuedLink, nowSeconds: number): { level: string; who: string; expiry: string; status: string } {
  return {
    level: levelLabel(l.level),
    who: l.subject_key ? `only ${fingerprint(l.subject_key)}` : 'anyone with the link',
    expiry: l.status === 'revoked' ? 'revoked' : describeExpiry(l.expires_at, nowSeconds),
    status: l.status,
  };
}

/** The top bar's sync indicator. */
export function syncLabel(status: SyncStatus | null, url?: string): { text: string; tone: 'off' | 'busy' | 'ok' | 'bad'; title: string } {
  const where = url ? ` (${url})` : '';
  switch (status?.state ?? 'offline') {
    case 'connecting': {
      const attempt = status?.state === 'connecting' ? status.detail.attempt : 0;
      return { text: 'Connecting…', tone: 'busy', title: `Connecting${where}${attempt ? `, attempt ${attempt + 1}` : ''}` };
    }
    case 'downloading': {
      const mb = status?.state === 'downloading' ? status.detail.received / 1e6 : 0;
      return { text: `Downloading… ${mb.toFixed(1)} MB`, tone: 'busy', title: `Downloading the board${where}: ${mb.toFixed(1)} MB so far` };
    }
    case 'synced':
      return { text: 'Synced', tone: 'ok', title: `Synced${where}` };
    case 'denied':
      return { text: `Refused: ${status?.state === 'denied' ? status.detail : ''}`, tone: 'bad', title: `The relay refused this board: ${status?.state === 'denied' ? status.detail : ''}` };
    case 'error':
      return { text: 'Reconnecting…', tone: 'bad', title: `Cannot reach the relay${where}: ${status?.state === 'error' ? status.detail : ''}; retrying` };
    case 'failed':
      // An update from the relay could not be applied: the app reloaded the board from disk and
      // resyncs in full; the detail names what failed.
      return { text: 'Sync stopped', tone: 'bad', title: status?.state === 'failed' ? status.detail : 'Sync stopped' };
    default:
      return { text: 'Offline', tone: 'off', title: url ? `Not syncing with ${url}` : 'Local only — Connect… to sync' };
  }
}
