//! Any bytes a client can send: the y-websocket message decoder must return Ok or Err, never
//! panic, abort or run out of memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = easel_proto::decode(data, &easel_proto::Limits::default());
});
