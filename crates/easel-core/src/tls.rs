//! Which certificates a `wss://` connection trusts, and errors a person can act on.
//!
//! TLS is rustls with the `ring` provider (no OpenSSL, nothing to build but Rust and a little C
//! from crates.io). The roots are the operating system's store (`rustls-native-certs`): that is
//! what a desktop app should trust, since it follows the OS's updates and the CAs an
//! organisation installs. Only where the OS store is empty or unreadable (a bare container) do we
//! fall back to Mozilla's roots compiled into `webpki-roots`. A self-hosted relay with its own
//! CA is trusted by adding that CA: `EASEL_EXTRA_CA=/path/ca.pem` (PEM, one or more
//! certificates), or [`TlsConfig::with_extra_roots_pem`] through the API. There is
//! deliberately no way to accept any certificate.
//!
//! The client config is built once: the process-wide default on the first `wss://` connect
//! (reading the OS store and `EASEL_EXTRA_CA` then), a custom one when it is made.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};

use crate::error::{Error, Result};

/// The environment variable naming extra CA certificates (PEM) to trust.
pub const EXTRA_CA_ENV: &str = "EASEL_EXTRA_CA";

/// The trust a `wss://` connection uses; cheap to clone. The default is the OS store (or
/// Mozilla's roots) plus `EASEL_EXTRA_CA`, resolved on first use.
#[derive(Clone, Default)]
pub struct TlsConfig {
    custom: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.custom.is_some() {
            "TlsConfig::Custom"
        } else {
            "TlsConfig::System"
        })
    }
}

impl TlsConfig {
    /// The system's roots plus the CA certificates in `pem`, for a relay with its own CA.
    pub fn with_extra_roots_pem(pem: &[u8]) -> Result<Self> {
        let mut roots = system_roots();
        add_pem(&mut roots, pem, "extra CA")?;
        Ok(TlsConfig {
            custom: Some(client_config(roots)),
        })
    }

    /// Only the CA certificates in `pem`: nothing else is trusted.
    pub fn only_roots_pem(pem: &[u8]) -> Result<Self> {
        let mut roots = RootCertStore::empty();
        add_pem(&mut roots, pem, "CA")?;
        Ok(TlsConfig {
            custom: Some(client_config(roots)),
        })
    }

    /// The rustls client config to connect with.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        if let Some(c) = &self.custom {
            return Ok(c.clone());
        }
        static SYSTEM: OnceLock<std::result::Result<Arc<ClientConfig>, String>> = OnceLock::new();
        SYSTEM
            .get_or_init(|| {
                let mut roots = system_roots();
                if let Some(path) = std::env::var_os(EXTRA_CA_ENV).filter(|p| !p.is_empty()) {
                    let pem = std::fs::read(&path).map_err(|e| {
                        format!("{EXTRA_CA_ENV}={}: cannot read it: {e}", path.display())
                    })?;
                    add_pem(
                        &mut roots,
                        &pem,
                        &format!("{EXTRA_CA_ENV}={}", path.display()),
                    )
                    .map_err(|e| e.to_string())?;
                }
                Ok(client_config(roots))
            })
            .clone()
            .map_err(|e| Error::invalid("tls", e))
    }
}

fn client_config(roots: RootCertStore) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// The OS store's roots, or Mozilla's where the OS store gives none.
fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!(error = %e, "reading the OS certificate store");
    }
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        tracing::info!("no usable root certificates in the OS store; trusting Mozilla's roots");
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    roots
}

/// Adds every certificate in `pem`; an input with none, or with one rustls refuses, is an error.
fn add_pem(roots: &mut RootCertStore, pem: &[u8], what: &str) -> Result<()> {
    let mut n = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| Error::invalid("tls", format!("{what}: not PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| Error::invalid("tls", format!("{what}: unusable certificate: {e}")))?;
        n += 1;
    }
    if n == 0 {
        return Err(Error::invalid(
            "tls",
            format!("{what}: no certificate (expected PEM \"BEGIN CERTIFICATE\" blocks)"),
        ));
    }
    Ok(())
}

/// The host of a `ws://` or `wss://` URL, for messages.
pub(crate) fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

/// A connect failure in words: certificate problems name the host and what is wrong.
pub(crate) fn describe_connect_error(
    url: &str,
    e: &tokio_tungstenite::tungstenite::Error,
) -> String {
    use tokio_tungstenite::tungstenite::Error as WsError;
    let host = url_host(url);
    let tls = url.starts_with("wss://");
    let io = match e {
        WsError::Io(io) => Some(io),
        _ => None,
    };
    if let Some(r) = io
        .and_then(|io| io.get_ref())
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return describe_rustls(host, r);
    }
    if tls && let Some(io) = io {
        use std::io::ErrorKind::*;
        if matches!(
            io.kind(),
            UnexpectedEof | ConnectionReset | ConnectionAborted
        ) {
            return format!(
                "TLS handshake with {host} failed: the server closed the connection; it may not \
                 serve TLS on this port (then try ws://), or it refused the connection (too many \
                 from this address, or the server is full)"
            );
        }
    }
    if let WsError::Http(resp) = e {
        let body = resp
            .body()
            .as_deref()
            .map(|b| {
                String::from_utf8_lossy(&b[..b.len().min(200)])
                    .trim()
                    .to_string()
            })
            .filter(|b| !b.is_empty());
        return match body {
            Some(b) => format!(
                "cannot connect to {host}: the server answered {}: {b}",
                resp.status()
            ),
            None => format!(
                "cannot connect to {host}: the server answered {}",
                resp.status()
            ),
        };
    }
    if !tls && matches!(e, WsError::HttpFormat(_) | WsError::Protocol(_)) {
        return format!(
            "cannot connect to {host}: the server did not answer a WebSocket handshake ({e}); \
             if it serves TLS, use wss://"
        );
    }
    format!("cannot connect to {host}: {e}")
}

fn describe_rustls(host: &str, e: &rustls::Error) -> String {
    let cert = match e {
        rustls::Error::InvalidCertificate(c) => c,
        rustls::Error::AlertReceived(a) => {
            return format!("TLS handshake with {host} failed: the server sent the alert {a:?}");
        }
        other => return format!("TLS handshake with {host} failed: {other}"),
    };
    let why = match cert {
        CertificateError::UnknownIssuer => format!(
            "is not trusted (issued by an unknown certificate authority); for a relay with its \
             own CA, set {EXTRA_CA_ENV}=/path/to/ca.pem"
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "has expired".to_string()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "is not valid yet (check this computer's clock)".to_string()
        }
        CertificateError::NotValidForName => format!("is not valid for the name {host}"),
        CertificateError::NotValidForNameContext { presented, .. } => format!(
            "is not valid for the name {host} (it is for {})",
            presented
                .iter()
                .map(|p| bare_name(p))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        CertificateError::Revoked => "has been revoked".to_string(),
        CertificateError::BadSignature => format!(
            "is not trusted (its signature does not verify against the trusted CA of that name); \
             for a relay with its own CA, set {EXTRA_CA_ENV}=/path/to/ca.pem"
        ),
        other => format!("was refused: {other:?}"),
    };
    format!("the TLS certificate of {host} {why}")
}

/// rustls lists a certificate's names as `DnsName("relay.example")`; a person reads
/// `relay.example`.
fn bare_name(presented: &str) -> &str {
    presented
        .split_once("(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .unwrap_or(presented)
}

#[cfg(test)]
mod tests {
    #[test]
    fn presented_names_are_shown_bare() {
        assert_eq!(bare_name("DnsName(\"relay.example\")"), "relay.example");
        assert_eq!(bare_name("IpAddress(\"10.0.0.1\")"), "10.0.0.1");
        assert_eq!(bare_name("relay.example"), "relay.example");
    }

    use super::*;

    #[test]
    fn hosts_are_taken_from_urls() {
        assert_eq!(
            url_host("wss://relay.example:8443/b?cap=x"),
            "relay.example"
        );
        assert_eq!(url_host("wss://relay.example/b"), "relay.example");
        assert_eq!(url_host("ws://[::1]:8787/b"), "::1");
        assert_eq!(url_host("ws://127.0.0.1:8787"), "127.0.0.1");
    }

    #[test]
    fn bad_pem_is_refused_with_a_reason() {
        let e = TlsConfig::only_roots_pem(b"hello").unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
        let e = TlsConfig::only_roots_pem(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unusable certificate"), "{e}");
    }
}
