//! One connection per client: until a first request has been answered, requests leave one at
//! a time.
//!
//! The HTTP client learns whether a server speaks HTTP/2 only when a connection's TLS
//! handshake ends (ALPN). Requests sent before then each open a connection of their own, so
//! data sources read at the same time by a fresh provider process would each pay a TCP and a
//! TLS round trip. Holding them until the first answer is back costs those requests one round
//! trip and leaves one HTTP/2 connection that all of them share (with HTTP/1.1, the pool then
//! opens at most one connection per request in flight). Plain HTTP has no ALPN and never
//! shares a connection between requests in flight, so it is never held.
//!
//! Must not depend on Terraform types.

use std::sync::atomic::{AtomicBool, Ordering};

/// Lets requests through one at a time until one of them has had an answer, then all at once.
#[derive(Debug)]
pub struct FirstAnswer {
    answered: AtomicBool,
    turn: tokio::sync::Mutex<()>,
}

impl FirstAnswer {
    /// Holds requests until the first answer when `hold` (an HTTPS endpoint), else never.
    pub fn new(hold: bool) -> Self {
        Self { answered: AtomicBool::new(!hold), turn: tokio::sync::Mutex::new(()) }
    }

    /// Sends `request`: at once when an answer has come back before, else in turn.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> reqwest::Result<reqwest::Response> {
        if self.answered.load(Ordering::Acquire) {
            return request.send().await;
        }
        let turn = self.turn.lock().await;
        if !self.answered.load(Ordering::Acquire) {
            let sent = request.send().await;
            if sent.is_ok() {
                self.answered.store(true, Ordering::Release);
            }
            return sent;
        }
        // Answered while this one waited: the connection is there, so go at once.
        drop(turn);
        request.send().await
    }
}
