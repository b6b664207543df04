/**
 * What the identity notice says, and whether it shows. A key store that cannot work (sharing is
 * unavailable) is said at every start, since it stays true and blocks sharing; a warning about
 * where the secret is kept (the plain-file key store) is said once per installation: the webview's
 * local storage remembers each warning shown. The Share dialog repeats it, for whoever wants to
 * see it again.
 */
import type { IdentityInfo } from './types';

/** The local-storage key that records a warning as shown. */
export const noticeKey = (warning: string): string => `easel.notice.shown:${warning}`;

export interface IdentityNotice {
  lines: string[];
  tone: 'bad' | 'warn';
  /** Whether to show the notice now. */
  show: boolean;
}

type Seen = Pick<Storage, 'getItem' | 'setItem'> | null;

function shownBefore(storage: Seen, warning: string): boolean {
  try {
    return storage?.getItem(noticeKey(warning)) === '1';
  } catch {
    return false;
  }
}

/** The notice for `id`; a warning it shows is recorded in `storage` as shown. */
export function identityNotice(id: IdentityInfo, storage: Seen): IdentityNotice {
  const lines: string[] = [];
  if (id.state === 'unavailable') lines.push(`Sharing is unavailable: ${id.error ?? 'no key store'}. Your boards still work on this computer.`);
  if (id.warning) lines.push(`Note: ${id.warning}.`);
  const tone = id.state === 'unavailable' ? 'bad' : 'warn';
  if (id.state === 'unavailable') return { lines, tone, show: true };
  if (!id.warning || shownBefore(storage, id.warning)) return { lines, tone, show: false };
  try {
    storage?.setItem(noticeKey(id.warning), '1');
  } catch {
    // No storage: it shows again next time, which errs on the safe side.
  }
  return { lines, tone, show: true };
}
