//! Generated tfplugin6 / go-plugin types and the gRPC service. (Skeleton.)
