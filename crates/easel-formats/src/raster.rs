//! PNG export: our SVG rasterized with resvg, with the Easel scene in a `tEXt` chunk.
//!
//! Going through the SVG means one drawing code path for both image formats. Fonts come from
//! `fonts.rs`: the system's plus the families the canvas bundles, with DejaVu as the fallback
//! every family ends in.

use std::sync::Arc;

use easel_core::Scene;
use resvg::{tiny_skia, usvg};

use crate::{Error, Progress, Result, png, util};

/// The default scale: 2 device pixels per canvas unit, so exports look sharp on HiDPI screens.
pub const DEFAULT_SCALE: f32 = 2.0;
/// The longest side a PNG may have.
pub const MAX_SIDE: u32 = 16_384;
/// The most pixels a PNG may have (64 Mpx, 256 MiB of RGBA while rendering).
pub const MAX_PIXELS: u64 = 64 * 1024 * 1024;
pub use crate::fonts::FALLBACK_FONT;

fn fontdb() -> Arc<usvg::fontdb::Database> {
    crate::fonts::database()
}

/// The scale actually used: `wanted`, reduced so the image fits the size limits.
fn fit_scale(w: f64, h: f64, wanted: f32) -> f32 {
    let mut s = wanted as f64;
    let side = w.max(h) * s;
    if side > MAX_SIDE as f64 {
        s *= MAX_SIDE as f64 / side;
    }
    let px = w * s * h * s;
    if px > MAX_PIXELS as f64 {
        s *= (MAX_PIXELS as f64 / px).sqrt();
    }
    s as f32
}

pub fn export(scene: &Scene, progress: &mut dyn FnMut(Progress)) -> Result<Vec<u8>> {
    export_scaled(scene, DEFAULT_SCALE, progress)
}

/// Renders `scene` at `scale` device pixels per canvas unit (scaled down to fit the limits).
pub fn export_scaled(
    scene: &Scene,
    scale: f32,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    export_with(scene, scale, true, progress)
}

/// Renders `scene` at `scale` (scaled down to fit the limits), on the board's background or
/// (`background` false) on transparent pixels.
pub fn export_with(
    scene: &Scene,
    scale: f32,
    background: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::Unsupported(format!("scale {scale}")));
    }
    let svg = crate::svg::export_with(scene, background, progress)?;
    let opt = usvg::Options {
        font_family: FALLBACK_FONT.into(),
        fontdb: fontdb(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &opt).map_err(|e| Error::Render(e.to_string()))?;
    let size = tree.size();
    let s = fit_scale(size.width() as f64, size.height() as f64, scale);
    let w = ((size.width() * s).ceil() as u32).clamp(1, MAX_SIDE);
    let h = ((size.height() * s).ceil() as u32).clamp(1, MAX_SIDE);
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| Error::Render(format!("cannot allocate a {w}x{h} image")))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(s, s),
        &mut pixmap.as_mut(),
    );
    progress(Progress {
        done: 1,
        total: 1,
        stage: "rasterize",
    });
    let encoded = pixmap
        .encode_png()
        .map_err(|e| Error::Render(e.to_string()))?;
    png::insert_text(&encoded, png::EASEL_KEYWORD, &util::embed_scene(scene)?)
}
