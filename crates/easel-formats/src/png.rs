//! PNG chunks: reading the scene that Easel or Excalidraw embedded in an image, and embedding
//! ours.
//!
//! We walk the chunk list ourselves instead of decoding the image: the scene lives in a text
//! chunk, and the pixels are of no use to an import. Every chunk's CRC is checked and its
//! length bounded, so a damaged or hostile file fails with a clear error instead of a scene
//! built from garbage.

use easel_core::Scene;

use crate::util;
use crate::{Error, Progress, Result};

pub const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const FORMAT: &str = "PNG";
/// The text chunk keyword under which Easel stores its scene.
pub const EASEL_KEYWORD: &str = "application/vnd.easel+json";
/// The keyword Excalidraw uses.
pub const EXCALIDRAW_KEYWORD: &str = "application/vnd.excalidraw+json";
/// The largest chunk we read; a scene bigger than this is refused, not parsed.
const MAX_CHUNK: usize = 64 * 1024 * 1024;

pub struct Chunk<'a> {
    pub kind: [u8; 4],
    pub data: &'a [u8],
}

fn crc(kind: &[u8], data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(kind);
    c.update(data);
    c.sum()
}

/// Splits a PNG into its chunks, checking the signature, lengths and CRCs.
pub fn chunks(bytes: &[u8]) -> Result<Vec<Chunk<'_>>> {
    if !bytes.starts_with(SIGNATURE) {
        return Err(Error::malformed(FORMAT, "signature", "not a PNG file"));
    }
    let mut out = Vec::new();
    let mut pos = SIGNATURE.len();
    while pos < bytes.len() {
        let index = out.len();
        let field = |what: &str| format!("chunks[{index}].{what}");
        let header = bytes
            .get(pos..pos + 8)
            .ok_or_else(|| Error::malformed(FORMAT, field("length"), "truncated chunk header"))?;
        let len = u32::from_be_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        let kind: [u8; 4] = header[4..8].try_into().expect("4 bytes");
        if len > MAX_CHUNK {
            return Err(Error::TooLarge {
                what: format!("PNG chunk {}", String::from_utf8_lossy(&kind)),
                limit: MAX_CHUNK,
            });
        }
        let data = bytes.get(pos + 8..pos + 8 + len).ok_or_else(|| {
            Error::malformed(FORMAT, field("data"), "chunk runs past the end of the file")
        })?;
        let stored = bytes
            .get(pos + 8 + len..pos + 12 + len)
            .ok_or_else(|| Error::malformed(FORMAT, field("crc"), "truncated chunk CRC"))?;
        let stored = u32::from_be_bytes(stored.try_into().expect("4 bytes"));
        let actual = crc(&kind, data);
        if stored != actual {
            return Err(Error::malformed(
                FORMAT,
                field("crc"),
                format!(
                    "CRC mismatch in {} chunk: stored {stored:08x}, computed {actual:08x}",
                    String::from_utf8_lossy(&kind)
                ),
            ));
        }
        out.push(Chunk { kind, data });
        pos += 12 + len;
        if &kind == b"IEND" {
            break;
        }
    }
    if out.first().map(|c| &c.kind) != Some(b"IHDR") {
        return Err(Error::malformed(
            FORMAT,
            "chunks[0]",
            "the first chunk is not IHDR",
        ));
    }
    Ok(out)
}

/// The image size from the IHDR chunk.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    let cs = chunks(bytes)?;
    let d = cs[0].data;
    if d.len() != 13 {
        return Err(Error::malformed(
            FORMAT,
            "chunks[0].data",
            "IHDR is not 13 bytes",
        ));
    }
    Ok((
        u32::from_be_bytes(d[0..4].try_into().expect("4 bytes")),
        u32::from_be_bytes(d[4..8].try_into().expect("4 bytes")),
    ))
}

/// The text chunks whose keyword is in `wanted`, as (keyword, Latin-1 text decoded to a
/// String); other chunks are skipped without being inflated. What they hold once inflated
/// counts against one cap for the whole file (`util::MAX_INFLATED`), so many `zTXt` chunks each
/// under the cap cannot add up to gigabytes.
pub fn text_chunks(chunks: &[Chunk<'_>], wanted: &[&str]) -> Result<Vec<(String, String)>> {
    let latin1 = |b: &[u8]| b.iter().map(|&c| c as char).collect::<String>();
    let mut budget = util::MAX_INFLATED;
    let mut out = Vec::new();
    for c in chunks {
        let compressed = match &c.kind {
            b"tEXt" => false,
            b"zTXt" => true,
            _ => continue,
        };
        let Some(nul) = c.data.iter().position(|&b| b == 0) else {
            continue;
        };
        let keyword = latin1(&c.data[..nul]);
        if !wanted.contains(&keyword.as_str()) {
            continue;
        }
        let text = if compressed {
            let body = c.data.get(nul + 2..).unwrap_or(&[]);
            util::inflate_zlib(body, budget, "the PNG's text chunks").map_err(|e| match e {
                // Say the cap for the whole file, not what was left of it.
                Error::TooLarge { what, .. } => Error::TooLarge {
                    what,
                    limit: util::MAX_INFLATED,
                },
                other => other,
            })?
        } else {
            c.data[nul + 1..].to_vec()
        };
        budget = budget
            .checked_sub(text.len())
            .ok_or_else(|| Error::TooLarge {
                what: "the PNG's text chunks".into(),
                limit: util::MAX_INFLATED,
            })?;
        out.push((keyword, latin1(&text)));
    }
    Ok(out)
}

/// Inserts a `tEXt` chunk right after IHDR. `text` must be Latin-1 (ours is base64).
pub fn insert_text(png: &[u8], keyword: &str, text: &str) -> Result<Vec<u8>> {
    let cs = chunks(png)?;
    let mut data = Vec::with_capacity(keyword.len() + 1 + text.len());
    data.extend_from_slice(keyword.as_bytes());
    data.push(0);
    data.extend_from_slice(text.as_bytes());
    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(SIGNATURE);
    let mut write = |kind: &[u8], body: &[u8]| {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out.extend_from_slice(&crc(kind, body).to_be_bytes());
    };
    for (i, c) in cs.iter().enumerate() {
        write(&c.kind, c.data);
        if i == 0 {
            write(b"tEXt", &data);
        }
    }
    Ok(out)
}

/// Imports the scene embedded in a PNG: Easel's own if present, else Excalidraw's.
pub fn import(bytes: &[u8], title: &str, progress: &mut dyn FnMut(Progress)) -> Result<Scene> {
    let cs = chunks(bytes)?;
    let texts = text_chunks(&cs, &[EASEL_KEYWORD, EXCALIDRAW_KEYWORD])?;
    if let Some((_, t)) = texts.iter().find(|(k, _)| k == EASEL_KEYWORD) {
        return util::unembed_scene(t, FORMAT, progress);
    }
    if let Some((_, t)) = texts.iter().find(|(k, _)| k == EXCALIDRAW_KEYWORD) {
        return crate::excalidraw::import_embedded_png(t, title, progress);
    }
    Err(Error::NoScene {
        format: FORMAT,
        message: "no Easel or Excalidraw text chunk; it is a plain image (import it as an image element instead)".into(),
    })
}
