//! Pen strokes in exports have the canvas's outline: perfect-freehand's, whose width varies with
//! pressure (or speed). `fixtures/freehand/reference.json` is perfect-freehand 1.2.3's own output
//! for a few strokes with the canvas's options (`fixtures/freehand/make.mjs`).

mod common;

use common::no_progress;
use easel_core::{Element, ElementKind, Scene, zorder};
use easel_formats::freehand::outline;
use easel_formats::{Format, export};
use serde_json::Value;

fn pairs(v: &Value) -> Vec<[f64; 2]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect()
}

#[test]
fn the_outline_is_perfect_freehands() {
    let path = format!(
        "{}/../../fixtures/freehand/reference.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let reference: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for s in reference["strokes"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let pressures: Vec<f64> = s["pressures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let got = outline(
            &pairs(&s["points"]),
            &pressures,
            s["strokeWidth"].as_f64().unwrap(),
        );
        let want = pairs(&s["outline"]);
        assert_eq!(
            got.len(),
            want.len(),
            "{name}: {} points, perfect-freehand {}",
            got.len(),
            want.len()
        );
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
            .fold(0.0, f64::max);
        assert!(worst < 1e-6, "{name}: max diff {worst}");
    }
}

#[test]
fn an_exported_pen_stroke_is_its_outline_and_thicker_where_pressed_harder() {
    let mut e = Element::new("p", ElementKind::Freedraw, 0.0, 0.0);
    e.points = (0..30).map(|i| [f64::from(i) * 8.0, 0.0]).collect();
    // Light at the start, hard at the end.
    e.pressures = (0..30).map(|i| 0.05 + f64::from(i) / 30.0 * 0.9).collect();
    e.stroke_width = 4.0;
    e.z = zorder::key_between(None, None);
    let mut scene = Scene::new("pen");
    scene.elements.push(e.clone());
    let svg = String::from_utf8(export(&scene, Format::Svg, &mut no_progress()).unwrap()).unwrap();
    let g = &svg[svg.find("<g data-id=\"p\"").unwrap()..];
    assert!(g.contains(r##"fill="#1e1e1e" stroke="none""##), "{g}");
    // The outline's half-width near the start and near the end.
    let pts: Vec<[f64; 2]> = e.points.clone();
    let o = outline(&pts, &e.pressures, e.stroke_width);
    let half_width_at = |x: f64| {
        o.iter()
            .filter(|p| (p[0] - x).abs() < 6.0)
            .map(|p| p[1].abs())
            .fold(0.0, f64::max)
    };
    let (thin, thick) = (half_width_at(40.0), half_width_at(200.0));
    assert!(thick > thin * 1.5, "start {thin}, end {thick}");
}
