//! PNG export draws what the board holds, text included.

mod common;

use common::{no_progress, sample_scene};
use easel_core::{Element, ElementKind, Scene, zorder};
use easel_formats::{Format, export, export_png, png_dimensions};
use resvg::tiny_skia::Pixmap;

fn text_scene() -> Scene {
    let mut scene = Scene::new("Text");
    let mut t = Element::new("t", ElementKind::Text, 0.0, 0.0).with_size(400.0, 100.0);
    t.text = "Easel".into();
    t.font_size = 80.0;
    t.stroke = "#000000".into();
    t.z = zorder::key_between(None, None);
    scene.elements.push(t);
    scene
}

#[test]
fn png_text_actually_renders() {
    let png = export_png(&text_scene(), 1.0, &mut no_progress()).unwrap();
    // Kept for a look by eye: target/tmp/easel-formats-text.png.
    std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/easel-formats-text.png"),
        &png,
    )
    .unwrap();
    let (w, h) = png_dimensions(&png).unwrap();
    assert_eq!(
        (w, h),
        (442, 142),
        "the box, half a stroke and 20 units of padding a side"
    );
    let pix = Pixmap::decode_png(&png).unwrap();
    let dark = pix
        .pixels()
        .iter()
        .filter(|p| p.red() < 80 && p.green() < 80 && p.blue() < 80 && p.alpha() > 200)
        .count();
    // "Easel" at 80 px covers thousands of pixels; a missing font would leave none.
    assert!(dark > 1500, "only {dark} dark pixels");
    let corner = pix.pixel(0, 0).unwrap();
    assert_eq!(
        (corner.red(), corner.green(), corner.blue()),
        (255, 255, 255)
    );
}

#[test]
fn png_default_scale_is_two_and_sample_renders() {
    let scene = sample_scene();
    let png = export(&scene, Format::Png, &mut no_progress()).unwrap();
    std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/easel-formats-sample.png"),
        &png,
    )
    .unwrap();
    let (w, h) = png_dimensions(&png).unwrap();
    let svg = String::from_utf8(export(&scene, Format::Svg, &mut no_progress()).unwrap()).unwrap();
    let vb: Vec<f64> = svg
        .split("viewBox=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(w, (vb[2] * 2.0).ceil() as u32);
    assert_eq!(h, (vb[3] * 2.0).ceil() as u32);
}

#[test]
fn huge_boards_are_scaled_down_to_the_pixel_cap() {
    let mut scene = Scene::new("Wide");
    for (i, x) in [0.0, 200_000.0].into_iter().enumerate() {
        let mut r =
            Element::new(format!("r{i}"), ElementKind::Rectangle, x, 0.0).with_size(10.0, 10.0);
        r.z = format!("a{i}");
        scene.elements.push(r);
    }
    let png = export(&scene, Format::Png, &mut no_progress()).unwrap();
    let (w, h) = png_dimensions(&png).unwrap();
    assert!(w <= 16_384 && w > 16_000, "{w}");
    assert!(h >= 1 && (w as u64) * (h as u64) <= 64 * 1024 * 1024);
}

/// The board of the UI's `#demo-edges` page (ui/src/demo.ts `seedEdgesDemo`): top row sharp,
/// bottom row round, 220 units lower.
fn edges_scene() -> Scene {
    let mut scene = Scene::new("Edges");
    let keys = zorder::keys_after(None, 8);
    for (row, rounded) in [false, true].into_iter().enumerate() {
        let y = row as f64 * 220.0;
        let mut arrow = Element::new(format!("arrow-{row}"), ElementKind::Arrow, 40.0, 80.0 + y);
        arrow.points = vec![[0.0, 0.0], [80.0, -60.0], [160.0, 40.0], [240.0, 0.0]];
        arrow.end_arrowhead = Some("arrow".into());
        let mut ring = Element::new(format!("loop-{row}"), ElementKind::Line, 340.0, 20.0 + y);
        ring.points = vec![
            [0.0, 0.0],
            [120.0, 10.0],
            [140.0, 90.0],
            [40.0, 130.0],
            [-20.0, 60.0],
            [0.0, 0.0],
        ];
        ring.fill = "#ffc9c9".into();
        ring.stroke = "#e03131".into();
        let mut diamond = Element::new(
            format!("diamond-{row}"),
            ElementKind::Diamond,
            540.0,
            10.0 + y,
        )
        .with_size(140.0, 140.0);
        diamond.fill = "#a5d8ff".into();
        diamond.stroke = "#1971c2".into();
        let mut rect = Element::new(
            format!("rect-{row}"),
            ElementKind::Rectangle,
            720.0,
            20.0 + y,
        )
        .with_size(140.0, 110.0);
        rect.fill = "#b2f2bb".into();
        rect.stroke = "#2f9e44".into();
        for (i, mut e) in [arrow, ring, diamond, rect].into_iter().enumerate() {
            e.rounded = rounded;
            e.stroke_width = 2.0;
            e.z = keys[row * 4 + i].clone();
            scene.elements.push(e);
        }
    }
    scene
}

#[test]
fn curves_render_where_the_canvas_draws_them() {
    let scene = edges_scene();
    let svg = String::from_utf8(export(&scene, Format::Svg, &mut no_progress()).unwrap()).unwrap();
    let png = export_png(&scene, 1.0, &mut no_progress()).unwrap();
    // Kept for a look by eye: target/tmp/easel-formats-edges.{svg,png}.
    let tmp = env!("CARGO_TARGET_TMPDIR");
    std::fs::write(format!("{tmp}/easel-formats-edges.svg"), &svg).unwrap();
    std::fs::write(format!("{tmp}/easel-formats-edges.png"), &png).unwrap();
    // World to pixel: the view box's origin, one pixel per unit.
    let vb = &svg[svg.find("viewBox=\"").unwrap() + 9..];
    let o: Vec<f64> = vb[..vb.find('"').unwrap()]
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let pix = Pixmap::decode_png(&png).unwrap();
    // Whether anything is drawn within a pixel of world point (x, y).
    let inked = |x: f64, y: f64| {
        let (px, py) = ((x - o[0]).round() as i64, (y - o[1]).round() as i64);
        (px - 1..=px + 1).any(|i| {
            (py - 1..=py + 1).any(|j| {
                let p = pix.pixel(i as u32, j as u32).unwrap();
                p.red() < 200 || p.green() < 200 || p.blue() < 200
            })
        })
    };
    // The first segment of the arrow, (40, 80) to (120, 20): its midpoint, and the point the
    // curve passes through half-way along it (8 units off the chord; see curve.rs).
    let (chord, curve) = ((80.0, 50.0), (75.0, 43.75));
    assert!(
        inked(chord.0, chord.1) && !inked(curve.0, curve.1),
        "sharp arrow"
    );
    assert!(
        !inked(chord.0, chord.1 + 220.0) && inked(curve.0, curve.1 + 220.0),
        "curved arrow"
    );
    // The diamond's top vertex (610, 10) is drawn sharp; round, the corner passes 4.4 below it.
    assert!(inked(610.0, 11.0), "sharp diamond");
    assert!(
        !inked(610.0, 231.0) && inked(610.0, 234.4),
        "rounded diamond"
    );
}
