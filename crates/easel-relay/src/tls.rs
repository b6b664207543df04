//! Optional TLS termination (`--tls-cert`/`--tls-key`), and the one stream type the server
//! reads requests from, plain or TLS.
//!
//! rustls with the `ring` provider, as in the client. The TLS handshake runs in the
//! connection's own task, after the connection cap and the per-address limits admitted it and
//! under the handshake timeout, so a slow handshake never holds up the accept loop.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A certificate chain and its key, ready to serve TLS; cheap to clone (clones share the
/// certificate, so a reload through one is seen by all).
///
/// Read from files, it can be reloaded while serving ([`TlsSettings::reload`], on SIGHUP, and
/// [`TlsSettings::reload_if_changed`], which the server calls every minute): new connections get
/// the new certificate, open ones keep theirs, and a file that does not load leaves the old
/// certificate in place.
#[derive(Clone)]
pub struct TlsSettings {
    current: Arc<std::sync::RwLock<Current>>,
    files: Option<Arc<(PathBuf, PathBuf)>>,
}

struct Current {
    acceptor: tokio_rustls::TlsAcceptor,
    /// The files' contents when last loaded or tried, to notice a change.
    seen: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsSettings")
    }
}

/// Why the certificate or key cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read {what} {path}: {reason}")]
    Read {
        what: &'static str,
        path: String,
        reason: io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl TlsSettings {
    /// Reads a PEM certificate chain (the server's certificate first) and its PEM private key
    /// (PKCS#8, PKCS#1 or SEC1).
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, TlsSetupError> {
        let (cert_pem, key_pem) = read_pair(cert, key)?;
        let acceptor = acceptor_from_files(cert, key, &cert_pem, &key_pem)?;
        Ok(TlsSettings {
            current: Arc::new(std::sync::RwLock::new(Current {
                acceptor,
                seen: Some((cert_pem, key_pem)),
            })),
            files: Some(Arc::new((cert.to_path_buf(), key.to_path_buf()))),
        })
    }

    /// The same from PEM text (no reloading).
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsSetupError> {
        Ok(TlsSettings {
            current: Arc::new(std::sync::RwLock::new(Current {
                acceptor: acceptor_from_pem(cert_pem, key_pem)?,
                seen: None,
            })),
            files: None,
        })
    }

    /// What new connections are accepted with.
    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .acceptor
            .clone()
    }

    /// Reads the certificate and key files again and serves them from now on. On an error the
    /// certificate served so far stays.
    pub fn reload(&self) -> Result<(), TlsSetupError> {
        let Some(files) = &self.files else {
            return Err(TlsSetupError::Invalid(
                "the certificate was given as text, not files: nothing to reload".into(),
            ));
        };
        let (cert_pem, key_pem) = read_pair(&files.0, &files.1)?;
        self.load(&files.0, &files.1, cert_pem, key_pem)
    }

    /// Reloads if either file's contents changed since they were last loaded or tried: `true`
    /// when a new certificate is now served. A change that does not load is reported once.
    pub fn reload_if_changed(&self) -> Result<bool, TlsSetupError> {
        let Some(files) = &self.files else {
            return Ok(false);
        };
        let (cert_pem, key_pem) = read_pair(&files.0, &files.1)?;
        {
            let cur = self.current.read().unwrap_or_else(|p| p.into_inner());
            if cur
                .seen
                .as_ref()
                .is_some_and(|(c, k)| *c == cert_pem && *k == key_pem)
            {
                return Ok(false);
            }
        }
        self.load(&files.0, &files.1, cert_pem, key_pem)
            .map(|()| true)
    }

    fn load(
        &self,
        cert: &Path,
        key: &Path,
        cert_pem: Vec<u8>,
        key_pem: Vec<u8>,
    ) -> Result<(), TlsSetupError> {
        let loaded = acceptor_from_files(cert, key, &cert_pem, &key_pem);
        let mut cur = self.current.write().unwrap_or_else(|p| p.into_inner());
        cur.seen = Some((cert_pem, key_pem));
        cur.acceptor = loaded?;
        Ok(())
    }

    /// Whether the settings come from files that [`TlsSettings::reload`] can read again.
    pub fn reloadable(&self) -> bool {
        self.files.is_some()
    }
}

fn read_pair(cert: &Path, key: &Path) -> Result<(Vec<u8>, Vec<u8>), TlsSetupError> {
    let read = |what, path: &Path| {
        std::fs::read(path).map_err(|reason| TlsSetupError::Read {
            what,
            path: path.display().to_string(),
            reason,
        })
    };
    Ok((
        read("the TLS certificate", cert)?,
        read("the TLS key", key)?,
    ))
}

fn acceptor_from_files(
    cert: &Path,
    key: &Path,
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<tokio_rustls::TlsAcceptor, TlsSetupError> {
    acceptor_from_pem(cert_pem, key_pem).map_err(|e| match e {
        TlsSetupError::Invalid(m) => TlsSetupError::Invalid(format!(
            "{m} (certificate {}, key {})",
            cert.display(),
            key.display()
        )),
        other => other,
    })
}

fn acceptor_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<tokio_rustls::TlsAcceptor, TlsSetupError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError::Invalid(format!("the certificate is not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(TlsSetupError::Invalid(
            "the certificate file holds no certificate (expected PEM \"BEGIN CERTIFICATE\")".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
        TlsSetupError::Invalid(format!(
            "the key file holds no usable private key (expected PEM \"BEGIN PRIVATE KEY\"): {e}"
        ))
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Invalid(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => {
                TlsSetupError::Invalid("the key does not belong to the certificate".into())
            }
            e => TlsSetupError::Invalid(format!("the certificate or key is unusable: {e}")),
        })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// A client connection: plain TCP or TLS over it, plus the bytes read ahead to route the
/// request (its request line), which are replayed before anything else is read.
pub(crate) struct Conn {
    ahead: Vec<u8>,
    pos: usize,
    io: Transport,
}

enum Transport {
    Plain(Socket),
    // Boxed: rustls' state is a few kilobytes, and plain connections should not pay for it.
    Tls(Box<tokio_rustls::server::TlsStream<Socket>>),
}

/// The TCP stream under a connection. It can be taken out (as a std stream, no longer tied to
/// a runtime) and put back on another runtime's thread: how a connection moves to the shard
/// of its room, TLS state and read-ahead included.
pub(crate) struct Socket(Option<TcpStream>);

impl Socket {
    fn get(&mut self) -> io::Result<Pin<&mut TcpStream>> {
        match &mut self.0 {
            Some(s) => Ok(Pin::new(s)),
            None => Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the connection is moving to another thread",
            )),
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut().get() {
            Ok(s) => s.poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().get() {
            Ok(s) => s.poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().get() {
            Ok(s) => s.poll_write_vectored(cx, bufs),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().get() {
            Ok(s) => s.poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().get() {
            Ok(s) => s.poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl Conn {
    pub(crate) fn plain(s: TcpStream) -> Self {
        Conn {
            ahead: Vec::new(),
            pos: 0,
            io: Transport::Plain(Socket(Some(s))),
        }
    }

    /// The plain stream, for a TLS handshake over it.
    pub(crate) fn tcp(s: TcpStream) -> Socket {
        Socket(Some(s))
    }

    pub(crate) fn tls(s: tokio_rustls::server::TlsStream<Socket>) -> Self {
        Conn {
            ahead: Vec::new(),
            pos: 0,
            io: Transport::Tls(Box::new(s)),
        }
    }

    fn socket(&mut self) -> &mut Socket {
        match &mut self.io {
            Transport::Plain(s) => s,
            Transport::Tls(s) => s.get_mut().0,
        }
    }

    /// Takes the TCP stream out, to move the connection to another runtime; until
    /// [`Conn::attach`] every read and write fails.
    pub(crate) fn detach(&mut self) -> io::Result<std::net::TcpStream> {
        match self.socket().0.take() {
            Some(s) => s.into_std(),
            None => Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the connection was moved already",
            )),
        }
    }

    /// Puts the stream taken by [`Conn::detach`] back, registered with the current runtime.
    pub(crate) fn attach(&mut self, s: std::net::TcpStream) -> io::Result<()> {
        self.socket().0 = Some(TcpStream::from_std(s)?);
        Ok(())
    }

    /// Reads until the first line of the request has arrived (at most `max` bytes), keeping
    /// everything read to be replayed. `None` when the peer closed first or the line is longer.
    pub(crate) async fn read_request_line(&mut self, max: usize) -> io::Result<Option<String>> {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; max];
        let mut n = 0;
        loop {
            if let Some(end) = buf[..n].windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&buf[..end]).into_owned();
                buf.truncate(n);
                self.ahead = buf;
                self.pos = 0;
                return Ok(Some(line));
            }
            if n == max {
                return Ok(None);
            }
            let r = match &mut self.io {
                Transport::Plain(s) => s.read(&mut buf[n..]).await?,
                Transport::Tls(s) => s.read(&mut buf[n..]).await?,
            };
            if r == 0 {
                return Ok(None);
            }
            // A TLS record (a ClientHello) on a plain port: no request line will come.
            if n == 0 && buf[0] == 0x16 && matches!(self.io, Transport::Plain(_)) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a TLS handshake on a plain port",
                ));
            }
            n += r;
        }
    }

    /// Reads the rest of the request head (up to `max` bytes in all), to answer it.
    pub(crate) async fn read_head(&mut self, max: usize) {
        use tokio::io::AsyncReadExt;
        let mut head = std::mem::take(&mut self.ahead);
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < max {
            match self.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos < this.ahead.len() {
            let n = buf.remaining().min(this.ahead.len() - this.pos);
            buf.put_slice(&this.ahead[this.pos..this.pos + n]);
            this.pos += n;
            if this.pos == this.ahead.len() {
                // Replayed: free it, an idle connection keeps nothing it does not need.
                this.ahead = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        match &mut this.io {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().io {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().io {
            Transport::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.io {
            Transport::Plain(_) => true,
            Transport::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
