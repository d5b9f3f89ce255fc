//! Aligned text tables for terminals: columns padded to their widest cell (counted in
//! characters), two spaces apart, the last column unpadded. No colour, so output is the same
//! in a pipe. Every cell is untrusted text: its control characters and newlines are shown
//! escaped (`model::terminal_safe`), so that a name cannot forge a row or reach the terminal
//! as an escape sequence.

/// A table being built.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table { header: header.iter().map(|h| model::terminal_safe_owned((*h).to_owned())).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(model::terminal_safe_owned).collect());
    }

    /// The table as text, one line per row, each ending in a newline.
    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).chain([self.header.len()]).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(c);
                if i + 1 < r.len() {
                    let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(c.chars().count());
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new(&["NAME", "LEVEL"]);
        t.row(vec!["a-long-name".into(), "admin".into()]);
        t.row(vec!["b".into(), "read".into()]);
        assert_eq!(t.render(), "NAME         LEVEL\na-long-name  admin\nb            read\n");
    }

    #[test]
    fn a_cell_cannot_forge_a_row_or_send_an_escape_sequence() {
        let mut t = Table::new(&["NAME", "LEVEL"]);
        t.row(vec!["evil\u{1b}[31m\nFAKE-ROW".into(), "read".into()]);
        let text = t.render();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains('\u{1b}') && text.contains("evil\\u{1b}[31m\\nFAKE-ROW"), "{text}");
    }
}
