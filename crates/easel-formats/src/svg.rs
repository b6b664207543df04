//! SVG export, and import of the scenes embedded in SVG files.
//!
//! The SVG is written by hand with a string builder: the drawing model is small, and a
//! hand-written file stays readable, diffable and free of renderer quirks. It draws what the
//! canvas draws: the hand-drawn style and hachure, cross-hatch and zigzag fills through
//! `rough.rs` (the canvas's rough.js, ported), pen strokes as perfect-freehand's outline
//! (`freehand.rs`), labels where the canvas puts them. The board itself is recoverable from the
//! lossless Easel JSON we embed in a `<metadata>` block, which import reads back.
//!
//! Import also reads Excalidraw's SVG exports, whose scene sits base64-encoded between
//! `<!-- payload-start -->` and `<!-- payload-end -->`.

use std::fmt::Write;

use easel_core::{Element, ElementKind, Scene};

use crate::curve::{self, Cubic};
use crate::rough;
use crate::util::{self, xml_escape};
use crate::{Progress, Result, STICKY_FILL};

const FORMAT: &str = "SVG";
const PADDING: f64 = 20.0;
const LINE_HEIGHT: f64 = 1.25;
const SCENE_OPEN: &str = "<easel:scene";
const SCENE_CLOSE: &str = "</easel:scene>";

/// The elements in drawing order: ascending z key, ties by id; scene order when keys are unset.
pub fn draw_order(scene: &Scene) -> Vec<&Element> {
    let mut els: Vec<&Element> = scene.elements.iter().collect();
    if els.iter().all(|e| !e.z.is_empty()) {
        els.sort_by(|a, b| a.z.cmp(&b.z).then_with(|| a.id.cmp(&b.id)));
    }
    els
}

/// The box an element covers on the canvas, rotation included.
fn element_box(e: &Element) -> (f64, f64, f64, f64) {
    let curved = line_curve(e).and_then(|c| curve::bounds(&c));
    let (mut x0, mut y0, mut x1, mut y1) = if let Some(b) = curved {
        // A curve can bulge past its points.
        b
    } else if e.points.is_empty() {
        (e.x, e.y, e.x + e.width, e.y + e.height)
    } else {
        crate::excalidraw::bbox(std::slice::from_ref(e))
    };
    if e.angle != 0.0 {
        let (cx, cy) = (e.x + e.width / 2.0, e.y + e.height / 2.0);
        let (s, c) = e.angle.sin_cos();
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)];
        (x0, y0, x1, y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (px, py) in corners {
            let (dx, dy) = (px - cx, py - cy);
            let (rx, ry) = (cx + dx * c - dy * s, cy + dx * s + dy * c);
            x0 = x0.min(rx);
            y0 = y0.min(ry);
            x1 = x1.max(rx);
            y1 = y1.max(ry);
        }
    }
    let mut m = e.stroke_width / 2.0 + if e.kind.has_points() { 12.0 } else { 0.0 };
    if e.roughness > 0.0 && rough::applies_to(e.kind) {
        // The hand-drawn wobble, as the canvas's render bounds allow for it.
        m += e.roughness * (3.0 + e.width.max(e.height) / 100.0) + 1.0;
    }
    let top = if e.kind == ElementKind::Frame {
        24.0
    } else {
        0.0
    };
    (x0 - m, y0 - m - top, x1 + m, y1 + m)
}

/// The viewBox (x, y, width, height) around every element, plus padding.
pub fn view_box(scene: &Scene) -> (f64, f64, f64, f64) {
    if scene.elements.is_empty() {
        return (0.0, 0.0, 2.0 * PADDING, 2.0 * PADDING);
    }
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for e in &scene.elements {
        let eb = element_box(e);
        b = (b.0.min(eb.0), b.1.min(eb.1), b.2.max(eb.2), b.3.max(eb.3));
    }
    (
        b.0 - PADDING,
        b.1 - PADDING,
        (b.2 - b.0) + 2.0 * PADDING,
        (b.3 - b.1) + 2.0 * PADDING,
    )
}

/// The Béziers of a curved line or arrow in world coordinates, or None when it is drawn straight.
fn line_curve(e: &Element) -> Option<Vec<Cubic>> {
    if !curve::is_curved(e) {
        return None;
    }
    let pts: Vec<curve::Pt> = e.points.iter().map(|p| (e.x + p[0], e.y + p[1])).collect();
    Some(curve::catmull_rom(&pts, curve::is_closed(&pts)))
}

/// Path data for cubics, with a straight edge wherever one does not start where the last ended.
fn cubic_path(cubics: &[Cubic]) -> String {
    let mut d = String::new();
    let mut at: Option<curve::Pt> = None;
    for c in cubics {
        match at {
            None => {
                let _ = write!(d, "M{},{}", n(c[0].0), n(c[0].1));
            }
            Some(p) if p != c[0] => {
                let _ = write!(d, " L{},{}", n(c[0].0), n(c[0].1));
            }
            Some(_) => {}
        }
        let _ = write!(
            d,
            " C{},{} {},{} {},{}",
            n(c[1].0),
            n(c[1].1),
            n(c[2].0),
            n(c[2].1),
            n(c[3].0),
            n(c[3].1)
        );
        at = Some(c[3]);
    }
    d
}

fn n(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 { "0".into() } else { format!("{r}") }
}

fn paint(c: &str) -> String {
    if c.is_empty() || c.eq_ignore_ascii_case("transparent") {
        "none".into()
    } else {
        xml_escape(c)
    }
}

/// A CSS font list for one of our families (`fonts::stack`), ending in fonts that exist on a
/// stock Linux box.
pub fn font_stack(family: &str) -> String {
    let quoted: Vec<String> = crate::fonts::stack(family)
        .into_iter()
        .map(|f| {
            if matches!(f.as_str(), "sans-serif" | "serif" | "monospace") || !f.contains(' ') {
                f
            } else {
                format!("'{f}'")
            }
        })
        .collect();
    xml_escape(&quoted.join(", "))
}

fn stroke_attrs(e: &Element) -> String {
    let sw = e.stroke_width;
    let mut s = format!(
        r#" stroke="{}" stroke-width="{}" stroke-linejoin="round""#,
        paint(&e.stroke),
        n(sw)
    );
    match e.stroke_style.as_str() {
        "dashed" => {
            let _ = write!(s, r#" stroke-dasharray="{} {}""#, n(8.0 + sw), n(6.0 + sw));
        }
        "dotted" => {
            let _ = write!(
                s,
                r#" stroke-dasharray="{} {}" stroke-linecap="round""#,
                n(sw.max(1.0) * 0.5),
                n(sw.max(1.0) * 3.0)
            );
        }
        _ => s.push_str(r#" stroke-linecap="round""#),
    }
    s
}

/// Greedy word wrap of `text` to `width`, measured with the font that draws it: the canvas's
/// `wrapText` (ui/src/engine/text.ts). Explicit line breaks are kept, a line breaks before the
/// word that would overflow it, and a word wider than the line on its own is broken between
/// characters.
fn wrap(text: &str, width: f64, font_size: f64, family: &str) -> Vec<String> {
    let measure = |s: &str| crate::fonts::line_width(s, font_size, family);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let joined = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if line.is_empty() || measure(&joined) <= width {
                line = joined;
            } else {
                out.push(std::mem::replace(&mut line, word.to_string()));
            }
            // A single word too wide for the line: break it between characters.
            while measure(&line) > width && line.chars().count() > 1 {
                let chars: Vec<char> = line.chars().collect();
                let mut cut = chars.len() - 1;
                while cut > 1 && measure(&chars[..cut].iter().collect::<String>()) > width {
                    cut -= 1;
                }
                out.push(chars[..cut].iter().collect());
                line = chars[cut..].iter().collect();
            }
        }
        out.push(line);
    }
    out
}

/// Writes lines of text inside the box (x, y, w, h), aligned as the element says.
fn text_block(
    out: &mut String,
    e: &Element,
    lines: &[String],
    bx: (f64, f64, f64, f64),
    fill: &str,
) {
    let (x, y, w, h) = bx;
    let lh = e.font_size * LINE_HEIGHT;
    let block = lh * lines.len() as f64;
    let top = match e.vertical_align.as_str() {
        "middle" => y + (h - block) / 2.0,
        "bottom" => y + h - block,
        _ => y,
    };
    let (anchor, tx) = match e.text_align.as_str() {
        "center" => ("middle", x + w / 2.0),
        "right" => ("end", x + w),
        _ => ("start", x),
    };
    // The first baseline sits one ascent (about 0.8 of the size) plus half the leading down.
    let first = top + e.font_size * 0.8 + (lh - e.font_size) / 2.0;
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-family="{}" font-size="{}" fill="{}" text-anchor="{}" xml:space="preserve">"#,
        n(tx),
        n(first),
        font_stack(&e.font_family),
        n(e.font_size),
        paint(fill),
        anchor
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tspan x="{}" dy="{}">{}</tspan>"#,
            n(tx),
            if i == 0 { "0".into() } else { n(lh) },
            xml_escape(line)
        );
    }
    out.push_str("</text>");
}

/// An arrowhead's geometry in world coordinates, as the canvas's `headShape` (ui/src/engine/paths.ts).
fn head_shape(e: &Element, kind: &str, tip: [f64; 2], from: [f64; 2]) -> Option<rough::Head> {
    let (dx, dy) = (tip[0] - from[0], tip[1] - from[1]);
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return None;
    }
    let (ux, uy) = (dx / len, dy / len);
    let size = (e.stroke_width * 4.0).max(10.0);
    let (tx, ty) = (e.x + tip[0], e.y + tip[1]);
    let side = |sign: f64| {
        let a = sign * 0.45_f64;
        let (s, c) = a.sin_cos();
        let (rx, ry) = (-ux * c + uy * s, -ux * s - uy * c);
        [tx + rx * size, ty + ry * size]
    };
    let (l, r) = (side(-1.0), side(1.0));
    Some(match kind {
        "triangle" | "triangle_outline" => rough::Head::Polygon(vec![[tx, ty], l, r]),
        "dot" | "circle" | "circle_outline" => rough::Head::Dot([tx, ty], size / 3.0),
        "bar" => {
            let (px, py) = (-uy * size / 2.0, ux * size / 2.0);
            rough::Head::Lines(vec![vec![[tx - px, ty - py], [tx + px, ty + py]]])
        }
        _ => rough::Head::Lines(vec![vec![l, [tx, ty], r]]),
    })
}

/// A line's or arrow's heads (end, then start), as the canvas draws them.
pub(crate) fn heads(e: &Element) -> Vec<(String, rough::Head)> {
    let p = &e.points;
    if p.len() < 2 {
        return Vec::new();
    }
    // Each head aims along the drawn end: the end segment, or the curve's tangent there.
    let (mut end_from, mut start_from) = (p[p.len() - 2], p[1]);
    if let Some(c) = line_curve(e) {
        let (first, last) = (c[0], c[c.len() - 1]);
        let end = curve::behind_end(&last);
        let start = curve::behind_end(&[first[3], first[2], first[1], first[0]]);
        end_from = [end.0 - e.x, end.1 - e.y];
        start_from = [start.0 - e.x, start.1 - e.y];
    }
    // As the canvas: an arrow's unset end is an arrow head; "none" (Excalidraw's null) is no head.
    let end_head = match e.end_arrowhead.as_deref() {
        None if e.kind == ElementKind::Arrow => Some("arrow"),
        head => head.filter(|k| *k != "none"),
    };
    let start_head = e.start_arrowhead.as_deref().filter(|k| *k != "none");
    let mut out = Vec::new();
    if let Some(k) = end_head
        && let Some(h) = head_shape(e, k, p[p.len() - 1], end_from)
    {
        out.push((k.to_string(), h));
    }
    if let Some(k) = start_head
        && let Some(h) = head_shape(e, k, p[0], start_from)
    {
        out.push((k.to_string(), h));
    }
    out
}

/// A clean arrowhead (roughness 0).
fn arrowhead(out: &mut String, e: &Element, kind: &str, head: &rough::Head) {
    let stroke = paint(&e.stroke);
    let sw = n(e.stroke_width);
    match head {
        rough::Head::Polygon(p) => {
            let fill = if kind == "triangle_outline" {
                "none".to_string()
            } else {
                stroke.clone()
            };
            let pts: Vec<String> = p
                .iter()
                .map(|q| format!("{},{}", n(q[0]), n(q[1])))
                .collect();
            let _ = write!(
                out,
                r#"<polygon points="{}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}" stroke-linejoin="round"/>"#,
                pts.join(" ")
            );
        }
        rough::Head::Dot(c, r) => {
            let fill = if kind == "circle_outline" {
                "none".to_string()
            } else {
                stroke.clone()
            };
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
                n(c[0]),
                n(c[1]),
                n(*r)
            );
        }
        rough::Head::Lines(lines) => {
            for l in lines {
                let pts: Vec<String> = l
                    .iter()
                    .map(|q| format!("{},{}", n(q[0]), n(q[1])))
                    .collect();
                let _ = write!(
                    out,
                    r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{sw}" stroke-linecap="round" stroke-linejoin="round"/>"#,
                    pts.join(" ")
                );
            }
        }
    }
}

/// rough.js's layers as SVG paths, as its canvas renderer paints them (round caps and joins, as
/// Excalidraw sets them).
fn rough_layers(out: &mut String, layers: &[rough::Layer]) {
    for l in layers {
        if l.fill {
            let _ = write!(
                out,
                r#"<path d="{}" fill="{}" fill-rule="{}" stroke="none"/>"#,
                l.d(),
                paint(&l.color),
                if l.even_odd { "evenodd" } else { "nonzero" }
            );
        } else {
            let _ = write!(
                out,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linecap="round" stroke-linejoin="round""#,
                l.d(),
                paint(&l.color),
                n(l.width)
            );
            if let Some(dash) = &l.dash {
                let d: Vec<String> = dash.iter().map(|v| n(*v)).collect();
                let _ = write!(out, r#" stroke-dasharray="{}""#, d.join(" "));
            }
            out.push_str("/>");
        }
    }
}

/// A pen stroke: perfect-freehand's outline (its width following the pressure, or the speed when
/// there is none), filled in the stroke colour, as the canvas draws it.
fn freedraw(out: &mut String, e: &Element) {
    let pts: Vec<[f64; 2]> = e.points.iter().map(|p| [e.x + p[0], e.y + p[1]]).collect();
    if pts.is_empty() {
        return;
    }
    let outline = crate::freehand::outline(&pts, &e.pressures, e.stroke_width);
    let d = crate::freehand::outline_path(&outline, n);
    if d.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<path d="{d}" fill="{}" stroke="none"/>"#,
        paint(&e.stroke)
    );
}

fn element(out: &mut String, e: &Element, scene: &Scene) {
    let (cx, cy) = (e.x + e.width / 2.0, e.y + e.height / 2.0);
    let _ = write!(out, r#"<g data-id="{}""#, xml_escape(&e.id));
    if e.angle != 0.0 {
        let _ = write!(
            out,
            r#" transform="rotate({} {} {})""#,
            n(e.angle.to_degrees()),
            n(cx),
            n(cy)
        );
    }
    if e.opacity < 1.0 {
        let _ = write!(out, r#" opacity="{}""#, n(e.opacity));
    }
    out.push('>');
    let mut fill = paint(&e.fill);
    let heads = if e.kind.has_points() {
        heads(e)
    } else {
        Vec::new()
    };
    let layers = if rough::is_rough(e) {
        let hs: Vec<rough::Head> = heads.iter().map(|(_, h)| h.clone()).collect();
        rough::layers(e, &hs)
    } else {
        Vec::new()
    };
    // Hand-drawn: rough.js draws the whole shape, heads included. At roughness 0 only a pattern
    // fill is rough.js's, under the clean outline.
    let hand_drawn = e.roughness > 0.0 && !layers.is_empty();
    if !layers.is_empty() {
        rough_layers(out, &layers);
        fill = "none".into();
    }
    let (x, y, w, h) = (n(e.x), n(e.y), n(e.width), n(e.height));
    let label_box = (
        e.x + 8.0,
        e.y + 8.0,
        (e.width - 16.0).max(1.0),
        (e.height - 16.0).max(1.0),
    );
    match e.kind {
        _ if hand_drawn => {}
        ElementKind::Rectangle | ElementKind::Sticky => {
            let fill = if e.kind == ElementKind::Sticky && fill == "none" {
                STICKY_FILL.to_string()
            } else {
                fill
            };
            if e.rounded || e.kind == ElementKind::Sticky {
                // The canvas's corners (ui/src/engine/paths.ts roundedRect): radius 25% of the
                // shorter side up to 32, each a quadratic curve with its control at the corner.
                let (x, y, w, h) = (e.x, e.y, e.width, e.height);
                let r = (w.abs().min(h.abs()) * 0.25).min(32.0);
                let _ = write!(
                    out,
                    r#"<path d="M{},{} L{},{} Q{},{} {},{} L{},{} Q{},{} {},{} L{},{} Q{},{} {},{} L{},{} Q{},{} {},{} Z" fill="{fill}"{}/>"#,
                    n(x + r),
                    n(y),
                    n(x + w - r),
                    n(y),
                    n(x + w),
                    n(y),
                    n(x + w),
                    n(y + r),
                    n(x + w),
                    n(y + h - r),
                    n(x + w),
                    n(y + h),
                    n(x + w - r),
                    n(y + h),
                    n(x + r),
                    n(y + h),
                    n(x),
                    n(y + h),
                    n(x),
                    n(y + h - r),
                    n(x),
                    n(y + r),
                    n(x),
                    n(y),
                    n(x + r),
                    n(y),
                    // A sticky has no border (its stroke colours its text), as on the canvas.
                    if e.kind == ElementKind::Sticky {
                        r#" stroke="none""#.to_string()
                    } else {
                        stroke_attrs(e)
                    }
                );
            } else {
                let _ = write!(
                    out,
                    r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"{}/>"#,
                    stroke_attrs(e)
                );
            }
        }
        ElementKind::Ellipse => {
            let _ = write!(
                out,
                r#"<ellipse cx="{}" cy="{}" rx="{}" ry="{}" fill="{fill}"{}/>"#,
                n(cx),
                n(cy),
                n(e.width / 2.0),
                n(e.height / 2.0),
                stroke_attrs(e)
            );
        }
        ElementKind::Diamond if e.rounded => {
            let d = cubic_path(&curve::diamond_corners(e.x, e.y, e.width, e.height));
            let _ = write!(out, r#"<path d="{d}Z" fill="{fill}"{}/>"#, stroke_attrs(e));
        }
        ElementKind::Diamond => {
            let _ = write!(
                out,
                r#"<polygon points="{},{} {},{} {},{} {},{}" fill="{fill}"{}/>"#,
                n(cx),
                n(e.y),
                n(e.x + e.width),
                n(cy),
                n(cx),
                n(e.y + e.height),
                n(e.x),
                n(cy),
                stroke_attrs(e)
            );
        }
        ElementKind::Line | ElementKind::Arrow => {
            let p = &e.points;
            let rel: Vec<curve::Pt> = p.iter().map(|q| (q[0], q[1])).collect();
            // A closed line is filled, as the canvas fills it.
            let fill = if curve::is_closed(&rel) {
                fill
            } else {
                "none".into()
            };
            if let Some(c) = line_curve(e) {
                let d = cubic_path(&c);
                let close = if fill == "none" { "" } else { "Z" };
                let _ = write!(
                    out,
                    r#"<path d="{d}{close}" fill="{fill}"{}/>"#,
                    stroke_attrs(e)
                );
            } else {
                let pts: Vec<String> = p
                    .iter()
                    .map(|q| format!("{},{}", n(e.x + q[0]), n(e.y + q[1])))
                    .collect();
                let _ = write!(
                    out,
                    r#"<polyline points="{}" fill="{fill}"{}/>"#,
                    pts.join(" "),
                    stroke_attrs(e)
                );
            }
            for (kind, head) in &heads {
                arrowhead(out, e, kind, head);
            }
        }
        ElementKind::Freedraw => freedraw(out, e),
        ElementKind::Text => {
            let lines: Vec<String> = e.text.split('\n').map(str::to_string).collect();
            let mut plain = e.clone();
            plain.vertical_align = "top".into();
            text_block(
                out,
                &plain,
                &lines,
                (e.x, e.y, e.width, e.height),
                &e.stroke,
            );
        }
        ElementKind::Image => {
            let file = e
                .file_id
                .as_ref()
                .and_then(|id| scene.files.iter().find(|f| &f.id == id));
            if let Some(f) = file {
                let _ = write!(
                    out,
                    r#"<image x="{x}" y="{y}" width="{w}" height="{h}" preserveAspectRatio="none" xlink:href="data:{};base64,{}"/>"#,
                    xml_escape(&f.mime),
                    util::b64(&f.data)
                );
            }
        }
        ElementKind::Frame => {
            let _ = write!(
                out,
                r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{fill}" stroke="#bbb" stroke-width="1"/>"##
            );
            let name = e.name.as_deref().unwrap_or("Frame");
            let _ = write!(
                out,
                r##"<text x="{x}" y="{}" font-family="{}" font-size="14" fill="#555">{}</text>"##,
                n(e.y - 6.0),
                font_stack("sans-serif"),
                xml_escape(name)
            );
        }
    }
    if !e.text.is_empty() && e.kind != ElementKind::Text {
        if e.kind.has_points() && !e.points.is_empty() {
            // In the middle of the points' box, as the canvas puts it (ui/src/engine/text.ts).
            let (x0, y0, x1, y1) = e.points.iter().fold(
                (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
                |(a, b, c, d), p| (a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])),
            );
            let mid = [(x0 + x1) / 2.0, (y0 + y1) / 2.0];
            let mut centred = e.clone();
            centred.text_align = "center".into();
            centred.vertical_align = "middle".into();
            let lines: Vec<String> = e.text.split('\n').map(str::to_string).collect();
            text_block(
                out,
                &centred,
                &lines,
                (e.x + mid[0] - 1.0, e.y + mid[1] - 1.0, 2.0, 2.0),
                &e.stroke,
            );
        } else {
            let mut inner = e.clone();
            if !matches!(e.kind, ElementKind::Frame | ElementKind::Image) {
                // Sticky and shape labels are centred in the middle of their box, wrapped, as the
                // canvas draws them (ui/src/engine/text.ts) and Excalidraw its container text.
                inner.vertical_align = "middle".into();
                inner.text_align = "center".into();
            }
            let lines = wrap(&e.text, label_box.2, e.font_size, &e.font_family);
            text_block(out, &inner, &lines, label_box, &e.stroke);
        }
    }
    out.push_str("</g>\n");
}

pub fn export(scene: &Scene, progress: &mut dyn FnMut(Progress)) -> Result<String> {
    export_with(scene, true, progress)
}

/// The SVG of `scene`, with the board's background behind it or (`background` false) none.
pub fn export_with(
    scene: &Scene,
    background: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<String> {
    let (vx, vy, vw, vh) = view_box(scene);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg version="1.1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="{} {} {} {}" width="{}" height="{}">"#,
        n(vx),
        n(vy),
        n(vw),
        n(vh),
        n(vw),
        n(vh)
    );
    let _ = writeln!(out, "<title>{}</title>", xml_escape(&scene.meta.title));
    let _ = writeln!(
        out,
        r#"<metadata>{SCENE_OPEN} xmlns:easel="urn:easel:scene:1" encoding="zlib+base64">{}{SCENE_CLOSE}</metadata>"#,
        util::embed_scene(scene)?
    );
    if background {
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            n(vx),
            n(vy),
            n(vw),
            n(vh),
            paint(&scene.meta.background)
        );
    }
    let order = draw_order(scene);
    let clips = frame_clips(&mut out, scene);
    let total = order.len();
    for (i, e) in order.into_iter().enumerate() {
        // A frame's child shows only inside the frame, as on the canvas (ui/src/engine/frames.ts).
        let clip = e.frame_id.as_deref().and_then(|f| clips.get(f));
        if let Some(id) = clip {
            let _ = write!(out, r#"<g clip-path="url(#{id})">"#);
        }
        element(&mut out, e, scene);
        if clip.is_some() {
            out.push_str("</g>\n");
        }
        util::tick(progress, "render", i + 1, total);
    }
    out.push_str("</svg>\n");
    Ok(out)
}

/// A `<clipPath>` of each frame that has children in `scene` (its box, in board coordinates), and
/// the id it is written under per frame id: numbered, so that element ids never reach an attribute
/// that names a reference.
fn frame_clips<'a>(
    out: &mut String,
    scene: &'a Scene,
) -> std::collections::HashMap<&'a str, String> {
    let parents: std::collections::HashSet<&str> = scene
        .elements
        .iter()
        .filter(|e| e.kind != ElementKind::Frame)
        .filter_map(|e| e.frame_id.as_deref())
        .collect();
    let mut clips = std::collections::HashMap::new();
    let frames = scene
        .elements
        .iter()
        .filter(|f| f.kind == ElementKind::Frame && parents.contains(f.id.as_str()));
    for (i, f) in frames.enumerate() {
        if clips.is_empty() {
            out.push_str("<defs>");
        }
        let id = format!("easel-frame-clip-{i}");
        let (x0, y0) = (f.x.min(f.x + f.width), f.y.min(f.y + f.height));
        let _ = write!(
            out,
            r#"<clipPath id="{id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
            n(x0),
            n(y0),
            n(f.width.abs()),
            n(f.height.abs())
        );
        clips.insert(f.id.as_str(), id);
    }
    if !clips.is_empty() {
        out.push_str("</defs>\n");
    }
    clips
}

/// Imports the scene an SVG carries: Easel's own metadata first, then Excalidraw's payload.
pub fn import(bytes: &[u8], title: &str, progress: &mut dyn FnMut(Progress)) -> Result<Scene> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| crate::Error::malformed(FORMAT, "$", format!("not UTF-8: {e}")))?;
    if let Some(start) = text.find(SCENE_OPEN) {
        let body_start = text[start..]
            .find('>')
            .map(|k| start + k + 1)
            .ok_or_else(|| {
                crate::Error::malformed(FORMAT, "metadata", "unterminated easel:scene tag")
            })?;
        let end = text[body_start..]
            .find(SCENE_CLOSE)
            .map(|k| body_start + k)
            .ok_or_else(|| {
                crate::Error::malformed(FORMAT, "metadata", "easel:scene is not closed")
            })?;
        return util::unembed_scene(&text[body_start..end], FORMAT, progress);
    }
    const START: &str = "<!-- payload-start -->";
    const END: &str = "<!-- payload-end -->";
    if let Some(s) = text.find(START) {
        let body = &text[s + START.len()..];
        let e = body.find(END).ok_or_else(|| {
            crate::Error::malformed(FORMAT, "payload", "payload-start without payload-end")
        })?;
        let raw = util::unb64(&body[..e]).map_err(|err| {
            crate::Error::malformed(FORMAT, "payload", format!("bad base64: {err}"))
        })?;
        return crate::excalidraw::import_embedded(&raw, FORMAT, title, progress);
    }
    Err(crate::Error::NoScene {
        format: FORMAT,
        message: "neither Easel metadata nor an Excalidraw payload; it is a plain drawing".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(points: &[[f64; 2]], rounded: bool) -> Element {
        let mut e = Element::new("l", ElementKind::Line, 10.0, 20.0);
        e.points = points.to_vec();
        e.rounded = rounded;
        e
    }

    fn drawn(e: &Element) -> String {
        let mut out = String::new();
        element(&mut out, e, &Scene::new("t"));
        out
    }

    /// The `d` attribute of the first path drawn.
    fn path_d(svg: &str) -> &str {
        let start = svg.find(" d=\"").expect("a path") + 4;
        &svg[start..start + svg[start..].find('"').unwrap()]
    }

    #[test]
    fn a_sticky_label_is_wrapped_and_centred_as_the_canvas_draws_it() {
        let mut e = Element::new("s", ElementKind::Sticky, 0.0, 0.0);
        (e.width, e.height) = (200.0, 200.0);
        e.text = "the quick brown fox jumps over the lazy dog".into();
        let svg = drawn(&e);
        assert!(svg.contains(r#"text-anchor="middle""#), "{svg}");
        assert!(svg.matches("<tspan").count() > 1, "{svg}");
    }

    #[test]
    fn a_rounded_three_point_line_is_two_cubics_through_the_middle_point() {
        let svg = drawn(&line(&[[0.0, 0.0], [60.0, 30.0], [120.0, 0.0]], true));
        // The same controls as the canvas (curve.ts): P1 ± (P2 - P0) / 6, ends duplicated.
        assert_eq!(
            path_d(&svg),
            "M10,20 C20,25 50,50 70,50 C90,50 120,25 130,20"
        );
        assert!(svg.contains(r#"fill="none""#), "{svg}");
    }

    #[test]
    fn sharp_or_two_point_lines_stay_straight() {
        for e in [
            line(&[[0.0, 0.0], [60.0, 30.0], [120.0, 0.0]], false),
            line(&[[0.0, 0.0], [60.0, 30.0]], true),
        ] {
            let svg = drawn(&e);
            assert!(svg.contains("<polyline points=\"10,20 70,50"), "{svg}");
            assert!(!svg.contains("<path"), "{svg}");
        }
    }

    #[test]
    fn a_closed_rounded_line_is_a_filled_closed_curve() {
        let mut e = line(
            &[
                [0.0, 0.0],
                [100.0, 0.0],
                [100.0, 100.0],
                [0.0, 100.0],
                [0.0, 0.0],
            ],
            true,
        );
        e.fill = "#ffc9c9".into();
        let svg = drawn(&e);
        let d = path_d(&svg);
        assert_eq!(d.matches(" C").count(), 4, "{d}");
        assert!(d.ends_with("Z"), "{d}");
        assert!(svg.contains(r##"fill="#ffc9c9""##), "{svg}");
    }

    #[test]
    fn a_curved_arrow_aims_its_head_along_the_end_segment() {
        let pts = [[0.0, 0.0], [60.0, 30.0], [120.0, 0.0]];
        let mut curved = line(&pts, true);
        curved.kind = ElementKind::Arrow;
        curved.end_arrowhead = Some("arrow".into());
        let mut straight = curved.clone();
        straight.rounded = false;
        let head = |s: &str| s[s.rfind("<polyline").unwrap()..].to_string();
        assert_eq!(head(&drawn(&curved)), head(&drawn(&straight)));
    }

    #[test]
    fn a_frames_children_are_clipped_to_it_and_nothing_else_is() {
        let mut scene = Scene::new("t");
        let frame = Element::new("f", ElementKind::Frame, 10.0, 20.0).with_size(100.0, 50.0);
        let mut child = Element::new("c", ElementKind::Rectangle, 90.0, 30.0).with_size(60.0, 10.0);
        child.frame_id = Some("f".into());
        let free = Element::new("r", ElementKind::Rectangle, 300.0, 0.0).with_size(10.0, 10.0);
        // A member of a frame missing from the scene is drawn whole.
        let mut orphan = free.clone();
        orphan.id = "o".into();
        orphan.frame_id = Some("gone".into());
        scene.elements = vec![frame, child, free, orphan];
        let svg = export(&scene, &mut |_| {}).unwrap();
        assert!(
            svg.contains(r#"<defs><clipPath id="easel-frame-clip-0"><rect x="10" y="20" width="100" height="50"/></clipPath></defs>"#),
            "{svg}"
        );
        assert_eq!(svg.matches("clip-path=").count(), 1, "{svg}");
        let g = svg.find(r#"<g clip-path="url(#easel-frame-clip-0)"><g data-id="c""#);
        assert!(g.is_some(), "{svg}");
        // No frame with children: no defs at all.
        scene.elements[1].frame_id = None;
        assert!(!export(&scene, &mut |_| {}).unwrap().contains("<defs>"));
    }

    #[test]
    fn heads_as_the_canvas_draws_them_unset_arrow_end_is_an_arrow_none_is_nothing() {
        let heads = |kind, start: Option<&str>, end: Option<&str>| {
            let mut e = line(&[[0.0, 0.0], [100.0, 0.0]], false);
            e.kind = kind;
            e.start_arrowhead = start.map(str::to_string);
            e.end_arrowhead = end.map(str::to_string);
            drawn(&e).matches("<polyline").count() - 1
        };
        assert_eq!(heads(ElementKind::Arrow, None, None), 1);
        assert_eq!(heads(ElementKind::Arrow, None, Some("none")), 0);
        assert_eq!(heads(ElementKind::Arrow, Some("none"), Some("arrow")), 1);
        assert_eq!(heads(ElementKind::Arrow, Some("arrow"), None), 2);
        assert_eq!(heads(ElementKind::Line, None, None), 0);
    }

    #[test]
    fn the_view_box_takes_in_the_bulge_of_a_curve() {
        let mut scene = Scene::new("t");
        scene
            .elements
            .push(line(&[[0.0, 0.0], [100.0, 100.0], [150.0, 20.0]], true));
        let curved = view_box(&scene);
        scene.elements[0].rounded = false;
        let straight = view_box(&scene);
        assert!(curved.3 > straight.3, "{curved:?} vs {straight:?}");
    }

    #[test]
    fn a_rounded_diamond_has_curved_corners() {
        let mut e = Element::new("d", ElementKind::Diamond, 0.0, 0.0).with_size(100.0, 100.0);
        assert!(drawn(&e).contains("<polygon"));
        e.rounded = true;
        let svg = drawn(&e);
        let d = path_d(&svg);
        // A quarter of the way along each edge, controls on the vertex; straight edges between.
        assert!(
            d.starts_with("M37.5,12.5 C50,0 50,0 62.5,12.5 L87.5,37.5 C100,50"),
            "{d}"
        );
        assert_eq!((d.matches(" C").count(), d.matches(" L").count()), (4, 3));
        // A big diamond's corners stop 32 along each edge, as on the canvas.
        e.width = 1000.0;
        e.height = 1000.0;
        let svg = drawn(&e);
        assert!(path_d(&svg).starts_with("M477.37,22.63 C500,0"), "{svg}");
    }
}
