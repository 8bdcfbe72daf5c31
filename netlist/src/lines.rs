//! Physical lines to logical lines (comments stripped, `+` continuations joined), and
//! logical lines to tokens, keeping byte offsets that map back to (line, column).

/// Index of a file in [`Deck::sources`](crate::Deck::sources).
pub type FileId = usize;

/// One logical line: a card, possibly joined from several physical lines.
#[derive(Debug, Clone)]
pub struct LLine {
    /// The file it comes from.
    pub file: FileId,
    /// Joined text, comments removed (continuation `+` replaced by a space).
    pub text: String,
    /// (offset in `text`, 1-based line, 1-based column of that offset).
    segs: Vec<(usize, u32, u32)>,
}

impl LLine {
    /// The (line, column) of byte offset `off` of `text`.
    pub fn pos(&self, off: usize) -> (u32, u32) {
        let seg = self.segs.iter().rev().find(|s| s.0 <= off).or(self.segs.first());
        match seg {
            Some(&(o, line, col)) => (line, col + (off.saturating_sub(o)) as u32),
            None => (1, 1),
        }
    }

    /// The first word, lower case (the card keyword or element name).
    pub fn keyword(&self) -> String {
        self.text.split_whitespace().next().unwrap_or("").to_ascii_lowercase()
    }
}

/// Where an inline comment starts: `;` anywhere, or `$` at the start or after a blank.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut prev_blank = true;
    for (i, &c) in b.iter().enumerate() {
        if c == b';' || (c == b'$' && prev_blank) {
            return Some(i);
        }
        prev_blank = c == b' ' || c == b'\t';
    }
    None
}

/// Splits `text` into logical lines. When `has_title`, the first physical line is the title.
pub fn logical_lines(text: &str, file: FileId, has_title: bool) -> (Option<String>, Vec<LLine>) {
    let mut out: Vec<LLine> = Vec::new();
    let mut title = None;
    for (idx, raw) in text.lines().enumerate() {
        let lineno = idx as u32 + 1;
        if idx == 0 && has_title {
            title = Some(raw.trim_end_matches('\r').trim().to_string());
            continue;
        }
        let mut line = raw;
        if let Some(c) = comment_start(line) {
            line = &line[..c];
        }
        let line = line.trim_end();
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('*') {
            continue;
        }
        let indent = line.len() - body.len();
        if let Some(rest) = body.strip_prefix('+') {
            if let Some(prev) = out.last_mut() {
                prev.text.push(' ');
                let off = prev.text.len();
                prev.text.push_str(rest);
                prev.segs.push((off, lineno, (indent + 2) as u32));
                continue;
            }
            // A continuation with nothing to continue: a card of its own.
            let t = rest.trim_start();
            let col = indent + 2 + (rest.len() - t.len());
            if !t.is_empty() {
                out.push(LLine { file, text: t.to_string(), segs: vec![(0, lineno, col as u32)] });
            }
            continue;
        }
        out.push(LLine { file, text: body.to_string(), segs: vec![(0, lineno, (indent + 1) as u32)] });
    }
    (title, out)
}

/// Kinds of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// A run of characters other than blanks and `( ) = , ' " {`.
    Word,
    /// The inside of `{...}`, `'...'` or `"..."`.
    Quoted,
    LParen,
    RParen,
    Eq,
    Comma,
}

/// A token of a logical line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok<'a> {
    pub kind: TokKind,
    /// The text (for `Quoted`, without the delimiters).
    pub text: &'a str,
    /// Byte offset of the token (of its opening delimiter for `Quoted`) in the line.
    pub off: usize,
}

/// Splits a logical line into tokens; on error, the offset and the message.
pub fn tokenize(text: &str) -> Result<Vec<Tok<'_>>, (usize, String)> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'(' | b')' | b'=' | b',' => {
                let kind = match c {
                    b'(' => TokKind::LParen,
                    b')' => TokKind::RParen,
                    b'=' => TokKind::Eq,
                    _ => TokKind::Comma,
                };
                toks.push(Tok { kind, text: &text[i..i + 1], off: i });
                i += 1;
            }
            b'{' => {
                let mut depth = 0usize;
                let mut j = i;
                let mut end = None;
                while j < b.len() {
                    match b[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let Some(end) = end else { return Err((i, "unterminated '{'".into())) };
                toks.push(Tok { kind: TokKind::Quoted, text: &text[i + 1..end], off: i });
                i = end + 1;
            }
            b'\'' | b'"' => {
                let Some(len) = text[i + 1..].find(c as char) else {
                    return Err((i, format!("unterminated {}", c as char)));
                };
                toks.push(Tok { kind: TokKind::Quoted, text: &text[i + 1..i + 1 + len], off: i });
                i += len + 2;
            }
            _ => {
                let start = i;
                while i < b.len()
                    && !matches!(b[i], b' ' | b'\t' | b'\r' | b'(' | b')' | b'=' | b',' | b'{' | b'\'' | b'"')
                {
                    i += 1;
                }
                toks.push(Tok { kind: TokKind::Word, text: &text[start..i], off: start });
            }
        }
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_continuations() {
        let text = "title\n* comment\nR1 a b 1k ; inline\n+ tc1=1 $ also\n\nC1 a 0 1p$notcomment\n";
        let (title, lines) = logical_lines(text, 0, true);
        assert_eq!(title.as_deref(), Some("title"));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "R1 a b 1k  tc1=1");
        let off = lines[0].text.find("tc1").unwrap_or(0);
        assert_eq!(lines[0].pos(off), (4, 3));
        assert_eq!(lines[1].text, "C1 a 0 1p$notcomment");
    }

    #[test]
    fn tokens() {
        let toks = tokenize("m1 d g s b nch(w={a*2} l='1u')").unwrap_or_default();
        let kinds: Vec<_> = toks.iter().map(|t| t.kind).collect();
        use TokKind::*;
        assert_eq!(kinds, vec![Word, Word, Word, Word, Word, Word, LParen, Word, Eq, Quoted, Word, Eq, Quoted, RParen]);
        assert_eq!(toks[9].text, "a*2");
        assert!(tokenize("r1 a b {1+").is_err());
    }
}
