//! Exports show what the canvas shows: hand-drawn strokes, pattern fills, sticky notes without a
//! border, arrow labels in the middle. Each test fails on what the export drew before.

mod common;

use common::no_progress;
use easel_core::{Element, ElementKind, Scene, zorder};
use easel_formats::{Format, export, export_png};
use resvg::tiny_skia::Pixmap;

fn scene(elements: Vec<Element>) -> Scene {
    let mut scene = Scene::new("Look");
    let mut z = None;
    for mut e in elements {
        let k = zorder::key_between(z.as_deref(), None);
        e.z = k.clone();
        z = Some(k);
        scene.elements.push(e);
    }
    scene
}

fn svg(s: &Scene) -> String {
    String::from_utf8(export(s, Format::Svg, &mut no_progress()).unwrap()).unwrap()
}

fn png(s: &Scene, name: &str) -> Pixmap {
    let bytes = export_png(s, 1.0, &mut no_progress()).unwrap();
    std::fs::write(
        format!("{}/easel-look-{name}.png", env!("CARGO_TARGET_TMPDIR")),
        &bytes,
    )
    .unwrap();
    Pixmap::decode_png(&bytes).unwrap()
}

fn rect(fill_style: &str, roughness: f64) -> Element {
    let mut e = Element::new("r", ElementKind::Rectangle, 0.0, 0.0).with_size(200.0, 120.0);
    e.fill = "#1971c2".into();
    e.fill_style = fill_style.into();
    e.roughness = roughness;
    e.seed = 42;
    e
}

/// Share of the pixels well inside the rectangle (the PNG has 20 px of padding, scale 1) that
/// carry the fill colour.
fn filled_share(p: &Pixmap) -> f64 {
    let (mut filled, mut total) = (0, 0);
    for y in 50..120 {
        for x in 50..190 {
            let c = p.pixel(x, y).unwrap();
            total += 1;
            if c.blue() > 150 && c.red() < 120 {
                filled += 1;
            }
        }
    }
    filled as f64 / total as f64
}

#[test]
fn hachure_and_cross_hatch_export_as_lines_not_solid() {
    let solid = filled_share(&png(&scene(vec![rect("solid", 0.0)]), "solid"));
    assert!(solid > 0.99, "solid fills: {solid}");
    for (style, roughness) in [
        ("hachure", 0.0),
        ("hachure", 1.0),
        ("cross-hatch", 0.0),
        ("zigzag", 2.0),
    ] {
        let share = filled_share(&png(
            &scene(vec![rect(style, roughness)]),
            &format!("{style}-{roughness}"),
        ));
        // Lines 1 unit wide every 8 units: a hatch covers a part, not the whole.
        assert!(
            share > 0.05 && share < 0.6,
            "{style} at roughness {roughness}: {share}"
        );
    }
    let s = svg(&scene(vec![rect("cross-hatch", 0.0)]));
    assert!(
        !s.contains(r##"fill="#1971c2""##),
        "no solid region in the fill colour: {s}"
    );
    assert!(s.contains(r##"stroke="#1971c2" stroke-width="1""##), "{s}");
}

#[test]
fn rough_shapes_export_hand_drawn_and_roughness_zero_stays_clean() {
    let mut clean = rect("solid", 0.0);
    clean.fill = "transparent".into();
    let s = svg(&scene(vec![clean.clone()]));
    assert!(
        s.contains(r#"<rect x="0" y="0" width="200" height="120""#),
        "{s}"
    );
    let mut rough = clean;
    rough.roughness = 1.0;
    let s = svg(&scene(vec![rough.clone()]));
    assert!(!s.contains("<rect x=\"0\""), "{s}");
    // rough.js's double strokes: two curves per side.
    let d = &s[s.find("<g data-id=\"r\"").unwrap()..];
    assert_eq!(d.matches(" C").count() + d.matches("\"C").count(), 8, "{d}");
    // The same seed draws the same thing; another seed another.
    assert_eq!(s, svg(&scene(vec![rough.clone()])));
    rough.seed = 43;
    assert_ne!(s, svg(&scene(vec![rough])));
}

#[test]
fn a_sticky_has_no_border() {
    let mut note = Element::new("s", ElementKind::Sticky, 0.0, 0.0).with_size(120.0, 120.0);
    note.stroke = "#000000".into();
    let s = svg(&scene(vec![note.clone()]));
    let g = &s[s.find("<g data-id=\"s\"").unwrap()..];
    assert!(!g.contains(r##"stroke="#000000""##), "{g}");
    // No dark pixels along the note's edge.
    let p = png(&scene(vec![note]), "sticky");
    for (x, y) in [(20, 80), (80, 20), (139, 80), (80, 139)] {
        let c = p.pixel(x, y).unwrap();
        assert!(c.red() > 200 && c.green() > 200, "({x}, {y}) is {c:?}");
    }
}

#[test]
fn an_arrow_label_sits_in_the_middle_of_the_arrow() {
    let mut a = Element::new("a", ElementKind::Arrow, 100.0, 50.0).with_size(300.0, 0.0);
    a.points = vec![[0.0, 0.0], [300.0, 0.0]];
    a.text = "label".into();
    let s = svg(&scene(vec![a]));
    let t = &s[s.find("<text").unwrap()..];
    assert!(t.starts_with(r#"<text x="250""#), "{t}");
}

#[test]
fn export_options_background_scale_and_selection() {
    use easel_core::Binding;
    use easel_formats::{ExportOptions, export_with, png_dimensions};
    let mut a = Element::new("a", ElementKind::Rectangle, 0.0, 0.0).with_size(100.0, 50.0);
    a.fill = "#1971c2".into();
    let b = Element::new("b", ElementKind::Ellipse, 400.0, 300.0).with_size(80.0, 80.0);
    let mut arrow = Element::new("arr", ElementKind::Arrow, 100.0, 25.0).with_size(300.0, 275.0);
    arrow.points = vec![[0.0, 0.0], [300.0, 275.0]];
    arrow.start = Some(Binding {
        element: "a".into(),
        focus: 0.0,
        gap: 4.0,
        side: None,
    });
    arrow.end = Some(Binding {
        element: "b".into(),
        focus: 0.0,
        gap: 4.0,
        side: None,
    });
    let mut s = scene(vec![a, b, arrow]);
    s.meta.background = "#ffc9c9".into();
    let run =
        |format, opts: &ExportOptions| export_with(&s, format, opts, &mut no_progress()).unwrap();

    // Background on (the default) and off.
    let with = Pixmap::decode_png(&run(
        Format::Png,
        &ExportOptions {
            scale: 1.0,
            ..Default::default()
        },
    ))
    .unwrap();
    let corner = with.pixel(0, 0).unwrap();
    assert_eq!(
        (corner.red(), corner.green(), corner.blue(), corner.alpha()),
        (255, 201, 201, 255)
    );
    let without = Pixmap::decode_png(&run(
        Format::Png,
        &ExportOptions {
            scale: 1.0,
            background: false,
            ..Default::default()
        },
    ))
    .unwrap();
    assert_eq!(without.pixel(0, 0).unwrap().alpha(), 0);
    let svg = String::from_utf8(run(
        Format::Svg,
        &ExportOptions {
            background: false,
            ..Default::default()
        },
    ))
    .unwrap();
    assert!(!svg.contains("#ffc9c9"), "{svg}");

    // Scale: 3x is three times 1x a side.
    let one = png_dimensions(&run(
        Format::Png,
        &ExportOptions {
            scale: 1.0,
            ..Default::default()
        },
    ))
    .unwrap();
    let three = png_dimensions(&run(
        Format::Png,
        &ExportOptions {
            scale: 3.0,
            ..Default::default()
        },
    ))
    .unwrap();
    assert_eq!(
        (three.0 as f64 / one.0 as f64).round(),
        3.0,
        "{one:?} {three:?}"
    );

    // Selection only: the rectangle and the arrow; the arrow's binding to the ellipse is dropped.
    let only = ExportOptions {
        only: Some(vec!["a".into(), "arr".into()]),
        scale: 1.0,
        ..Default::default()
    };
    let json: serde_json::Value = serde_json::from_slice(&run(Format::EaselJson, &only)).unwrap();
    let els = json["scene"]["elements"].as_array().unwrap();
    assert_eq!(els.len(), 2);
    let arr = els.iter().find(|e| e["id"] == "arr").unwrap();
    assert_eq!(arr["start"]["element"], "a");
    assert!(arr.get("end").is_none(), "{arr}");
    let sel = String::from_utf8(run(Format::Svg, &only)).unwrap();
    assert!(
        sel.contains("data-id=\"a\"") && !sel.contains("data-id=\"b\""),
        "{sel}"
    );
    let small = png_dimensions(&run(Format::Png, &only)).unwrap();
    assert!(small.0 < one.0 && small.1 < one.1, "{small:?} vs {one:?}");
}
