//! A local HTTP server that behaves like the image API 2.0. (Skeleton.)
