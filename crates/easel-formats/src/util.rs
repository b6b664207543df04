//! Helpers every format shares: typed reads from JSON with field paths, bounded inflate, ids,
//! z keys and the final validation of an imported scene.

use std::io::Read;

use base64::Engine;
use easel_core::{Element, Scene, zorder};
use serde_json::{Map, Value};

use crate::{Error, Progress, Result};

/// The most bytes any compressed payload may inflate to. A scene bigger than this is not a
/// whiteboard anyone drew by hand, and the cap keeps a deflate bomb from eating memory.
pub const MAX_INFLATED: usize = 64 * 1024 * 1024;

/// How many elements pass between two progress reports.
pub const PROGRESS_EVERY: usize = 256;

pub fn title_from_hint(name_hint: Option<&str>) -> String {
    let stem = name_hint
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .map(|n| n.split_once('.').map_or(n, |(s, _)| s))
        .map(|n| n.chars().filter(|c| !c.is_control()).collect::<String>())
        .unwrap_or_default();
    if stem.trim().is_empty() {
        "Imported board".into()
    } else {
        stem.chars().take(200).collect()
    }
}

/// Whether `id` is acceptable as an element, group, frame or file id (the model's rule).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= easel_core::model::limits::MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Reports progress every [`PROGRESS_EVERY`] items and at the end.
pub fn tick(progress: &mut dyn FnMut(Progress), stage: &'static str, done: usize, total: usize) {
    if done == total || done.is_multiple_of(PROGRESS_EVERY) {
        progress(Progress { done, total, stage });
    }
}

/// Inflates a zlib stream, refusing output beyond `cap` bytes.
pub fn inflate_zlib(data: &[u8], cap: usize, what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(data).take(cap as u64 + 1);
    dec.read_to_end(&mut out).map_err(|e| Error::Malformed {
        format: "compressed payload",
        field: what.into(),
        message: format!("does not inflate: {e}"),
    })?;
    if out.len() > cap {
        return Err(Error::TooLarge {
            what: format!("{what} once inflated"),
            limit: cap,
        });
    }
    Ok(out)
}

pub fn deflate_zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub fn unb64(s: &str) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean.as_bytes())
}

/// Parses JSON, reporting a syntax error at `$` with serde's line and column.
pub fn parse_json(bytes: &[u8], format: &'static str) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| Error::malformed(format, "$", e.to_string()))
}

/// Typed reads from one JSON object, with errors that name the field's path.
pub struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
    pub format: &'static str,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Obj<'a> {
    pub fn new(v: &'a Value, path: impl Into<String>, format: &'static str) -> Result<Self> {
        let path = path.into();
        match v {
            Value::Object(map) => Ok(Obj { map, path, format }),
            other => Err(Error::malformed(
                format,
                path,
                format!("expected an object, got {}", type_name(other)),
            )),
        }
    }

    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() || self.path == "$" {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn err(&self, key: &str, message: impl Into<String>) -> Error {
        Error::malformed(self.format, self.field(key), message)
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.present(key)
    }

    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| self.err(key, "not a finite number")),
            Some(other) => Err(self.err(
                key,
                format!("expected a number, got {} ({other})", type_name(other)),
            )),
        }
    }

    pub fn f64_or(&self, key: &str, default: f64) -> Result<f64> {
        Ok(self.opt_f64(key)?.unwrap_or(default))
    }

    pub fn req_f64(&self, key: &str) -> Result<f64> {
        self.opt_f64(key)?
            .ok_or_else(|| self.err(key, "missing required number"))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(self.err(key, format!("expected a string, got {}", type_name(other))))
            }
        }
    }

    pub fn str_or(&self, key: &str, default: &str) -> Result<String> {
        Ok(self.opt_str(key)?.unwrap_or(default).to_string())
    }

    pub fn req_str(&self, key: &str) -> Result<&'a str> {
        self.opt_str(key)?
            .ok_or_else(|| self.err(key, "missing required string"))
    }

    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.present(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => {
                Err(self.err(key, format!("expected a boolean, got {}", type_name(other))))
            }
        }
    }

    pub fn opt_arr(&self, key: &str) -> Result<Option<&'a Vec<Value>>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => {
                Err(self.err(key, format!("expected an array, got {}", type_name(other))))
            }
        }
    }

    pub fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>> {
        match self.present(key) {
            None => Ok(None),
            Some(v) => Obj::new(v, self.field(key), self.format).map(Some),
        }
    }

    /// An array of `[x, y]` pairs.
    pub fn points(&self, key: &str) -> Result<Vec<[f64; 2]>> {
        let Some(arr) = self.opt_arr(key)? else {
            return Ok(Vec::new());
        };
        if arr.len() > easel_core::model::limits::MAX_POINTS {
            return Err(self.err(key, format!("{} points is too many", arr.len())));
        }
        arr.iter()
            .enumerate()
            .map(|(i, p)| {
                let pair = p.as_array().filter(|a| a.len() >= 2);
                let xy = pair.and_then(|a| Some([a[0].as_f64()?, a[1].as_f64()?]));
                xy.filter(|[x, y]| x.is_finite() && y.is_finite())
                    .ok_or_else(|| {
                        Error::malformed(
                            self.format,
                            format!("{}[{i}]", self.field(key)),
                            "expected a pair of numbers",
                        )
                    })
            })
            .collect()
    }

    /// An array of strings.
    pub fn strings(&self, key: &str) -> Result<Vec<String>> {
        let Some(arr) = self.opt_arr(key)? else {
            return Ok(Vec::new());
        };
        arr.iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    Error::malformed(
                        self.format,
                        format!("{}[{i}]", self.field(key)),
                        "expected a string",
                    )
                })
            })
            .collect()
    }
}

/// Maps foreign ids to ids the model accepts: valid, unused ids stay as they are; others get a
/// fresh id, and every reference is rewritten through the same map.
#[derive(Default)]
pub struct IdMap {
    map: std::collections::HashMap<String, String>,
    used: std::collections::HashSet<String>,
}

impl IdMap {
    /// A map that treats `used` as taken already (ids from an earlier part of the same board).
    pub fn with_used(used: std::collections::HashSet<String>) -> Self {
        IdMap {
            map: Default::default(),
            used,
        }
    }

    /// Claims an id for a new element whose source id is `src`.
    pub fn claim(&mut self, src: &str) -> String {
        let id = if is_valid_id(src) && !self.used.contains(src) {
            src.to_string()
        } else {
            Element::new_id()
        };
        self.used.insert(id.clone());
        self.map
            .entry(src.to_string())
            .or_insert_with(|| id.clone());
        id
    }

    /// The id for a reference that need not resolve (a group id, or an element that may be
    /// gone): the claimed id when there is one, `src` when valid, else a stable fresh id.
    pub fn reference(&mut self, src: &str) -> String {
        if let Some(id) = self.map.get(src) {
            return id.clone();
        }
        let id = if is_valid_id(src) {
            src.to_string()
        } else {
            Element::new_id()
        };
        self.map.insert(src.to_string(), id.clone());
        id
    }
}

/// Gives every element a z key in array order, unless all the keys the source gave are valid
/// and already ascending (ties allowed), in which case they stay.
pub fn settle_z(elements: &mut [Element]) {
    let keep = elements
        .iter()
        .all(|e| !e.z.is_empty() && zorder::validate_key(&e.z).is_ok())
        && elements.windows(2).all(|w| w[0].z <= w[1].z);
    if !keep {
        let keys = zorder::keys_after(None, elements.len());
        for (e, k) in elements.iter_mut().zip(keys) {
            e.z = k;
        }
    }
}

/// Validates an imported scene. `paths[i]` is the source path of `scene.elements[i]`, so an
/// error names the field where the user can find it in their file.
pub fn finish(
    scene: Scene,
    format: &'static str,
    paths: &[String],
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let total = scene.elements.len();
    for (i, e) in scene.elements.iter().enumerate() {
        if let Err(err) = e.validate() {
            let prefix = paths
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("elements[{i}]"));
            return Err(core_to_malformed(err.at(prefix), format));
        }
        tick(progress, "validate", i + 1, total);
    }
    scene.validate().map_err(|e| core_to_malformed(e, format))?;
    Ok(scene)
}

pub fn core_to_malformed(err: easel_core::Error, format: &'static str) -> Error {
    match err {
        easel_core::Error::Invalid { field, message } => Error::Malformed {
            format,
            field,
            message,
        },
        easel_core::Error::TooLarge { field, size, max } => Error::Malformed {
            format,
            field,
            message: format!("too large: {size} > {max}"),
        },
        other => Error::Core(other),
    }
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Encodes the lossless Easel JSON for embedding in an image: zlib, then base64.
pub fn embed_scene(scene: &Scene) -> Result<String> {
    let json = crate::easel_json::to_vec(scene)?;
    Ok(b64(&deflate_zlib(&json)))
}

/// Reads back what [`embed_scene`] wrote.
pub fn unembed_scene(
    text: &str,
    format: &'static str,
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let z = unb64(text.trim())
        .map_err(|e| Error::malformed(format, "easel-scene", format!("bad base64: {e}")))?;
    let json = inflate_zlib(&z, MAX_INFLATED, "easel-scene")?;
    crate::easel_json::import(&json, progress)
}
