//! A lexical pass over the query text before it is parsed: it counts tokens and how deep
//! brackets nest, and stops at the first bound passed. The parser recurses once per
//! bracket (and builds a node per token), so both must be bounded before it runs: a
//! 256 KiB body of `{` or `[` would otherwise take the parser's stack.
//!
//! The scan follows the GraphQL lexical grammar (October 2021 spec, §2.1) closely
//! enough to count: ignored tokens (white space, line terminators, commas, comments,
//! the byte order mark) are skipped, a string or block string is one token, and any
//! character the grammar does not know is one token too (the parser then refuses it).

/// Which bound the text passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// More tokens than allowed.
    Tokens,
    /// Brackets (`{`, `(`, `[`) nested deeper than allowed.
    Nesting,
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Counts the tokens of `text`; `Ok` with the count when it has at most `max_tokens`
/// tokens and its brackets nest at most `max_nesting` deep. Linear in the text, and it
/// stops at the first bound passed.
///
/// # Errors
/// The bound passed first.
pub fn scan(text: &str, max_tokens: usize, max_nesting: usize) -> Result<usize, Exceeded> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut tokens = 0;
    let mut nesting = 0usize;
    while at < bytes.len() {
        let rest = &bytes[at..];
        at += match rest[0] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => 1,
            b'#' => {
                // A comment runs to the end of the line and is not a token.
                at += line_length(rest);
                continue;
            }
            _ if rest.starts_with(BOM) => {
                at += BOM.len();
                continue;
            }
            byte => {
                tokens += 1;
                if tokens > max_tokens {
                    return Err(Exceeded::Tokens);
                }
                match byte {
                    b'{' | b'(' | b'[' => {
                        nesting += 1;
                        if nesting > max_nesting {
                            return Err(Exceeded::Nesting);
                        }
                    }
                    b'}' | b')' | b']' => nesting = nesting.saturating_sub(1),
                    _ => {}
                }
                token_length(rest)
            }
        };
    }
    Ok(tokens)
}

/// The tokens of `text` separated by single spaces, ignored tokens (white space,
/// commas, comments, the byte order mark) dropped: two documents that differ only in
/// layout and comments normalise to the same text (how trusted documents are matched).
pub fn normalise(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut normal = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let length = match rest[0] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => 1,
            b'#' => line_length(rest),
            _ if rest.starts_with(BOM) => BOM.len(),
            _ => {
                let length = token_length(rest).min(rest.len());
                if !normal.is_empty() {
                    normal.push(' ');
                }
                normal.push_str(&String::from_utf8_lossy(&rest[..length]));
                length
            }
        };
        at += length;
    }
    normal
}

/// The length in bytes of the token `rest` starts with (not an ignored token).
fn token_length(rest: &[u8]) -> usize {
    match rest[0] {
        b'"' if rest.starts_with(b"\"\"\"") => block_string_length(rest),
        b'"' => string_length(rest),
        b'.' if rest.starts_with(b"...") => 3,
        b'_' | b'A'..=b'Z' | b'a'..=b'z' => run_length(rest, is_name_byte),
        b'-' | b'0'..=b'9' => run_length(rest, is_number_byte),
        // Any other byte: a punctuator, or a character the parser refuses (counted once
        // however many bytes it takes in UTF-8).
        byte => utf8_width(byte),
    }
}

fn line_length(rest: &[u8]) -> usize {
    rest.iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(rest.len())
}

/// `"…"` with `\` escapes; an unterminated one ends at the line's end (where the
/// parser refuses it).
fn string_length(rest: &[u8]) -> usize {
    let mut at = 1;
    while at < rest.len() {
        match rest[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            b'\n' | b'\r' => return at,
            _ => at += 1,
        }
    }
    rest.len()
}

/// `"""…"""`, in which only `\"""` escapes.
fn block_string_length(rest: &[u8]) -> usize {
    let mut at = 3;
    while at < rest.len() {
        if rest[at..].starts_with(b"\\\"\"\"") {
            at += 4;
        } else if rest[at..].starts_with(b"\"\"\"") {
            return at + 3;
        } else {
            at += 1;
        }
    }
    rest.len()
}

fn run_length(rest: &[u8], keeps: fn(u8) -> bool) -> usize {
    1 + rest[1..].iter().take_while(|&&b| keeps(b)).count()
}

fn is_name_byte(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphanumeric()
}

/// Digits, sign, fraction and exponent (`-12.5e+3`); letters stuck to a number are
/// taken along, as the grammar forbids them there anyway.
fn is_number_byte(byte: u8) -> bool {
    is_name_byte(byte) || matches!(byte, b'.' | b'+' | b'-')
}

fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str) -> usize {
        scan(text, usize::MAX, usize::MAX).unwrap()
    }

    #[test]
    fn tokens_are_counted_as_the_grammar_defines_them() {
        assert_eq!(count(""), 0);
        assert_eq!(count("{ booking(id: \"x\") { id } }"), 11);
        // Commas, comments and the byte order mark are ignored.
        assert_eq!(count("\u{feff}{ a, b # c d e\n f }"), 5);
        // A string is one token, escapes and all; so is a block string.
        assert_eq!(count(r#"{ a(s: "x \" } { y") }"#), 8);
        assert_eq!(count("{ a(s: \"\"\"x \\\"\"\" \" } y\"\"\") }"), 8);
        assert_eq!(count("{ a(n: -12.5e+3, m: 7) ...F ... on B { c } }"), 19);
        assert_eq!(count("query ($v: [Int!]! = [1]) @x { a }"), 20);
        // Unknown characters count once each, whatever their width.
        assert_eq!(count("é€😀"), 3);
    }

    #[test]
    fn normalising_keeps_the_tokens_and_drops_layout_and_comments() {
        let written = "\u{feff}query Trip($id: ID!) { # the landing page\n  booking(id: $id) {\n    id, status\n  }\n}\n";
        assert_eq!(
            normalise(written),
            "query Trip ( $ id : ID ! ) { booking ( id : $ id ) { id status } }"
        );
        assert_eq!(
            normalise("query Trip($id:ID!){booking(id:$id){id status}}"),
            normalise(written)
        );
        assert_eq!(
            normalise(r#"{ a(s: "x,  y") }"#),
            r#"{ a ( s : "x,  y" ) }"#
        );
    }

    #[test]
    fn the_scan_stops_at_the_first_bound_passed() {
        assert_eq!(scan("a b c", 3, 1), Ok(3));
        assert_eq!(scan("a b c d", 3, 1), Err(Exceeded::Tokens));
        assert_eq!(scan("{{ a }}", 10, 2), Ok(5));
        assert_eq!(scan("{{[ a ]}}", 10, 2), Err(Exceeded::Nesting));
        // Closing brackets that were never opened do not lower the bound.
        assert_eq!(scan("}}}} {{{", 10, 2), Err(Exceeded::Nesting));
        // Brackets inside strings and comments are not brackets.
        assert_eq!(scan("{ a(s: \"{{{{\") } # {{{{", 10, 2), Ok(8));
    }
}
