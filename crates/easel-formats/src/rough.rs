//! The hand-drawn style in exports: what `ui/src/engine/rough.ts` draws on the canvas, through
//! `roughr` (a Rust port of rough.js, patched in `vendor/roughr` to draw what rough.js 4.6.4 draws
//! for a seed; `tests/rough.rs` compares it with rough.js's own output in
//! `fixtures/rough/reference.json`).
//!
//! Rectangles, diamonds, ellipses, lines and arrows with a roughness above 0 are drawn entirely
//! by rough.js, with the options Excalidraw passes it (`generateRoughOptions`), so a board
//! imported from Excalidraw wobbles as it did there. At roughness 0 the outline stays the clean
//! geometry of `svg.rs`, and only a hachure, cross-hatch or zigzag fill is rough.js's (straight).

use easel_core::{Element, ElementKind};
use roughr::core::{FillStyle, OpSetType, OpType, Options};
use roughr::generator::Generator;
use roughr::{Point2D, Srgba};

/// What rough.js is asked to draw, in the element's own coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Rectangle(f64, f64, f64, f64),
    /// Centre x, centre y, width, height.
    Ellipse(f64, f64, f64, f64),
    /// Centre x, centre y, diameter.
    Circle(f64, f64, f64),
    Polygon(Vec<[f64; 2]>),
    LinearPath(Vec<[f64; 2]>),
    Curve(Vec<[f64; 2]>),
    Line(f64, f64, f64, f64),
    /// An SVG path (rounded rectangles and diamonds).
    Path(String),
}

/// The rough.js options Easel uses (a subset of rough.js's `Options`).
#[derive(Debug, Clone, PartialEq)]
pub struct Opts {
    pub seed: u32,
    pub roughness: f64,
    pub stroke_width: f64,
    pub fill_weight: f64,
    pub hachure_gap: f64,
    /// The fill colour, or none: no fill is generated.
    pub fill: Option<String>,
    /// `solid`, `hachure`, `cross-hatch` or `zigzag`.
    pub fill_style: String,
    pub disable_multi_stroke: bool,
    pub preserve_vertices: bool,
    pub curve_fitting: f64,
    pub stroke_line_dash: Option<Vec<f64>>,
}

impl Opts {
    fn to_roughr(&self) -> Options {
        let fill_style = match self.fill_style.as_str() {
            "solid" => FillStyle::Solid,
            "cross-hatch" => FillStyle::CrossHatch,
            "zigzag" => FillStyle::ZigZag,
            _ => FillStyle::Hachure,
        };
        Options {
            seed: Some(u64::from(self.seed)),
            roughness: Some(self.roughness as f32),
            stroke_width: Some(self.stroke_width as f32),
            fill_weight: Some(self.fill_weight as f32),
            hachure_gap: Some(self.hachure_gap as f32),
            // The colours are painted by the caller; roughr only needs to know there is one.
            fill: self.fill.as_ref().map(|_| Srgba::new(0.0, 0.0, 0.0, 1.0)),
            fill_style: Some(fill_style),
            disable_multi_stroke: Some(self.disable_multi_stroke),
            preserve_vertices: Some(self.preserve_vertices),
            curve_fitting: Some(self.curve_fitting as f32),
            // rough.js's default (roughr's is 2).
            bowing: Some(1.0),
            stroke_line_dash: self.stroke_line_dash.clone(),
            ..Options::default()
        }
    }
}

/// One of rough.js's op sets: `path` (stroked in the stroke colour), `fillPath` (filled in the
/// fill colour) or `fillSketch` (hachure lines stroked in the fill colour).
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    pub kind: SetKind,
    /// `(op, data)`: move (x, y), lineTo (x, y) or bcurveTo (three points).
    pub ops: Vec<(Op, Vec<f64>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    Path,
    FillPath,
    FillSketch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Move,
    LineTo,
    BCurveTo,
}

fn pts(v: &[[f64; 2]]) -> Vec<Point2D<f64>> {
    v.iter().map(|[x, y]| Point2D::new(*x, *y)).collect()
}

/// rough.js's generator call for `shape` with `opts`: its op sets, in its order.
pub fn generate(shape: &Shape, opts: &Opts) -> Vec<Set> {
    let g = Generator::default();
    let o = Some(opts.to_roughr());
    let d = match shape {
        Shape::Rectangle(x, y, w, h) => g.rectangle(*x, *y, *w, *h, &o),
        Shape::Ellipse(x, y, w, h) => g.ellipse(*x, *y, *w, *h, &o),
        Shape::Circle(x, y, d) => g.circle(*x, *y, *d, &o),
        Shape::Polygon(p) => g.polygon(&pts(p), &o),
        Shape::LinearPath(p) => g.linear_path(&pts(p), false, &o),
        Shape::Curve(p) => g.curve(&pts(p), &o),
        Shape::Line(x1, y1, x2, y2) => g.line(*x1, *y1, *x2, *y2, &o),
        Shape::Path(d) => g.path(d.clone(), &o),
    };
    d.sets
        .into_iter()
        .map(|s| Set {
            kind: match s.op_set_type {
                OpSetType::Path => SetKind::Path,
                OpSetType::FillPath => SetKind::FillPath,
                OpSetType::FillSketch => SetKind::FillSketch,
            },
            ops: s
                .ops
                .into_iter()
                .map(|op| {
                    let kind = match op.op {
                        OpType::Move => Op::Move,
                        OpType::LineTo => Op::LineTo,
                        OpType::BCurveTo => Op::BCurveTo,
                    };
                    (kind, op.data)
                })
                .collect(),
        })
        .collect()
}

/// Kinds the hand-drawn style applies to.
pub fn applies_to(kind: ElementKind) -> bool {
    matches!(
        kind,
        ElementKind::Rectangle
            | ElementKind::Diamond
            | ElementKind::Ellipse
            | ElementKind::Line
            | ElementKind::Arrow
    )
}

fn transparent(c: &str) -> bool {
    c.is_empty() || c == "transparent" || c == "none"
}

/// Whether a closed line (its last point on its first) is filled.
fn is_loop(e: &Element) -> bool {
    e.points.len() > 2 && e.points.first() == e.points.last()
}

fn has_fill(e: &Element) -> bool {
    if transparent(&e.fill) {
        return false;
    }
    match e.kind {
        ElementKind::Line => is_loop(e),
        ElementKind::Arrow => false,
        _ => true,
    }
}

/// Whether `e` is drawn (in part) by rough.js: a rough shape, or a clean one with a pattern fill.
pub fn is_rough(e: &Element) -> bool {
    applies_to(e.kind) && (e.roughness > 0.0 || (has_fill(e) && e.fill_style != "solid"))
}

/// Excalidraw's `adjustRoughness`: small shapes wobble less.
pub fn adjust_roughness(e: &Element) -> f64 {
    let max = e.width.max(e.height);
    let min = e.width.min(e.height);
    let linear = matches!(e.kind, ElementKind::Line | ElementKind::Arrow);
    let roundable = matches!(
        e.kind,
        ElementKind::Rectangle | ElementKind::Diamond | ElementKind::Line
    );
    if (min >= 20.0 && max >= 50.0)
        || (min >= 15.0 && e.rounded && roundable)
        || (linear && max >= 50.0)
    {
        return e.roughness;
    }
    (e.roughness / if max < 10.0 { 3.0 } else { 2.0 }).min(2.5)
}

/// Excalidraw's dash pattern of a rough stroke.
pub fn rough_dash(e: &Element) -> Option<Vec<f64>> {
    match e.stroke_style.as_str() {
        "dashed" => Some(vec![8.0, 8.0 + e.stroke_width]),
        "dotted" => Some(vec![1.5, 6.0 + e.stroke_width]),
        _ => None,
    }
}

/// The options Excalidraw draws `e` with (`continuous`: an SVG path shape).
pub fn options(e: &Element, continuous: bool) -> Opts {
    let solid = e.stroke_style == "solid";
    Opts {
        seed: e.rough_seed(),
        roughness: adjust_roughness(e),
        stroke_width: if solid {
            e.stroke_width
        } else {
            e.stroke_width + 0.5
        },
        fill_weight: e.stroke_width / 2.0,
        hachure_gap: e.stroke_width * 4.0,
        fill: has_fill(e).then(|| e.fill.clone()),
        fill_style: e.fill_style.clone(),
        disable_multi_stroke: !solid,
        preserve_vertices: continuous || e.roughness < 2.0,
        curve_fitting: if e.kind == ElementKind::Ellipse {
            1.0
        } else {
            0.95
        },
        stroke_line_dash: rough_dash(e),
    }
}

fn adaptive_radius(side: f64) -> f64 {
    if side <= 128.0 { side * 0.25 } else { 32.0 }
}

/// The SVG path of a rounded rectangle `w` x `h` at the origin, as Excalidraw builds it.
pub fn rounded_rect_path(w: f64, h: f64) -> String {
    let r = adaptive_radius(w.min(h));
    format!(
        "M {r} 0 L {a} 0 Q {w} 0, {w} {r} L {w} {b} Q {w} {h}, {a} {h} L {r} {h} Q 0 {h}, 0 {b} L 0 {r} Q 0 0, {r} 0",
        a = w - r,
        b = h - r
    )
}

/// The SVG path of a rounded diamond in a `w` x `h` box at the origin, as Excalidraw builds it.
pub fn rounded_diamond_path(w: f64, h: f64) -> String {
    let (tx, ty, rx, ry, bx, by, lx, ly) = (w / 2.0, 0.0, w, h / 2.0, w / 2.0, h, 0.0, h / 2.0);
    let v = (tx - lx).abs() * 0.25;
    let hr = (ry - ty).abs() * 0.25;
    format!(
        "M {} {} L {} {} C {rx} {ry}, {rx} {ry}, {} {} L {} {} C {bx} {by}, {bx} {by}, {} {} L {} {} C {lx} {ly}, {lx} {ly}, {} {} L {} {} C {tx} {ty}, {tx} {ty}, {} {}",
        tx + v,
        ty + hr,
        rx - v,
        ry - hr,
        rx - v,
        ry + hr,
        bx + v,
        by - hr,
        bx - v,
        by - hr,
        lx + v,
        ly + hr,
        lx + v,
        ly - hr,
        tx - v,
        ty + hr,
        tx + v,
        ty + hr,
    )
}

/// One thing to paint, in world coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Fill (`true`) or stroke the path.
    pub fill: bool,
    pub color: String,
    pub width: f64,
    pub dash: Option<Vec<f64>>,
    pub even_odd: bool,
    /// The ops in world coordinates.
    pub ops: Vec<(Op, Vec<f64>)>,
}

impl Layer {
    /// SVG path data (two decimals).
    pub fn d(&self) -> String {
        path_data(&self.ops, 0.0, 0.0)
    }
}

/// What `e` is painted with when [`is_rough`] (heads as the SVG export draws them); empty
/// otherwise. The canvas's `roughLayers` (ui/src/engine/rough.ts) returns the same.
pub fn element_layers(e: &Element) -> Vec<Layer> {
    let heads: Vec<Head> = crate::svg::heads(e).into_iter().map(|(_, h)| h).collect();
    layers(e, &heads)
}

/// A shape drawn with its options, in the order it is painted.
pub struct Drawable {
    pub shape: Shape,
    pub opts: Opts,
    /// The colour its `path` sets are stroked with.
    pub stroke: String,
}

/// The drawables of `e` in its own coordinates (origin at x, y): the shape, then its heads.
/// `heads` are an arrow's or line's heads in world coordinates (see `svg.rs`).
pub fn drawables(e: &Element, heads: &[Head]) -> Vec<Drawable> {
    let (w, h) = (e.width, e.height);
    let with = |shape, opts| Drawable {
        shape,
        opts,
        stroke: e.stroke.clone(),
    };
    match e.kind {
        ElementKind::Rectangle if e.rounded => {
            vec![with(Shape::Path(rounded_rect_path(w, h)), options(e, true))]
        }
        ElementKind::Rectangle => vec![with(Shape::Rectangle(0.0, 0.0, w, h), options(e, false))],
        ElementKind::Diamond if e.rounded => {
            vec![with(
                Shape::Path(rounded_diamond_path(w, h)),
                options(e, true),
            )]
        }
        ElementKind::Diamond => vec![with(
            Shape::Polygon(vec![
                [w / 2.0, 0.0],
                [w, h / 2.0],
                [w / 2.0, h],
                [0.0, h / 2.0],
            ]),
            options(e, false),
        )],
        ElementKind::Ellipse => vec![with(
            Shape::Ellipse(w / 2.0, h / 2.0, w, h),
            options(e, false),
        )],
        ElementKind::Line | ElementKind::Arrow => {
            let o = options(e, false);
            let points = if e.points.is_empty() {
                vec![[0.0, 0.0]]
            } else {
                e.points.clone()
            };
            let shape = if e.rounded {
                Shape::Curve(points)
            } else if o.fill.is_some() {
                Shape::Polygon(points)
            } else {
                Shape::LinearPath(points)
            };
            let mut out = vec![with(shape, o.clone())];
            let local = |p: [f64; 2]| [p[0] - e.x, p[1] - e.y];
            let mut base = o.clone();
            base.roughness = base.roughness.min(1.0);
            base.stroke_line_dash = None;
            base.fill = None;
            for head in heads {
                match head {
                    Head::Lines(lines) => {
                        for line in lines {
                            let l: Vec<[f64; 2]> = line.iter().copied().map(local).collect();
                            // Excalidraw draws each side of an arrowhead from its end to the tip.
                            let segs: Vec<([f64; 2], [f64; 2])> = if l.len() == 3 {
                                vec![(l[0], l[1]), (l[2], l[1])]
                            } else if l.len() == 2 {
                                vec![(l[0], l[1])]
                            } else {
                                vec![]
                            };
                            for (a, b) in segs {
                                out.push(with(Shape::Line(a[0], a[1], b[0], b[1]), base.clone()));
                            }
                        }
                    }
                    Head::Polygon(points) => {
                        let mut p: Vec<[f64; 2]> = points.iter().copied().map(local).collect();
                        p.push(p[0]);
                        let mut o = base.clone();
                        o.fill = Some(e.stroke.clone());
                        o.fill_style = "solid".into();
                        out.push(with(Shape::Polygon(p), o));
                    }
                    Head::Dot(c, r) => {
                        let c = local(*c);
                        let mut o = base.clone();
                        o.fill = Some(e.stroke.clone());
                        o.fill_style = "solid".into();
                        o.roughness = o.roughness.min(0.5);
                        out.push(with(Shape::Circle(c[0], c[1], r * 2.0), o));
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// An arrowhead in world coordinates: open polylines, a filled polygon, or a dot (centre, radius).
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    Lines(Vec<Vec<[f64; 2]>>),
    Polygon(Vec<[f64; 2]>),
    Dot([f64; 2], f64),
}

/// Two decimals, as the rest of the SVG.
fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 { "0".into() } else { format!("{r}") }
}

/// Op sets as SVG path data moved by (dx, dy).
pub fn path_data(ops: &[(Op, Vec<f64>)], dx: f64, dy: f64) -> String {
    let mut d = String::new();
    for (op, data) in ops {
        let p = |i: usize| format!("{} {}", num(data[i] + dx), num(data[i + 1] + dy));
        if !d.is_empty() {
            d.push(' ');
        }
        match op {
            Op::Move => d.push_str(&format!("M{}", p(0))),
            Op::LineTo => d.push_str(&format!("L{}", p(0))),
            Op::BCurveTo => d.push_str(&format!("C{} {} {}", p(0), p(2), p(4))),
        }
    }
    d
}

/// What `e` is painted with when [`is_rough`]; at roughness 0 only its pattern fill.
pub fn layers(e: &Element, heads: &[Head]) -> Vec<Layer> {
    if !is_rough(e) {
        return Vec::new();
    }
    let rough = e.roughness > 0.0;
    let list = if rough {
        drawables(e, heads)
    } else {
        drawables(e, &[]).into_iter().take(1).collect()
    };
    let mut out = Vec::new();
    for dr in list {
        let even_odd = matches!(
            dr.shape,
            Shape::Curve(_) | Shape::Polygon(_) | Shape::Path(_)
        );
        for set in generate(&dr.shape, &dr.opts) {
            if !rough && set.kind != SetKind::FillSketch {
                continue;
            }
            let d: Vec<(Op, Vec<f64>)> = set
                .ops
                .iter()
                .map(|(op, data)| {
                    let moved = data
                        .iter()
                        .enumerate()
                        .map(|(i, v)| v + if i % 2 == 0 { e.x } else { e.y })
                        .collect();
                    (*op, moved)
                })
                .collect();
            let fill_colour = dr.opts.fill.clone().unwrap_or_default();
            out.push(match set.kind {
                SetKind::Path => Layer {
                    fill: false,
                    color: dr.stroke.clone(),
                    width: dr.opts.stroke_width,
                    dash: dr.opts.stroke_line_dash.clone(),
                    even_odd,
                    ops: d,
                },
                SetKind::FillPath => Layer {
                    fill: true,
                    color: fill_colour,
                    width: 0.0,
                    dash: None,
                    even_odd,
                    ops: d,
                },
                SetKind::FillSketch => Layer {
                    fill: false,
                    color: fill_colour,
                    width: if dr.opts.fill_weight < 0.0 {
                        dr.opts.stroke_width / 2.0
                    } else {
                        dr.opts.fill_weight
                    },
                    dash: None,
                    even_odd,
                    ops: d,
                },
            });
        }
    }
    out
}
