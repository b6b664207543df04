use std::fmt::Display;
use std::ops::MulAssign;

use euclid::default::Point2D;
use euclid::Trig;
use num_traits::{Float, FromPrimitive};
use svg_path_ops::{absolutize, normalize};
use svgtypes::{PathParser, PathSegment};

use crate::core::{_c, _cc};

pub fn points_on_path<F>(
    path: String,
    tolerance: Option<F>,
    distance: Option<F>,
) -> Vec<Vec<Point2D<F>>>
where
    F: FromPrimitive + Trig + Float + MulAssign + Display,
{
    let path_parser = PathParser::from(path.as_ref());
    let path_segments: Vec<PathSegment> = path_parser.flatten().collect();
    let normalized_segments = normalize(absolutize(path_segments.iter()));

    generate_points(tolerance, distance, normalized_segments)
}

pub fn points_on_segments<F>(
    path_segments: Vec<PathSegment>,
    tolerance: Option<F>,
    distance: Option<F>,
) -> Vec<Vec<Point2D<F>>>
where
    F: FromPrimitive + Trig + Float + MulAssign + Display,
{
    let normalized_segments = normalize(absolutize(path_segments.iter()));
    generate_points(tolerance, distance, normalized_segments)
}

fn generate_points<F>(
    tolerance: Option<F>,
    distance: Option<F>,
    normalized_segments: impl Iterator<Item = PathSegment>,
) -> Vec<Vec<euclid::Point2D<F, euclid::UnknownUnit>>>
where
    F: FromPrimitive + Trig + Float + MulAssign + Display,
{
    let mut sets: Vec<Vec<Point2D<F>>> = vec![];
    let mut current_points: Vec<Point2D<F>> = vec![];
    let mut start = Point2D::new(_c::<F>(0.0), _c::<F>(0.0));
    let mut pending_curve: Vec<Point2D<F>> = vec![];

    let append_pending_curve =
        |current_points: &mut Vec<Point2D<F>>, pending_curve: &mut Vec<Point2D<F>>| {
            if pending_curve.len() >= 4 {
                current_points.append(&mut points_on_bezier_curves(
                    &pending_curve[..],
                    tolerance.unwrap_or(_c(0.0)),
                    None,
                ));
            }
            pending_curve.clear();
        };

    let mut append_pending_points =
        |current_points: &mut Vec<Point2D<F>>, pending_curve: &mut Vec<Point2D<F>>| {
            {
                append_pending_curve(current_points, pending_curve);
            }
            if !current_points.is_empty() {
                sets.push(current_points.clone());
                current_points.clear();
            }
        };

    for segment in normalized_segments {
        match segment {
            PathSegment::MoveTo { abs: true, x, y } => {
                append_pending_points(&mut current_points, &mut pending_curve);
                start = Point2D::new(_cc::<F>(x), _cc::<F>(y));
                current_points.push(start);
            }
            PathSegment::LineTo { abs: true, x, y } => {
                append_pending_curve(&mut current_points, &mut pending_curve);
                current_points.push(Point2D::new(_cc::<F>(x), _cc::<F>(y)));
            }
            PathSegment::CurveTo { abs: true, x1, y1, x2, y2, x, y } => {
                if pending_curve.is_empty() {
                    let last_point = if !current_points.is_empty() {
                        current_points.last().unwrap()
                    } else {
                        &start
                    };
                    pending_curve.push(*last_point);
                }
                pending_curve.push(Point2D::new(_cc::<F>(x1), _cc::<F>(y1)));
                pending_curve.push(Point2D::new(_cc::<F>(x2), _cc::<F>(y2)));
                pending_curve.push(Point2D::new(_cc::<F>(x), _cc::<F>(y)));
            }
            PathSegment::ClosePath { abs: true } => {
                append_pending_curve(&mut current_points, &mut pending_curve);
                current_points.push(start);
            }
            _ => panic!("unexpected  path segment"),
        }
    }

    append_pending_points(&mut current_points, &mut pending_curve);

    if let Some(dst) = distance {
        let mut out = vec![];
        for set in sets.iter() {
            let simplified_set = simplify(set, dst);
            if !simplified_set.is_empty() {
                out.push(simplified_set);
            }
        }
        out
    } else {
        sets
    }
}

// Easel: points-on-curve 0.2's sampling and simplification as rough.js runs them. The
// points_on_curve crate interpolates as `a * (1 - t) + b * t` where the JavaScript does
// `a + (b - a) * t`; the last-bit differences break ties in the simplification of symmetric
// curves (a rounded rectangle's corners) the other way, so hachure fills moved by pixels.

fn lerp<F: Float>(a: Point2D<F>, b: Point2D<F>, t: F) -> Point2D<F> {
    Point2D::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
}

fn distance_sq<F: Float>(a: Point2D<F>, b: Point2D<F>) -> F {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

fn distance_to_segment_sq<F: Float>(p: Point2D<F>, v: Point2D<F>, w: Point2D<F>) -> F {
    let l2 = distance_sq(v, w);
    if l2 == F::zero() {
        return distance_sq(p, v);
    }
    let t = ((p.x - v.x) * (w.x - v.x) + (p.y - v.y) * (w.y - v.y)) / l2;
    let t = F::zero().max(F::one().min(t));
    distance_sq(p, lerp(v, w, t))
}

fn flatness<F: Float>(points: &[Point2D<F>], offset: usize) -> F {
    let (p1, p2, p3, p4) = (points[offset], points[offset + 1], points[offset + 2], points[offset + 3]);
    let (three, two) = (F::from(3).unwrap(), F::from(2).unwrap());
    let mut ux = three * p2.x - two * p1.x - p4.x;
    ux = ux * ux;
    let mut uy = three * p2.y - two * p1.y - p4.y;
    uy = uy * uy;
    let mut vx = three * p3.x - two * p4.x - p1.x;
    vx = vx * vx;
    let mut vy = three * p3.y - two * p4.y - p1.y;
    vy = vy * vy;
    if ux < vx {
        ux = vx;
    }
    if uy < vy {
        uy = vy;
    }
    ux + uy
}

fn points_on_bezier_with_splitting<F: Float>(
    points: &[Point2D<F>],
    offset: usize,
    tolerance: F,
    out: &mut Vec<Point2D<F>>,
) {
    if flatness(points, offset) < tolerance {
        let p0 = points[offset];
        match out.last() {
            Some(last) if distance_sq(*last, p0).sqrt() <= F::one() => {}
            _ => out.push(p0),
        }
        out.push(points[offset + 3]);
    } else {
        let t = F::from(0.5).unwrap();
        let (p1, p2, p3, p4) = (points[offset], points[offset + 1], points[offset + 2], points[offset + 3]);
        let q1 = lerp(p1, p2, t);
        let q2 = lerp(p2, p3, t);
        let q3 = lerp(p3, p4, t);
        let r1 = lerp(q1, q2, t);
        let r2 = lerp(q2, q3, t);
        let red = lerp(r1, r2, t);
        points_on_bezier_with_splitting(&[p1, q1, r1, red], 0, tolerance, out);
        points_on_bezier_with_splitting(&[red, r2, q3, p4], 0, tolerance, out);
    }
}

pub(crate) fn points_on_bezier_curves<F: Float>(points: &[Point2D<F>], tolerance: F, distance: Option<F>) -> Vec<Point2D<F>> {
    let mut out = vec![];
    let segments = points.len().saturating_sub(1) / 3;
    for i in 0..segments {
        points_on_bezier_with_splitting(points, i * 3, tolerance, &mut out);
    }
    match distance {
        Some(d) if d > F::zero() && !out.is_empty() => {
            let mut simplified = vec![];
            simplify_points(&out, 0, out.len(), d, &mut simplified);
            simplified
        }
        _ => out,
    }
}

fn simplify_points<F: Float>(points: &[Point2D<F>], start: usize, end: usize, epsilon: F, out: &mut Vec<Point2D<F>>) {
    let s = points[start];
    let e = points[end - 1];
    let mut max_dist_sq = F::zero();
    let mut max_ndx = 1;
    for i in (start + 1)..(end - 1) {
        let d = distance_to_segment_sq(points[i], s, e);
        if d > max_dist_sq {
            max_dist_sq = d;
            max_ndx = i;
        }
    }
    if max_dist_sq.sqrt() > epsilon {
        simplify_points(points, start, max_ndx + 1, epsilon, out);
        simplify_points(points, max_ndx, end, epsilon, out);
    } else {
        if out.is_empty() {
            out.push(s);
        }
        out.push(e);
    }
}

fn simplify<F: Float>(points: &[Point2D<F>], distance: F) -> Vec<Point2D<F>> {
    let mut out = vec![];
    if !points.is_empty() {
        simplify_points(points, 0, points.len(), distance, &mut out);
    }
    out
}
