//! rolegraph-ingest (being written).
