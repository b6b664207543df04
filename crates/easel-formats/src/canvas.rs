//! JSON Canvas 1.0 (`.canvas`, jsoncanvas.org), the open format of Obsidian's canvas.
//!
//! JSON Canvas knows four node types and edges between nodes, so the mapping is:
//! - text node ↔ sticky (the node's markdown is the sticky's text);
//! - file node ↔ rectangle whose `link` is `file:<path>` (plus `#subpath` when given);
//! - link node ↔ rectangle whose `link` is the URL;
//! - group node ↔ frame (`label` ↔ the frame's name);
//! - edge ↔ arrow bound at both ends, sides in the bindings, `fromEnd`/`toEnd` ↔ arrowheads,
//!   `label` ↔ the arrow's text;
//! - `color` ↔ stroke, with the six presets mapped to fixed hex values and back.
//!
//! On export, other shapes become text nodes (their text survives, their shape does not), and
//! pen strokes, images and unbound lines are left out: the format has no place for them.

use std::collections::HashMap;

use easel_core::{Binding, BoardMeta, Element, ElementKind, Scene, zorder};
use serde_json::{Map, Value, json};

use crate::util::{self, IdMap, Obj};
use crate::{DEFAULT_STROKE, Error, Progress, Result, STICKY_FILL};

const FORMAT: &str = "JSON Canvas";

/// The six preset colours ("1".."6": red, orange, yellow, green, cyan, purple) as hex.
const PRESETS: [&str; 6] = [
    "#e03131", "#f08c00", "#f5c400", "#2f9e44", "#0c8599", "#9c36b5",
];

fn color_to_stroke(c: &str) -> String {
    match c.parse::<usize>() {
        Ok(n @ 1..=6) => PRESETS[n - 1].to_string(),
        _ => c.to_string(),
    }
}

fn stroke_to_color(s: &str) -> Option<String> {
    if s.eq_ignore_ascii_case(DEFAULT_STROKE) {
        return None;
    }
    match PRESETS.iter().position(|p| p.eq_ignore_ascii_case(s)) {
        Some(i) => Some((i + 1).to_string()),
        None => Some(s.to_string()),
    }
}

fn int(v: f64) -> Value {
    json!(v.round() as i64)
}

pub fn export(scene: &Scene, progress: &mut dyn FnMut(Progress)) -> Result<Vec<u8>> {
    let mut nodes = Vec::new();
    let mut node_ids = std::collections::HashSet::new();
    let total = scene.elements.len();
    for (i, e) in scene.elements.iter().enumerate() {
        util::tick(progress, "convert", i + 1, total);
        let mut n = Map::new();
        n.insert("id".into(), json!(e.id));
        match e.kind {
            ElementKind::Frame => {
                n.insert("type".into(), json!("group"));
                if let Some(name) = &e.name {
                    n.insert("label".into(), json!(name));
                }
            }
            ElementKind::Line | ElementKind::Arrow | ElementKind::Freedraw => continue,
            _ => match e.link.as_deref() {
                Some(l) if l.starts_with("file:") => {
                    let path = &l["file:".len()..];
                    let (file, sub) = match path.find('#') {
                        Some(k) => (&path[..k], Some(&path[k..])),
                        None => (path, None),
                    };
                    n.insert("type".into(), json!("file"));
                    n.insert("file".into(), json!(file));
                    if let Some(sub) = sub {
                        n.insert("subpath".into(), json!(sub));
                    }
                }
                Some(l) => {
                    n.insert("type".into(), json!("link"));
                    n.insert("url".into(), json!(l));
                }
                None if e.kind == ElementKind::Image => continue,
                None => {
                    n.insert("type".into(), json!("text"));
                    n.insert("text".into(), json!(e.text));
                }
            },
        }
        for (k, v) in [
            ("x", e.x),
            ("y", e.y),
            ("width", e.width),
            ("height", e.height),
        ] {
            n.insert(k.into(), int(v));
        }
        if let Some(c) = stroke_to_color(&e.stroke) {
            n.insert("color".into(), json!(c));
        }
        node_ids.insert(e.id.as_str());
        nodes.push(Value::Object(n));
    }
    let mut edges = Vec::new();
    for e in &scene.elements {
        if !matches!(e.kind, ElementKind::Line | ElementKind::Arrow) {
            continue;
        }
        let (Some(from), Some(to)) = (&e.start, &e.end) else {
            continue;
        };
        if !node_ids.contains(from.element.as_str()) || !node_ids.contains(to.element.as_str()) {
            continue;
        }
        let mut g = Map::new();
        g.insert("id".into(), json!(e.id));
        g.insert("fromNode".into(), json!(from.element));
        if let Some(s) = &from.side {
            g.insert("fromSide".into(), json!(s));
        }
        if e.start_arrowhead.is_some() {
            g.insert("fromEnd".into(), json!("arrow"));
        }
        g.insert("toNode".into(), json!(to.element));
        if let Some(s) = &to.side {
            g.insert("toSide".into(), json!(s));
        }
        if e.end_arrowhead.is_none() {
            g.insert("toEnd".into(), json!("none"));
        }
        if let Some(c) = stroke_to_color(&e.stroke) {
            g.insert("color".into(), json!(c));
        }
        if !e.text.is_empty() {
            g.insert("label".into(), json!(e.text));
        }
        edges.push(Value::Object(g));
    }
    serde_json::to_vec_pretty(&json!({ "nodes": nodes, "edges": edges }))
        .map_err(|e| Error::Render(e.to_string()))
}

/// The point on a node's side (its centre when no side is given).
fn anchor(e: &Element, side: Option<&str>) -> (f64, f64) {
    let (cx, cy) = (e.x + e.width / 2.0, e.y + e.height / 2.0);
    match side {
        Some("top") => (cx, e.y),
        Some("bottom") => (cx, e.y + e.height),
        Some("left") => (e.x, cy),
        Some("right") => (e.x + e.width, cy),
        _ => (cx, cy),
    }
}

pub fn import(bytes: &[u8], title: &str, progress: &mut dyn FnMut(Progress)) -> Result<Scene> {
    let root = util::parse_json(bytes, FORMAT)?;
    let top = Obj::new(&root, "$", FORMAT)?;
    let empty = Vec::new();
    let nodes = top.opt_arr("nodes")?.unwrap_or(&empty);
    let edges = top.opt_arr("edges")?.unwrap_or(&empty);
    let total = nodes.len() + edges.len();
    let mut ids = IdMap::default();
    let mut elements = Vec::with_capacity(total);
    let mut paths = Vec::with_capacity(total);
    // Source node id → index in `elements`.
    let mut by_src: HashMap<&str, usize> = HashMap::new();
    for (i, v) in nodes.iter().enumerate() {
        let o = Obj::new(v, format!("nodes[{i}]"), FORMAT)?;
        let src = o.req_str("id")?;
        if by_src.contains_key(src) {
            return Err(o.err("id", format!("duplicate node id {src:?}")));
        }
        let ty = o.req_str("type")?;
        let kind = match ty {
            "text" => ElementKind::Sticky,
            "file" | "link" => ElementKind::Rectangle,
            "group" => ElementKind::Frame,
            other => return Err(o.err("type", format!("unknown node type {other:?}"))),
        };
        let id = ids.claim(src);
        let mut e = Element::new(id, kind, o.req_f64("x")?, o.req_f64("y")?)
            .with_size(o.req_f64("width")?, o.req_f64("height")?);
        match ty {
            "text" => {
                e.text = o.req_str("text")?.to_string();
                e.fill = STICKY_FILL.into();
            }
            "file" => {
                let mut link = format!("file:{}", o.req_str("file")?);
                if let Some(sub) = o.opt_str("subpath")? {
                    link.push_str(sub);
                }
                e.link = Some(link);
            }
            "link" => e.link = Some(o.req_str("url")?.to_string()),
            _ => e.name = o.opt_str("label")?.map(str::to_string),
        }
        if let Some(c) = o.opt_str("color")? {
            e.stroke = color_to_stroke(c);
        }
        by_src.insert(src, elements.len());
        elements.push(e);
        paths.push(o.path.clone());
        util::tick(progress, "convert", i + 1, total);
    }
    for (i, v) in edges.iter().enumerate() {
        let o = Obj::new(v, format!("edges[{i}]"), FORMAT)?;
        let src = o.req_str("id")?;
        let mut ends = Vec::new();
        for (node_key, side_key, end_key, default_end) in [
            ("fromNode", "fromSide", "fromEnd", "none"),
            ("toNode", "toSide", "toEnd", "arrow"),
        ] {
            let node = o.req_str(node_key)?;
            let &idx = by_src
                .get(node)
                .ok_or_else(|| o.err(node_key, format!("no node with id {node:?}")))?;
            let side = o.opt_str(side_key)?;
            if let Some(s) = side
                && !matches!(s, "top" | "right" | "bottom" | "left")
            {
                return Err(o.err(side_key, format!("unknown side {s:?}")));
            }
            let end = o.str_or(end_key, default_end)?;
            let head = match end.as_str() {
                "none" => None,
                "arrow" => Some("arrow".to_string()),
                other => return Err(o.err(end_key, format!("unknown end {other:?}"))),
            };
            let target = &elements[idx];
            ends.push((
                Binding {
                    element: target.id.clone(),
                    focus: 0.0,
                    gap: 0.0,
                    side: side.map(str::to_string),
                },
                anchor(target, side),
                head,
            ));
        }
        let (to, from) = (ends.pop().expect("two ends"), ends.pop().expect("two ends"));
        let id = ids.claim(src);
        let (dx, dy) = (to.1.0 - from.1.0, to.1.1 - from.1.1);
        let mut e =
            Element::new(id, ElementKind::Arrow, from.1.0, from.1.1).with_size(dx.abs(), dy.abs());
        e.points = vec![[0.0, 0.0], [dx, dy]];
        e.start = Some(from.0);
        e.end = Some(to.0);
        e.start_arrowhead = from.2;
        e.end_arrowhead = to.2;
        if let Some(l) = o.opt_str("label")? {
            e.text = l.to_string();
        }
        if let Some(c) = o.opt_str("color")? {
            e.stroke = color_to_stroke(c);
        }
        elements.push(e);
        paths.push(o.path.clone());
        util::tick(progress, "convert", nodes.len() + i + 1, total);
    }
    for (e, k) in elements.iter_mut().zip(zorder::keys_after(None, total)) {
        e.z = k;
    }
    let scene = Scene {
        meta: BoardMeta::new(title),
        elements,
        files: Vec::new(),
    };
    util::finish(scene, FORMAT, &paths, progress)
}
