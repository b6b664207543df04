//! Stand-in for the `easel-formats` crate, which is being written on another branch.
//!
//! It has exactly the public API `easel-formats` will have, but only the `json` format works;
//! every other format fails with "format X not available". The CLI reaches it through one line
//! in `main.rs` (`use crate::formats_shim as formats;`): when `easel-formats` lands, change that
//! line to `use easel_formats as formats;` and delete this file.

use std::str::FromStr;

use easel_core::Scene;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    EaselJson,
    Excalidraw,
    Canvas,
    Svg,
    Png,
}

impl Format {
    pub fn extension(&self) -> &'static str {
        match self {
            Format::EaselJson => "json",
            Format::Excalidraw => "excalidraw",
            Format::Canvas => "canvas",
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "json" => Ok(Format::EaselJson),
            "excalidraw" => Ok(Format::Excalidraw),
            "canvas" => Ok(Format::Canvas),
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            other => Err(Error(format!(
                "unknown format {other:?}; expected json, excalidraw, canvas, svg or png"
            ))),
        }
    }
}

pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub stage: &'static str,
}

#[derive(serde::Serialize)]
struct EnvelopeOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: u32,
    scene: &'a Scene,
}

#[derive(serde::Deserialize)]
struct EnvelopeIn {
    #[serde(rename = "type")]
    kind: String,
    version: u32,
    scene: Scene,
}

pub fn export(
    scene: &Scene,
    format: Format,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    if format != Format::EaselJson {
        return Err(Error(format!(
            "format {} not available",
            format.extension()
        )));
    }
    let total = scene.elements.len();
    progress(Progress {
        done: 0,
        total,
        stage: "json",
    });
    let env = EnvelopeOut {
        kind: "easel",
        version: 1,
        scene,
    };
    let bytes = serde_json::to_vec_pretty(&env).map_err(|e| Error(format!("json: {e}")))?;
    progress(Progress {
        done: total,
        total,
        stage: "json",
    });
    Ok(bytes)
}

pub fn import(
    bytes: &[u8],
    _name_hint: Option<&str>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Scene> {
    let env: EnvelopeIn =
        serde_json::from_slice(bytes).map_err(|e| Error(format!("not an Easel JSON file: {e}")))?;
    if env.kind != "easel" {
        return Err(Error(format!(
            "not an Easel JSON file: type is {:?}",
            env.kind
        )));
    }
    if env.version != 1 {
        return Err(Error(format!(
            "unsupported Easel JSON version {}",
            env.version
        )));
    }
    let total = env.scene.elements.len();
    progress(Progress {
        done: total,
        total,
        stage: "json",
    });
    Ok(env.scene)
}
