//! The UI's TypeScript types of the element model, generated from [`crate::model`] by ts-rs.
//!
//! They live in `ui/src/model/generated/`, one file per type, checked in. The test here renders
//! every type the model's roots ([`Scene`], [`ElementPatch`]) name, recursively, and fails when a
//! checked-in file differs, is missing or is left over; [`REGENERATE`] rewrites them.
//!
//! ts-rs follows serde's attributes: a field with `default` and `skip_serializing_if` is optional
//! (`field?: T`). `model`'s `ts` attributes do the rest (see its module docs); `ElementPatch`
//! takes `#[ts(optional_fields)]`, as serde reads a missing `Option` field as `None`, so every
//! field is optional and its `Option<Option<T>>` fields come out as `field?: T | null`. (Not on
//! the other structs: there it would also make ts-rs forget that a `Vec` or `String` field with
//! `skip_serializing_if` may be left out.) `required_fields_are_the_ones_serde_always_writes`
//! checks the result against what serde writes.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS, TypeVisitor};

use crate::model::{
    Binding, BoardMeta, Element, ElementKind, ElementPatch, FILL_STYLES, SIDES, STROKE_STYLES,
    Scene, TEXT_ALIGNS, VERTICAL_ALIGNS,
};

/// The command that rewrites the generated files from the Rust types.
const REGENERATE: &str = "EASEL_WRITE_TS=1 cargo test -p easel-core --lib ts_types";

// The unions of the string fields that take one of a few words. The model keeps these fields as
// `String` (the document and the file formats pass them through as text) and
// `Element::validate` checks them against the lists in `model`; these enums exist only for their
// TypeScript declarations (`#[ts(as = ...)]` on the fields), and `unions_match_the_validators`
// keeps them equal to those lists.

/// A fill pattern, as Excalidraw names them.
#[derive(TS)]
#[ts(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum FillStyle {
    Solid,
    Hachure,
    CrossHatch,
    Zigzag,
}

#[derive(TS)]
#[ts(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum StrokeStyle {
    Solid,
    Dashed,
    Dotted,
}

#[derive(TS)]
#[ts(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum TextAlign {
    Left,
    Center,
    Right,
}

#[derive(TS)]
#[ts(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum VerticalAlign {
    Top,
    Middle,
    Bottom,
}

/// The side of its target a bound end attaches to.
#[derive(TS)]
#[ts(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/model/generated")
}

/// Collects the file of every type it visits and, recursively, of every type that one names.
struct Collect<'a> {
    cfg: &'a Config,
    seen: HashSet<std::any::TypeId>,
    files: BTreeMap<PathBuf, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives and std containers have no file of their own (their parameters are visited
        // as dependencies of the type that names them).
        let Some(path) = T::output_path() else { return };
        if !self.seen.insert(std::any::TypeId::of::<T>()) {
            return;
        }
        let text = T::export_to_string(self.cfg)
            .unwrap_or_else(|e| panic!("rendering {}: {e}", T::ident(self.cfg)));
        self.files.insert(path, text);
        T::visit_dependencies(self);
    }
}

/// Every generated file, by its path relative to [`out_dir`], with its contents.
fn render() -> BTreeMap<PathBuf, String> {
    let cfg = Config::new().with_out_dir(out_dir());
    let mut c = Collect {
        cfg: &cfg,
        seen: HashSet::new(),
        files: BTreeMap::new(),
    };
    c.visit::<Scene>();
    c.visit::<ElementPatch>();
    c.visit::<crate::edit::Edit>();
    c.visit::<crate::edit::ElementDiff>();
    c.files
}

/// The `.ts` files in `dir`, by name.
fn checked_in(dir: &Path) -> BTreeMap<PathBuf, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    let mut files = BTreeMap::new();
    for entry in entries {
        let path = entry.expect("reading the generated types' folder").path();
        if path.extension().is_some_and(|e| e == "ts") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            files.insert(PathBuf::from(path.file_name().unwrap()), text);
        }
    }
    files
}

#[test]
fn generated_typescript_matches_the_model() {
    let dir = out_dir();
    let want = render();
    let have = checked_in(&dir);

    if std::env::var_os("EASEL_WRITE_TS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).expect("creating the generated types' folder");
        for (path, text) in &want {
            if have.get(path) != Some(text) {
                std::fs::write(dir.join(path), text).expect("writing a generated type");
            }
        }
        for path in have.keys().filter(|p| !want.contains_key(*p)) {
            std::fs::remove_file(dir.join(path)).expect("removing a stale generated type");
        }
        return;
    }

    let mut problems = Vec::new();
    for (path, text) in &want {
        match have.get(path) {
            None => problems.push(format!("missing: {}", path.display())),
            Some(old) if old != text => problems.push(format!("differs: {}", path.display())),
            Some(_) => {}
        }
    }
    for path in have.keys().filter(|p| !want.contains_key(*p)) {
        problems.push(format!("no longer generated: {}", path.display()));
    }
    assert!(
        problems.is_empty(),
        "ui/src/model/generated is out of date with crates/easel-core/src/model.rs:\n  {}\n\
         Regenerate it with `{REGENERATE}` and commit the result.",
        problems.join("\n  ")
    );
}

#[test]
fn unions_match_the_validators() {
    let cfg = Config::new();
    let union = |words: &[&str]| {
        words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let msg = "this union and the list `Element::validate` accepts (model.rs) differ";
    assert_eq!(
        FillStyle::inline(&cfg),
        union(&FILL_STYLES),
        "FillStyle: {msg}"
    );
    assert_eq!(
        StrokeStyle::inline(&cfg),
        union(&STROKE_STYLES),
        "StrokeStyle: {msg}"
    );
    assert_eq!(
        TextAlign::inline(&cfg),
        union(&TEXT_ALIGNS),
        "TextAlign: {msg}"
    );
    assert_eq!(
        VerticalAlign::inline(&cfg),
        union(&VERTICAL_ALIGNS),
        "VerticalAlign: {msg}"
    );
    assert_eq!(Side::inline(&cfg), union(&SIDES), "Side: {msg}");
    let kinds: Vec<&str> = ElementKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        ElementKind::inline(&cfg),
        union(&kinds),
        "ElementKind::ALL and its serde names differ"
    );
}

/// The fields of a struct's TypeScript declaration, each with whether it is optional (`?`).
fn ts_fields<T: TS>() -> BTreeMap<String, bool> {
    let inline = T::inline(&Config::new());
    let body = inline
        .trim()
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or_else(|| panic!("not an object type: {inline}"));
    // Drop the doc comments, then split at the commas outside brackets.
    let mut plain = String::new();
    let mut rest = body;
    while let Some(start) = rest.find("/**") {
        plain.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("an unclosed doc comment") + start;
        rest = &rest[end + 2..];
    }
    plain.push_str(rest);
    let mut fields = BTreeMap::new();
    let (mut depth, mut field) = (0i32, String::new());
    for c in plain.chars().chain([',']) {
        match c {
            '<' | '[' | '{' | '(' => depth += 1,
            '>' | ']' | '}' | ')' => depth -= 1,
            ',' if depth == 0 => {
                if let Some((name, _)) = field.split_once(':') {
                    let name = name.trim();
                    let optional = name.ends_with('?');
                    fields.insert(name.trim_end_matches('?').to_owned(), optional);
                }
                field.clear();
                continue;
            }
            _ => {}
        }
        field.push(c);
    }
    fields
}

/// The keys serde writes for `v`.
fn json_keys(v: &impl serde::Serialize) -> Vec<String> {
    match serde_json::to_value(v).unwrap() {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

/// What serde writes agrees with the generated types: a value with every optional field unset
/// writes exactly the required fields, and one with every field set writes all of them.
#[test]
fn required_fields_are_the_ones_serde_always_writes() {
    fn check<T: TS + serde::Serialize>(bare: &T, full: &T) {
        let fields = ts_fields::<T>();
        let required: Vec<String> = fields
            .iter()
            .filter(|f| !f.1)
            .map(|f| f.0.clone())
            .collect();
        let all: Vec<String> = fields.keys().cloned().collect();
        let name = T::ident(&Config::new());
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(json_keys(bare)),
            required,
            "{name}'s required fields"
        );
        assert_eq!(sorted(json_keys(full)), all, "{name}'s fields");
    }

    let bare = Element::new("a", ElementKind::Arrow, 0.0, 0.0);
    let binding = Binding {
        element: "b".into(),
        focus: 0.0,
        gap: 0.0,
        side: Some("top".into()),
    };
    let full = Element {
        points: vec![[0.0, 0.0], [1.0, 1.0]],
        pressures: vec![0.5, 0.5],
        text: "label".into(),
        start: Some(binding.clone()),
        end: Some(binding.clone()),
        start_arrowhead: Some("arrow".into()),
        end_arrowhead: Some("arrow".into()),
        elbowed: true,
        group_ids: vec!["g".into()],
        frame_id: Some("f".into()),
        link: Some("https://example.com".into()),
        file_id: Some("file".into()),
        name: Some("name".into()),
        ..bare.clone()
    };
    check(&bare, &full);
    check(
        &Binding {
            side: None,
            ..binding.clone()
        },
        &binding,
    );
    let meta = BoardMeta::new("board");
    check(
        &meta,
        &BoardMeta {
            grid: Some(20.0),
            ..meta.clone()
        },
    );
}
