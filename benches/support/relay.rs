//! A delayed link for benchmarks: a TCP relay on loopback that holds each direction's bytes for
//! half a chosen round trip before passing them on, so a client behind it sees a server that far
//! away (the kernel's netem is not available everywhere). It counts the connections it relayed.
//!
//! Bytes keep their order; a chunk read at time `t` is written at `t + rtt / 2`, whatever else
//! is in flight, so the link behaves like a long pipe rather than a slow one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A running relay: where clients connect, and what it has seen.
pub struct Relay {
    address: SocketAddr,
    connections: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// Relays every connection made to a fresh loopback port to `upstream`, each direction
    /// delayed by half of `round_trip`.
    pub async fn start(upstream: SocketAddr, round_trip: Duration) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let address = listener.local_addr().expect("a bound listener has an address");
        let connections = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&connections);
        let one_way = round_trip / 2;
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(relay_connection(client, upstream, one_way));
            }
        });
        Relay { address, connections, task }
    }

    /// The address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// How many connections clients opened through the relay so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One client connection: connects upstream when the client's SYN would arrive (one way after
/// it was sent), then relays both directions until either side closes.
///
/// On loopback the client's `connect` returns at once, so it may send before a real SYN-ACK
/// could have come back; its first bytes are therefore held until a whole round trip after
/// the SYN plus the one way they travel, as on a real link.
async fn relay_connection(client: TcpStream, upstream: SocketAddr, one_way: Duration) {
    let syn_sent = Instant::now();
    tokio::time::sleep(one_way).await;
    let Ok(server) = TcpStream::connect(upstream).await else { return };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let first_bytes_arrive = syn_sent + one_way * 3;
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = tokio::spawn(delayed_pipe(client_read, server_write, one_way, first_bytes_arrive));
    let down = tokio::spawn(delayed_pipe(server_read, client_write, one_way, syn_sent));
    let _ = tokio::join!(up, down);
}

/// Copies `from` to `to`, each chunk written `delay` after it was read and never before
/// `not_before`.
async fn delayed_pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    delay: Duration,
    not_before: Instant,
) {
    let (chunks, mut pending) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, chunk)) = pending.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if chunks
                    .send(((Instant::now() + delay).max(not_before), buffer[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(chunks);
    let _ = writer.await;
}
