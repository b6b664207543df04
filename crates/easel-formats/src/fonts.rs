//! Fonts for exports: the families the canvas bundles (Excalifont for the hand-drawn style,
//! Nunito, Cascadia Code; `fonts/`, copied from the npm packages the UI loads them from, with
//! their licences, by `fonts/from-npm.mjs`), the CSS stack each element's family is drawn with
//! (the canvas's `fontStack` in ui/src/engine/text.ts gives the same), and text measured with the
//! font that draws it, so labels wrap where the canvas wraps them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::usvg::fontdb;
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

/// The family used when none of an element's fonts is installed.
pub const FALLBACK_FONT: &str = "DejaVu Sans";

/// The fonts exports bring along: (family, TrueType file).
pub const BUNDLED: [(&str, &[u8]); 3] = [
    (
        "Excalifont",
        include_bytes!("../fonts/Excalifont-Regular.ttf"),
    ),
    (
        "Nunito",
        include_bytes!("../fonts/Nunito-Regular-latin.ttf"),
    ),
    (
        "Cascadia Code",
        include_bytes!("../fonts/CascadiaCode-Regular-latin.ttf"),
    ),
];

/// The families an element's `fontFamily` is drawn with, best first; the last is generic.
pub fn stack(family: &str) -> Vec<String> {
    let f = family.to_ascii_lowercase();
    let list: &[&str] = match f.as_str() {
        "hand-drawn" | "virgil" | "excalifont" | "handdrawn" => &[
            "Excalifont",
            "Virgil",
            "Comic Shanns",
            "DejaVu Sans",
            "sans-serif",
        ],
        "nunito" => &["Nunito", "DejaVu Sans", "sans-serif"],
        "monospace" | "cascadia" | "cascadia code" | "code" | "mono" => {
            &["Cascadia Code", "Cascadia", "DejaVu Sans Mono", "monospace"]
        }
        "serif" => &["DejaVu Serif", "serif"],
        "sans-serif" | "helvetica" | "sans" => &["Helvetica", "DejaVu Sans", "sans-serif"],
        _ => {
            let clean = family.replace(['\'', '"', ';', '\\', '<', '>', '&'], "");
            return vec![clean, "DejaVu Sans".into(), "sans-serif".into()];
        }
    };
    list.iter().map(|s| s.to_string()).collect()
}

/// The system's fonts plus the bundled ones, loaded once per process (scanning the font
/// directories is the slowest part of a small export).
pub fn database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        for (_, data) in BUNDLED {
            db.load_font_data(data.to_vec());
        }
        db.set_sans_serif_family(FALLBACK_FONT);
        db.set_serif_family("DejaVu Serif");
        db.set_monospace_family("DejaVu Sans Mono");
        Arc::new(db)
    })
    .clone()
}

/// The face that draws `family` (the first of its stack that is installed).
fn face(family: &str) -> Option<fontdb::ID> {
    let db = database();
    stack(family).iter().find_map(|name| {
        let fam = match name.as_str() {
            "sans-serif" => fontdb::Family::SansSerif,
            "serif" => fontdb::Family::Serif,
            "monospace" => fontdb::Family::Monospace,
            n => fontdb::Family::Name(n),
        };
        db.query(&fontdb::Query {
            families: &[fam],
            ..fontdb::Query::default()
        })
    })
}

/// A face's bytes and its index in them.
type FaceData = (Arc<Vec<u8>>, u32);

/// A face's bytes and index, kept after the first read (system fonts are read from disk).
fn face_data(id: fontdb::ID) -> Option<FaceData> {
    static CACHE: OnceLock<Mutex<HashMap<fontdb::ID, FaceData>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok()?.get(&id) {
        return Some(hit.clone());
    }
    let got = database().with_face_data(id, |data, index| (Arc::new(data.to_vec()), index))?;
    cache.lock().ok()?.insert(id, got.clone());
    Some(got)
}

/// The width of `line` set in `font_size` units of `family`: the sum of its glyphs' advances
/// (no kerning), or the canvas's estimate of 0.55 em a character when no font is found.
pub fn line_width(line: &str, font_size: f64, family: &str) -> f64 {
    let estimate = line.chars().count() as f64 * font_size * 0.55;
    let Some((data, index)) = face(family).and_then(face_data) else {
        return estimate;
    };
    let Ok(font) = skrifa::FontRef::from_index(&data, index) else {
        return estimate;
    };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::new(font_size as f32), LocationRef::default());
    line.chars()
        .map(|c| {
            let gid = charmap.map(c).unwrap_or_default();
            f64::from(metrics.advance_width(gid).unwrap_or(0.0))
        })
        .sum()
}
