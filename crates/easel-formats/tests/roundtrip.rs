//! Round trips through every format we both write and read.

mod common;

use common::{no_progress, sample_scene};
use easel_core::{Element, ElementKind};
use easel_formats::{Format, ImportFormat, detect, export, import};

#[test]
fn easel_json_round_trip_is_exact() {
    let scene = sample_scene();
    let bytes = export(&scene, Format::EaselJson, &mut no_progress()).unwrap();
    assert_eq!(detect(&bytes, None), Some(ImportFormat::EaselJson));
    let back = import(&bytes, Some("board.json"), &mut no_progress()).unwrap();
    assert_eq!(back, scene);
}

#[test]
fn excalidraw_round_trip_keeps_every_supported_field() {
    let scene = sample_scene();
    let bytes = export(&scene, Format::Excalidraw, &mut no_progress()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let els = v["elements"].as_array().unwrap();
    // Three labels (rectangle, arrow, sticky) become separate Excalidraw text elements.
    assert_eq!(els.len(), scene.elements.len() + 3);
    let label = els
        .iter()
        .find(|e| e["containerId"] == "rect-1")
        .expect("the rectangle's label is a bound text element");
    assert_eq!(label["text"], "Bound label\nsecond line");
    let rect = els.iter().find(|e| e["id"] == "rect-1").unwrap();
    let bound: Vec<&str> = rect["boundElements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert!(bound.contains(&label["id"].as_str().unwrap()));
    assert!(bound.contains(&"arrow-1"), "{bound:?}");
    assert_eq!(rect["opacity"], 50);
    assert_eq!(rect["roundness"]["type"], 3);
    assert_eq!(rect["fontFamily"], serde_json::Value::Null);
    let sticky = els.iter().find(|e| e["id"] == "sticky-1").unwrap();
    assert_eq!(sticky["type"], "rectangle");
    assert_eq!(sticky["customData"]["easelKind"], "sticky");
    let arrow = els.iter().find(|e| e["id"] == "arrow-1").unwrap();
    assert_eq!(arrow["startBinding"]["elementId"], "rect-1");
    assert_eq!(arrow["endBinding"]["gap"], 6);
    // Excalidraw needs these to open the file at all.
    for e in els {
        for key in ["seed", "version", "versionNonce", "index", "updated"] {
            assert!(!e[key].is_null(), "{key} missing on {}", e["id"]);
        }
    }
    assert!(
        v["files"].as_object().unwrap()[&scene.files[0].id]["dataURL"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );

    let back = import(&bytes, Some("x.excalidraw"), &mut no_progress()).unwrap();
    assert_eq!(back.elements.len(), scene.elements.len());
    for (a, b) in scene.elements.iter().zip(&back.elements) {
        assert_eq!(a, b, "element {} differs", a.id);
    }
    assert_eq!(back.files, scene.files);
    assert_eq!(back.meta, scene.meta);
    assert_eq!(back, scene);
}

#[test]
fn excalidraw_arrowheads_and_stickies_look_as_easel_draws_them() {
    // Checked against the real Excalidraw 0.18 (bench/clipboard.sh does the same for the UI's
    // clipboard): its "no head" is null, an absent end is its default arrow head, and a sticky
    // is Easel's borderless, solid, rounded yellow note.
    let mut scene = easel_core::Scene::new("Heads");
    let mut unset = Element::new("a-unset", ElementKind::Arrow, 0.0, 0.0).with_size(100.0, 0.0);
    unset.points = vec![[0.0, 0.0], [100.0, 0.0]];
    let mut none = unset.clone();
    none.id = "a-none".into();
    none.start_arrowhead = Some("dot".into());
    none.end_arrowhead = Some("none".into());
    // An elbow arrow stays one both ways (Excalidraw's `elbowed`).
    none.elbowed = true;
    let mut line = unset.clone();
    line.id = "l".into();
    line.kind = ElementKind::Line;
    let mut sticky = Element::new("s", ElementKind::Sticky, 0.0, 100.0).with_size(160.0, 160.0);
    sticky.fill = "transparent".into();
    sticky.stroke = "#1971c2".into();
    sticky.text = "Note".into();
    scene.elements = vec![unset, none, line, sticky];
    let bytes = export(&scene, Format::Excalidraw, &mut no_progress()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let els = v["elements"].as_array().unwrap();
    let el = |id: &str| els.iter().find(|e| e["id"] == id).unwrap();
    assert_eq!(el("a-unset")["startArrowhead"], serde_json::Value::Null);
    assert_eq!(el("a-unset")["endArrowhead"], "arrow");
    assert_eq!(el("a-none")["startArrowhead"], "dot");
    assert_eq!(el("a-none")["endArrowhead"], serde_json::Value::Null);
    assert_eq!(el("l")["endArrowhead"], serde_json::Value::Null);
    assert_eq!(el("a-none")["elbowed"], true);
    assert_eq!(el("a-unset")["elbowed"], false);
    let s = el("s");
    assert_eq!(s["strokeColor"], "transparent");
    assert_eq!(s["backgroundColor"], easel_formats::STICKY_FILL);
    assert_eq!(s["fillStyle"], "solid");
    assert_eq!(s["roundness"]["type"], 3);
    let label = els.iter().find(|e| e["containerId"] == "s").unwrap();
    assert_eq!(label["strokeColor"], "#1971c2");

    let back = import(&bytes, None, &mut no_progress()).unwrap();
    let b = |id: &str| back.elements.iter().find(|e| e.id == id).unwrap();
    // What Easel draws comes back: a head where Excalidraw shows one, none where it shows none.
    assert_eq!(b("a-unset").end_arrowhead.as_deref(), Some("arrow"));
    assert_eq!(b("a-none").end_arrowhead.as_deref(), Some("none"));
    assert_eq!(b("a-none").start_arrowhead.as_deref(), Some("dot"));
    assert_eq!(b("l").end_arrowhead, None);
    assert!(b("a-none").elbowed && !b("a-unset").elbowed);
    assert_eq!(b("s").kind, ElementKind::Sticky);
    assert_eq!(b("s").stroke, "#1971c2");
    assert!(!b("s").rounded, "the sticky's own flag survives");

    // A plain Excalidraw arrow drawn without an end head, as Excalidraw saves it.
    let file = serde_json::json!({
        "type": "excalidraw", "version": 2, "source": "https://excalidraw.com",
        "elements": [{
            "id": "x", "type": "arrow", "x": 0, "y": 0, "width": 50, "height": 0,
            "points": [[0, 0], [50, 0]], "startArrowhead": null, "endArrowhead": null,
        }],
        "appState": {}, "files": {},
    });
    let back = import(
        &serde_json::to_vec(&file).unwrap(),
        None,
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(back.elements[0].end_arrowhead.as_deref(), Some("none"));
}

#[test]
fn excalidraw_export_without_keys_gets_fresh_ascending_ones() {
    let mut scene = sample_scene();
    for e in &mut scene.elements {
        e.z.clear();
    }
    let bytes = export(&scene, Format::Excalidraw, &mut no_progress()).unwrap();
    let back = import(&bytes, None, &mut no_progress()).unwrap();
    let keys: Vec<&str> = back.elements.iter().map(|e| e.z.as_str()).collect();
    assert!(keys.iter().all(|k| !k.is_empty()));
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    let ids: Vec<&str> = back.elements.iter().map(|e| e.id.as_str()).collect();
    let want: Vec<&str> = scene.elements.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, want);
}

#[test]
fn canvas_round_trip_keeps_nodes_edges_sides_ends_labels_and_colours() {
    let src = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rich.canvas"
    ))
    .unwrap();
    let scene = import(&src, Some("rich.canvas"), &mut no_progress()).unwrap();
    assert_eq!(scene.elements.len(), 8);
    let by_id = |id: &str| scene.elements.iter().find(|e| e.id == id).unwrap();
    assert_eq!(by_id("group-1").kind, ElementKind::Frame);
    assert_eq!(by_id("group-1").name.as_deref(), Some("Sources"));
    assert_eq!(by_id("note-1").kind, ElementKind::Sticky);
    assert_eq!(by_id("note-1").stroke, "#e03131");
    assert_eq!(
        by_id("file-1").link.as_deref(),
        Some("file:notes/plan.md#Goals")
    );
    assert_eq!(
        by_id("link-1").link.as_deref(),
        Some("https://jsoncanvas.org/")
    );
    let e1 = by_id("edge-1");
    assert_eq!(e1.kind, ElementKind::Arrow);
    assert_eq!(e1.text, "details");
    assert_eq!(e1.stroke, "#2f9e44");
    let s = e1.start.as_ref().unwrap();
    assert_eq!(
        (s.element.as_str(), s.side.as_deref()),
        ("note-1", Some("right"))
    );
    assert_eq!(
        (e1.start_arrowhead.as_deref(), e1.end_arrowhead.as_deref()),
        (None, Some("arrow"))
    );
    // The arrow runs from the right middle of note-1 to the left middle of file-1.
    assert_eq!((e1.x, e1.y), (-30.0, -120.0));
    assert_eq!(e1.points, vec![[0.0, 0.0], [130.0, 20.0]]);
    let e2 = by_id("edge-2");
    assert_eq!(
        (e2.start_arrowhead.as_deref(), e2.end_arrowhead.as_deref()),
        (Some("arrow"), None)
    );

    let out = export(&scene, Format::Canvas, &mut no_progress()).unwrap();
    let a: serde_json::Value = serde_json::from_slice(&src).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        a,
        b,
        "canvas → Easel → canvas changed the file:\n{}",
        String::from_utf8_lossy(&out)
    );
    let again = import(&out, Some("rich.canvas"), &mut no_progress()).unwrap();
    assert_eq!(again, scene);
}

#[test]
fn canvas_export_of_an_easel_board_keeps_what_the_format_holds() {
    let scene = sample_scene();
    let out = export(&scene, Format::Canvas, &mut no_progress()).unwrap();
    let back = import(&out, Some("x.canvas"), &mut no_progress()).unwrap();
    let sticky = back.elements.iter().find(|e| e.id == "sticky-1").unwrap();
    assert_eq!(sticky.text, "Remember the milk and the eggs");
    let frame = back.elements.iter().find(|e| e.id == "frame-1").unwrap();
    assert_eq!(frame.name.as_deref(), Some("Plan"));
    let arrow = back.elements.iter().find(|e| e.id == "arrow-1").unwrap();
    assert_eq!(arrow.text, "flows to");
    assert_eq!(arrow.start.as_ref().unwrap().side.as_deref(), Some("right"));
    assert_eq!(arrow.start_arrowhead.as_deref(), Some("arrow"));
    // Pen strokes, unbound lines and unlinked images have no JSON Canvas form.
    assert!(
        back.elements
            .iter()
            .all(|e| !["pen-1", "line-1", "image-1"].contains(&e.id.as_str()))
    );
}

#[test]
fn svg_export_reimports_losslessly() {
    let scene = sample_scene();
    let svg = export(&scene, Format::Svg, &mut no_progress()).unwrap();
    let text = String::from_utf8(svg.clone()).unwrap();
    assert!(text.contains("<tspan"), "text is drawn with tspans");
    assert!(
        text.contains("Hello, board &amp; &lt;friends&gt;"),
        "text is escaped"
    );
    assert!(
        text.contains("rotate(14.32 "),
        "the rectangle is rotated by 0.25 rad"
    );
    assert!(text.contains("stroke-dasharray"));
    assert!(text.contains("<ellipse"));
    assert!(text.contains("data:image/png;base64,"));
    assert_eq!(detect(&svg, None), Some(ImportFormat::Svg));
    let back = import(&svg, Some("board.svg"), &mut no_progress()).unwrap();
    assert_eq!(back, scene);
    // Our SVG is valid enough for resvg to parse.
    let opt = resvg::usvg::Options::default();
    resvg::usvg::Tree::from_data(&svg, &opt).expect("resvg parses our SVG");
}

#[test]
fn png_export_reimports_losslessly() {
    let scene = sample_scene();
    let png = export(&scene, Format::Png, &mut no_progress()).unwrap();
    let (w, h) = easel_formats::png_dimensions(&png).unwrap();
    assert!(w > 0 && h > 0);
    assert_eq!(detect(&png, None), Some(ImportFormat::Png));
    let back = import(&png, Some("board.png"), &mut no_progress()).unwrap();
    assert_eq!(back, scene);
}

#[test]
fn invalid_source_ids_are_replaced_and_references_follow() {
    let json = br#"{"type":"excalidraw","version":2,"elements":[
        {"id":"bad id!","type":"rectangle","x":0,"y":0,"width":10,"height":10},
        {"id":"a1","type":"arrow","x":20,"y":0,"width":10,"height":0,"points":[[0,0],[10,0]],
         "startBinding":{"elementId":"bad id!","focus":0,"gap":1},"endBinding":null},
        {"id":"a1","type":"ellipse","x":40,"y":0,"width":10,"height":10}
    ]}"#;
    let scene = import(json, None, &mut no_progress()).unwrap();
    let rect: &Element = &scene.elements[0];
    assert_ne!(rect.id, "bad id!");
    assert_eq!(scene.elements[1].start.as_ref().unwrap().element, rect.id);
    // A duplicate id gets a fresh one instead of clashing.
    assert_eq!(scene.elements[1].id, "a1");
    assert_ne!(scene.elements[2].id, "a1");
}

#[test]
fn progress_is_reported() {
    let mut scene = sample_scene();
    let base = scene.elements[1].clone();
    let keys = easel_core::zorder::keys_after(Some(&scene.elements[9].z), 1000);
    for (i, k) in keys.into_iter().enumerate() {
        let mut e = base.clone();
        e.id = format!("r{i}");
        e.group_ids.clear();
        e.z = k;
        scene.elements.push(e);
    }
    let mut seen = Vec::new();
    let bytes = export(&scene, Format::Excalidraw, &mut |p| seen.push(p)).unwrap();
    assert!(seen.len() >= 4, "{seen:?}");
    assert_eq!(seen.last().unwrap().done, seen.last().unwrap().total);
    let mut stages = Vec::new();
    import(&bytes, None, &mut |p| stages.push(p.stage)).unwrap();
    assert!(
        stages.contains(&"convert") && stages.contains(&"validate"),
        "{stages:?}"
    );
}

#[test]
fn format_names_parse_and_map_to_extensions() {
    for f in [
        Format::EaselJson,
        Format::Excalidraw,
        Format::Canvas,
        Format::Svg,
        Format::Png,
    ] {
        assert_eq!(f.extension().parse::<Format>().unwrap(), f);
    }
    assert_eq!(".PNG".parse::<Format>().unwrap(), Format::Png);
    assert!("docx".parse::<Format>().is_err());
}

#[test]
fn name_hint_settles_empty_documents() {
    assert_eq!(detect(b"{}", Some("x.canvas")), Some(ImportFormat::Canvas));
    assert_eq!(detect(b"{}", None), None);
    let scene = import(b"{}", Some("Empty.canvas"), &mut no_progress()).unwrap();
    assert!(scene.elements.is_empty());
    assert_eq!(scene.meta.title, "Empty");
}

#[test]
fn excalidraw_roundness_is_written_per_kind_as_excalidraw_does() {
    // Excalidraw 0.18 writes proportional roundness (2) on curved lines, arrows and rounded
    // diamonds, adaptive (3) on rounded rectangles; sharp elements have none.
    let mut scene = easel_core::Scene::new("Edges");
    let mut curved = Element::new("curve", ElementKind::Arrow, 0.0, 0.0).with_size(100.0, 40.0);
    curved.points = vec![[0.0, 0.0], [50.0, 40.0], [100.0, 0.0]];
    curved.rounded = true;
    let mut line = curved.clone();
    line.id = "line".into();
    line.kind = ElementKind::Line;
    let mut diamond = Element::new("d", ElementKind::Diamond, 0.0, 100.0).with_size(80.0, 80.0);
    diamond.rounded = true;
    let mut rect = Element::new("r", ElementKind::Rectangle, 100.0, 100.0).with_size(80.0, 60.0);
    rect.rounded = true;
    let sharp = Element::new("sharp", ElementKind::Rectangle, 200.0, 100.0).with_size(80.0, 60.0);
    scene.elements = vec![curved, line, diamond, rect, sharp];
    let bytes = export(&scene, Format::Excalidraw, &mut no_progress()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let els = v["elements"].as_array().unwrap();
    let el = |id: &str| els.iter().find(|e| e["id"] == id).unwrap();
    for id in ["curve", "line", "d"] {
        assert_eq!(el(id)["roundness"], serde_json::json!({"type": 2}), "{id}");
    }
    assert_eq!(el("r")["roundness"], serde_json::json!({"type": 3}));
    assert_eq!(el("sharp")["roundness"], serde_json::Value::Null);
    let back = import(&bytes, None, &mut no_progress()).unwrap();
    for e in &back.elements {
        assert_eq!(e.rounded, e.id != "sharp", "{}", e.id);
    }
}
