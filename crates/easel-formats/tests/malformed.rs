//! Bad input fails with an error naming the first bad field, and never half-imports.

mod common;

use common::{no_progress, sample_scene};
use easel_formats::{Error, Format, export, import};

fn field_of(bytes: &[u8], hint: Option<&str>) -> String {
    match import(bytes, hint, &mut no_progress()) {
        Ok(_) => panic!(
            "import accepted bad input: {}",
            String::from_utf8_lossy(bytes)
        ),
        Err(e) => e
            .field()
            .unwrap_or_else(|| panic!("error names no field: {e}"))
            .to_string(),
    }
}

fn excalidraw_with(element: &str) -> Vec<u8> {
    format!(r#"{{"type":"excalidraw","version":2,"elements":[{{"id":"ok","type":"rectangle","x":0,"y":0,"width":1,"height":1}},{element}]}}"#)
        .into_bytes()
}

#[test]
fn truncated_json_names_the_document() {
    let full = export(&sample_scene(), Format::Excalidraw, &mut no_progress()).unwrap();
    let err = import(
        &full[..full.len() / 2],
        Some("x.excalidraw"),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Malformed { format: "Excalidraw", field, .. } if field == "$"),
        "{err}"
    );
    assert!(err.to_string().contains("EOF"), "{err}");
    let easel = export(&sample_scene(), Format::EaselJson, &mut no_progress()).unwrap();
    let err = import(&easel[..easel.len() - 10], None, &mut no_progress()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Malformed {
                format: "Easel JSON",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn wrong_types_name_the_field() {
    let el = r#"{"id":"b","type":"rectangle","x":0,"y":0,"width":"x","height":1}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].width");
    let el = r#"{"id":"b","type":"rectangle","x":"NaN","y":0}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].x");
    let el = r#"{"id":"b","type":"arrow","x":0,"y":0,"points":[[0,0],["a",1]]}"#;
    assert_eq!(
        field_of(&excalidraw_with(el), None),
        "elements[1].points[1]"
    );
    let el = r#"{"id":"b","type":"rectangle","x":0,"y":0,"groupIds":"g"}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].groupIds");
}

#[test]
fn negative_size_names_the_field() {
    let el = r#"{"id":"b","type":"ellipse","x":0,"y":0,"width":10,"height":-5}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].height");
    // Deleted elements before it do not shift the reported index.
    let json =
        br#"{"type":"excalidraw","elements":[{"id":"d","type":"text","isDeleted":true,"x":0,"y":0},
        {"id":"b","type":"rectangle","x":0,"y":0,"width":-1}]}"#;
    assert_eq!(field_of(json, None), "elements[1].width");
}

#[test]
fn out_of_range_values_name_the_field() {
    let el = r#"{"id":"b","type":"rectangle","x":0,"y":0,"opacity":250}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].opacity");
    let el = r#"{"id":"b","type":"rectangle","x":0,"y":0,"strokeStyle":"wavy"}"#;
    assert_eq!(
        field_of(&excalidraw_with(el), None),
        "elements[1].strokeStyle"
    );
}

#[test]
fn unknown_kinds_name_the_field() {
    let el = r#"{"id":"b","type":"spaceship","x":0,"y":0}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].type");
    let canvas =
        br#"{"nodes":[{"id":"n","type":"video","x":0,"y":0,"width":1,"height":1}],"edges":[]}"#;
    assert_eq!(field_of(canvas, Some("a.canvas")), "nodes[0].type");
}

#[test]
fn easel_json_errors_name_the_field() {
    let good =
        String::from_utf8(export(&sample_scene(), Format::EaselJson, &mut no_progress()).unwrap())
            .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["scene"]["elements"][2]["width"] = "x".into();
    assert_eq!(
        field_of(v.to_string().as_bytes(), None),
        "scene.elements[2].width"
    );
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["scene"]["elements"][3]["kind"] = "blob".into();
    assert_eq!(
        field_of(v.to_string().as_bytes(), None),
        "scene.elements[3].kind"
    );
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["scene"]["elements"][1]["height"] = (-3.0).into();
    assert_eq!(
        field_of(v.to_string().as_bytes(), None),
        "scene.elements[1].height"
    );
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["scene"]["elements"][1]["colour"] = "red".into();
    assert_eq!(
        field_of(v.to_string().as_bytes(), None),
        "scene.elements[1].colour"
    );
}

#[test]
fn image_without_its_file_names_the_field() {
    let el = r#"{"id":"i","type":"image","x":0,"y":0,"width":5,"height":5,"fileId":"nope"}"#;
    assert_eq!(field_of(&excalidraw_with(el), None), "elements[1].fileId");
}

#[test]
fn canvas_edge_to_a_missing_node_names_the_field() {
    let canvas =
        br#"{"nodes":[{"id":"a","type":"text","text":"hi","x":0,"y":0,"width":10,"height":10}],
        "edges":[{"id":"e","fromNode":"a","toNode":"ghost"}]}"#;
    let err = import(canvas, Some("b.canvas"), &mut no_progress()).unwrap_err();
    assert_eq!(err.field(), Some("edges[0].toNode"));
    assert!(err.to_string().contains("ghost"), "{err}");
}

fn chunk(kind: &[u8], body: &[u8]) -> Vec<u8> {
    let mut c = flate2::Crc::new();
    c.update(kind);
    c.update(body);
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out.extend_from_slice(&c.sum().to_be_bytes());
    out
}

/// A real PNG with one extra text chunk after IHDR.
fn png_with_text(keyword: &str, text: &[u8]) -> Vec<u8> {
    let plain = common::tiny_png();
    let ihdr_end = 8 + 12 + 13;
    let mut body = keyword.as_bytes().to_vec();
    body.push(0);
    body.extend_from_slice(text);
    let mut out = plain[..ihdr_end].to_vec();
    out.extend(chunk(b"tEXt", &body));
    out.extend_from_slice(&plain[ihdr_end..]);
    out
}

#[test]
fn png_with_a_bad_crc_is_refused() {
    let mut png = export(&sample_scene(), Format::Png, &mut no_progress()).unwrap();
    let at = png.windows(4).position(|w| w == b"IDAT").unwrap() + 10;
    png[at] ^= 0xff;
    let err = import(&png, None, &mut no_progress()).unwrap_err();
    let field = err.field().unwrap().to_string();
    assert!(
        field.starts_with("chunks[") && field.ends_with("].crc"),
        "{field}"
    );
    assert!(err.to_string().contains("CRC mismatch in IDAT"), "{err}");
}

#[test]
fn png_without_a_scene_says_so() {
    let err = import(&common::tiny_png(), Some("photo.png"), &mut no_progress()).unwrap_err();
    assert!(matches!(err, Error::NoScene { format: "PNG", .. }), "{err}");
    assert!(err.to_string().contains("no embedded scene"), "{err}");
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>"#;
    let err = import(svg, None, &mut no_progress()).unwrap_err();
    assert!(matches!(err, Error::NoScene { format: "SVG", .. }), "{err}");
}

#[test]
fn deflate_bomb_is_refused() {
    use std::io::Write;
    // 80 MiB of zeros deflate to about 80 KiB; inflating must stop at the 64 MiB cap.
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..80 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 200_000);
    // Excalidraw's v2 wrapper: the zlib bytes as a Latin-1 "byte string" inside JSON.
    let byte_string: String = bomb.iter().map(|&b| b as char).collect();
    let wrapper = serde_json::json!({"version": "1", "encoding": "bstring", "compressed": true, "encoded": byte_string}).to_string();
    let latin1: Vec<u8> = wrapper.chars().map(|c| c as u32 as u8).collect();
    let png = png_with_text("application/vnd.excalidraw+json", &latin1);
    let err = import(&png, None, &mut no_progress()).unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge { limit, .. } if *limit == 64 * 1024 * 1024),
        "{err}"
    );
}

#[test]
fn corrupt_embedded_payload_names_the_payload() {
    let png = png_with_text(
        "application/vnd.excalidraw+json",
        b"{\"encoded\":\"xx\",\"compressed\":true}",
    );
    let err = import(&png, None, &mut no_progress()).unwrap_err();
    assert_eq!(err.field(), Some("payload.encoded"), "{err}");
}

#[test]
fn unknown_input_is_unsupported() {
    let err = import(b"hello world", Some("notes.txt"), &mut no_progress()).unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err}");
}

/// Many compressed text chunks, each under the inflate cap, do not add up past it: the cap is
/// for the whole file (a 6.5 MB PNG of 100 such chunks used to inflate to several GB). Chunks
/// whose keyword no importer reads are not inflated at all.
#[test]
fn text_chunks_share_one_inflate_cap() {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![b' '; 30 << 20]).unwrap();
    let thirty_mib = enc.finish().unwrap();
    let ztxt = |keyword: &str| {
        let mut body = keyword.as_bytes().to_vec();
        body.extend_from_slice(&[0, 0]); // separator, compression method
        body.extend_from_slice(&thirty_mib);
        chunk(b"zTXt", &body)
    };
    let plain = common::tiny_png();
    let ihdr_end = 8 + 12 + 13;
    let mut png = plain[..ihdr_end].to_vec();
    for _ in 0..3 {
        png.extend(ztxt("application/vnd.excalidraw+json"));
    }
    png.extend_from_slice(&plain[ihdr_end..]);
    let err = import(&png, None, &mut no_progress()).unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge { limit, .. } if *limit == 64 * 1024 * 1024),
        "{err}"
    );
    assert!(err.to_string().contains("text chunks"), "{err}");

    // Ten such chunks under a keyword nobody reads are skipped: the file is a plain image.
    let mut png = plain[..ihdr_end].to_vec();
    for _ in 0..10 {
        png.extend(ztxt("Comment"));
    }
    png.extend_from_slice(&plain[ihdr_end..]);
    let err = import(&png, Some("photo.png"), &mut no_progress()).unwrap_err();
    assert!(matches!(err, Error::NoScene { format: "PNG", .. }), "{err}");
}
