//! The board's files (image bytes) as the UI holds them: content-addressed like the core's
//! `BoardFile` (the id is the hex SHA-256 of the bytes), kept as data: URLs, decoded into images
//! for the renderer on first use. Where the bytes come from and go to is a `FileBackend`: the
//! desktop core, or nothing in the browser build.

export interface StoredFile {
  mime: string;
  /** `data:<mime>;base64,...` */
  dataURL: string;
}

/** Persists files and fetches ones this UI has not seen (opened boards, collaborators' pastes). */
export interface FileBackend {
  put(id: string, file: StoredFile): Promise<void>;
  get(id: string): Promise<StoredFile | null>;
}

/** The hex SHA-256 of some bytes (the core's `content_id`). */
export async function contentId(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function dataUrlBytes(url: string): Uint8Array | null {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64')) return null;
  try {
    const bin = atob(url.slice(comma + 1));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export function bytesToDataUrl(mime: string, bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${mime};base64,${btoa(bin)}`;
}

/** The largest file the core accepts (`limits::MAX_FILE_BYTES`). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private readonly images = new Map<string, { img: HTMLImageElement; ready: boolean }>();
  private readonly fetching = new Set<string>();
  backend: FileBackend | null = null;

  /** `onReady` runs when an image finishes decoding (repaint the board). */
  constructor(private readonly onReady: () => void = () => {}) {}

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  /** Adds bytes; returns their id. Stored once, persisted through the backend. */
  async add(mime: string, bytes: Uint8Array): Promise<string> {
    if (!mime.startsWith('image/')) throw new Error(`not an image type: ${mime}`);
    if (bytes.length > MAX_FILE_BYTES) throw new Error('the image is larger than a board allows (16 MiB)');
    const id = await contentId(bytes);
    if (!this.files.has(id)) {
      const file = { mime, dataURL: bytesToDataUrl(mime, bytes) };
      this.files.set(id, file);
      await this.backend?.put(id, file);
    }
    return id;
  }

  /** Forgets everything (another board opened). */
  clear(): void {
    this.files.clear();
    this.images.clear();
    this.fetching.clear();
  }

  /** A decoded image for the renderer, or undefined while it loads (the renderer draws a placeholder). */
  image(id: string): HTMLImageElement | undefined {
    const have = this.images.get(id);
    if (have) return have.ready ? have.img : undefined;
    const file = this.files.get(id);
    if (!file) {
      this.fetch(id);
      return undefined;
    }
    const img = new Image();
    const entry = { img, ready: false };
    this.images.set(id, entry);
    img.onload = () => {
      entry.ready = true;
      this.onReady();
    };
    img.src = file.dataURL;
    return undefined;
  }

  /**
   * The backend says a file it did not have has arrived (a collaborator's image, fetched from
   * the board's server by its hash): ask again, and repaint once it decodes.
   */
  arrived(id: string): void {
    if (this.files.has(id)) return;
    this.fetching.delete(id);
    this.fetch(id);
  }

  private fetch(id: string): void {
    if (!this.backend || this.fetching.has(id)) return;
    this.fetching.add(id);
    // Not there yet: the placeholder stays until `arrived` says to ask again.
    void this.backend.get(id).then(
      (f) => {
        if (!f) return;
        this.files.set(id, f);
        this.onReady();
      },
      () => this.fetching.delete(id),
    );
  }
}
