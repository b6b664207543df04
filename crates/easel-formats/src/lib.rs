//! Import and export of Easel boards.
//!
//! A board leaves Easel as a file other tools can open (Excalidraw scenes, JSON Canvas, SVG,
//! PNG) and comes back from files those tools wrote. Every format goes through the same plain
//! [`Scene`] value, so the rest of Easel never sees a foreign format.
//!
//! Two rules hold for every import:
//! - The result passes [`Scene::validate`], or the import fails with an error that names the
//!   first bad field as a JSON path into the source (`elements[3].width`). Nothing is ever
//!   half-imported.
//! - Foreign input is bounded: compressed payloads inflate under a cap, PNG chunks have a size
//!   limit and checked CRCs, so a hostile file costs at most a few tens of megabytes.
//!
//! Our own SVG and PNG exports embed the lossless Easel JSON, so they re-import exactly.

use easel_core::Scene;

mod canvas;
mod curve;
mod easel_json;
mod excalidraw;
pub mod fonts;
pub mod freehand;
mod png;
mod raster;
pub mod rough;
mod svg;
mod util;

/// The sticky yellow: the fill of a sticky whose own fill is transparent, as the UI draws it
/// (`ui/src/engine/renderer.ts` `STICKY_FILL`), and of stickies made from JSON Canvas text nodes.
pub const STICKY_FILL: &str = "#fff3a0";

/// The stroke of an element that brings no colour of its own (the core's default).
pub(crate) const DEFAULT_STROKE: &str = "#1e1e1e";

/// A format [`export`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Easel's own lossless JSON.
    EaselJson,
    /// An Excalidraw `.excalidraw` scene.
    Excalidraw,
    /// A JSON Canvas 1.0 `.canvas` file.
    Canvas,
    /// An SVG drawing with the Easel scene embedded.
    Svg,
    /// A PNG image with the Easel scene embedded.
    Png,
}

impl Format {
    /// The usual file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::EaselJson => "json",
            Format::Excalidraw => "excalidraw",
            Format::Canvas => "canvas",
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// The MIME type of the exported bytes.
    pub fn mime(self) -> &'static str {
        match self {
            Format::EaselJson => "application/json",
            Format::Excalidraw => "application/vnd.excalidraw+json",
            Format::Canvas => "application/json",
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim_start_matches('.').to_ascii_lowercase().as_str() {
            "json" | "easel" => Ok(Format::EaselJson),
            "excalidraw" => Ok(Format::Excalidraw),
            "canvas" => Ok(Format::Canvas),
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            _ => Err(Error::Unsupported(format!("unknown format {s:?}"))),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

/// What [`detect`] found a file to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    EaselJson,
    Excalidraw,
    ExcalidrawLib,
    Canvas,
    /// An SVG file; it may carry an Easel or an Excalidraw scene, or none.
    Svg,
    /// A PNG file; it may carry an Easel or an Excalidraw scene, or none.
    Png,
}

/// How far an import or export has come, for a progress bar on big boards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// `parse`, `convert`, `validate`, `render`, `rasterize` or `encode`.
    pub stage: &'static str,
}

/// Everything that can go wrong importing or exporting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not what its format requires; `field` is the JSON path of the first bad
    /// field (`elements[3].width`), or `$` for the document as a whole.
    #[error("malformed {format} at {field}: {message}")]
    Malformed {
        format: &'static str,
        field: String,
        message: String,
    },
    /// An image file that carries no scene we can read.
    #[error("this {format} file has no embedded scene: {message}")]
    NoScene {
        format: &'static str,
        message: String,
    },
    /// The input is not in any format we read, or asks for something we do not do.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Input that would exceed a size limit once decoded.
    #[error("{what} is too large (limit {limit})")]
    TooLarge { what: String, limit: usize },
    /// The scene broke the model's rules.
    #[error(transparent)]
    Core(#[from] easel_core::Error),
    /// Rasterizing failed.
    #[error("render: {0}")]
    Render(String),
}

impl Error {
    pub(crate) fn malformed(
        format: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Malformed {
            format,
            field: field.into(),
            message: message.into(),
        }
    }

    /// The path of the offending field, when the error names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Malformed { field, .. } => Some(field),
            Error::Core(easel_core::Error::Invalid { field, .. })
            | Error::Core(easel_core::Error::TooLarge { field, .. }) => Some(field),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Writes `scene` in `format`.
pub fn export(
    scene: &Scene,
    format: Format,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    match format {
        Format::EaselJson => easel_json::export(scene, progress),
        Format::Excalidraw => excalidraw::export(scene, progress),
        Format::Canvas => canvas::export(scene, progress),
        Format::Svg => svg::export(scene, progress).map(String::into_bytes),
        Format::Png => raster::export(scene, progress),
    }
}

/// How an export is made, beyond its format (the app's export sheet).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Draw the board's background (SVG, PNG); without it the picture is transparent.
    pub background: bool,
    /// Device pixels per canvas unit of a PNG (1, 2 or 3 in the app).
    pub scale: f32,
    /// Only these elements (a selection), or every one.
    pub only: Option<Vec<String>>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            background: true,
            scale: raster::DEFAULT_SCALE,
            only: None,
        }
    }
}

/// `scene` cut down to `ids`: those elements, the files their images use, and no references to
/// elements left out (bindings and frames).
pub fn subset(scene: &Scene, ids: &[String]) -> Scene {
    let keep: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut out = scene.clone();
    out.elements.retain(|e| keep.contains(e.id.as_str()));
    for e in &mut out.elements {
        if e.start
            .as_ref()
            .is_some_and(|b| !keep.contains(b.element.as_str()))
        {
            e.start = None;
        }
        if e.end
            .as_ref()
            .is_some_and(|b| !keep.contains(b.element.as_str()))
        {
            e.end = None;
        }
        if e.frame_id.as_deref().is_some_and(|f| !keep.contains(f)) {
            e.frame_id = None;
        }
    }
    let used: std::collections::HashSet<&str> = out
        .elements
        .iter()
        .filter_map(|e| e.file_id.as_deref())
        .collect();
    let files = out
        .files
        .iter()
        .filter(|f| used.contains(f.id.as_str()))
        .cloned()
        .collect();
    out.files = files;
    out
}

/// Writes `scene` in `format` as `opts` say: a selection only, with or without the background,
/// at a PNG scale.
pub fn export_with(
    scene: &Scene,
    format: Format,
    opts: &ExportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    let cut;
    let scene = match &opts.only {
        Some(ids) => {
            cut = subset(scene, ids);
            &cut
        }
        None => scene,
    };
    match format {
        Format::Svg => svg::export_with(scene, opts.background, progress).map(String::into_bytes),
        Format::Png => raster::export_with(scene, opts.scale, opts.background, progress),
        other => export(scene, other, progress),
    }
}

/// Writes `scene` as a PNG at `scale` device pixels per canvas unit ([`export`] uses 2). The
/// scale is reduced when the image would exceed 16384 pixels a side or 64 Mpx.
pub fn export_png(
    scene: &Scene,
    scale: f32,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    raster::export_scaled(scene, scale, progress)
}

/// The width and height of a PNG, from its IHDR chunk (every chunk's CRC is checked).
pub fn png_dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    png::dimensions(bytes)
}

/// Reads a board from `bytes`, whose format is sniffed from the content (the file name, when
/// given, only settles ambiguous cases).
pub fn import(
    bytes: &[u8],
    name_hint: Option<&str>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let format = detect(bytes, name_hint).ok_or_else(|| {
        Error::Unsupported(match name_hint {
            Some(n) => format!("{n}: not a format Easel imports"),
            None => "not a format Easel imports".into(),
        })
    })?;
    let title = util::title_from_hint(name_hint);
    let scene = match format {
        ImportFormat::EaselJson => easel_json::import(bytes, progress)?,
        ImportFormat::Excalidraw => excalidraw::import(bytes, &title, progress)?,
        ImportFormat::ExcalidrawLib => excalidraw::import_library(bytes, &title, progress)?,
        ImportFormat::Canvas => canvas::import(bytes, &title, progress)?,
        ImportFormat::Svg => svg::import(bytes, &title, progress)?,
        ImportFormat::Png => png::import(bytes, &title, progress)?,
    };
    // Every path above validates already; this is the last line of defence.
    scene.validate()?;
    Ok(scene)
}

/// Guesses the format of `bytes`, looking at the content first and the name second.
pub fn detect(bytes: &[u8], name_hint: Option<&str>) -> Option<ImportFormat> {
    if bytes.starts_with(png::SIGNATURE) {
        return Some(ImportFormat::Png);
    }
    let ext = name_hint
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return (head.contains("<svg") || ext.as_deref() == Some("svg"))
            .then_some(ImportFormat::Svg);
    }
    if trimmed.starts_with('{') {
        // A quick look at the top-level `type` decides; a full parse happens in the importer.
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(bytes) {
            match map.get("type").and_then(|t| t.as_str()) {
                Some("easel") => return Some(ImportFormat::EaselJson),
                Some("excalidraw") => return Some(ImportFormat::Excalidraw),
                Some("excalidrawlib") => return Some(ImportFormat::ExcalidrawLib),
                _ => {}
            }
            if map.contains_key("nodes") || map.contains_key("edges") {
                return Some(ImportFormat::Canvas);
            }
            if map.contains_key("libraryItems") || map.contains_key("library") {
                return Some(ImportFormat::ExcalidrawLib);
            }
        } else {
            // Broken JSON still goes to the importer its content looks like, so the error
            // names the format and the place it broke.
            let compact: String = String::from_utf8_lossy(bytes)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if compact.contains("\"type\":\"easel\"") {
                return Some(ImportFormat::EaselJson);
            }
            if compact.contains("\"type\":\"excalidrawlib\"") {
                return Some(ImportFormat::ExcalidrawLib);
            }
            if compact.contains("\"type\":\"excalidraw\"") {
                return Some(ImportFormat::Excalidraw);
            }
            if compact.contains("{\"nodes\":[") || compact.contains("{\"edges\":[") {
                return Some(ImportFormat::Canvas);
            }
        }
        return match ext.as_deref() {
            Some("excalidraw") => Some(ImportFormat::Excalidraw),
            Some("excalidrawlib") => Some(ImportFormat::ExcalidrawLib),
            Some("canvas") => Some(ImportFormat::Canvas),
            Some("json") | Some("easel") => Some(ImportFormat::EaselJson),
            _ => None,
        };
    }
    None
}
