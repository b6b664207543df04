//! The hand-drawn style of exports against rough.js itself: `fixtures/rough/reference.json` holds
//! what rough.js 4.6.4 (the canvas's, and Excalidraw's) generates for a few shapes, seeds and
//! roughness values (`fixtures/rough/make.mjs`); the patched roughr must generate the same.

use easel_formats::rough::{Op, Opts, SetKind, Shape, generate};
use serde_json::Value;

fn points(v: &Value) -> Vec<[f64; 2]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect()
}

fn shape(c: &Value) -> Shape {
    let a = &c["args"];
    let f = |i: usize| a[i].as_f64().unwrap();
    match c["shape"].as_str().unwrap() {
        "rectangle" => Shape::Rectangle(f(0), f(1), f(2), f(3)),
        "ellipse" => Shape::Ellipse(f(0), f(1), f(2), f(3)),
        "polygon" => Shape::Polygon(points(&a[0])),
        "linearPath" => Shape::LinearPath(points(&a[0])),
        "curve" => Shape::Curve(points(&a[0])),
        "line" => Shape::Line(f(0), f(1), f(2), f(3)),
        "circle" => Shape::Circle(f(0), f(1), f(2)),
        "path" => Shape::Path(a[0].as_str().unwrap().to_string()),
        other => panic!("unknown shape {other}"),
    }
}

fn opts(o: &Value) -> Opts {
    let f = |k: &str, d: f64| o.get(k).and_then(Value::as_f64).unwrap_or(d);
    Opts {
        seed: o["seed"].as_u64().unwrap() as u32,
        roughness: f("roughness", 1.0),
        stroke_width: f("strokeWidth", 1.0),
        fill_weight: f("fillWeight", -1.0),
        hachure_gap: f("hachureGap", -1.0),
        fill: o.get("fill").and_then(Value::as_str).map(str::to_string),
        fill_style: o
            .get("fillStyle")
            .and_then(Value::as_str)
            .unwrap_or("hachure")
            .to_string(),
        disable_multi_stroke: o["disableMultiStroke"].as_bool().unwrap_or(false),
        preserve_vertices: o["preserveVertices"].as_bool().unwrap_or(false),
        curve_fitting: f("curveFitting", 0.95),
        stroke_line_dash: o.get("strokeLineDash").map(|d| {
            d.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        }),
    }
}

/// Largest coordinate difference between rough.js's sets and ours, or why they cannot be compared.
fn compare(expected: &Value, got: &[easel_formats::rough::Set]) -> Result<f64, String> {
    let expected = expected.as_array().unwrap();
    if expected.len() != got.len() {
        return Err(format!("{} sets, rough.js {}", got.len(), expected.len()));
    }
    let mut worst: f64 = 0.0;
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        let kind = match g.kind {
            SetKind::Path => "path",
            SetKind::FillPath => "fillPath",
            SetKind::FillSketch => "fillSketch",
        };
        if e["type"] != kind {
            return Err(format!("set {i}: {kind}, rough.js {}", e["type"]));
        }
        let ops = e["ops"].as_array().unwrap();
        if ops.len() != g.ops.len() {
            return Err(format!(
                "set {i} ({kind}): {} ops, rough.js {}",
                g.ops.len(),
                ops.len()
            ));
        }
        for (j, (eo, (op, data))) in ops.iter().zip(&g.ops).enumerate() {
            let name = match op {
                Op::Move => "move",
                Op::LineTo => "lineTo",
                Op::BCurveTo => "bcurveTo",
            };
            if eo[0] != name {
                return Err(format!("set {i} op {j}: {name}, rough.js {}", eo[0]));
            }
            for (k, v) in data.iter().enumerate() {
                worst = worst.max((v - eo[k + 1].as_f64().unwrap()).abs());
            }
        }
    }
    Ok(worst)
}

#[test]
fn roughr_draws_what_roughjs_draws_for_the_same_seed() {
    let path = format!(
        "{}/../../fixtures/rough/reference.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let reference: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut report = Vec::new();
    let mut failed = 0;
    for c in reference["cases"].as_array().unwrap() {
        let got = generate(&shape(c), &opts(&c["options"]));
        let label = format!(
            "{} {} seed {} roughness {}",
            c["shape"].as_str().unwrap(),
            c["options"]["fillStyle"].as_str().unwrap_or("-"),
            c["options"]["seed"],
            c["options"]["roughness"]
        );
        match compare(&c["sets"], &got) {
            Ok(d) if d <= 1e-3 => report.push(format!("ok   {label}: max diff {d:.2e}")),
            Ok(d) => {
                failed += 1;
                report.push(format!("DIFF {label}: max diff {d:.3}"))
            }
            Err(why) => {
                failed += 1;
                report.push(format!("DIFF {label}: {why}"))
            }
        }
    }
    println!("{}", report.join("\n"));
    assert_eq!(failed, 0, "\n{}", report.join("\n"));
}

/// The layers the canvas paints for each element of `fixtures/rough/elements.json` (written by
/// `ui/src/engine/rough.fixture.test.ts` from `roughLayers`): the export's must be the same,
/// options, arrowheads, colours and widths included.
#[test]
fn exports_draw_the_layers_the_canvas_draws() {
    use easel_core::Element;
    use easel_formats::rough::element_layers;
    let path = format!(
        "{}/../../fixtures/rough/elements.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for c in fixture["cases"].as_array().unwrap() {
        let e: Element = serde_json::from_value(c["element"].clone()).unwrap();
        let got = element_layers(&e);
        let want = c["layers"].as_array().unwrap();
        if got.len() != want.len() {
            failures.push(format!(
                "{}: {} layers, canvas {}",
                e.id,
                got.len(),
                want.len()
            ));
            continue;
        }
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let paint = if g.fill { "fill" } else { "stroke" };
            let dash = w["dash"]
                .as_array()
                .map(|d| d.iter().map(|v| v.as_f64().unwrap()).collect::<Vec<_>>());
            if w["paint"] != paint
                || w["color"] != g.color.as_str()
                || (w["width"].as_f64().unwrap() - g.width).abs() > 1e-9
                || dash != g.dash
                || w["evenOdd"] != g.even_odd
            {
                failures.push(
                    format!(
                        "{} layer {i}: {paint} {} {} {:?} {}, canvas {w}",
                        e.id, g.color, g.width, g.dash, g.even_odd
                    )
                    .chars()
                    .take(300)
                    .collect(),
                );
                continue;
            }
            let ops = w["ops"].as_array().unwrap();
            if ops.len() != g.ops.len() {
                failures.push(format!(
                    "{} layer {i}: {} ops, canvas {}",
                    e.id,
                    g.ops.len(),
                    ops.len()
                ));
                continue;
            }
            let mut worst: f64 = 0.0;
            for (o, (op, data)) in ops.iter().zip(&g.ops) {
                let name = match op {
                    Op::Move => "M",
                    Op::LineTo => "L",
                    Op::BCurveTo => "C",
                };
                assert_eq!(o[0], name, "{} layer {i}", e.id);
                for (k, v) in data.iter().enumerate() {
                    worst = worst.max((v - o[k + 1].as_f64().unwrap()).abs());
                }
            }
            if worst > 1e-3 {
                failures.push(format!("{} layer {i}: max diff {worst}", e.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
