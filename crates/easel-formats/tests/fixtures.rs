//! Files written by other tools import to the scenes they hold.

mod common;

use common::no_progress;
use easel_core::{ElementKind, Scene};
use easel_formats::{ImportFormat, detect, import};

fn fixture(name: &str) -> (Vec<u8>, Scene) {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scene =
        import(&bytes, Some(name), &mut no_progress()).unwrap_or_else(|e| panic!("{name}: {e}"));
    scene.validate().unwrap();
    (bytes, scene)
}

#[test]
fn excalidraw_library_v1_becomes_one_grouped_item() {
    let (bytes, scene) = fixture("excalidraw/fixture_library.excalidrawlib");
    assert_eq!(detect(&bytes, None), Some(ImportFormat::ExcalidrawLib));
    assert_eq!(scene.elements.len(), 1);
    let r = &scene.elements[0];
    assert_eq!(r.id, "A");
    assert_eq!(r.kind, ElementKind::Rectangle);
    assert_eq!((r.x, r.y, r.width, r.height), (0.0, 0.0, 50.0, 30.0));
    assert_eq!((r.stroke.as_str(), r.fill.as_str()), ("#c92a2a", "#e64980"));
    assert_eq!(
        (r.fill_style.as_str(), r.stroke_width, r.roughness),
        ("hachure", 1.0, 1.0)
    );
    // Excalidraw's seed is kept: the hand-drawn style wobbles as it did there.
    assert_eq!((r.seed, r.rough_seed()), (117_297_479, 117_297_479));
    assert!(!r.rounded, "strokeSharpness sharp");
    assert_eq!(r.group_ids, vec!["library-item-0".to_string()]);
    assert_eq!(scene.meta.title, "fixture_library");
}

#[test]
fn excalidraw_library_v2_lays_items_out_in_a_grid() {
    let item = |id: &str, el: &str| {
        serde_json::json!({"id": id, "status": "published", "name": id, "created": 1,
            "elements": [{"id": el, "type": "ellipse", "x": 500, "y": 500, "width": 100, "height": 50}]})
    };
    let lib = serde_json::json!({"type": "excalidrawlib", "version": 2, "source": "t",
        "libraryItems": [item("item-a", "e"), item("item-b", "e"), item("item-c", "e")]});
    let scene = import(lib.to_string().as_bytes(), None, &mut no_progress()).unwrap();
    assert_eq!(scene.elements.len(), 3);
    let pos: Vec<(f64, f64)> = scene.elements.iter().map(|e| (e.x, e.y)).collect();
    assert_eq!(pos, vec![(0.0, 0.0), (140.0, 0.0), (0.0, 90.0)]);
    let groups: Vec<&str> = scene
        .elements
        .iter()
        .map(|e| e.group_ids[0].as_str())
        .collect();
    assert_eq!(groups, vec!["item-a", "item-b", "item-c"]);
    // The same source id in three items yields three distinct element ids.
    assert_eq!(scene.elements[0].id, "e");
    assert_ne!(scene.elements[1].id, "e");
    assert_ne!(scene.elements[1].id, scene.elements[2].id);
}

/// Both smiley fixtures hold one red emoji text; the PNG and the SVG were drawn separately,
/// so id, position and groups differ.
fn assert_smiley(scene: &Scene, id: &str, xy: (f64, f64), groups: &[&str]) {
    assert_eq!(scene.elements.len(), 1);
    let t = &scene.elements[0];
    assert_eq!(t.kind, ElementKind::Text);
    assert_eq!(t.id, id);
    assert_eq!(t.text, "😀");
    assert_eq!((t.x, t.y, t.width, t.height), (xy.0, xy.1, 36.0, 57.0));
    assert_eq!(t.font_size, 36.0);
    assert_eq!(t.font_family, "hand-drawn");
    assert_eq!(t.stroke, "#c92a2a");
    assert_eq!(t.group_ids, groups);
    assert_eq!(scene.meta.background, "#ffffff");
}

fn assert_test_v1(scene: &Scene) {
    assert_eq!(scene.elements.len(), 1);
    let t = &scene.elements[0];
    assert_eq!(t.kind, ElementKind::Text);
    assert_eq!(t.id, "tZmQpkG2BVvK3qOMbpuWz");
    assert_eq!(t.text, "test");
    assert_eq!((t.width, t.height, t.font_size), (77.0, 57.0, 36.0));
    assert!((t.x - 861.111).abs() < 0.001);
    assert_eq!(t.stroke, "#000000");
    assert_eq!(t.fill, "#868e96");
    assert_eq!(t.fill_style, "cross-hatch");
}

#[test]
fn excalidraw_png_with_v2_payload() {
    let (bytes, scene) = fixture("excalidraw/smiley_embedded_v2.png");
    assert_eq!(detect(&bytes, None), Some(ImportFormat::Png));
    assert_smiley(
        &scene,
        "cNkxk0RfgJPpJRdvC2LDL",
        (440.0, 62.5),
        &["OCd6Oh31kuXpQ4XtRa9UE"],
    );
}

#[test]
fn excalidraw_svg_with_v2_payload() {
    let (bytes, scene) = fixture("excalidraw/smiley_embedded_v2.svg");
    assert_eq!(detect(&bytes, None), Some(ImportFormat::Svg));
    assert_smiley(&scene, "SC8cylFGpzB0IwzyDYe_V", (886.0, 357.5), &[]);
}

#[test]
fn excalidraw_png_with_v1_payload() {
    let (_, scene) = fixture("excalidraw/test_embedded_v1.png");
    assert_test_v1(&scene);
}

#[test]
fn excalidraw_svg_with_v1_payload() {
    let (_, scene) = fixture("excalidraw/test_embedded_v1.svg");
    assert_test_v1(&scene);
}

#[test]
fn json_canvas_spec_sample() {
    let (bytes, scene) = fixture("jsoncanvas-sample.canvas");
    assert_eq!(detect(&bytes, None), Some(ImportFormat::Canvas));
    assert_eq!(scene.elements.len(), 5);
    let by_id = |id: &str| scene.elements.iter().find(|e| e.id == id).unwrap();
    let readme = by_id("8132d4d894c80022");
    assert_eq!(readme.kind, ElementKind::Rectangle);
    assert_eq!(readme.link.as_deref(), Some("file:readme.md"));
    assert_eq!(readme.stroke, "#9c36b5", "preset 6 is purple");
    assert_eq!(
        (readme.x, readme.y, readme.width, readme.height),
        (-280.0, -200.0, 570.0, 560.0)
    );
    assert_eq!(
        by_id("7efdbbe0c4742315").link.as_deref(),
        Some("file:_site/logo.svg")
    );
    assert_eq!(
        by_id("0ba565e7f30e0652").link.as_deref(),
        Some("file:spec/1.0.md")
    );
    let note = by_id("59e896bc8da20699");
    assert_eq!(note.kind, ElementKind::Sticky);
    assert_eq!(
        note.text,
        "Learn more:\n\n- [Apps](/docs/apps.md)\n- [Spec](spec/1.0.md)\n- [Github](https://github.com/obsidianmd/jsoncanvas)"
    );
    let edge = by_id("6fa11ab87f90b8af");
    assert_eq!(edge.kind, ElementKind::Arrow);
    assert_eq!(edge.text, "", "the sample's edge has no label");
    let (s, e) = (edge.start.as_ref().unwrap(), edge.end.as_ref().unwrap());
    assert_eq!(
        (s.element.as_str(), s.side.as_deref()),
        ("7efdbbe0c4742315", Some("right"))
    );
    assert_eq!(
        (e.element.as_str(), e.side.as_deref()),
        ("59e896bc8da20699", Some("left"))
    );
    assert_eq!(
        (
            edge.start_arrowhead.as_deref(),
            edge.end_arrowhead.as_deref()
        ),
        (None, Some("arrow"))
    );
    // From the logo's right middle (-63, -400) to the note's left middle (40, -360).
    assert_eq!((edge.x, edge.y), (-63.0, -400.0));
    assert_eq!(edge.points, vec![[0.0, 0.0], [103.0, 40.0]]);
}
