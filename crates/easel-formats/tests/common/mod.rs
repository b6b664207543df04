//! A scene with every element kind and most fields set, shared by the round-trip tests.

#![allow(dead_code)]

use easel_core::{Binding, BoardFile, Element, ElementKind, Scene, zorder};

/// A tiny real PNG (2x2 red), made by the same encoder resvg uses.
pub fn tiny_png() -> Vec<u8> {
    let mut p = resvg::tiny_skia::Pixmap::new(2, 2).expect("pixmap");
    p.fill(resvg::tiny_skia::Color::from_rgba8(255, 0, 0, 255));
    p.encode_png().expect("png")
}

pub fn sample_scene() -> Scene {
    let mut scene = Scene::new("Every kind");
    scene.meta.background = "#f8f9fa".into();
    scene.meta.grid = Some(20.0);
    let file = BoardFile::new("image/png", tiny_png());

    let mut frame = Element::new("frame-1", ElementKind::Frame, 0.0, 0.0).with_size(900.0, 600.0);
    frame.name = Some("Plan".into());

    let mut rect =
        Element::new("rect-1", ElementKind::Rectangle, 40.0, 40.0).with_size(200.0, 100.0);
    rect.stroke = "#1971c2".into();
    rect.fill = "#a5d8ff".into();
    rect.fill_style = "hachure".into();
    rect.stroke_width = 4.0;
    rect.stroke_style = "dashed".into();
    rect.roughness = 1.0;
    rect.rounded = true;
    rect.opacity = 0.5;
    rect.angle = 0.25;
    rect.text = "Bound label\nsecond line".into();
    rect.font_size = 28.0;
    rect.font_family = "hand-drawn".into();
    rect.text_align = "center".into();
    rect.vertical_align = "middle".into();
    rect.group_ids = vec!["group-a".into()];
    rect.frame_id = Some("frame-1".into());
    rect.author = "user-7".into();
    rect.updated_at = 1_700_000_000_000.0;
    rect.link = Some("https://example.com/a".into());

    let mut ellipse =
        Element::new("ellipse-1", ElementKind::Ellipse, 400.0, 40.0).with_size(160.0, 120.0);
    ellipse.fill = "#ffc9c9".into();
    ellipse.stroke_style = "dotted".into();
    ellipse.group_ids = vec!["group-a".into()];
    ellipse.frame_id = Some("frame-1".into());

    let mut diamond =
        Element::new("diamond-1", ElementKind::Diamond, 640.0, 40.0).with_size(120.0, 120.0);
    diamond.locked = true;
    diamond.fill_style = "cross-hatch".into();

    let mut arrow = Element::new("arrow-1", ElementKind::Arrow, 240.0, 90.0).with_size(160.0, 10.0);
    arrow.points = vec![[0.0, 0.0], [80.0, 10.0], [160.0, 10.0]];
    arrow.start = Some(Binding {
        element: "rect-1".into(),
        focus: 0.25,
        gap: 4.0,
        side: Some("right".into()),
    });
    arrow.end = Some(Binding {
        element: "ellipse-1".into(),
        focus: -0.5,
        gap: 6.0,
        side: None,
    });
    arrow.start_arrowhead = Some("dot".into());
    arrow.end_arrowhead = Some("arrow".into());
    arrow.text = "flows to".into();
    arrow.font_size = 16.0;

    let mut line = Element::new("line-1", ElementKind::Line, 40.0, 300.0).with_size(200.0, 50.0);
    line.points = vec![[0.0, 0.0], [100.0, 50.0], [200.0, 0.0]];
    line.stroke_width = 1.0;

    let mut pen = Element::new("pen-1", ElementKind::Freedraw, 300.0, 300.0).with_size(120.0, 40.0);
    pen.points = vec![
        [0.0, 0.0],
        [30.0, 20.0],
        [60.0, 40.0],
        [90.0, 20.0],
        [120.0, 0.0],
    ];
    pen.pressures = vec![0.25, 0.5, 0.75, 0.5, 0.25];
    pen.stroke = "#2f9e44".into();

    let mut text = Element::new("text-1", ElementKind::Text, 40.0, 420.0).with_size(300.0, 60.0);
    text.text = "Hello, board & <friends>".into();
    text.font_size = 24.0;
    text.font_family = "monospace".into();
    text.text_align = "left".into();

    let mut sticky =
        Element::new("sticky-1", ElementKind::Sticky, 500.0, 300.0).with_size(180.0, 180.0);
    sticky.fill = "#ffec99".into();
    sticky.text = "Remember the milk and the eggs".into();
    sticky.font_family = "Nunito".into();

    let mut image = Element::new("image-1", ElementKind::Image, 700.0, 420.0).with_size(64.0, 64.0);
    image.file_id = Some(file.id.clone());

    let mut els = vec![
        frame, rect, ellipse, diamond, arrow, line, pen, text, sticky, image,
    ];
    for (e, k) in els.iter_mut().zip(zorder::keys_after(None, 10)) {
        e.z = k;
    }
    scene.elements = els;
    scene.files = vec![file];
    scene.validate().expect("sample scene is valid");
    scene
}

pub fn no_progress() -> impl FnMut(easel_formats::Progress) {
    |_| {}
}
