//! What the benchmarks share: the boards they measure on.

use std::time::Duration;

use easel_core::{Element, ElementKind, Scene};

/// A board of `n` elements on a grid: rectangles, ellipses, texts and 16-point pen strokes.
pub fn scene(n: usize) -> Scene {
    let mut s = Scene::new(format!("{n} elements"));
    let kinds = [
        ElementKind::Rectangle,
        ElementKind::Ellipse,
        ElementKind::Text,
        ElementKind::Freedraw,
    ];
    for i in 0..n {
        let kind = kinds[i % kinds.len()];
        let mut e = Element::new(
            format!("e{i}"),
            kind,
            (i % 1000) as f64 * 12.0,
            (i / 1000) as f64 * 12.0,
        )
        .with_size(10.0, 10.0);
        e.stroke = "#1971c2".into();
        if kind == ElementKind::Text {
            e.text = format!("note {i}");
        }
        if kind == ElementKind::Freedraw {
            e.points = (0..16).map(|p| [p as f64, (p * p % 7) as f64]).collect();
        }
        s.elements.push(e);
    }
    s
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
