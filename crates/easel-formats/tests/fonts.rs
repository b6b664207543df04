//! The families the canvas bundles are drawn by exports with the same fonts, and labels wrap
//! by those fonts' widths (the canvas measures with the same files).

mod common;

use common::no_progress;
use easel_core::{Element, ElementKind, Scene, zorder};
use easel_formats::fonts::{BUNDLED, line_width};
use easel_formats::{Format, export, export_png};
use resvg::tiny_skia::Pixmap;

fn text(family: &str, s: &str) -> Scene {
    let mut scene = Scene::new("fonts");
    let mut t = Element::new("t", ElementKind::Text, 0.0, 0.0).with_size(600.0, 100.0);
    t.text = s.into();
    t.font_size = 60.0;
    t.font_family = family.into();
    t.stroke = "#000000".into();
    t.z = zorder::key_between(None, None);
    scene.elements.push(t);
    scene
}

fn dark_pixels(p: &Pixmap) -> Vec<bool> {
    p.pixels()
        .iter()
        .map(|c| c.red() < 100 && c.alpha() > 200)
        .collect()
}

#[test]
fn bundled_families_render_with_their_own_glyphs() {
    let mut seen = Vec::new();
    for family in ["Excalifont", "Nunito", "Cascadia Code", "sans-serif"] {
        let png = export_png(&text(family, "Hello, board"), 1.0, &mut no_progress()).unwrap();
        std::fs::write(
            format!(
                "{}/easel-font-{}.png",
                env!("CARGO_TARGET_TMPDIR"),
                family.replace(' ', "-")
            ),
            &png,
        )
        .unwrap();
        let p = Pixmap::decode_png(&png).unwrap();
        let ink = dark_pixels(&p);
        assert!(
            ink.iter().filter(|d| **d).count() > 1500,
            "{family} drew no text"
        );
        seen.push((family, ink));
    }
    // Each family draws different pixels from every other (none fell back to the same font).
    for i in 0..seen.len() {
        for j in i + 1..seen.len() {
            assert_ne!(
                seen[i].1, seen[j].1,
                "{} and {} look the same",
                seen[i].0, seen[j].0
            );
        }
    }
    let svg = String::from_utf8(
        export(&text("hand-drawn", "x"), Format::Svg, &mut no_progress()).unwrap(),
    )
    .unwrap();
    assert!(
        svg.contains("font-family=\"Excalifont, Virgil, &apos;Comic Shanns&apos;")
            || svg.contains("font-family=\"Excalifont, Virgil, 'Comic Shanns'"),
        "{svg}"
    );
}

#[test]
fn text_is_measured_with_the_font_that_draws_it() {
    assert_eq!(BUNDLED.len(), 3);
    let s = "Wrap this label like the canvas does";
    let (hand, nunito, code) = (
        line_width(s, 20.0, "Excalifont"),
        line_width(s, 20.0, "Nunito"),
        line_width(s, 20.0, "Cascadia Code"),
    );
    // A monospace font: every advance the same, 1200/2048 em in Cascadia Code.
    assert!(
        (code - s.chars().count() as f64 * 20.0 * 1200.0 / 2048.0).abs() < 1e-3,
        "{code}"
    );
    assert!(
        nunito < code && (hand - nunito).abs() > 1.0,
        "{hand} {nunito} {code}"
    );
    // Widths scale with the size.
    assert!((line_width(s, 40.0, "Nunito") - 2.0 * nunito).abs() < 1e-3);
}

#[test]
fn a_label_wraps_where_its_font_runs_out_of_room() {
    let label = "one two three four five six seven eight";
    let lines = |family: &str| {
        let mut note = Element::new("n", ElementKind::Sticky, 0.0, 0.0).with_size(236.0, 200.0);
        note.text = label.into();
        note.font_family = family.into();
        note.z = zorder::key_between(None, None);
        let mut scene = Scene::new("wrap");
        scene.elements.push(note);
        let svg =
            String::from_utf8(export(&scene, Format::Svg, &mut no_progress()).unwrap()).unwrap();
        svg.matches("<tspan").count()
    };
    // 220 units of room at 20 px: the wide code font needs more lines than Nunito.
    let (nunito, code) = (lines("Nunito"), lines("Cascadia Code"));
    assert!(code > nunito, "Nunito {nunito} lines, Cascadia Code {code}");
}

/// Widths Chromium's canvas measured for these strings at 32 px with the UI's font files
/// (excalifont, @fontsource/nunito, @fontsource/cascadia-code): the export's measure agrees to
/// within kerning (the export sums advances, the canvas kerns).
#[test]
fn widths_match_the_canvas() {
    let canvas = [
        ("Excalifont", "The quick brown fox", 319.4566650390625),
        ("Excalifont", "Sticky note label, wraps!", 377.9847412109375),
        ("Nunito", "The quick brown fox", 291.93658447265625),
        ("Nunito", "Sticky note label, wraps!", 349.53668212890625),
        ("Cascadia Code", "The quick brown fox", 356.25),
        ("Cascadia Code", "Sticky note label, wraps!", 468.75),
    ];
    for (family, text, want) in canvas {
        let got = line_width(text, 32.0, family);
        println!("{family} {text:?}: export {got:.3}, canvas {want:.3}");
        assert!(
            (got - want).abs() <= want * 0.01,
            "{family} {text:?}: {got} vs {want}"
        );
    }
}

/// Emoji are drawn from the system's colour emoji font (Debian's fonts-noto-color-emoji, which
/// `./dev` installs), not as empty boxes.
#[test]
fn emoji_render_in_colour() {
    let png = export_png(&text("sans-serif", "ok 🎉👍"), 1.0, &mut no_progress()).unwrap();
    std::fs::write(
        format!("{}/easel-font-emoji.png", env!("CARGO_TARGET_TMPDIR")),
        &png,
    )
    .unwrap();
    let p = Pixmap::decode_png(&png).unwrap();
    let coloured = p
        .pixels()
        .iter()
        .filter(|c| {
            let (r, g, b) = (
                i32::from(c.red()),
                i32::from(c.green()),
                i32::from(c.blue()),
            );
            c.alpha() > 200 && (r - g).abs().max((g - b).abs()).max((r - b).abs()) > 80
        })
        .count();
    assert!(coloured > 300, "only {coloured} coloured pixels");
}
