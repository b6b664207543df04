//! Pen strokes as the canvas draws them: perfect-freehand 1.2.3's outline (`getStroke`), ported
//! with the options `ui/src/engine/paths.ts` (`freehandOutline`) passes: size 4.25 × the stroke
//! width, thinning 0.6, smoothing 0.5, streamline 0.5, pressure simulated when the stroke has
//! none, round caps, no taper, the stroke complete. `tests/freehand.rs` compares it with
//! perfect-freehand's own output (`fixtures/freehand/reference.json`).

use std::f64::consts::PI;

type V = [f64; 2];

const RATE_OF_PRESSURE_CHANGE: f64 = 0.275;
const FIXED_PI: f64 = PI + 0.0001;
const START_CAP_SEGMENTS: f64 = 13.0;
const END_CAP_SEGMENTS: f64 = 29.0;
const CORNER_CAP_SEGMENTS: f64 = 13.0;
const END_NOISE_THRESHOLD: f64 = 3.0;
const MIN_STREAMLINE_T: f64 = 0.15;
const STREAMLINE_T_RANGE: f64 = 0.85;
const MIN_RADIUS: f64 = 0.01;
const DEFAULT_FIRST_PRESSURE: f64 = 0.25;
const DEFAULT_PRESSURE: f64 = 0.5;

const THINNING: f64 = 0.6;
const SMOOTHING: f64 = 0.5;
const STREAMLINE: f64 = 0.5;

fn add(a: V, b: V) -> V {
    [a[0] + b[0], a[1] + b[1]]
}
fn sub(a: V, b: V) -> V {
    [a[0] - b[0], a[1] - b[1]]
}
fn mul(a: V, n: f64) -> V {
    [a[0] * n, a[1] * n]
}
fn per(a: V) -> V {
    [a[1], -a[0]]
}
fn neg(a: V) -> V {
    [-a[0], -a[1]]
}
fn dpr(a: V, b: V) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}
fn uni(a: V) -> V {
    let l = a[0].hypot(a[1]);
    [a[0] / l, a[1] / l]
}
fn dist(a: V, b: V) -> f64 {
    (a[1] - b[1]).hypot(a[0] - b[0])
}
fn dist2(a: V, b: V) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}
fn lrp(a: V, b: V, t: f64) -> V {
    add(a, mul(sub(b, a), t))
}
fn prj(a: V, b: V, c: f64) -> V {
    add(a, mul(b, c))
}
fn rot_around(a: V, c: V, r: f64) -> V {
    let (s, co) = r.sin_cos();
    let (px, py) = (a[0] - c[0], a[1] - c[1]);
    [px * co - py * s + c[0], px * s + py * co + c[1]]
}

struct StrokePoint {
    point: V,
    pressure: f64,
    vector: V,
    distance: f64,
    running_length: f64,
}

fn simulate_pressure(prev: f64, distance: f64, size: f64) -> f64 {
    let sp = (distance / size).min(1.0);
    let rp = (1.0 - sp).min(1.0);
    (prev + (rp - prev) * (sp * RATE_OF_PRESSURE_CHANGE)).min(1.0)
}

fn stroke_radius(size: f64, pressure: f64) -> f64 {
    size * (0.5 - THINNING * (0.5 - pressure))
}

fn valid(p: Option<f64>) -> Option<f64> {
    p.filter(|p| *p >= 0.0)
}

/// perfect-freehand's `getStrokePoints`; input points are (x, y, pressure or none).
fn stroke_points(input: &[(V, Option<f64>)], size: f64) -> Vec<StrokePoint> {
    if input.is_empty() {
        return Vec::new();
    }
    let t = MIN_STREAMLINE_T + (1.0 - STREAMLINE) * STREAMLINE_T_RANGE;
    let mut pts: Vec<(V, Option<f64>)> = input.to_vec();
    if pts.len() == 2 {
        // Four points between the two; `lrp` drops their pressure, as in the JavaScript.
        let last = pts[1].0;
        pts.truncate(1);
        for i in 1..5 {
            pts.push((lrp(pts[0].0, last, f64::from(i) / 4.0), None));
        }
    }
    if pts.len() == 1 {
        pts.push((add(pts[0].0, [1.0, 1.0]), pts[0].1));
    }
    let mut out = vec![StrokePoint {
        point: pts[0].0,
        pressure: valid(pts[0].1).unwrap_or(DEFAULT_FIRST_PRESSURE),
        vector: [1.0, 1.0],
        distance: 0.0,
        running_length: 0.0,
    }];
    let mut reached_minimum = false;
    let mut running = 0.0;
    let max = pts.len() - 1;
    for (i, (p, pressure)) in pts.iter().enumerate().skip(1) {
        let prev = out.last().unwrap().point;
        // The stroke is complete: the last point is where it is, not streamlined.
        let point = if i == max { *p } else { lrp(prev, *p, t) };
        if prev == point {
            continue;
        }
        let distance = dist(point, prev);
        running += distance;
        if i < max && !reached_minimum {
            if running < size {
                continue;
            }
            reached_minimum = true;
        }
        out.push(StrokePoint {
            point,
            pressure: valid(*pressure).unwrap_or(DEFAULT_PRESSURE),
            vector: uni(sub(prev, point)),
            distance,
            running_length: running,
        });
    }
    out[0].vector = out.get(1).map_or([0.0, 0.0], |p| p.vector);
    out
}

/// `t` from `step` up to (while `below`) 1, accumulated as the JavaScript loops do.
fn steps(step: f64, inclusive: bool) -> Vec<f64> {
    let mut out = Vec::new();
    let mut t = step;
    while if inclusive { t <= 1.0 } else { t < 1.0 } {
        out.push(t);
        t += step;
    }
    out
}

/// perfect-freehand's `getStrokeOutlinePoints` with the canvas's options.
fn outline_points(points: &[StrokePoint], size: f64, simulate: bool) -> Vec<V> {
    if points.is_empty() || size <= 0.0 {
        return Vec::new();
    }
    let total = points[points.len() - 1].running_length;
    let min_distance = (size * SMOOTHING).powi(2);
    let mut left: Vec<V> = Vec::new();
    let mut right: Vec<V> = Vec::new();
    let mut prev_pressure = points.iter().take(10).fold(points[0].pressure, |acc, p| {
        let pressure = if simulate {
            simulate_pressure(acc, p.distance, size)
        } else {
            p.pressure
        };
        (acc + pressure) / 2.0
    });
    let mut radius = stroke_radius(size, points[points.len() - 1].pressure);
    let mut first_radius: Option<f64> = None;
    let mut prev_vector = points[0].vector;
    let mut prev_left = points[0].point;
    let mut prev_right = prev_left;
    let mut temp_left = prev_left;
    let mut temp_right = prev_right;
    let mut prev_sharp = false;
    for (i, sp) in points.iter().enumerate() {
        let mut pressure = sp.pressure;
        let last = i == points.len() - 1;
        if !last && total - sp.running_length < END_NOISE_THRESHOLD {
            continue;
        }
        if simulate {
            pressure = simulate_pressure(prev_pressure, sp.distance, size);
        }
        radius = stroke_radius(size, pressure);
        if first_radius.is_none() {
            first_radius = Some(radius);
        }
        radius = radius.max(MIN_RADIUS);
        let next_vector = if last {
            sp.vector
        } else {
            points[i + 1].vector
        };
        let next_dpr = if last {
            1.0
        } else {
            dpr(sp.vector, next_vector)
        };
        let prev_dpr = dpr(sp.vector, prev_vector);
        let sharp = prev_dpr < 0.0 && !prev_sharp;
        let next_sharp = next_dpr < 0.0;
        if sharp || next_sharp {
            let offset = mul(per(prev_vector), radius);
            for t in std::iter::once(0.0).chain(steps(1.0 / CORNER_CAP_SEGMENTS, true)) {
                temp_left = rot_around(sub(sp.point, offset), sp.point, FIXED_PI * t);
                left.push(temp_left);
                temp_right = rot_around(add(sp.point, offset), sp.point, FIXED_PI * -t);
                right.push(temp_right);
            }
            prev_left = temp_left;
            prev_right = temp_right;
            if next_sharp {
                prev_sharp = true;
            }
            continue;
        }
        prev_sharp = false;
        if last {
            let offset = mul(per(sp.vector), radius);
            left.push(sub(sp.point, offset));
            right.push(add(sp.point, offset));
            continue;
        }
        let offset = mul(per(lrp(next_vector, sp.vector, next_dpr)), radius);
        temp_left = sub(sp.point, offset);
        if i <= 1 || dist2(prev_left, temp_left) > min_distance {
            left.push(temp_left);
            prev_left = temp_left;
        }
        temp_right = add(sp.point, offset);
        if i <= 1 || dist2(prev_right, temp_right) > min_distance {
            right.push(temp_right);
            prev_right = temp_right;
        }
        prev_pressure = pressure;
        prev_vector = sp.vector;
    }
    let first = points[0].point;
    let last_point = if points.len() > 1 {
        points[points.len() - 1].point
    } else {
        add(points[0].point, [1.0, 1.0])
    };
    if points.len() == 1 {
        // A dot.
        let r = first_radius.unwrap_or(radius);
        let start = prj(first, uni(per(sub(first, add(first, [1.0, 1.0])))), -r);
        return steps(1.0 / START_CAP_SEGMENTS, true)
            .into_iter()
            .map(|t| rot_around(start, first, FIXED_PI * 2.0 * t))
            .collect();
    }
    let start_cap: Vec<V> = match right.first() {
        Some(r0) => steps(1.0 / START_CAP_SEGMENTS, true)
            .into_iter()
            .map(|t| rot_around(*r0, first, FIXED_PI * t))
            .collect(),
        None => Vec::new(),
    };
    let direction = per(neg(points[points.len() - 1].vector));
    let start = prj(last_point, direction, radius);
    let end_cap: Vec<V> = steps(1.0 / END_CAP_SEGMENTS, false)
        .into_iter()
        .map(|t| rot_around(start, last_point, FIXED_PI * 3.0 * t))
        .collect();
    right.reverse();
    left.into_iter()
        .chain(end_cap)
        .chain(right)
        .chain(start_cap)
        .collect()
}

/// The outline polygon of a pen stroke through `points` (world coordinates) with `pressures`
/// (one per point, or none to simulate them), as the canvas computes it.
pub fn outline(points: &[V], pressures: &[f64], stroke_width: f64) -> Vec<V> {
    let simulate = pressures.len() != points.len();
    let input: Vec<(V, Option<f64>)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, Some(if simulate { 0.5 } else { pressures[i] })))
        .collect();
    let size = stroke_width * 4.25;
    outline_points(&stroke_points(&input, size), size, simulate)
}

/// SVG path data for an outline, smoothed as the canvas does (`outlineToOps`: a quadratic curve
/// through the midpoints, closed).
pub fn outline_path(outline: &[V], num: impl Fn(f64) -> String) -> String {
    if outline.len() < 2 {
        return String::new();
    }
    let mut d = format!("M{},{}", num(outline[0][0]), num(outline[0][1]));
    for (i, a) in outline.iter().enumerate() {
        let b = outline[(i + 1) % outline.len()];
        d.push_str(&format!(
            " Q{},{} {},{}",
            num(a[0]),
            num(a[1]),
            num((a[0] + b[0]) / 2.0),
            num((a[1] + b[1]) / 2.0)
        ));
    }
    d.push('Z');
    d
}
