//! Provider-defined functions: pinned public images. (Skeleton.)
