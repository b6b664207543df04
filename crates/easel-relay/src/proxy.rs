//! Clients behind a reverse proxy (`--trusted-proxy`): the per-address limits apply to the
//! client's address as the proxy reports it in `X-Forwarded-For`, not to the proxy's.
//!
//! Only connections from a trusted proxy are read that way; anyone else's `X-Forwarded-For` is
//! ignored (a client cannot pick the address it is limited as). The header is read from the
//! right: each proxy appends the address it received the request from, so the rightmost entry
//! that is not itself a trusted proxy is the client. What a client wrote into the header itself
//! sits further left and is never reached while the entries to its right are untrusted.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use tokio_tungstenite::tungstenite::http::HeaderMap;

/// An address or a network of them: `10.0.0.7`, `10.0.0.0/8`, `::1`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

/// Why an [`IpNet`] did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpNetError(String);

impl fmt::Display for IpNetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IpNetError {}

impl FromStr for IpNet {
    type Err = IpNetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| {
            IpNetError(format!(
                "{s:?} is not an IP address or network (like 10.0.0.7 or 10.0.0.0/8)"
            ))
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.trim().parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => {
                    return Err(IpNetError(format!(
                        "{s:?}: the prefix length must be a number from 0 to {max}"
                    )));
                }
            },
        };
        Ok(IpNet { addr, prefix })
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl IpNet {
    /// Whether `ip` is in this network (an IPv4 address in its IPv6-mapped form counts too).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Whether `ip` is one of `trusted`.
pub(crate) fn trusted(trusted: &[IpNet], ip: IpAddr) -> bool {
    trusted.iter().any(|n| n.contains(ip))
}

/// The client's address for a request that came from the trusted proxy `peer`: the rightmost
/// `X-Forwarded-For` entry that is not a trusted proxy. Falls back to the nearest address that
/// could be read (the proxy itself when the header is missing or its last entry is not an
/// address: a proxy that sends no usable header is limited as one client).
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_entry(entry) else {
            break;
        };
        client = ip;
        if !trusted(proxies, ip) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    if let Ok(ip) = e.parse() {
        return Some(ip);
    }
    if let Ok(sa) = e.parse::<std::net::SocketAddr>() {
        return Some(sa.ip());
    }
    e.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let n: IpNet = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains(ip("10.200.3.4")));
        assert!(!n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        let one: IpNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        for bad in ["10.0.0.0/33", "::/129", "proxy", "10.0.0.0/x", ""] {
            let e = bad.parse::<IpNet>().unwrap_err().to_string();
            assert!(e.contains(bad) || bad.is_empty(), "{e}");
        }
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_entry() {
        let proxies: Vec<IpNet> = vec!["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let peer = ip("127.0.0.1");
        let h = |v: &[&str]| {
            let mut m = HeaderMap::new();
            for x in v {
                m.append("x-forwarded-for", x.parse().unwrap());
            }
            m
        };
        // No header: the proxy itself.
        assert_eq!(client_ip(peer, &h(&[]), &proxies), peer);
        assert_eq!(
            client_ip(peer, &h(&["203.0.113.7"]), &proxies),
            ip("203.0.113.7")
        );
        // A client's own (forged) entry on the left is not reached.
        assert_eq!(
            client_ip(peer, &h(&["1.1.1.1, 203.0.113.7"]), &proxies),
            ip("203.0.113.7")
        );
        // Through a second trusted proxy, in two headers, with ports.
        assert_eq!(
            client_ip(peer, &h(&["198.51.100.2:4711", "10.1.1.1"]), &proxies),
            ip("198.51.100.2")
        );
        assert_eq!(
            client_ip(peer, &h(&["[2001:db8::5]:80, 10.0.0.3"]), &proxies),
            ip("2001:db8::5")
        );
        // Garbage as the last entry: the proxy's own address, not a guess.
        assert_eq!(client_ip(peer, &h(&["203.0.113.7, junk"]), &proxies), peer);
    }
}
