//! Update application behind the validator, as the relay does it: whatever the validator accepts
//! must decode and apply in yrs without a crash.
#![no_main]

use easel_proto::message::UpdatePayload;
use libfuzzer_sys::fuzz_target;
use yrs::{Doc, Transact};

fuzz_target!(|data: &[u8]| {
    let limits = easel_proto::Limits::default();
    if let Ok(payload) = UpdatePayload::new(data.to_vec(), &limits)
        && let Ok(update) = payload.to_yrs()
    {
        let doc = Doc::new();
        let _ = doc.transact_mut().apply_update(update);
    }
});
