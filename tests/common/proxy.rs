//! A small HTTP CONNECT proxy on loopback, as companies put between their machines and the
//! internet: a client asks `CONNECT host:port`, the proxy opens the TCP connection and then
//! copies bytes both ways (TLS passes through untouched). It counts the tunnels it opened and
//! remembers their targets, so a test can prove that requests went through it, or did not.
//!
//! It only tunnels to loopback addresses: anything else is refused with 403.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head the proxy reads.
const MAX_HEAD: usize = 8 * 1024;

/// A running proxy; it stops with its runtime.
pub struct ConnectProxy {
    address: SocketAddr,
    tunnels: Arc<Mutex<Vec<String>>>,
    runtime: tokio::runtime::Runtime,
}

impl ConnectProxy {
    /// Starts a proxy on `127.0.0.1:0` on a runtime of its own.
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let listener =
            runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("loopback listens");
        let address = listener.local_addr().expect("a local address");
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        runtime.spawn(accept(listener, Arc::clone(&tunnels)));
        Self { address, tunnels, runtime }
    }

    /// The proxy's URL, for `HTTPS_PROXY`: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The targets (`host:port`) of the tunnels opened so far, in order.
    pub fn tunnels(&self) -> Vec<String> {
        self.tunnels.lock().expect("the proxy never panics holding the lock").clone()
    }
}

async fn accept(listener: TcpListener, tunnels: Arc<Mutex<Vec<String>>>) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(tunnel(client, Arc::clone(&tunnels)));
    }
}

/// Reads one `CONNECT` request and, for a loopback target, tunnels to it.
async fn tunnel(mut client: TcpStream, tunnels: Arc<Mutex<Vec<String>>>) {
    let Some(target) = read_connect(&mut client).await else {
        let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
        return;
    };
    let loopback = target.parse::<SocketAddr>().is_ok_and(|a| a.ip().is_loopback())
        || target.starts_with("localhost:");
    if !loopback {
        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n").await;
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(&target).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n").await;
        return;
    };
    tunnels.lock().expect("the proxy never panics holding the lock").push(target);
    if client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// The `host:port` of a `CONNECT host:port HTTP/1.1` request head; `None` for anything else.
async fn read_connect(client: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing after the head (the TLS hello) is read here.
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD || client.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).ok()?;
    let mut words = head.lines().next()?.split_whitespace();
    match (words.next(), words.next()) {
        (Some("CONNECT"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}
