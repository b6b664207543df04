//! The smooth curves the canvas draws, for the SVG export: rounded lines and arrows (a
//! Catmull-Rom spline through their points) and the corners of rounded diamonds, as cubic
//! Béziers.
//!
//! This mirrors `ui/src/engine/curve.ts` control point for control point, so an exported board
//! looks like the board on screen; change both together.

use easel_core::{Element, ElementKind};

/// A point.
pub type Pt = (f64, f64);

/// A cubic Bézier: start, first control, second control, end.
pub type Cubic = [Pt; 4];

/// Whether a line or arrow is drawn as a smooth curve: rounded, with three points or more.
pub fn is_curved(e: &Element) -> bool {
    matches!(e.kind, ElementKind::Line | ElementKind::Arrow) && e.rounded && e.points.len() >= 3
}

/// A polyline with more than two points whose first and last points coincide.
pub fn is_closed(pts: &[Pt]) -> bool {
    pts.len() > 2 && pts.first() == pts.last()
}

/// The uniform Catmull-Rom spline through `pts`, one cubic per segment: the segment from P1 to
/// P2 has controls P1 + (P2 - P0) / 6 and P2 - (P3 - P1) / 6 (how rough.js `curve` draws with
/// Excalidraw's tightness 0 and no roughness). An open curve duplicates its end points, so it
/// leaves and reaches them along the end segments; a closed one (`closed`, the last point
/// repeating the first) wraps its neighbours around, so the seam is smooth (Excalidraw draws it
/// open, with a corner at the seam).
pub fn catmull_rom(pts: &[Pt], closed: bool) -> Vec<Cubic> {
    let ring = if closed { &pts[..pts.len() - 1] } else { pts };
    let m = ring.len();
    if m < 2 {
        return Vec::new();
    }
    let at = |i: isize| -> Pt {
        if closed {
            ring[i.rem_euclid(m as isize) as usize]
        } else {
            ring[i.clamp(0, m as isize - 1) as usize]
        }
    };
    let segments = if closed { m } else { m - 1 };
    (0..segments as isize)
        .map(|i| {
            let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
            [
                p1,
                (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0),
                (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0),
                p2,
            ]
        })
        .collect()
}

/// The point at parameter `t` (0..1) of a cubic.
pub fn cubic_at(c: &Cubic, t: f64) -> Pt {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    (
        (0..4).map(|i| w[i] * c[i].0).sum(),
        (0..4).map(|i| w[i] * c[i].1).sum(),
    )
}

/// Parameters in (0, 1) where one coordinate of a cubic (control values a..d) is extreme.
fn extrema(a: f64, b: f64, c: f64, d: f64) -> Vec<f64> {
    // B'(t) / 3 = qa t² + qb t + qc.
    let (qa, qb, qc) = (d - 3.0 * c + 3.0 * b - a, 2.0 * (c - 2.0 * b + a), b - a);
    let mut ts = Vec::new();
    if qa.abs() < 1e-12 {
        if qb.abs() > 1e-12 {
            ts.push(-qc / qb);
        }
    } else {
        let disc = qb * qb - 4.0 * qa * qc;
        if disc >= 0.0 {
            let s = disc.sqrt();
            ts.push((-qb + s) / (2.0 * qa));
            ts.push((-qb - s) / (2.0 * qa));
        }
    }
    ts.retain(|t| *t > 0.0 && *t < 1.0);
    ts
}

/// The exact bounds (x0, y0, x1, y1) of the cubics, bulges included; None for none.
pub fn bounds(cubics: &[Cubic]) -> Option<(f64, f64, f64, f64)> {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut take = |p: Pt| {
        b = (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1));
    };
    for c in cubics {
        take(c[0]);
        take(c[3]);
        let ts = extrema(c[0].0, c[1].0, c[2].0, c[3].0)
            .into_iter()
            .chain(extrema(c[0].1, c[1].1, c[2].1, c[3].1));
        for t in ts {
            take(cubic_at(c, t));
        }
    }
    (!cubics.is_empty()).then_some(b)
}

/// How far along each edge from a vertex a rounded diamond's corner starts, at most.
const DIAMOND_CORNER_MAX: f64 = 32.0;

/// The four corners of a rounded diamond in the box (x, y, w, h), top, right, bottom, left: each a
/// cubic from a point on the incoming edge to one on the outgoing edge, both controls on the
/// vertex (as Excalidraw draws them), a quarter of the way along each edge and at most
/// `DIAMOND_CORNER_MAX` along it. Straight edges join consecutive corners.
pub fn diamond_corners(x: f64, y: f64, w: f64, h: f64) -> [Cubic; 4] {
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let v = [(cx, y), (x + w, cy), (cx, y + h), (x, cy)];
    let edge = (w / 2.0).hypot(h / 2.0);
    let f = if edge > 0.0 {
        (DIAMOND_CORNER_MAX / edge).min(0.25)
    } else {
        0.0
    };
    std::array::from_fn(|i| {
        let (p, prev, next) = (v[i], v[(i + 3) % 4], v[(i + 1) % 4]);
        [
            (p.0 + f * (prev.0 - p.0), p.1 + f * (prev.1 - p.1)),
            p,
            p,
            (p.0 + f * (next.0 - p.0), p.1 + f * (next.1 - p.1)),
        ]
    })
}

/// A point behind the end of a cubic along its tangent there: the nearest control point that
/// differs from the end (an arrowhead aims from it).
pub fn behind_end(c: &Cubic) -> Pt {
    [c[2], c[1], c[0]]
        .into_iter()
        .find(|p| *p != c[3])
        .unwrap_or(c[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_rough_js_catmull_rom_with_the_ends_duplicated() {
        let c = catmull_rom(&[(0.0, 0.0), (60.0, 30.0), (120.0, 0.0)], false);
        assert_eq!(
            c,
            vec![
                [(0.0, 0.0), (10.0, 5.0), (40.0, 30.0), (60.0, 30.0)],
                [(60.0, 30.0), (80.0, 30.0), (110.0, 5.0), (120.0, 0.0)],
            ]
        );
    }

    #[test]
    fn a_closed_curve_is_smooth_at_the_seam() {
        let ring = [
            (0.0, 0.0),
            (100.0, 0.0),
            (100.0, 100.0),
            (0.0, 100.0),
            (0.0, 0.0),
        ];
        let c = catmull_rom(&ring, true);
        assert_eq!(c.len(), 4);
        let last = c[3];
        let (din, dout) = (
            (last[3].0 - last[2].0, last[3].1 - last[2].1),
            (c[0][1].0 - c[0][0].0, c[0][1].1 - c[0][0].1),
        );
        assert!(
            (din.0 * dout.1 - din.1 * dout.0).abs() < 1e-9,
            "{din:?} {dout:?}"
        );
        assert!(
            dout.1 != 0.0,
            "the open curve's straight start would be a corner"
        );
    }

    #[test]
    fn bounds_take_in_the_bulge() {
        let c = catmull_rom(&[(0.0, 0.0), (100.0, 100.0), (150.0, 20.0)], false);
        let b = bounds(&c).unwrap();
        let max_y = (0..=2000)
            .flat_map(|i| c.iter().map(move |k| cubic_at(k, i as f64 / 2000.0).1))
            .fold(f64::MIN, f64::max);
        assert!(max_y > 100.0);
        assert!((b.3 - max_y).abs() < 1e-3, "{} vs {max_y}", b.3);
    }
}
