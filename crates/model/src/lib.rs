//! rolegraph-model (being written).
