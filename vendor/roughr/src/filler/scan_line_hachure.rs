use std::borrow::BorrowMut;
use std::cmp::Ordering;
use std::marker::PhantomData;

use euclid::default::Point2D;
use euclid::Trig;
use num_traits::{Float, FromPrimitive};

use super::traits::PatternFiller;
use crate::core::{OpSet, Options, _cc};
use crate::geometry::Line;

#[derive(Clone)]
struct EdgeEntry<F: Float + FromPrimitive + Trig> {
    pub(crate) ymin: F,
    pub(crate) ymax: F,
    pub(crate) x: F,
    pub(crate) islope: F,
}

impl<F: Float + FromPrimitive + Trig> std::fmt::Display for EdgeEntry<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        return f.write_str(&format!(
            "ymin={} ymax={} x={} islope={}",
            self.ymin.to_f64().unwrap(),
            self.ymax.to_f64().unwrap(),
            self.x.to_f64().unwrap(),
            self.islope.to_f64().unwrap()
        ));
    }
}


/// Easel: rough.js 4.6.4's `polygonHachureLines` (fillers/scan-line-hachure.ts) over
/// hachure-fill 0.5.2's `hachureLines`, which roughr 0.14 ported from an older rough.js (it
/// stepped by the gap, did not round, and drew no random skip offset), so its hachures differed.
/// Takes the options mutably: from roughness 1 it draws one random number, as rough.js does.
pub fn polygon_hachure_lines<F: Float + FromPrimitive + Trig>(
    polygon_list: &mut Vec<Vec<Point2D<F>>>,
    options: &mut Options,
) -> Vec<Line<F>> {
    let angle = f64::from(options.hachure_angle.unwrap_or(-41.0)) + 90.0;
    let mut gap = f64::from(options.hachure_gap.unwrap_or(-1.0));
    if gap < 0.0 {
        gap = f64::from(options.stroke_width.unwrap_or(1.0)) * 4.0;
    }
    gap = gap.max(0.1);
    let mut skip_offset = 1.0;
    if options.roughness.unwrap_or(1.0) >= 1.0 && options.random() > 0.7 {
        skip_offset = gap;
    }
    hachure_lines(polygon_list, gap, angle, skip_offset)
}

fn rotate_in_place<F: Float + FromPrimitive + Trig>(points: &mut [Point2D<F>], degrees: f64) {
    let angle = (std::f64::consts::PI / 180.0) * degrees;
    let (cos, sin) = (angle.cos(), angle.sin());
    for p in points.iter_mut() {
        let (x, y) = (p.x.to_f64().unwrap(), p.y.to_f64().unwrap());
        p.x = _cc(x * cos - y * sin);
        p.y = _cc(x * sin + y * cos);
    }
}

/// hachure-fill 0.5.2's `hachureLines`: rotate the polygons by `angle` about the origin, scan
/// them one unit at a time (emitting every `gap`-th line, or every line when `step` is not 1),
/// rotate back.
fn hachure_lines<F: Float + FromPrimitive + Trig>(
    polygons: &mut [Vec<Point2D<F>>],
    gap: f64,
    angle: f64,
    step: f64,
) -> Vec<Line<F>> {
    let gap = gap.max(0.1);
    let mut rotated: Vec<Vec<Point2D<F>>> = polygons.to_vec();
    if angle != 0.0 {
        for p in rotated.iter_mut() {
            rotate_in_place(p, angle);
        }
    }
    let mut lines = straight_hachure_lines(&rotated, gap, step);
    if angle != 0.0 {
        for l in lines.iter_mut() {
            let mut pts = [l.start_point, l.end_point];
            rotate_in_place(&mut pts, -angle);
            l.start_point = pts[0];
            l.end_point = pts[1];
        }
    }
    lines
}

fn straight_hachure_lines<F>(polygons: &[Vec<Point2D<F>>], gap: f64, step: f64) -> Vec<Line<F>>
where
    F: Float + FromPrimitive + Trig,
{
    let mut vertex_array: Vec<Vec<[f64; 2]>> = vec![];
    for polygon in polygons {
        let mut vertices: Vec<[f64; 2]> = polygon
            .iter()
            .map(|p| [p.x.to_f64().unwrap(), p.y.to_f64().unwrap()])
            .collect();
        if let (Some(first), Some(last)) = (vertices.first().copied(), vertices.last().copied()) {
            if first != last {
                vertices.push(first);
            }
        }
        if vertices.len() > 2 {
            vertex_array.push(vertices);
        }
    }
    let mut lines: Vec<Line<F>> = vec![];
    let mut edges: Vec<EdgeEntry<f64>> = vec![];
    for vertices in &vertex_array {
        for w in vertices.windows(2) {
            let (p1, p2) = (w[0], w[1]);
            if p1[1] != p2[1] {
                let ymin = p1[1].min(p2[1]);
                edges.push(EdgeEntry {
                    ymin,
                    ymax: p1[1].max(p2[1]),
                    x: if ymin == p1[1] { p1[0] } else { p2[0] },
                    islope: (p2[0] - p1[0]) / (p2[1] - p1[1]),
                });
            }
        }
    }
    // JavaScript's Array.prototype.sort is stable, as sort_by is.
    edges.sort_by(|e1, e2| {
        if e1.ymin < e2.ymin {
            Ordering::Less
        } else if e1.ymin > e2.ymin {
            Ordering::Greater
        } else if e1.x < e2.x {
            Ordering::Less
        } else if e1.x > e2.x {
            Ordering::Greater
        } else if e1.ymax == e2.ymax {
            Ordering::Equal
        } else if e1.ymax > e2.ymax {
            Ordering::Greater
        } else {
            Ordering::Less
        }
    });
    if edges.is_empty() {
        return lines;
    }
    let mut active: Vec<EdgeEntry<f64>> = vec![];
    let mut y = edges[0].ymin;
    let mut iteration: f64 = 0.0;
    while !active.is_empty() || !edges.is_empty() {
        if !edges.is_empty() {
            let mut ix: isize = -1;
            for (i, e) in edges.iter().enumerate() {
                if e.ymin > y {
                    break;
                }
                ix = i as isize;
            }
            let removed: Vec<EdgeEntry<f64>> = edges.drain(0..(ix + 1) as usize).collect();
            active.extend(removed);
        }
        active.retain(|ae| ae.ymax > y);
        active.sort_by(|a, b| {
            if a.x == b.x {
                Ordering::Equal
            } else if a.x > b.x {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        });
        if (step != 1.0 || iteration % gap == 0.0) && active.len() > 1 {
            let mut i = 0;
            while i + 1 < active.len() {
                let (ce, ne) = (&active[i], &active[i + 1]);
                lines.push(Line::from(&[
                    euclid::Point2D::new(_cc(js_round(ce.x)), _cc(y)),
                    euclid::Point2D::new(_cc(js_round(ne.x)), _cc(y)),
                ]));
                i += 2;
            }
        }
        y += step;
        for ae in active.iter_mut() {
            ae.x += step * ae.islope;
        }
        iteration += 1.0;
    }
    lines
}

/// JavaScript's Math.round: halves go up (towards +infinity).
fn js_round(v: f64) -> f64 {
    (v + 0.5).floor()
}

pub struct ScanlineHachureFiller<F> {
    _phantom: PhantomData<F>,
}

impl<F, P> PatternFiller<F, P> for ScanlineHachureFiller<F>
where
    F: Float + Trig + FromPrimitive,
    P: BorrowMut<Vec<Vec<Point2D<F>>>>,
{
    fn fill_polygons(&self, mut polygon_list: P, o: &mut Options) -> crate::core::OpSet<F> {
        let lines = polygon_hachure_lines(polygon_list.borrow_mut(), o);
        let ops = ScanlineHachureFiller::render_lines(lines, o);
        OpSet {
            op_set_type: crate::core::OpSetType::FillSketch,
            ops: ops,
            size: None,
            path: None,
        }
    }
}

impl<F: Float + Trig + FromPrimitive> ScanlineHachureFiller<F> {
    pub fn new() -> Self {
        ScanlineHachureFiller { _phantom: PhantomData }
    }

    fn render_lines(lines: Vec<Line<F>>, o: &mut Options) -> Vec<crate::core::Op<F>> {
        let mut ops: Vec<crate::core::Op<F>> = vec![];
        lines.iter().for_each(|l| {
            ops.extend(crate::renderer::_double_line(
                l.start_point.x,
                l.start_point.y,
                l.end_point.x,
                l.end_point.y,
                o,
                true,
            ))
        });

        ops
    }
}

#[cfg(test)]
mod test {
    use euclid::point2;

    use crate::geometry::Line;

    #[test]
    fn straight_hachure_lines() {
        let mut input = vec![vec![
            point2(0.0, 0.0),
            point2(0.0, 1.0),
            point2(1.0, 1.0),
            point2(1.0, 0.0),
        ]];
        let expected = vec![
            Line::from(&[point2(0.0, 0.0), point2(1.0, 0.0)]),
            Line::from(&[
                point2(0.0, 0.10000000149011612),
                point2(1.0, 0.10000000149011612),
            ]),
            Line::from(&[
                point2(0.0, 0.20000000298023224),
                point2(1.0, 0.20000000298023224),
            ]),
            Line::from(&[
                point2(0.0, 0.30000000447034836),
                point2(1.0, 0.30000000447034836),
            ]),
            Line::from(&[
                point2(0.0, 0.4000000059604645),
                point2(1.0, 0.4000000059604645),
            ]),
            Line::from(&[
                point2(0.0, 0.5000000074505806),
                point2(1.0, 0.5000000074505806),
            ]),
            Line::from(&[
                point2(0.0, 0.6000000089406967),
                point2(1.0, 0.6000000089406967),
            ]),
            Line::from(&[
                point2(0.0, 0.7000000104308128),
                point2(1.0, 0.7000000104308128),
            ]),
            Line::from(&[
                point2(0.0, 0.800000011920929),
                point2(1.0, 0.800000011920929),
            ]),
            Line::from(&[
                point2(0.0, 0.9000000134110451),
                point2(1.0, 0.9000000134110451),
            ]),
        ];
        let result = super::straight_hachure_lines(&mut input, 0.1);
        assert_eq!(expected, result);
    }
}
