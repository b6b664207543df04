//! LAN discovery of Easel hosts (`easel serve`, the app's "Host on this network") over mDNS
//! (`_easel._tcp.local.`).
//!
//! A host announces its port and, in TXT, the ids of the boards it serves. A TXT string holds at
//! most 255 bytes, so the ids are spread over keys `b0`, `b1`, ... of up to six comma-separated
//! ids each; `n` gives the total, and `v` the format version.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::Serialize;
use uuid::Uuid;

use crate::{Error, Result};

fn mdns(what: &'static str) -> impl FnOnce(mdns_sd::Error) -> Error {
    move |e| Error::Mdns(format!("{what}: {e}"))
}

pub const SERVICE_TYPE: &str = "_easel._tcp.local.";

/// Ids per TXT string: 6 × 36 + 5 commas + `bNN=` stays under 255 bytes.
const IDS_PER_KEY: usize = 6;

/// Most board ids announced; a DNS packet must stay small. Peers that need more ask the host.
pub const MAX_ANNOUNCED: usize = 48;

/// The TXT properties announcing `boards` (the first [`MAX_ANNOUNCED`] of them).
pub fn encode_boards(boards: &[Uuid]) -> Vec<(String, String)> {
    let shown = &boards[..boards.len().min(MAX_ANNOUNCED)];
    let mut props = vec![
        ("v".to_string(), "1".to_string()),
        ("n".to_string(), boards.len().to_string()),
    ];
    for (i, chunk) in shown.chunks(IDS_PER_KEY).enumerate() {
        let ids: Vec<String> = chunk.iter().map(Uuid::to_string).collect();
        props.push((format!("b{i}"), ids.join(",")));
    }
    props
}

/// The board ids in TXT properties made by [`encode_boards`] (unknown keys and bad ids are
/// skipped), and the total the host serves.
pub fn decode_boards<'a>(
    props: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (Vec<Uuid>, usize) {
    let mut chunks: Vec<(usize, Vec<Uuid>)> = Vec::new();
    let mut total = None;
    for (k, v) in props {
        if k == "n" {
            total = v.parse().ok();
        } else if let Some(i) = k.strip_prefix('b').and_then(|i| i.parse::<usize>().ok()) {
            let ids = v
                .split(',')
                .filter_map(|s| Uuid::try_parse(s.trim()).ok())
                .collect();
            chunks.push((i, ids));
        }
    }
    chunks.sort_by_key(|(i, _)| *i);
    let ids: Vec<Uuid> = chunks.into_iter().flat_map(|(_, ids)| ids).collect();
    let total = total.unwrap_or(ids.len()).max(ids.len());
    (ids, total)
}

/// This machine's name for announcements: `HOSTNAME`, else /etc/hostname, else `easel`,
/// reduced to what a DNS label allows.
pub fn host_name() -> String {
    let raw = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .unwrap_or_default();
    let label: String = raw
        .trim()
        .split('.')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(63)
        .collect();
    if label.is_empty() {
        "easel".into()
    } else {
        label
    }
}

/// The instance name a host called `host` announces.
pub fn instance_name_of(host: &str) -> String {
    format!("Easel on {host}")
}

/// A running announcement; dropping it withdraws it.
pub struct Announcement {
    daemon: ServiceDaemon,
    fullname: String,
}

impl Announcement {
    /// Announces a host listening on `addr` (all of this machine's addresses when it is
    /// unspecified) serving `boards`.
    pub fn start(addr: SocketAddr, boards: &[Uuid]) -> Result<Announcement> {
        let daemon = ServiceDaemon::new().map_err(mdns("cannot start mDNS"))?;
        let host = host_name();
        let instance = instance_name_of(&host);
        let props = encode_boards(boards);
        let ip = if addr.ip().is_unspecified() {
            String::new()
        } else {
            addr.ip().to_string()
        };
        let mut info = ServiceInfo::new(
            SERVICE_TYPE,
            &instance,
            &format!("{host}.local."),
            ip.as_str(),
            addr.port(),
            &props[..],
        )
        .map_err(mdns("cannot build the mDNS announcement"))?;
        if addr.ip().is_unspecified() {
            info = info.enable_addr_auto();
        }
        let fullname = info.get_fullname().to_string();
        daemon
            .register(info)
            .map_err(mdns("cannot announce over mDNS"))?;
        Ok(Announcement { daemon, fullname })
    }
}

impl Drop for Announcement {
    fn drop(&mut self) {
        // Say goodbye so browsers drop us now rather than when the record expires.
        if let Ok(rx) = self.daemon.unregister(&self.fullname) {
            let _ = rx.recv_timeout(Duration::from_secs(1));
        }
        if let Ok(rx) = self.daemon.shutdown() {
            let _ = rx.recv_timeout(Duration::from_secs(1));
        }
    }
}

/// A host found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundHost {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    pub port: u16,
    /// `ws://ADDRESS:PORT`, for `easel sync --relay`, with the first address: IPv4 before IPv6,
    /// loopback last.
    pub url: Option<String>,
    pub boards: Vec<Uuid>,
    /// How many boards the host serves (more than `boards` lists when it serves many).
    pub board_count: usize,
}

/// Browses for `wait` and returns the hosts that answered, by name. Blocks.
pub fn browse(wait: Duration) -> Result<Vec<FoundHost>> {
    let daemon = ServiceDaemon::new().map_err(mdns("cannot start mDNS"))?;
    let events = daemon
        .browse(SERVICE_TYPE)
        .map_err(mdns("cannot browse over mDNS"))?;
    let deadline = Instant::now() + wait;
    let mut hosts: HashMap<String, FoundHost> = HashMap::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(s)) => {
                let name = instance_name(s.get_fullname());
                let mut addresses: Vec<IpAddr> =
                    s.get_addresses().iter().map(|a| a.to_ip_addr()).collect();
                // A peer elsewhere cannot use our loopback address: LAN addresses first.
                addresses.sort_by_key(|a| (a.is_loopback(), a.is_ipv6(), *a));
                let (boards, board_count) =
                    decode_boards(s.get_properties().iter().map(|p| (p.key(), p.val_str())));
                let url = addresses.first().map(|a| match a {
                    IpAddr::V4(v4) => format!("ws://{v4}:{}", s.get_port()),
                    IpAddr::V6(v6) => format!("ws://[{v6}]:{}", s.get_port()),
                });
                hosts.insert(
                    name.clone(),
                    FoundHost {
                        name,
                        addresses,
                        port: s.get_port(),
                        url,
                        boards,
                        board_count,
                    },
                );
            }
            Ok(ServiceEvent::ServiceRemoved(_, fullname)) => {
                hosts.remove(&instance_name(&fullname));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.stop_browse(SERVICE_TYPE);
    if let Ok(rx) = daemon.shutdown() {
        let _ = rx.recv_timeout(Duration::from_secs(1));
    }
    let mut list: Vec<FoundHost> = hosts.into_values().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// `Easel on box._easel._tcp.local.` → `Easel on box`.
fn instance_name(fullname: &str) -> String {
    fullname
        .strip_suffix(SERVICE_TYPE)
        .map(|s| s.trim_end_matches('.'))
        .unwrap_or(fullname)
        .replace("\\.", ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_ids_round_trip_through_txt() {
        for n in [0usize, 1, 6, 7, 13, MAX_ANNOUNCED, MAX_ANNOUNCED + 5] {
            let ids: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
            let props = encode_boards(&ids);
            for (k, v) in &props {
                assert!(k.len() + 1 + v.len() <= 255, "{k}: {} bytes", v.len());
            }
            let (back, total) = decode_boards(props.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            assert_eq!(total, n);
            assert_eq!(back, ids[..n.min(MAX_ANNOUNCED)]);
        }
    }

    #[test]
    fn decoding_skips_junk_and_orders_chunks() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let (ids, total) = decode_boards([
            ("b1", b.to_string().as_str()),
            ("x", "y"),
            ("bz", "nope"),
            ("b0", format!("{a},not-a-uuid").as_str()),
        ]);
        assert_eq!(ids, vec![a, b]);
        assert_eq!(total, 2);
    }

    #[test]
    fn names() {
        assert_eq!(
            instance_name("Easel on box._easel._tcp.local."),
            "Easel on box"
        );
        assert_eq!(instance_name("other"), "other");
        let h = host_name();
        assert!(!h.is_empty() && h.len() <= 63);
        assert!(h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
