//! Process launch: handshake, mutual TLS, shutdown, debug mode. (Skeleton.)
