//! The one way the CLI writes. Results go to stdout through [`text`] (for people: every control
//! character of the data shown escaped, `model::text`) or [`stdout`] (machine formats: JSON,
//! SARIF, DOT, ...), usually through the [`outln!`] and [`out!`] macros, which return the
//! write's error with `?`. A reader that went away (`rolegraph roles demo | head -1`) makes a
//! write fail with `BrokenPipe`; `main` ends such a run quietly with exit code 0, where
//! `println!` would panic (exit 101). Notes, warnings and errors go to stderr through [`note`]
//! and [`error`], which escape the data they quote and never fail.

use std::fmt;
use std::io::{self, Write};

use model::text::{terminal_safe, terminal_safe_lines};

/// Standard output, for machine formats (written as they are).
pub fn stdout() -> io::StdoutLock<'static> {
    io::stdout().lock()
}

/// Standard output for text meant for a terminal: see [`TextOut`].
pub fn text() -> TextOut<io::StdoutLock<'static>> {
    TextOut::new(io::stdout().lock())
}

/// Writes text to stdout, for people; `?` on the error. `out!("{x}")`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!($crate::output::text(), $($arg)*)?
    }};
}

/// Writes one line of text to stdout, for people; `?` on the error. `outln!("{x}")`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!($crate::output::text(), $($arg)*)?
    }};
}

/// Writes a line to stderr (progress, summaries), control characters other than newlines
/// escaped; a closed stderr is ignored. Data it quotes goes through `model::Safe`.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::note_lines(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, out, outln};

/// Writes a value as pretty JSON and a newline to stdout.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = stdout();
    // As an I/O error, so that `main` tells a closed pipe.
    serde_json::to_writer_pretty(&mut out, value).map_err(io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// A line on stderr, `PREFIX: MESSAGE`, with the message shown as one line (its control
/// characters and newlines escaped). A closed stderr is ignored.
pub fn note(prefix: &str, message: impl fmt::Display) {
    let message = message.to_string();
    let _ = writeln!(io::stderr().lock(), "{prefix}: {}", terminal_safe(&message));
}

/// Text of several lines on stderr (a summary), with control characters other than newlines
/// escaped. A closed stderr is ignored.
pub fn note_lines(text: &str) {
    let _ = io::stderr().lock().write_all(terminal_safe_lines(text).as_bytes());
}

/// The error that ends a command, on stderr: `error: ...`, its causes after `: `, newlines kept
/// (a message may list candidates, one per line) and other control characters escaped.
pub fn error(e: &anyhow::Error) {
    let text = format!("{e:#}");
    let _ = writeln!(io::stderr().lock(), "error: {}", terminal_safe_lines(&text));
}

/// A writer of text for a terminal: what it is given is UTF-8 text whose control characters
/// (other than newlines) are written escaped (`\u{1b}`), and whose invalid bytes are written as
/// U+FFFD. It is the second line of defence: renderers already escape the data they quote with
/// `model::terminal_safe`, which also escapes newlines; this one makes sure nothing they missed
/// reaches the terminal as a control sequence.
pub struct TextOut<W: Write> {
    inner: W,
    /// The start of a character cut by the end of the last write.
    pending: Vec<u8>,
}

impl<W: Write> TextOut<W> {
    pub fn new(inner: W) -> TextOut<W> {
        TextOut { inner, pending: Vec::new() }
    }

    fn write_valid(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(terminal_safe_lines(text).as_bytes())
    }

    /// Writes the complete characters of `bytes`; returns the length of an incomplete
    /// character at its end.
    fn write_bytes(&mut self, mut bytes: &[u8]) -> io::Result<usize> {
        loop {
            match std::str::from_utf8(bytes) {
                Ok(s) => {
                    self.write_valid(s)?;
                    return Ok(0);
                }
                Err(e) => {
                    let (valid, rest) = bytes.split_at(e.valid_up_to());
                    self.write_valid(std::str::from_utf8(valid).unwrap_or_default())?;
                    match e.error_len() {
                        None => return Ok(rest.len()),
                        Some(n) => {
                            self.inner.write_all("\u{fffd}".as_bytes())?;
                            bytes = rest.get(n..).unwrap_or_default();
                        }
                    }
                }
            }
        }
    }
}

impl<W: Write> Write for TextOut<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            let cut = self.write_bytes(buf)?;
            self.pending.extend_from_slice(buf.get(buf.len() - cut..).unwrap_or_default());
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            let cut = self.write_bytes(&joined)?;
            self.pending = joined.split_off(joined.len() - cut);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.inner.write_all(String::from_utf8_lossy(&rest).as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for TextOut<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(pieces: &[&[u8]]) -> String {
        let mut buf = Vec::new();
        {
            let mut w = TextOut::new(&mut buf);
            for p in pieces {
                w.write_all(p).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        String::from_utf8(buf).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn text_out_escapes_control_characters_but_keeps_lines() {
        assert_eq!(through(&[b"role \x1b[31mred\x1b[0m\nnext\n"]), "role \\u{1b}[31mred\\u{1b}[0m\nnext\n");
    }

    #[test]
    fn text_out_joins_characters_cut_between_writes() {
        // U+009B (CSI, C1) is 0xC2 0x9B; U+00E9 (é) is 0xC3 0xA9.
        assert_eq!(through(&[b"a\xc2", b"\x9b2Jb\xc3", b"\xa9"]), "a\\u{9b}2Jbé");
        assert_eq!(through(&[b"bad \xff byte", b" and a cut \xe2\x80"]), "bad \u{fffd} byte and a cut \u{fffd}");
    }
}
