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
