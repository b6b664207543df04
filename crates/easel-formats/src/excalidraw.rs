//! Excalidraw scenes (`.excalidraw`), libraries (`.excalidrawlib`) and the scenes Excalidraw
//! embeds in its PNG and SVG exports.
//!
//! Excalidraw is the tool our users most likely come from, so both directions matter: export
//! writes every field Excalidraw needs to open the file, and import accepts files from old and
//! new Excalidraw versions. The models differ in a few places, bridged like this:
//! - A label on a shape or arrow is our element's `text`; in Excalidraw it is a separate text
//!   element with `containerId`, listed in the container's `boundElements`. Import folds it in.
//! - A sticky note is an Excalidraw rectangle with a bound text and
//!   `customData.easelKind = "sticky"`, so it comes back as a sticky. It is written as Easel draws
//!   it: no border (its colour is the label's), a solid fill (the sticky yellow when it has
//!   none), rounded.
//! - Arrowheads as Excalidraw shows them: an arrow's unset end is an arrow head, `none` is null;
//!   read back, Excalidraw's null end of an arrow is `none`.
//! - Fields Excalidraw has no place for (author, a binding's side, a font family it has no
//!   number for) ride in `customData`, which Excalidraw keeps untouched.
//! - Images reference files by id; on import each file is stored content-addressed and the
//!   references are rewritten.

use std::collections::{HashMap, HashSet};

use easel_core::{Binding, BoardFile, BoardMeta, Element, ElementKind, Scene, zorder};
use serde_json::{Map, Value, json};

use crate::util::{self, IdMap, Obj};
use crate::{DEFAULT_STROKE, Error, Progress, Result, STICKY_FILL};

const FORMAT: &str = "Excalidraw";
const LIB_FORMAT: &str = "Excalidraw library";
const SOURCE: &str = "https://github.com/easel-board/easel";

/// Excalidraw's font numbers and the family names we store for them.
const FONTS: &[(u64, &str)] = &[
    (1, "hand-drawn"),
    (2, "sans-serif"),
    (3, "monospace"),
    (4, "Assistant"),
    (5, "Excalifont"),
    (6, "Nunito"),
    (7, "Lilita One"),
    (8, "Comic Shanns"),
];

fn font_number(family: &str) -> u64 {
    let f = family.to_ascii_lowercase();
    match f.as_str() {
        "virgil" | "hand-drawn" | "handdrawn" => 1,
        "helvetica" | "sans-serif" | "sans" => 2,
        "cascadia" | "cascadia code" | "monospace" | "code" | "mono" => 3,
        _ => FONTS
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(family))
            .map_or(2, |(n, _)| *n),
    }
}

fn font_name(n: u64) -> &'static str {
    FONTS
        .iter()
        .find(|(k, _)| *k == n)
        .map_or("sans-serif", |(_, name)| name)
}

/// A stable pseudo-random 31-bit number from a string, for Excalidraw's `seed` and nonces.
fn hash31(s: &str, salt: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 33) & 0x7fff_ffff
}

/// Excalidraw's roundness for a rounded element of `kind`, as Excalidraw itself writes it:
/// proportional (2) for lines, arrows and diamonds, adaptive (3) for the rest (the clipboard
/// conversion in ui/src/clipboard/excalidraw.ts does the same).
fn roundness(kind: ElementKind) -> Value {
    match kind {
        ElementKind::Line | ElementKind::Arrow | ElementKind::Diamond => json!({"type": 2}),
        _ => json!({"type": 3}),
    }
}

fn number(v: f64) -> Value {
    // Whole numbers are written without a fraction, as Excalidraw writes them.
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn kind_name(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Sticky => "rectangle",
        other => other.as_str(),
    }
}

/// The scene as an Excalidraw JSON value.
pub fn to_value(scene: &Scene, progress: &mut dyn FnMut(Progress)) -> Result<ExcalidrawFile> {
    let els = &scene.elements;
    // Keys stay when they are valid and ascending; otherwise every element gets a fresh one.
    let keep_keys = els
        .iter()
        .all(|e| !e.z.is_empty() && zorder::validate_key(&e.z).is_ok())
        && els.windows(2).all(|w| w[0].z <= w[1].z);
    let mut next_greater: Vec<Option<&str>> = vec![None; els.len()];
    if keep_keys {
        for i in (0..els.len().saturating_sub(1)).rev() {
            next_greater[i] = if els[i + 1].z > els[i].z {
                Some(els[i + 1].z.as_str())
            } else {
                next_greater[i + 1]
            };
        }
    }
    let labelled = |e: &Element| !e.text.is_empty() && e.kind != ElementKind::Text;
    let total_out = els.len() + els.iter().filter(|e| labelled(e)).count();
    let mut fresh = zorder::keys_after(None, if keep_keys { 0 } else { total_out }).into_iter();

    // Arrows bound to each element, for the element's `boundElements`.
    let mut bound_arrows: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in els {
        for b in [&e.start, &e.end].into_iter().flatten() {
            let list = bound_arrows.entry(b.element.as_str()).or_default();
            if !list.contains(&e.id.as_str()) {
                list.push(e.id.as_str());
            }
        }
    }
    let mut taken: HashSet<String> = els.iter().map(|e| e.id.clone()).collect();

    let mut out = Vec::with_capacity(total_out);
    for (i, e) in els.iter().enumerate() {
        let index = if keep_keys {
            e.z.clone()
        } else {
            fresh.next().expect("enough keys")
        };
        let label_id = labelled(e).then(|| {
            let mut id = format!("{}-label", e.id);
            while taken.contains(&id) {
                id.push('x');
            }
            taken.insert(id.clone());
            id
        });
        let mut bound: Vec<Value> = Vec::new();
        if let Some(l) = &label_id {
            bound.push(json!({"type": "text", "id": l}));
        }
        for a in bound_arrows.get(e.id.as_str()).into_iter().flatten() {
            bound.push(json!({"type": "arrow", "id": a}));
        }
        let mut v = element_value(e, &index);
        v["boundElements"] = if bound.is_empty() {
            Value::Null
        } else {
            Value::Array(bound)
        };
        out.push(v);
        if let Some(label_id) = label_id {
            let label_index = if keep_keys {
                zorder::key_between(Some(&e.z), next_greater[i])
            } else {
                fresh.next().expect("enough keys")
            };
            out.push(label_value(e, &label_id, &label_index));
        }
        util::tick(progress, "convert", i + 1, els.len());
    }

    let mut files = Map::new();
    for f in &scene.files {
        files.insert(
            f.id.clone(),
            json!({
                "mimeType": f.mime,
                "id": f.id,
                "dataURL": format!("data:{};base64,{}", f.mime, util::b64(&f.data)),
                "created": 0,
            }),
        );
    }
    Ok(ExcalidrawFile {
        r#type: "excalidraw",
        version: 2,
        source: SOURCE,
        elements: out,
        app_state: json!({
            "viewBackgroundColor": scene.meta.background,
            "gridSize": scene.meta.grid,
            "name": scene.meta.title,
        }),
        files: Value::Object(files),
    })
}

/// The top level of a `.excalidraw` file, in the order Excalidraw writes it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExcalidrawFile {
    r#type: &'static str,
    version: u64,
    source: &'static str,
    elements: Vec<Value>,
    app_state: Value,
    files: Value,
}

pub fn export(scene: &Scene, progress: &mut dyn FnMut(Progress)) -> Result<Vec<u8>> {
    let v = to_value(scene, progress)?;
    serde_json::to_vec_pretty(&v).map_err(|e| Error::Render(e.to_string()))
}

fn opacity_percent(o: f64) -> f64 {
    let p = o * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        p.round()
    } else {
        p
    }
}

fn binding_value(b: &Option<Binding>) -> Value {
    match b {
        Some(b) => json!({
            "elementId": b.element,
            "focus": number(b.focus),
            "gap": number(b.gap),
        }),
        None => Value::Null,
    }
}

fn element_value(e: &Element, index: &str) -> Value {
    let mut custom = Map::new();
    if e.kind == ElementKind::Sticky {
        custom.insert("easelKind".into(), json!("sticky"));
        // Written rounded, as Easel draws every sticky; the flag itself comes back through this.
        if !e.rounded {
            custom.insert("easelSquare".into(), json!(true));
        }
    }
    if !e.author.is_empty() {
        custom.insert("easelAuthor".into(), json!(e.author));
    }
    if font_name(font_number(&e.font_family)) != e.font_family {
        custom.insert("easelFontFamily".into(), json!(e.font_family));
    }
    for (key, b) in [("easelStartSide", &e.start), ("easelEndSide", &e.end)] {
        if let Some(side) = b.as_ref().and_then(|b| b.side.as_ref()) {
            custom.insert(key.into(), json!(side));
        }
    }
    let mut v = json!({
        "id": e.id,
        "type": kind_name(e.kind),
        "x": number(e.x),
        "y": number(e.y),
        "width": number(e.width),
        "height": number(e.height),
        "angle": number(e.angle),
        "strokeColor": e.stroke,
        "backgroundColor": e.fill,
        "fillStyle": e.fill_style,
        "strokeWidth": number(e.stroke_width),
        "strokeStyle": e.stroke_style,
        "roughness": number(e.roughness),
        "opacity": number(opacity_percent(e.opacity)),
        "groupIds": e.group_ids,
        "frameId": e.frame_id,
        "index": index,
        "roundness": if e.rounded { roundness(e.kind) } else { Value::Null },
        "seed": e.rough_seed(),
        "version": 1,
        "versionNonce": hash31(&e.id, 2),
        "isDeleted": false,
        "boundElements": null,
        "updated": number(e.updated_at),
        "link": e.link,
        "locked": e.locked,
    });
    if !custom.is_empty() {
        v["customData"] = Value::Object(custom);
    }
    if e.kind == ElementKind::Sticky {
        // As Easel draws a sticky: no border (its stroke colours the label), a solid fill (the
        // sticky yellow when it has none), rounded corners.
        let fill = if e.fill.is_empty() || e.fill == "transparent" {
            STICKY_FILL
        } else {
            e.fill.as_str()
        };
        v["strokeColor"] = json!("transparent");
        v["backgroundColor"] = json!(fill);
        v["fillStyle"] = json!("solid");
        v["roundness"] = json!({"type": 3});
    }
    let points = || -> Value {
        Value::Array(
            e.points
                .iter()
                .map(|p| json!([number(p[0]), number(p[1])]))
                .collect(),
        )
    };
    match e.kind {
        ElementKind::Text => {
            v["text"] = json!(e.text);
            v["originalText"] = json!(e.text);
            v["fontSize"] = number(e.font_size);
            v["fontFamily"] = json!(font_number(&e.font_family));
            v["textAlign"] = json!(e.text_align);
            v["verticalAlign"] = json!(e.vertical_align);
            v["containerId"] = Value::Null;
            v["autoResize"] = json!(true);
            v["lineHeight"] = json!(1.25);
        }
        ElementKind::Line | ElementKind::Arrow => {
            v["points"] = points();
            v["lastCommittedPoint"] = Value::Null;
            v["startBinding"] = binding_value(&e.start);
            v["endBinding"] = binding_value(&e.end);
            v["startArrowhead"] = head_out(e.kind, e.start_arrowhead.as_deref(), false);
            v["endArrowhead"] = head_out(e.kind, e.end_arrowhead.as_deref(), true);
            if e.kind == ElementKind::Arrow {
                v["elbowed"] = json!(e.elbowed);
            } else {
                v["polygon"] = json!(false);
            }
        }
        ElementKind::Freedraw => {
            v["points"] = points();
            v["pressures"] = json!(e.pressures);
            v["simulatePressure"] = json!(e.pressures.is_empty());
            v["lastCommittedPoint"] = Value::Null;
        }
        ElementKind::Image => {
            v["fileId"] = json!(e.file_id);
            v["status"] = json!("saved");
            v["scale"] = json!([1, 1]);
            v["crop"] = Value::Null;
        }
        ElementKind::Frame => {
            v["name"] = json!(e.name);
        }
        _ => {}
    }
    v
}

/// An arrowhead as Excalidraw writes it: Easel draws an arrow whose end has no head set with an
/// arrow head and none where it is `none`; Excalidraw's "no head" is null.
fn head_out(kind: ElementKind, head: Option<&str>, end: bool) -> Value {
    match head {
        Some("none") => Value::Null,
        Some(h) => json!(h),
        None if kind == ElementKind::Arrow && end => json!("arrow"),
        None => Value::Null,
    }
}

/// The separate text element Excalidraw uses for a shape's or arrow's label.
fn label_value(e: &Element, id: &str, index: &str) -> Value {
    let lines = e.text.lines().count().max(1) as f64;
    let h = e.font_size * 1.25 * lines;
    let (cx, cy) = if e.kind.has_points() && !e.points.is_empty() {
        let mid = e.points[e.points.len() / 2];
        (e.x + mid[0], e.y + mid[1])
    } else {
        (e.x + e.width / 2.0, e.y + e.height / 2.0)
    };
    let w = if e.kind.has_points() {
        (e.text.chars().count() as f64 * e.font_size * 0.6).max(10.0)
    } else {
        (e.width - 10.0).max(10.0)
    };
    let y = match e.vertical_align.as_str() {
        "top" if !e.kind.has_points() => e.y + 5.0,
        "bottom" if !e.kind.has_points() => e.y + e.height - 5.0 - h,
        _ => cy - h / 2.0,
    };
    json!({
        "id": id,
        "type": "text",
        "x": number(cx - w / 2.0),
        "y": number(y),
        "width": number(w),
        "height": number(h),
        "angle": number(e.angle),
        "strokeColor": e.stroke,
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 1,
        "strokeStyle": "solid",
        "roughness": 0,
        "opacity": number(opacity_percent(e.opacity)),
        "groupIds": e.group_ids,
        "frameId": e.frame_id,
        "index": index,
        "roundness": null,
        "seed": hash31(id, 1),
        "version": 1,
        "versionNonce": hash31(id, 2),
        "isDeleted": false,
        "boundElements": null,
        "updated": number(e.updated_at),
        "link": null,
        "locked": e.locked,
        "text": e.text,
        "originalText": e.text,
        "fontSize": number(e.font_size),
        "fontFamily": font_number(&e.font_family),
        "textAlign": e.text_align,
        "verticalAlign": e.vertical_align,
        "containerId": e.id,
        "autoResize": true,
        "lineHeight": 1.25,
    })
}

// ---------------------------------------------------------------------------------------------
// Import.

pub fn import(bytes: &[u8], title: &str, progress: &mut dyn FnMut(Progress)) -> Result<Scene> {
    let root = util::parse_json(bytes, FORMAT)?;
    import_value(&root, title, progress)
}

fn import_value(root: &Value, title: &str, progress: &mut dyn FnMut(Progress)) -> Result<Scene> {
    let top = Obj::new(root, "$", FORMAT)?;
    if let Some(t) = top.opt_str("type")?
        && t != "excalidraw"
    {
        return Err(top.err("type", format!("expected \"excalidraw\", got {t:?}")));
    }
    let mut meta = BoardMeta::new(title);
    if let Some(app) = top.opt_obj("appState")? {
        if let Some(bg) = app.opt_str("viewBackgroundColor")? {
            meta.background = bg.to_string();
        }
        if let Some(g) = app.opt_f64("gridSize")? {
            meta.grid = Some(g);
        }
        if let Some(name) = app.opt_str("name")?
            && !name.trim().is_empty()
            && !name.chars().any(char::is_control)
            && name.len() <= 512
        {
            meta.title = name.to_string();
        }
    }
    let files = read_files(&top)?;
    let empty = Vec::new();
    let els = top.opt_arr("elements")?.unwrap_or(&empty);
    let mut ids = IdMap::default();
    let (mut elements, paths) = convert_elements(els, "elements", &mut ids, &files, progress)?;
    util::settle_z(&mut elements);
    let used = used_files(&elements, &files);
    let scene = Scene {
        meta,
        elements,
        files: used,
    };
    util::finish(scene, FORMAT, &paths, progress)
}

/// Reads `files` into board files keyed by their Excalidraw id.
/// The files the elements reference, each once, in first-use order: a scene keeps only those.
fn used_files(elements: &[Element], files: &HashMap<String, BoardFile>) -> Vec<BoardFile> {
    let mut used: Vec<BoardFile> = Vec::new();
    for e in elements {
        if let Some(fid) = &e.file_id
            && !used.iter().any(|f| &f.id == fid)
            && let Some(f) = files.values().find(|f| &f.id == fid)
        {
            used.push(f.clone());
        }
    }
    used
}

fn read_files(top: &Obj<'_>) -> Result<HashMap<String, BoardFile>> {
    let mut out = HashMap::new();
    let Some(files) = top.opt_obj("files")? else {
        return Ok(out);
    };
    for (key, v) in files.map {
        let f = Obj::new(v, files.field(key), FORMAT)?;
        let url = f.req_str("dataURL")?;
        let rest = url
            .strip_prefix("data:")
            .ok_or_else(|| f.err("dataURL", "not a data: URL"))?;
        let (head, payload) = rest
            .split_once(',')
            .ok_or_else(|| f.err("dataURL", "data: URL without a comma"))?;
        let mut mime = head.split(';').next().unwrap_or("").to_string();
        if let Some(m) = f.opt_str("mimeType")? {
            mime = m.to_string();
        }
        if !head.ends_with(";base64") {
            return Err(f.err("dataURL", "only base64 data: URLs are supported"));
        }
        if payload.len() > easel_core::model::limits::MAX_FILE_BYTES / 3 * 4 + 4 {
            return Err(f.err("dataURL", "file is larger than a board allows"));
        }
        let data =
            util::unb64(payload).map_err(|e| f.err("dataURL", format!("bad base64: {e}")))?;
        let file = BoardFile::new(mime, data);
        file.validate()
            .map_err(|e| util::core_to_malformed(e.at(files.field(key)), FORMAT))?;
        out.insert(key.clone(), file);
    }
    Ok(out)
}

fn kind_of(o: &Obj<'_>) -> Result<Option<ElementKind>> {
    let t = o.req_str("type")?;
    let sticky = o
        .opt_obj("customData")?
        .and_then(|c| {
            c.map
                .get("easelKind")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .is_some_and(|k| k == "sticky");
    Ok(Some(match t {
        "rectangle" if sticky => ElementKind::Sticky,
        "rectangle" | "embeddable" | "iframe" => ElementKind::Rectangle,
        "ellipse" => ElementKind::Ellipse,
        "diamond" => ElementKind::Diamond,
        "line" => ElementKind::Line,
        "arrow" => ElementKind::Arrow,
        "freedraw" | "draw" => ElementKind::Freedraw,
        "text" => ElementKind::Text,
        "image" => ElementKind::Image,
        "frame" | "magicframe" => ElementKind::Frame,
        // Excalidraw writes a transient selection box into some old files; it is not content.
        "selection" => return Ok(None),
        other => return Err(o.err("type", format!("unknown element type {other:?}"))),
    }))
}

/// Converts an Excalidraw element array. Returns the elements and each one's source path.
fn convert_elements(
    els: &[Value],
    base: &str,
    ids: &mut IdMap,
    files: &HashMap<String, BoardFile>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Vec<Element>, Vec<String>)> {
    // First pass: which elements are live, and which texts are labels of a live container.
    let mut live: Vec<(usize, Obj<'_>, ElementKind)> = Vec::new();
    for (i, v) in els.iter().enumerate() {
        let o = Obj::new(v, format!("{base}[{i}]"), FORMAT)?;
        if o.bool_or("isDeleted", false)? {
            continue;
        }
        if let Some(kind) = kind_of(&o)? {
            o.req_str("id")?;
            live.push((i, o, kind));
        }
    }
    let live_ids: HashSet<&str> = live
        .iter()
        .map(|(_, o, _)| o.map["id"].as_str().expect("checked"))
        .collect();
    let mut labels: HashMap<String, usize> = HashMap::new();
    for (n, (_, o, kind)) in live.iter().enumerate() {
        if *kind == ElementKind::Text
            && let Some(c) = o.opt_str("containerId")?
            && live_ids.contains(c)
        {
            labels.entry(c.to_string()).or_insert(n);
        }
    }
    let is_label = |n: usize| labels.values().any(|&m| m == n);
    let claimed: Vec<Option<String>> = live
        .iter()
        .enumerate()
        .map(|(n, (_, o, _))| {
            (!is_label(n)).then(|| ids.claim(o.map["id"].as_str().expect("checked")))
        })
        .collect();

    let mut out = Vec::new();
    let mut paths = Vec::new();
    let total = live.len();
    for (n, (_, o, kind)) in live.iter().enumerate() {
        util::tick(progress, "convert", n + 1, total);
        let Some(id) = claimed[n].clone() else {
            continue;
        };
        let src_id = o.map["id"].as_str().expect("checked");
        let mut e = convert_one(o, *kind, id, ids, files)?;
        if let Some(&m) = labels.get(src_id) {
            let t = &live[m].1;
            e.text = t
                .opt_str("originalText")?
                .or(t.opt_str("text")?)
                .unwrap_or("")
                .to_string();
            read_font(t, &mut e)?;
            // A sticky is written without a border: its colour is the label's.
            if e.kind == ElementKind::Sticky && e.stroke == "transparent" {
                e.stroke = t
                    .opt_str("strokeColor")?
                    .unwrap_or(DEFAULT_STROKE)
                    .to_string();
            }
        } else if e.kind == ElementKind::Sticky && e.stroke == "transparent" {
            e.stroke = DEFAULT_STROKE.to_string();
        }
        paths.push(o.path.clone());
        out.push(e);
    }
    Ok((out, paths))
}

fn read_font(o: &Obj<'_>, e: &mut Element) -> Result<()> {
    e.font_size = o.f64_or("fontSize", e.font_size)?;
    if let Some(n) = o.opt_f64("fontFamily")? {
        e.font_family = font_name(n as u64).to_string();
    } else if let Some(s) = o.opt_str("fontFamily")? {
        e.font_family = s.to_string();
    }
    e.text_align = o.str_or("textAlign", &e.text_align)?;
    e.vertical_align = o.str_or("verticalAlign", &e.vertical_align)?;
    Ok(())
}

fn convert_binding(o: &Obj<'_>, key: &str, ids: &mut IdMap) -> Result<Option<Binding>> {
    let Some(b) = o.opt_obj(key)? else {
        return Ok(None);
    };
    let target = b.req_str("elementId")?;
    Ok(Some(Binding {
        element: ids.reference(target),
        focus: b.f64_or("focus", 0.0)?,
        gap: b.f64_or("gap", 0.0)?,
        side: None,
    }))
}

fn convert_one(
    o: &Obj<'_>,
    kind: ElementKind,
    id: String,
    ids: &mut IdMap,
    files: &HashMap<String, BoardFile>,
) -> Result<Element> {
    let mut e = Element::new(id, kind, o.req_f64("x")?, o.req_f64("y")?);
    e.width = o.f64_or("width", 0.0)?;
    e.height = o.f64_or("height", 0.0)?;
    e.angle = o.f64_or("angle", 0.0)?;
    e.stroke = o.str_or("strokeColor", &e.stroke)?;
    e.fill = o.str_or("backgroundColor", &e.fill)?;
    e.fill_style = o.str_or("fillStyle", &e.fill_style)?;
    e.stroke_width = o.f64_or("strokeWidth", e.stroke_width)?;
    e.stroke_style = o.str_or("strokeStyle", &e.stroke_style)?;
    e.roughness = o.f64_or("roughness", 0.0)?;
    // Excalidraw's seed draws the same wobble here; one the id gives anyway (what Easel's own
    // export writes) is not stored, and anything else (or none) falls back to the id's.
    let seed = o.f64_or("seed", 0.0)?;
    if seed.fract() == 0.0
        && (1.0..=f64::from(u32::MAX)).contains(&seed)
        && seed as u32 != e.rough_seed()
    {
        e.seed = seed as u32;
    }
    e.opacity = o.f64_or("opacity", 100.0)? / 100.0;
    e.rounded = match o.get("roundness") {
        Some(_) => true,
        None => o.opt_str("strokeSharpness")? == Some("round") && !o.map.contains_key("roundness"),
    };
    if e.rounded && kind == ElementKind::Text {
        // Old files mark text "round"; it means nothing for text.
        e.rounded = o.get("roundness").is_some();
    }
    e.z = o.str_or("index", "")?;
    e.group_ids = o
        .strings("groupIds")?
        .iter()
        .map(|g| ids.reference(g))
        .collect();
    e.frame_id = o.opt_str("frameId")?.map(|f| ids.reference(f));
    e.locked = o.bool_or("locked", false)?;
    e.link = o.opt_str("link")?.map(str::to_string);
    e.updated_at = o.f64_or("updated", 0.0)?;
    let custom = o.opt_obj("customData")?;
    let custom_str = |key: &str| -> Option<String> {
        custom
            .as_ref()
            .and_then(|c| c.map.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if let Some(a) = custom_str("easelAuthor") {
        e.author = a;
    }
    match kind {
        ElementKind::Text => {
            e.text = o.str_or("originalText", "")?;
            if e.text.is_empty() {
                e.text = o.str_or("text", "")?;
            }
            read_font(o, &mut e)?;
        }
        ElementKind::Line | ElementKind::Arrow => {
            e.points = o.points("points")?;
            e.start = convert_binding(o, "startBinding", ids)?;
            e.end = convert_binding(o, "endBinding", ids)?;
            e.start_arrowhead = o.opt_str("startArrowhead")?.map(str::to_string);
            e.end_arrowhead = o.opt_str("endArrowhead")?.map(str::to_string);
            e.elbowed = e.kind == ElementKind::Arrow && o.bool_or("elbowed", false)?;
            // Excalidraw's null end is "no head"; Easel draws an arrow's unset end as a head.
            // (An absent key is Excalidraw's default, an arrow head, as its restore reads it.)
            if e.kind == ElementKind::Arrow
                && e.end_arrowhead.is_none()
                && o.map.get("endArrowhead").is_some_and(Value::is_null)
            {
                e.end_arrowhead = Some("none".into());
            }
        }
        ElementKind::Freedraw => {
            e.points = o.points("points")?;
            let pressures: Vec<f64> = match o.opt_arr("pressures")? {
                Some(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        p.as_f64().ok_or_else(|| {
                            Error::malformed(
                                FORMAT,
                                format!("{}[{i}]", o.field("pressures")),
                                "expected a number",
                            )
                        })
                    })
                    .collect::<Result<_>>()?,
                None => Vec::new(),
            };
            // Excalidraw leaves `pressures` empty or short when it simulates pressure.
            if pressures.len() == e.points.len() && !o.bool_or("simulatePressure", false)? {
                e.pressures = pressures;
            }
        }
        ElementKind::Image => {
            let fid = o.req_str("fileId")?;
            let file = files
                .get(fid)
                .ok_or_else(|| o.err("fileId", format!("no file {fid:?} in `files`")))?;
            e.file_id = Some(file.id.clone());
        }
        ElementKind::Frame => {
            e.name = o.opt_str("name")?.map(str::to_string);
        }
        _ => {}
    }
    if let Some(f) = custom_str("easelFontFamily") {
        e.font_family = f;
    }
    if e.kind == ElementKind::Sticky
        && custom
            .as_ref()
            .and_then(|c| c.map.get("easelSquare"))
            .is_some_and(|v| v == &Value::Bool(true))
    {
        e.rounded = false;
    }
    for (key, b) in [
        ("easelStartSide", &mut e.start),
        ("easelEndSide", &mut e.end),
    ] {
        if let (Some(side), Some(b)) = (custom_str(key), b.as_mut()) {
            b.side = Some(side);
        }
    }
    Ok(e)
}

// ---------------------------------------------------------------------------------------------
// Libraries.

/// Imports a library: each item becomes one group of elements, laid out in a grid.
pub fn import_library(
    bytes: &[u8],
    title: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let root = util::parse_json(bytes, LIB_FORMAT)?;
    let top = Obj::new(&root, "$", LIB_FORMAT)?;
    if let Some(t) = top.opt_str("type")?
        && t != "excalidrawlib"
    {
        return Err(top.err("type", format!("expected \"excalidrawlib\", got {t:?}")));
    }
    let files = read_files(&top)?;
    // (group id, element array, source path) per item.
    let mut items: Vec<(String, &Vec<Value>, String)> = Vec::new();
    if let Some(list) = top.opt_arr("libraryItems")? {
        for (k, v) in list.iter().enumerate() {
            let item = Obj::new(v, format!("libraryItems[{k}]"), LIB_FORMAT)?;
            let id = item.str_or("id", "")?;
            let group = if util::is_valid_id(&id) {
                id
            } else {
                format!("library-item-{k}")
            };
            let els = item
                .opt_arr("elements")?
                .ok_or_else(|| item.err("elements", "missing elements"))?;
            items.push((group, els, item.field("elements")));
        }
    } else if let Some(list) = top.opt_arr("library")? {
        for (k, v) in list.iter().enumerate() {
            let els = v.as_array().ok_or_else(|| {
                Error::malformed(
                    LIB_FORMAT,
                    format!("library[{k}]"),
                    "expected an array of elements",
                )
            })?;
            items.push((format!("library-item-{k}"), els, format!("library[{k}]")));
        }
    } else {
        return Err(top.err(
            "libraryItems",
            "neither libraryItems nor library is present",
        ));
    }

    let mut used_ids: HashSet<String> = HashSet::new();
    let mut converted = Vec::new();
    for (group, els, path) in &items {
        let mut ids = IdMap::with_used(used_ids.clone());
        let (mut elements, paths) = convert_elements(els, path, &mut ids, &files, progress)
            .map_err(|e| relabel(e, LIB_FORMAT))?;
        for e in &mut elements {
            used_ids.insert(e.id.clone());
            e.group_ids.push(group.clone());
        }
        converted.push((elements, paths));
    }

    // Lay the items out in a grid of equal cells, each item at its cell's top-left corner.
    let cols = (converted.len() as f64).sqrt().ceil().max(1.0) as usize;
    let boxes: Vec<(f64, f64, f64, f64)> = converted.iter().map(|(els, _)| bbox(els)).collect();
    let gap = 40.0;
    let cell_w = boxes.iter().map(|b| b.2 - b.0).fold(0.0, f64::max) + gap;
    let cell_h = boxes.iter().map(|b| b.3 - b.1).fold(0.0, f64::max) + gap;
    let mut elements = Vec::new();
    let mut paths = Vec::new();
    for (k, ((els, ps), b)) in converted.into_iter().zip(boxes).enumerate() {
        let (col, row) = ((k % cols) as f64, (k / cols) as f64);
        let (dx, dy) = (col * cell_w - b.0, row * cell_h - b.1);
        for mut e in els {
            e.x += dx;
            e.y += dy;
            e.z.clear();
            elements.push(e);
        }
        paths.extend(ps);
    }
    util::settle_z(&mut elements);
    let used = used_files(&elements, &files);
    let scene = Scene {
        meta: BoardMeta::new(title),
        elements,
        files: used,
    };
    util::finish(scene, LIB_FORMAT, &paths, progress)
}

fn relabel(e: Error, format: &'static str) -> Error {
    match e {
        Error::Malformed { field, message, .. } => Error::Malformed {
            format,
            field,
            message,
        },
        other => other,
    }
}

/// The axis-aligned box (min x, min y, max x, max y) around some elements, ignoring rotation.
pub fn bbox(els: &[Element]) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for e in els {
        let mut grow = |x: f64, y: f64| {
            b.0 = b.0.min(x);
            b.1 = b.1.min(y);
            b.2 = b.2.max(x);
            b.3 = b.3.max(y);
        };
        if e.points.is_empty() {
            grow(e.x, e.y);
            grow(e.x + e.width, e.y + e.height);
        } else {
            for p in &e.points {
                grow(e.x + p[0], e.y + p[1]);
            }
        }
    }
    if b.0 > b.2 { (0.0, 0.0, 0.0, 0.0) } else { b }
}

// ---------------------------------------------------------------------------------------------
// Scenes embedded in Excalidraw's PNG and SVG exports.

/// Decodes an embedded payload (the bytes of a PNG text chunk, or the base64-decoded SVG
/// payload) to the scene's JSON bytes.
///
/// Version 1 payloads are the scene JSON itself. Version 2 payloads are JSON
/// `{"version":"1","encoding":"bstring","compressed":true,"encoded":...}`, where `encoded` is a
/// zlib stream stored as a "byte string": one char per byte, so Latin-1 when the wrapper is
/// read as text.
pub fn decode_payload(raw: &[u8], format: &'static str) -> Result<Vec<u8>> {
    let wrapper: Value = match serde_json::from_slice(raw) {
        Ok(v) => v,
        Err(_) => {
            let latin1: String = raw.iter().map(|&b| b as char).collect();
            serde_json::from_str(&latin1).map_err(|e| {
                Error::malformed(
                    format,
                    "payload",
                    format!("embedded scene is not JSON: {e}"),
                )
            })?
        }
    };
    let Some(encoded) = wrapper.get("encoded") else {
        // Version 1: the scene itself.
        return Ok(raw.to_vec());
    };
    let w = Obj::new(&wrapper, "payload", format)?;
    let encoding = w.str_or("encoding", "bstring")?;
    if encoding != "bstring" {
        return Err(w.err("encoding", format!("unknown encoding {encoding:?}")));
    }
    let encoded = encoded
        .as_str()
        .ok_or_else(|| w.err("encoded", "expected a string"))?;
    let bytes: Vec<u8> = encoded
        .chars()
        .map(|c| u8::try_from(c as u32))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| w.err("encoded", "byte string holds a character above U+00FF"))?;
    if w.bool_or("compressed", false)? {
        util::inflate_zlib(&bytes, util::MAX_INFLATED, "payload.encoded")
    } else {
        Ok(bytes)
    }
}

/// Imports an Excalidraw scene from a payload's raw bytes.
pub fn import_embedded(
    raw: &[u8],
    format: &'static str,
    title: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let json = decode_payload(raw, format)?;
    import(&json, title, progress)
}

/// Imports the text of Excalidraw's PNG `tEXt` chunk (already decoded from Latin-1).
pub fn import_embedded_png(
    text: &str,
    title: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let raw: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    import_embedded(&raw, "PNG", title, progress)
}
