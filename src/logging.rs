//! hclog-style JSON log lines on stderr. (Skeleton.)
