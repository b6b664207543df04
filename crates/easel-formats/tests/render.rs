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

/// A three-point arrow inside a frame-like rectangle that pins the view box (world (x, y) is pixel
/// (x + 21, y + 21) at scale 1: 20 of padding and half the rectangle's stroke), its heads as given.
fn headed_arrow(start: Option<&str>, end: Option<&str>) -> Pixmap {
    let mut scene = Scene::new("Heads");
    let keys = zorder::keys_after(None, 2);
    let mut pin = Element::new("pin", ElementKind::Rectangle, 0.0, 0.0).with_size(400.0, 200.0);
    pin.z = keys[0].clone();
    let mut a = Element::new("a", ElementKind::Arrow, 100.0, 50.0);
    a.points = vec![[0.0, 0.0], [150.0, 0.0], [150.0, 100.0]];
    a.width = 150.0;
    a.height = 100.0;
    a.start_arrowhead = start.map(str::to_string);
    a.end_arrowhead = end.map(str::to_string);
    a.z = keys[1].clone();
    scene.elements.extend([pin, a]);
    let png = export_png(&scene, 1.0, &mut no_progress()).unwrap();
    assert_eq!(png_dimensions(&png).unwrap(), (442, 242));
    Pixmap::decode_png(&png).unwrap()
}

fn dark_at(pix: &Pixmap, x: f64, y: f64) -> bool {
    let p = pix.pixel((x + 21.0) as u32, (y + 21.0) as u32).unwrap();
    p.red() < 128 && p.alpha() > 128
}

fn dark_pixels(pix: &Pixmap) -> usize {
    pix.pixels()
        .iter()
        .filter(|p| p.red() < 128 && p.alpha() > 128)
        .count()
}

#[test]
fn png_draws_each_arrowhead_at_its_end_of_a_multi_point_arrow() {
    // Sample points sit off the 2-unit shaft (the last segment runs down x = 250 to the tip at
    // (250, 150); the first starts at (100, 50) going right), inside where a head is drawn.
    let (inside_tip, behind_start, beside_start) = ((251.2, 143.0), (100.2, 52.0), (102.2, 51.2));
    let none = headed_arrow(Some("none"), Some("none"));
    // The corner of the multi-point shaft is drawn; the ends carry no head.
    assert!(dark_at(&none, 250.0, 50.0));
    assert!(
        !dark_at(&none, inside_tip.0, inside_tip.1),
        "no head at the tip"
    );
    assert!(
        !dark_at(&none, behind_start.0, behind_start.1),
        "no head at the start"
    );
    // The end aims down the last segment: a filled triangle covers the point beside the shaft
    // near the tip, an open arrowhead leaves it clear between its two strokes.
    let triangle = headed_arrow(None, Some("triangle"));
    let arrow = headed_arrow(None, Some("arrow"));
    assert!(dark_at(&triangle, inside_tip.0, inside_tip.1));
    assert!(!dark_at(&arrow, inside_tip.0, inside_tip.1));
    assert!(dark_pixels(&triangle) > dark_pixels(&arrow));
    assert!(dark_pixels(&arrow) > dark_pixels(&none));
    // An unset end of an arrow is an arrowhead, as on the canvas.
    assert_eq!(dark_pixels(&headed_arrow(None, None)), dark_pixels(&arrow));
    // At the start: a dot is a filled disc round the start point, a bar one stroke across the shaft.
    let dot = headed_arrow(Some("dot"), Some("none"));
    assert!(dark_at(&dot, behind_start.0, behind_start.1));
    assert!(
        dark_at(&dot, beside_start.0, beside_start.1),
        "a dot is a disc"
    );
    let bar = headed_arrow(Some("bar"), Some("none"));
    assert!(dark_at(&bar, 100.2, 53.0));
    assert!(
        !dark_at(&bar, beside_start.0, beside_start.1),
        "a bar is one stroke across, not a disc"
    );
}

#[test]
fn png_clips_a_frames_children_to_the_frame() {
    let mut scene = Scene::new("Frame");
    let keys = zorder::keys_after(None, 3);
    let mut frame = Element::new("f", ElementKind::Frame, 0.0, 0.0).with_size(200.0, 200.0);
    frame.z = keys[0].clone();
    // A filled child running out of the frame's right side, and a free one beside it.
    let mut child = Element::new("c", ElementKind::Rectangle, 150.0, 50.0).with_size(150.0, 100.0);
    child.fill = "#1e1e1e".into();
    child.frame_id = Some("f".into());
    child.z = keys[1].clone();
    let mut pin = Element::new("pin", ElementKind::Rectangle, 350.0, 50.0).with_size(50.0, 100.0);
    pin.z = keys[2].clone();
    scene.elements.extend([frame, child, pin]);
    let png = export_png(&scene, 1.0, &mut no_progress()).unwrap();
    // The frame's label takes 24 above it: world (x, y) is pixel (x + 21, y + 24 + 21).
    assert_eq!(png_dimensions(&png).unwrap(), (442, 266));
    let pix = Pixmap::decode_png(&png).unwrap();
    let dark = |x: f64, y: f64| {
        let p = pix.pixel((x + 21.0) as u32, (y + 45.0) as u32).unwrap();
        p.red() < 128 && p.alpha() > 128
    };
    assert!(dark(175.0, 100.0), "the child inside the frame");
    assert!(
        !dark(250.0, 100.0),
        "the child past the frame's edge is cut off"
    );
    let mut unclipped = scene.clone();
    unclipped.elements[1].frame_id = None;
    let pix =
        Pixmap::decode_png(&export_png(&unclipped, 1.0, &mut no_progress()).unwrap()).unwrap();
    let p = pix.pixel(250 + 21, 100 + 45).unwrap();
    assert!(p.red() < 128, "a free element is drawn whole");
}
