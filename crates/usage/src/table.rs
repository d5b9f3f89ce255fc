//! The usage table as rows (principal, action, resource, first_seen, last_seen, count), and as
//! Parquet for engines beyond one machine (Athena, DataFusion, Spark). `docs/usage.md` has the
//! same aggregation in SQL over the raw CloudTrail table.
//!
//! One row per principal, action and resource; calls whose resource is unknown (or beyond the
//! per-action cap) share one row with a null resource, whose times are the action's.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use serde::Serialize;

use crate::aggregate::Usage;

/// One row of the usage table. Times are milliseconds since the epoch, UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    pub principal: String,
    pub principal_kind: &'static str,
    pub action: String,
    pub resource: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub count: i64,
}

/// The Parquet schema of [`UsageRow`].
pub const PARQUET_SCHEMA: &str = "message usage {
  REQUIRED BINARY principal (UTF8);
  REQUIRED BINARY principal_kind (UTF8);
  REQUIRED BINARY action (UTF8);
  OPTIONAL BINARY resource (UTF8);
  REQUIRED INT64 first_seen (TIMESTAMP(MILLIS,true));
  REQUIRED INT64 last_seen (TIMESTAMP(MILLIS,true));
  REQUIRED INT64 count;
}";

fn millis(t: Option<model::Timestamp>) -> i64 {
    t.map_or(0, |t| t.0.timestamp_millis())
}

/// The rows of a usage table, in principal, action, resource order.
pub fn rows(usage: &Usage) -> Vec<UsageRow> {
    let mut out = Vec::new();
    for p in &usage.principals {
        for a in p.actions.iter().filter(|a| a.count > 0) {
            for r in &a.resources {
                out.push(UsageRow {
                    principal: p.arn.clone(),
                    principal_kind: p.kind.as_str(),
                    action: a.action.clone(),
                    resource: Some(r.arn.clone()),
                    first_seen: millis(r.first_seen),
                    last_seen: millis(r.last_seen),
                    count: r.count as i64,
                });
            }
            let rest = a.calls_without_resource + a.more_resources;
            if rest > 0 {
                out.push(UsageRow {
                    principal: p.arn.clone(),
                    principal_kind: p.kind.as_str(),
                    action: a.action.clone(),
                    resource: None,
                    first_seen: millis(a.first_seen),
                    last_seen: millis(a.last_seen),
                    count: rest as i64,
                });
            }
        }
    }
    out
}

/// Writing Parquet failed.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("cannot create `{path}`: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("cannot write parquet to `{path}`: {source}")]
    Write { path: String, source: parquet::errors::ParquetError },
}

/// Writes the rows to a Parquet file (one row group, uncompressed).
pub fn write_parquet(rows: &[UsageRow], path: &Path) -> Result<(), ParquetError> {
    let shown = path.display().to_string();
    let file = File::create(path).map_err(|source| ParquetError::Create { path: shown.clone(), source })?;
    write_to(rows, file).map_err(|source| ParquetError::Write { path: shown, source })
}

fn write_to(rows: &[UsageRow], file: File) -> Result<(), parquet::errors::ParquetError> {
    let schema = Arc::new(parquet::schema::parser::parse_message_type(PARQUET_SCHEMA)?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::UNCOMPRESSED).build());
    let mut writer = SerializedFileWriter::new(file, schema, props)?;
    let mut group = writer.next_row_group()?;
    let strings = |f: &dyn Fn(&UsageRow) -> &str| -> Vec<ByteArray> { rows.iter().map(|r| ByteArray::from(f(r))).collect() };
    let mut column = 0;
    while let Some(mut col) = group.next_column()? {
        match column {
            0 => col.typed::<ByteArrayType>().write_batch(&strings(&|r| &r.principal), None, None)?,
            1 => col.typed::<ByteArrayType>().write_batch(&strings(&|r| r.principal_kind), None, None)?,
            2 => col.typed::<ByteArrayType>().write_batch(&strings(&|r| &r.action), None, None)?,
            3 => {
                let values: Vec<ByteArray> = rows.iter().filter_map(|r| r.resource.as_deref().map(ByteArray::from)).collect();
                let defs: Vec<i16> = rows.iter().map(|r| i16::from(r.resource.is_some())).collect();
                col.typed::<ByteArrayType>().write_batch(&values, Some(&defs), None)?
            }
            4 => col.typed::<Int64Type>().write_batch(&rows.iter().map(|r| r.first_seen).collect::<Vec<_>>(), None, None)?,
            5 => col.typed::<Int64Type>().write_batch(&rows.iter().map(|r| r.last_seen).collect::<Vec<_>>(), None, None)?,
            _ => col.typed::<Int64Type>().write_batch(&rows.iter().map(|r| r.count).collect::<Vec<_>>(), None, None)?,
        };
        col.close()?;
        column += 1;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}
