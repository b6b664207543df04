//! Easel's own JSON: `{"type":"easel","version":1,"scene":<Scene>}`.
//!
//! This is the lossless format: the scene's serde form, wrapped so a file says what it is.
//! Import reads the scene piece by piece rather than in one `from_value`, because serde alone
//! only reports a line and column for a wrong type, and the user needs the field's name.

use easel_core::{BoardFile, BoardMeta, Element, ElementKind, Scene};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::util::{self, Obj};
use crate::{Error, Progress, Result};

const FORMAT: &str = "Easel JSON";
pub const VERSION: u64 = 1;

/// The envelope; a struct rather than `json!` so `type` comes first in the file, where people
/// and format sniffers look for it.
#[derive(serde::Serialize)]
struct Envelope<'a> {
    r#type: &'static str,
    version: u64,
    scene: &'a Scene,
}

pub fn to_vec(scene: &Scene) -> Result<Vec<u8>> {
    let doc = Envelope {
        r#type: "easel",
        version: VERSION,
        scene,
    };
    serde_json::to_vec_pretty(&doc).map_err(|e| Error::Render(e.to_string()))
}

pub fn export(scene: &Scene, progress: &mut dyn FnMut(Progress)) -> Result<Vec<u8>> {
    let out = to_vec(scene)?;
    let n = scene.elements.len();
    progress(Progress {
        done: n,
        total: n,
        stage: "encode",
    });
    Ok(out)
}

pub fn import(bytes: &[u8], progress: &mut dyn FnMut(Progress)) -> Result<Scene> {
    let root = util::parse_json(bytes, FORMAT)?;
    let top = Obj::new(&root, "$", FORMAT)?;
    if top.opt_str("type")? != Some("easel") {
        return Err(top.err("type", "expected \"easel\""));
    }
    match top.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => {
            return Err(Error::Unsupported(format!(
                "Easel JSON version {v}; this build reads version {VERSION}"
            )));
        }
        None => return Err(top.err("version", "expected a version number")),
    }
    let scene_v = top
        .get("scene")
        .ok_or_else(|| top.err("scene", "missing scene"))?;
    let scene_o = Obj::new(scene_v, "scene", FORMAT)?;
    let meta_v = scene_o
        .get("meta")
        .ok_or_else(|| scene_o.err("meta", "missing meta"))?;
    let probe_meta = serde_json::to_value(BoardMeta::new("x")).expect("serializable");
    let meta: BoardMeta = typed(meta_v, &probe_meta, "scene.meta")?;
    let probe_el = serde_json::to_value(Element::new("a", ElementKind::Rectangle, 0.0, 0.0))
        .expect("serializable");
    let els = scene_o
        .opt_arr("elements")?
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut elements = Vec::with_capacity(els.len());
    let mut paths = Vec::with_capacity(els.len());
    for (i, v) in els.iter().enumerate() {
        let path = format!("scene.elements[{i}]");
        elements.push(typed::<Element>(v, &probe_el, &path)?);
        paths.push(path);
        util::tick(progress, "parse", i + 1, els.len());
    }
    let probe_file =
        serde_json::to_value(BoardFile::new("image/png", vec![])).expect("serializable");
    let mut files = Vec::new();
    for (i, v) in scene_o
        .opt_arr("files")?
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        files.push(typed::<BoardFile>(
            v,
            &probe_file,
            &format!("scene.files[{i}]"),
        )?);
    }
    let scene = Scene {
        meta,
        elements,
        files,
    };
    util::finish(scene, FORMAT, &paths, progress).map_err(|e| match e {
        // Scene-level errors name `elements[i]`; say where that is in this file.
        Error::Malformed {
            format,
            field,
            message,
        } if !field.starts_with("scene.") => Error::Malformed {
            format,
            field: format!("scene.{field}"),
            message,
        },
        other => other,
    })
}

/// Deserializes `v`; on failure, finds the first field that fails on its own by putting each
/// field of `v` into a known-good `probe` value, so the error names it.
fn typed<T: DeserializeOwned>(v: &Value, probe: &Value, path: &str) -> Result<T> {
    match serde_json::from_value::<T>(v.clone()) {
        Ok(t) => Ok(t),
        Err(err) => {
            let msg = err.to_string();
            if let (Value::Object(obj), Value::Object(base)) = (v, probe) {
                // Serde names unknown and missing fields itself.
                for marker in ["unknown field `", "missing field `"] {
                    if let Some(rest) = msg.split(marker).nth(1)
                        && let Some(name) = rest.split('`').next()
                    {
                        return Err(Error::malformed(FORMAT, format!("{path}.{name}"), msg));
                    }
                }
                for (k, fv) in obj {
                    let mut trial = base.clone();
                    trial.insert(k.clone(), fv.clone());
                    if let Err(e) = serde_json::from_value::<T>(Value::Object(trial)) {
                        return Err(Error::malformed(
                            FORMAT,
                            format!("{path}.{k}"),
                            e.to_string(),
                        ));
                    }
                }
            }
            Err(Error::malformed(FORMAT, path, msg))
        }
    }
}
