//! The board's element model as plain Rust values.
//!
//! These types are what the rest of Easel reads and writes; [`crate::doc`] maps them onto the yrs
//! document (`elements`, `meta`, `files`) and back. Every value that enters the document passes
//! [`Element::validate`] first, so a document only ever holds finite numbers, known kinds and
//! bounded payloads.
//!
//! The UI's TypeScript types of this model (`ui/src/model/generated`) are generated from these
//! types by ts-rs, whose unit test (`crate::ts_types`) fails when the checked-in files differ from
//! what the types generate. The `#[cfg_attr(test, ts(...))]` attributes say how a field looks on
//! the wire where serde's attributes alone do not: `optional` on an `Option` field that serde
//! leaves out when `None` (`field?: T`, where ts-rs alone would say `field?: T | null`), `as` for
//! a string field that takes one of a few words (a union) and for `ElementPatch`'s
//! `Option<Option<T>>` fields, `type` for the base64 bytes of a file.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Upper bounds on what one element may carry. They keep a single edit from bloating every
/// replica of a board (and every sync message) past what a canvas can reasonably draw.
pub mod limits {
    /// Longest element id, in bytes.
    pub const MAX_ID_LEN: usize = 64;
    /// Most points one line, arrow or pen stroke may have.
    pub const MAX_POINTS: usize = 50_000;
    /// Longest text of one element, in bytes of UTF-8.
    pub const MAX_TEXT_BYTES: usize = 256 * 1024;
    /// Longest short string field (colours, font family, link, names), in bytes.
    pub const MAX_FIELD_BYTES: usize = 2048;
    /// Largest image stored in a board, in bytes.
    pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
    /// Most groups one element may belong to.
    pub const MAX_GROUPS: usize = 64;
    /// Largest absolute coordinate or size; beyond it a canvas loses precision.
    pub const MAX_COORD: f64 = 1.0e9;
}

/// What an element is. The set is closed: a document never holds a kind Easel cannot draw.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElementKind {
    Rectangle,
    Ellipse,
    Diamond,
    Line,
    Arrow,
    Freedraw,
    Text,
    Sticky,
    Image,
    Frame,
}

impl ElementKind {
    pub const ALL: [ElementKind; 10] = [
        ElementKind::Rectangle,
        ElementKind::Ellipse,
        ElementKind::Diamond,
        ElementKind::Line,
        ElementKind::Arrow,
        ElementKind::Freedraw,
        ElementKind::Text,
        ElementKind::Sticky,
        ElementKind::Image,
        ElementKind::Frame,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ElementKind::Rectangle => "rectangle",
            ElementKind::Ellipse => "ellipse",
            ElementKind::Diamond => "diamond",
            ElementKind::Line => "line",
            ElementKind::Arrow => "arrow",
            ElementKind::Freedraw => "freedraw",
            ElementKind::Text => "text",
            ElementKind::Sticky => "sticky",
            ElementKind::Image => "image",
            ElementKind::Frame => "frame",
        }
    }

    /// Kinds whose geometry is a list of points relative to (x, y).
    pub fn has_points(self) -> bool {
        matches!(
            self,
            ElementKind::Line | ElementKind::Arrow | ElementKind::Freedraw
        )
    }
}

impl std::str::FromStr for ElementKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ElementKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("kind", format!("unknown element kind {s:?}")))
    }
}

impl std::fmt::Display for ElementKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The values of the string fields that take one of a few words; [`Element::validate`] accepts
/// these and no others, and the UI's types name them as unions (`FillStyle`, ...; see
/// `crate::ts_types`, whose test keeps the two lists equal).
pub(crate) const FILL_STYLES: [&str; 4] = ["solid", "hachure", "cross-hatch", "zigzag"];
pub(crate) const STROKE_STYLES: [&str; 3] = ["solid", "dashed", "dotted"];
pub(crate) const TEXT_ALIGNS: [&str; 3] = ["left", "center", "right"];
pub(crate) const VERTICAL_ALIGNS: [&str; 3] = ["top", "middle", "bottom"];
pub(crate) const SIDES: [&str; 4] = ["top", "right", "bottom", "left"];

/// One end of a line or arrow attached to another element: moving that element moves the end.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// The id of the element this end is attached to.
    pub element: String,
    /// Where along the target the end points, -1..1 (Excalidraw's `focus`).
    #[serde(default)]
    pub focus: f64,
    /// Distance kept between the end and the target's outline.
    #[serde(default)]
    pub gap: f64,
    /// The side of the target the end attaches to (`top`, `right`, `bottom`, `left`), when fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(as = "Option<crate::ts_types::Side>", optional))]
    pub side: Option<String>,
}

/// Every field of one element. Optional fields are `None` when unset; lists are empty.
///
/// On the wire, fields that are unset, empty lists and empty text are left out.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Element {
    pub id: String,
    pub kind: ElementKind,
    pub x: f64,
    pub y: f64,
    #[serde(default)]
    pub width: f64,
    #[serde(default)]
    pub height: f64,
    /// Rotation in radians, clockwise (the canvas convention, y down), about the element's centre.
    #[serde(default)]
    pub angle: f64,
    /// A CSS colour.
    #[serde(default = "default_stroke")]
    pub stroke: String,
    /// `transparent` or a CSS colour.
    #[serde(default = "default_fill")]
    pub fill: String,
    /// `solid`, `hachure`, `cross-hatch` or `zigzag`, as Excalidraw names them.
    #[serde(default = "default_fill_style")]
    #[cfg_attr(test, ts(as = "crate::ts_types::FillStyle"))]
    pub fill_style: String,
    #[serde(default = "default_stroke_width")]
    pub stroke_width: f64,
    /// `solid`, `dashed` or `dotted`.
    #[serde(default = "default_stroke_style")]
    #[cfg_attr(test, ts(as = "crate::ts_types::StrokeStyle"))]
    pub stroke_style: String,
    /// Hand-drawn wobble, 0 (architect) to 2 (cartoonist).
    #[serde(default)]
    pub roughness: f64,
    /// The seed of the hand-drawn wobble (Excalidraw's `seed`, kept on import so a board looks as
    /// it did there); 0 means one derived from the id ([`Element::rough_seed`]).
    #[serde(default)]
    pub seed: u32,
    /// Rounded corners for rectangles, diamonds and lines.
    #[serde(default)]
    pub rounded: bool,
    /// 0 (invisible) to 1 (opaque).
    #[serde(default = "default_opacity")]
    pub opacity: f64,
    /// Z-order key (a fractional index in rocicorp's `fractional-indexing` format, base 62):
    /// elements draw in ascending key order, ties by id.
    #[serde(default)]
    pub z: String,
    /// Points relative to (x, y), for lines, arrows and pen strokes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<[f64; 2]>,
    /// Pen pressure per point, 0..1, for pen strokes; empty when the device gave none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pressures: Vec<f64>,
    /// The element's text: a text element's content, a sticky's note, a shape's or arrow's label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default = "default_font_size")]
    pub font_size: f64,
    #[serde(default = "default_font_family")]
    pub font_family: String,
    /// `left`, `center` or `right`.
    #[serde(default = "default_text_align")]
    #[cfg_attr(test, ts(as = "crate::ts_types::TextAlign"))]
    pub text_align: String,
    /// `top`, `middle` or `bottom`.
    #[serde(default = "default_vertical_align")]
    #[cfg_attr(test, ts(as = "crate::ts_types::VerticalAlign"))]
    pub vertical_align: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub start: Option<Binding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub end: Option<Binding>,
    /// Arrowhead at the start (`arrow`, `triangle`, `dot`, `bar`, ...); `None` draws none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub start_arrowhead: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub end_arrowhead: Option<String>,
    /// An elbow arrow (Excalidraw's `elbowed`): its points are an orthogonal route that the UI
    /// computes again when a shape it is bound to moves. Arrows only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub elbowed: bool,
    /// Groups from the innermost to the outermost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// The frame this element belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub frame_id: Option<String>,
    #[serde(default)]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub link: Option<String>,
    /// For images: the id of the board file holding the bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub file_id: Option<String>,
    /// For frames: the frame's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
    /// The user id that last wrote this element.
    #[serde(default)]
    pub author: String,
    /// Milliseconds since the Unix epoch of the last write.
    #[serde(default)]
    pub updated_at: f64,
}

fn default_stroke() -> String {
    "#1e1e1e".into()
}
fn default_fill() -> String {
    "transparent".into()
}
fn default_fill_style() -> String {
    "solid".into()
}
fn default_stroke_width() -> f64 {
    2.0
}
fn default_stroke_style() -> String {
    "solid".into()
}
fn default_opacity() -> f64 {
    1.0
}
fn default_font_size() -> f64 {
    20.0
}
fn default_font_family() -> String {
    "sans-serif".into()
}
fn default_text_align() -> String {
    "left".into()
}
fn default_vertical_align() -> String {
    "top".into()
}

impl Element {
    /// A new element of `kind` at (x, y) with every style field at its default.
    pub fn new(id: impl Into<String>, kind: ElementKind, x: f64, y: f64) -> Self {
        Element {
            id: id.into(),
            kind,
            x,
            y,
            width: 0.0,
            height: 0.0,
            angle: 0.0,
            stroke: default_stroke(),
            fill: default_fill(),
            fill_style: default_fill_style(),
            stroke_width: default_stroke_width(),
            stroke_style: default_stroke_style(),
            roughness: 0.0,
            seed: 0,
            rounded: false,
            opacity: default_opacity(),
            z: String::new(),
            points: Vec::new(),
            pressures: Vec::new(),
            text: String::new(),
            font_size: default_font_size(),
            font_family: default_font_family(),
            text_align: default_text_align(),
            vertical_align: default_vertical_align(),
            start: None,
            end: None,
            start_arrowhead: None,
            end_arrowhead: None,
            elbowed: false,
            group_ids: Vec::new(),
            frame_id: None,
            locked: false,
            link: None,
            file_id: None,
            name: None,
            author: String::new(),
            updated_at: 0.0,
        }
    }

    /// The seed the hand-drawn style draws this element with: `seed`, or when it is 0 a 31-bit
    /// FNV-1a hash of the id (never 0: rough.js takes a 0 seed as "random"). The UI's
    /// `roughSeed` (ui/src/model/types.ts) computes the same.
    pub fn rough_seed(&self) -> u32 {
        if self.seed != 0 {
            return self.seed;
        }
        let mut h: u32 = 0x811c_9dc5;
        for unit in self.id.encode_utf16() {
            h ^= u32::from(unit);
            h = h.wrapping_mul(0x0100_0193);
        }
        (h & 0x7fff_ffff).max(1)
    }

    /// A fresh random element id (a UUID v4 in its hyphenated form).
    pub fn new_id() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    pub fn with_size(mut self, width: f64, height: f64) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Checks every field against the model's rules and limits. The first offending field is
    /// named in the error.
    pub fn validate(&self) -> Result<()> {
        validate_id("id", &self.id)?;
        for (name, v) in [("x", self.x), ("y", self.y)] {
            coord(name, v)?;
        }
        for (name, v) in [("width", self.width), ("height", self.height)] {
            coord(name, v)?;
            if v < 0.0 {
                return Err(Error::invalid(
                    name,
                    format!("{name} must not be negative, got {v}"),
                ));
            }
        }
        finite("angle", self.angle)?;
        if self.angle.abs() > 1.0e6 {
            return Err(Error::invalid("angle", "angle out of range"));
        }
        for (name, v) in [
            ("stroke", &self.stroke),
            ("fill", &self.fill),
            ("fillStyle", &self.fill_style),
            ("strokeStyle", &self.stroke_style),
            ("fontFamily", &self.font_family),
            ("textAlign", &self.text_align),
            ("verticalAlign", &self.vertical_align),
            ("author", &self.author),
        ] {
            short(name, v)?;
        }
        one_of("strokeStyle", &self.stroke_style, &STROKE_STYLES)?;
        one_of("fillStyle", &self.fill_style, &FILL_STYLES)?;
        one_of("textAlign", &self.text_align, &TEXT_ALIGNS)?;
        one_of("verticalAlign", &self.vertical_align, &VERTICAL_ALIGNS)?;
        range("strokeWidth", self.stroke_width, 0.0, 1000.0)?;
        range("roughness", self.roughness, 0.0, 10.0)?;
        range("opacity", self.opacity, 0.0, 1.0)?;
        range("fontSize", self.font_size, 0.0, 10_000.0)?;
        finite("updatedAt", self.updated_at)?;
        crate::zorder::validate_key(&self.z).map_err(|m| Error::invalid("z", m))?;
        if self.points.len() > limits::MAX_POINTS {
            return Err(Error::too_large(
                "points",
                self.points.len(),
                limits::MAX_POINTS,
            ));
        }
        if !self.points.is_empty() && !self.kind.has_points() {
            return Err(Error::invalid(
                "points",
                format!("a {} has no points", self.kind),
            ));
        }
        for p in &self.points {
            coord("points", p[0])?;
            coord("points", p[1])?;
        }
        if !self.pressures.is_empty() {
            if self.kind != ElementKind::Freedraw {
                return Err(Error::invalid(
                    "pressures",
                    "only pen strokes carry pressures",
                ));
            }
            if self.pressures.len() != self.points.len() {
                return Err(Error::invalid(
                    "pressures",
                    format!(
                        "{} pressures for {} points",
                        self.pressures.len(),
                        self.points.len()
                    ),
                ));
            }
            for p in &self.pressures {
                range("pressures", *p, 0.0, 1.0)?;
            }
        }
        if self.text.len() > limits::MAX_TEXT_BYTES {
            return Err(Error::too_large(
                "text",
                self.text.len(),
                limits::MAX_TEXT_BYTES,
            ));
        }
        for (name, b) in [("start", &self.start), ("end", &self.end)] {
            if let Some(b) = b {
                if !matches!(self.kind, ElementKind::Line | ElementKind::Arrow) {
                    return Err(Error::invalid(
                        name,
                        "only lines and arrows bind to elements",
                    ));
                }
                validate_id(name, &b.element)?;
                if b.element == self.id {
                    return Err(Error::invalid(name, "an arrow cannot bind to itself"));
                }
                range(name, b.focus, -1.0e3, 1.0e3)?;
                range(name, b.gap, -1.0e6, 1.0e6)?;
                if let Some(side) = &b.side {
                    one_of(name, side, &SIDES)?;
                }
            }
        }
        if self.elbowed && self.kind != ElementKind::Arrow {
            return Err(Error::invalid("elbowed", "only arrows are elbow arrows"));
        }
        for (name, v) in [
            ("startArrowhead", &self.start_arrowhead),
            ("endArrowhead", &self.end_arrowhead),
            ("link", &self.link),
            ("name", &self.name),
        ] {
            if let Some(v) = v {
                short(name, v)?;
            }
        }
        if self.group_ids.len() > limits::MAX_GROUPS {
            return Err(Error::too_large(
                "groupIds",
                self.group_ids.len(),
                limits::MAX_GROUPS,
            ));
        }
        for g in &self.group_ids {
            validate_id("groupIds", g)?;
        }
        if let Some(f) = &self.frame_id {
            validate_id("frameId", f)?;
        }
        if let Some(f) = &self.file_id {
            validate_id("fileId", f)?;
        }
        if self.kind == ElementKind::Image && self.file_id.is_none() {
            return Err(Error::invalid("fileId", "an image needs a fileId"));
        }
        Ok(())
    }
}

/// A change to some fields of one element; `None` leaves a field as it is. Optional fields take
/// `Some(None)` to clear them.
///
/// On the wire, an absent field is left as it is, and `null` clears one of the optional fields.
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ElementPatch {
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub angle: Option<f64>,
    pub stroke: Option<String>,
    pub fill: Option<String>,
    #[cfg_attr(test, ts(as = "Option<crate::ts_types::FillStyle>"))]
    pub fill_style: Option<String>,
    pub stroke_width: Option<f64>,
    #[cfg_attr(test, ts(as = "Option<crate::ts_types::StrokeStyle>"))]
    pub stroke_style: Option<String>,
    pub roughness: Option<f64>,
    pub rounded: Option<bool>,
    pub opacity: Option<f64>,
    pub points: Option<Vec<[f64; 2]>>,
    pub pressures: Option<Vec<f64>>,
    pub text: Option<String>,
    pub font_size: Option<f64>,
    pub font_family: Option<String>,
    #[cfg_attr(test, ts(as = "Option<crate::ts_types::TextAlign>"))]
    pub text_align: Option<String>,
    #[cfg_attr(test, ts(as = "Option<crate::ts_types::VerticalAlign>"))]
    pub vertical_align: Option<String>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub start: Option<Option<Binding>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub end: Option<Option<Binding>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub start_arrowhead: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub end_arrowhead: Option<Option<String>>,
    pub elbowed: Option<bool>,
    pub group_ids: Option<Vec<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub frame_id: Option<Option<String>>,
    pub locked: Option<bool>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub link: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(test, ts(as = "_"))]
    pub name: Option<Option<String>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

impl ElementPatch {
    /// Applies this patch to a copy of `el`. The result still has to pass validation.
    pub fn apply_to(&self, el: &Element) -> Element {
        let mut e = el.clone();
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = &self.$f { e.$f = v.clone(); } )* };
        }
        set!(
            x,
            y,
            width,
            height,
            angle,
            stroke,
            fill,
            fill_style,
            stroke_width,
            stroke_style,
            roughness,
            rounded,
            opacity,
            points,
            pressures,
            text,
            font_size,
            font_family,
            text_align,
            vertical_align,
            start,
            end,
            start_arrowhead,
            end_arrowhead,
            elbowed,
            group_ids,
            frame_id,
            locked,
            link,
            name
        );
        e
    }

    pub fn is_empty(&self) -> bool {
        self == &ElementPatch::default()
    }
}

/// Board-wide settings kept in the document's `meta` map.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardMeta {
    pub title: String,
    #[serde(default = "default_background")]
    pub background: String,
    /// Grid size in canvas units; `None` hides the grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub grid: Option<f64>,
}

fn default_background() -> String {
    "#ffffff".into()
}

impl BoardMeta {
    pub fn new(title: impl Into<String>) -> Self {
        BoardMeta {
            title: title.into(),
            background: default_background(),
            grid: None,
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_title(&self.title)?;
        short("background", &self.background)?;
        if let Some(g) = self.grid {
            range("grid", g, 1.0, 1000.0)?;
        }
        Ok(())
    }
}

/// Binary content (images) stored once per board and referenced by id from elements.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardFile {
    /// The hex SHA-256 of `data`, so the same image pasted twice is stored once.
    pub id: String,
    pub mime: String,
    /// The bytes; on the wire, in standard base64.
    #[serde(with = "base64_bytes")]
    #[cfg_attr(test, ts(type = "string"))]
    pub data: Vec<u8>,
}

impl BoardFile {
    /// A file whose id is the hash of its bytes.
    pub fn new(mime: impl Into<String>, data: Vec<u8>) -> Self {
        BoardFile {
            id: content_id(&data),
            mime: mime.into(),
            data,
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_id("fileId", &self.id)?;
        short("mime", &self.mime)?;
        if !self.mime.starts_with("image/") {
            return Err(Error::invalid(
                "mime",
                format!("not an image type: {:?}", self.mime),
            ));
        }
        if self.data.len() > limits::MAX_FILE_BYTES {
            return Err(Error::too_large(
                "data",
                self.data.len(),
                limits::MAX_FILE_BYTES,
            ));
        }
        Ok(())
    }
}

impl BoardFile {
    /// What the document holds for this file: its name, type, size and natural dimensions
    /// (read from the image's header; `None` for a format the reader does not know).
    pub fn reference(&self) -> FileRef {
        let dims = imagesize::blob_size(&self.data).ok();
        FileRef {
            id: self.id.clone(),
            mime: self.mime.clone(),
            size: self.data.len() as u64,
            width: dims.and_then(|d| u32::try_from(d.width).ok()),
            height: dims.and_then(|d| u32::try_from(d.height).ok()),
        }
    }
}

/// A board's reference to an image file, which is what its document holds: the bytes live
/// once per store beside the document (keyed by `id`, their SHA-256) and move between peers by
/// that name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// The hex SHA-256 of the file's bytes.
    pub id: String,
    pub mime: String,
    /// The file's length in bytes.
    pub size: u64,
    /// The image's natural size in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl FileRef {
    pub fn validate(&self) -> Result<()> {
        if !easel_log::is_file_hash(&self.id) {
            return Err(Error::invalid(
                "fileId",
                "a file's id must be the hex SHA-256 of its bytes",
            ));
        }
        short("mime", &self.mime)?;
        if !self.mime.starts_with("image/") {
            return Err(Error::invalid(
                "mime",
                format!("not an image type: {:?}", self.mime),
            ));
        }
        if self.size > limits::MAX_FILE_BYTES as u64 {
            return Err(Error::too_large(
                "size",
                self.size as usize,
                limits::MAX_FILE_BYTES,
            ));
        }
        Ok(())
    }
}

/// The hex SHA-256 of some bytes, used as a content address for board files.
pub fn content_id(data: &[u8]) -> String {
    easel_log::file_hash(data)
}

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// Everything a board's document holds, as plain values: what export writes and import reads.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scene {
    pub meta: BoardMeta,
    /// Elements in drawing order (ascending z key, then id).
    pub elements: Vec<Element>,
    #[serde(default)]
    pub files: Vec<BoardFile>,
}

impl Scene {
    pub fn new(title: impl Into<String>) -> Self {
        Scene {
            meta: BoardMeta::new(title),
            elements: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Checks every element and file, ids unique, and that image elements reference files that
    /// exist here. Bindings and frames may point at elements that are gone (a collaborator may
    /// have deleted them), as in Excalidraw; renderers skip such references.
    pub fn validate(&self) -> Result<()> {
        self.meta.validate()?;
        let mut ids = std::collections::HashSet::new();
        for (i, e) in self.elements.iter().enumerate() {
            e.validate()
                .map_err(|err| err.at(format!("elements[{i}]")))?;
            if !ids.insert(e.id.as_str()) {
                return Err(Error::invalid(
                    format!("elements[{i}].id"),
                    format!("duplicate element id {:?}", e.id),
                ));
            }
        }
        let mut file_ids = std::collections::HashSet::new();
        for (i, f) in self.files.iter().enumerate() {
            f.validate().map_err(|err| err.at(format!("files[{i}]")))?;
            file_ids.insert(f.id.as_str());
        }
        for (i, e) in self.elements.iter().enumerate() {
            if let Some(fid) = &e.file_id
                && !file_ids.contains(fid.as_str())
            {
                return Err(Error::invalid(
                    format!("elements[{i}].fileId"),
                    format!("no file {fid:?} in this scene"),
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn validate_title(title: &str) -> Result<()> {
    if title.trim().is_empty() {
        return Err(Error::invalid("title", "a title cannot be empty"));
    }
    if title.len() > 512 {
        return Err(Error::too_large("title", title.len(), 512));
    }
    if title.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            "title",
            "a title cannot hold control characters",
        ));
    }
    Ok(())
}

pub(crate) fn validate_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() || id.len() > limits::MAX_ID_LEN {
        return Err(Error::invalid(
            field,
            format!(
                "an id must be 1 to {} bytes, got {}",
                limits::MAX_ID_LEN,
                id.len()
            ),
        ));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b':')
    {
        return Err(Error::invalid(
            field,
            format!("id {id:?} has characters outside [A-Za-z0-9-_.:]"),
        ));
    }
    Ok(())
}

fn finite(field: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{field} must be a finite number, got {v}"),
        ))
    }
}

fn coord(field: &str, v: f64) -> Result<()> {
    finite(field, v)?;
    if v.abs() > limits::MAX_COORD {
        return Err(Error::invalid(
            field,
            format!("{field} {v} is beyond ±{}", limits::MAX_COORD),
        ));
    }
    Ok(())
}

fn range(field: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
    finite(field, v)?;
    if v < lo || v > hi {
        return Err(Error::invalid(
            field,
            format!("{field} must be within {lo}..={hi}, got {v}"),
        ));
    }
    Ok(())
}

fn short(field: &str, v: &str) -> Result<()> {
    if v.len() > limits::MAX_FIELD_BYTES {
        return Err(Error::too_large(field, v.len(), limits::MAX_FIELD_BYTES));
    }
    Ok(())
}

fn one_of(field: &str, v: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{v:?} is not one of {allowed:?}"),
        ))
    }
}
