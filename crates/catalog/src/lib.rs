//! rolegraph-catalog (being written).
