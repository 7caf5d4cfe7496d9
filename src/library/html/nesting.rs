//! A guard run before parsing: elements nested deeper than [`MAX_NESTING`] lose their tags
//! (their text stays).
//!
//! An HTML tree builder checks the stack of open elements on most tags, and readability walks
//! the ancestors of what it scores, so the cost of a page grows with the square of its depth:
//! 5,000 nested `<div>`s take seconds to parse and minutes to extract, and a few MiB of them
//! would never finish. Real pages nest a few dozen levels deep. This pass follows the nesting
//! the way a browser would, closely enough: void elements and self-closing tags do not nest,
//! an element whose end tag may be left out (`<li>`, `<p>`, `<td>`, `<tr>`, …) is closed by the
//! next one of its kind, an end tag closes what is open above its element, a stray end tag is
//! ignored, and raw text (`<script>`, `<style>`, `<textarea>`, `<title>`), comments and
//! declarations are skipped. Start tags that would go deeper than the limit are removed from
//! the text, and as many end tags after them.
//!
//! Written by hand because it has to be cheaper than the parse it protects: one pass over the
//! bytes with `memchr`, no allocation for a page that needs no change.

use std::borrow::Cow;

/// The deepest nesting of elements a page keeps.
pub const MAX_NESTING: usize = 256;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "frame", "basefont", "bgsound", "image",
];

const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// The elements a start tag closes when one of them is the current element.
fn closes(name: &str) -> &'static [&'static str] {
    match name {
        "li" => &["li"],
        "dt" | "dd" => &["dt", "dd"],
        "p" => &["p"],
        "td" | "th" => &["td", "th"],
        "tr" => &["td", "th", "tr"],
        "thead" | "tbody" | "tfoot" => &["td", "th", "tr", "thead", "tbody", "tfoot"],
        "option" => &["option"],
        _ => &[],
    }
}

/// Find `needle` in `hay` from `from`, ASCII case-insensitively.
fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = needle[0];
    let mut i = from;
    while i < hay.len() {
        let rest = &hay[i..];
        let at = memchr::memchr2(first.to_ascii_lowercase(), first.to_ascii_uppercase(), rest)?;
        let start = i + at;
        if hay.len() - start >= needle.len()
            && hay[start..start + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(start);
        }
        i = start + 1;
    }
    None
}

/// The index after the `>` that ends the tag whose attributes start at `from` (quoted values
/// may hold `>`); the end of the text if there is none.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    // The last character outside white space: only a quote right after `=` opens a value.
    let mut last = 0u8;
    for (k, &c) in b[from..].iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == b'"' || c == b'\'') && last == b'=' => quote = Some(c),
            None if c == b'>' => return from + k + 1,
            None => {}
        }
        if !c.is_ascii_whitespace() {
            last = c;
        }
    }
    b.len()
}

/// The page with elements past [`MAX_NESTING`] unwrapped; borrowed when nothing changes.
pub fn limit_nesting(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut excess = 0usize;
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + at;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = find_ci(b, b"-->", lt + 4).map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with(b"!") || rest.starts_with(b"?") {
            i = memchr::memchr(b'>', rest).map_or(b.len(), |e| lt + 1 + e + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_at = lt + 1 + usize::from(closing);
        if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        let name_len = b[name_at..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>'))
            .count();
        let name = html[name_at..name_at + name_len].to_ascii_lowercase();
        let end = tag_end(b, name_at + name_len);
        let mut drop = false;
        if closing {
            if excess > 0 {
                excess -= 1;
                drop = true;
            } else if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            }
        } else if name == "plaintext" {
            break;
        } else if RAW_TEXT.contains(&name.as_str()) {
            let mut close = Vec::with_capacity(name.len() + 2);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name.as_bytes());
            i = find_ci(b, &close, end).unwrap_or(b.len());
            continue;
        } else if !VOID.contains(&name.as_str()) && !b[..end].ends_with(b"/>") {
            let closed = closes(&name);
            while stack.last().is_some_and(|n| closed.contains(&n.as_str())) {
                stack.pop();
            }
            if excess > 0 || stack.len() >= MAX_NESTING {
                excess += 1;
                drop = true;
            } else {
                stack.push(name);
            }
        }
        if drop {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..lt]);
            // Keep words apart where a tag was.
            if !o.ends_with(|c: char| c.is_ascii_whitespace()) {
                o.push(' ');
            }
            copied = end;
        }
        i = end;
    }
    match out {
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(html),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_untouched() {
        let html = "<html><body><ul><li>a<li>b</ul><p>x<p>y<table><tr><td>1<td>2<tr><td>3\
                    </table><script>if (a<b) { '<div>' }</script><!-- <div> --><br/>\
                    <img src=x><p title='a>b'>z</p></body></html>";
        assert!(matches!(limit_nesting(html), Cow::Borrowed(_)));
        // Sequences of elements with optional end tags do not add up.
        let many = "<li>item".repeat(10_000) + &"<p>para".repeat(10_000);
        assert!(matches!(limit_nesting(&many), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_loses_its_tags_past_the_limit() {
        let depth = MAX_NESTING + 100;
        let html = format!(
            "{}deep{}after",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let limited = limit_nesting(&html);
        assert_eq!(limited.matches("<div>").count(), MAX_NESTING);
        assert_eq!(limited.matches("</div>").count(), MAX_NESTING);
        assert!(limited.contains("deep"));
        assert!(limited.ends_with("</div>after"));
        // Unclosed, too.
        let html = "<span>x".repeat(depth);
        assert_eq!(limit_nesting(&html).matches("<span>").count(), MAX_NESTING);
    }

    #[test]
    fn odd_tags_do_not_panic() {
        for html in [
            "<",
            "</",
            "<a",
            "<a b='>",
            "<!--",
            "<!",
            "<script>",
            "</>",
            "<é>",
            "<a\u{1b}>",
        ] {
            let _ = limit_nesting(html);
        }
    }
}
