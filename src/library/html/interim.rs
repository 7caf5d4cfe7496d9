//! A stand-in for the document builder the Markdown front end brings (events → blocks and
//! links), so HTML pages open before it lands: leaf blocks with their kind, containers and
//! text, and the links in reading order. No inline styles and no link numbers; hard breaks
//! are spaces. Replaced by the shared builder when it is merged.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};

use crate::text::block::{Align, Block, BlockKind, Container, Containers, Link, ListItem, Table};

pub struct Built {
    pub paragraphs: Vec<(String, Block)>,
    pub links: Vec<Link>,
}

#[derive(Default)]
struct Builder {
    paragraphs: Vec<(String, Block)>,
    links: Vec<Link>,
    containers: Vec<Container>,
    /// Each open list's next number (`None` for bullets).
    lists: Vec<Option<u64>>,
    leaf: Option<(String, BlockKind)>,
    /// Links and images being read, as indexes into `links`.
    open_links: Vec<usize>,
    table: Option<Table>,
    row: Vec<String>,
    cell: Option<String>,
}

impl Builder {
    fn text(&mut self, t: &str) {
        for &i in &self.open_links {
            self.links[i].text.push_str(t);
        }
        if let Some(cell) = self.cell.as_mut() {
            cell.push_str(t);
            return;
        }
        self.leaf
            .get_or_insert_with(|| (String::new(), BlockKind::Text))
            .0
            .push_str(t);
    }

    fn finish(&mut self) {
        let Some((text, kind)) = self.leaf.take() else {
            return;
        };
        let text = match kind {
            BlockKind::Code { .. } => text.trim_end_matches('\n').to_string(),
            _ => text.trim().to_string(),
        };
        if text.is_empty() && kind != BlockKind::Rule {
            return;
        }
        self.paragraphs.push((
            text,
            Block {
                kind,
                containers: Containers {
                    levels: self.containers.clone(),
                },
                spans: Vec::new(),
            },
        ));
        // Later leaves of an item get its hanging indent alone.
        for c in &mut self.containers {
            if let Container::Item(item) = c {
                item.first = false;
            }
        }
    }
}

fn level(l: HeadingLevel) -> u8 {
    l as u8
}

pub fn build(events: Vec<Event<'static>>) -> Built {
    let mut b = Builder::default();
    for e in events {
        match e {
            Event::Start(tag) => match tag {
                Tag::Paragraph => b.finish(),
                Tag::Heading { level: l, .. } => {
                    b.finish();
                    b.leaf = Some((String::new(), BlockKind::Heading(level(l))));
                }
                Tag::CodeBlock(kind) => {
                    b.finish();
                    let lang = match kind {
                        CodeBlockKind::Fenced(l) if !l.is_empty() => Some(l.to_string()),
                        _ => None,
                    };
                    b.leaf = Some((String::new(), BlockKind::Code { lang }));
                }
                Tag::BlockQuote(_) => {
                    b.finish();
                    b.containers.push(Container::Quote);
                }
                Tag::List(start) => {
                    b.finish();
                    b.lists.push(start);
                }
                Tag::Item => {
                    b.finish();
                    let marker = match b.lists.last_mut() {
                        Some(Some(n)) => {
                            let m = format!("{n}.");
                            *n += 1;
                            m
                        }
                        _ => "•".to_string(),
                    };
                    b.containers.push(Container::Item(ListItem {
                        marker,
                        task: None,
                        first: true,
                    }));
                }
                Tag::Table(align) => {
                    b.finish();
                    b.table = Some(Table {
                        align: align
                            .iter()
                            .map(|a| match a {
                                pulldown_cmark::Alignment::None => Align::None,
                                pulldown_cmark::Alignment::Left => Align::Left,
                                pulldown_cmark::Alignment::Center => Align::Center,
                                pulldown_cmark::Alignment::Right => Align::Right,
                            })
                            .collect(),
                        header: None,
                        rows: Vec::new(),
                    });
                }
                Tag::TableHead | Tag::TableRow => b.row.clear(),
                Tag::TableCell => b.cell = Some(String::new()),
                Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                    b.links.push(Link {
                        url: dest_url.to_string(),
                        text: String::new(),
                    });
                    b.open_links.push(b.links.len() - 1);
                }
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock => b.finish(),
                TagEnd::BlockQuote(_) | TagEnd::Item => {
                    b.finish();
                    b.containers.pop();
                }
                TagEnd::List(_) => {
                    b.finish();
                    b.lists.pop();
                }
                TagEnd::TableCell => {
                    let cell = b.cell.take().unwrap_or_default();
                    b.row.push(cell.trim().to_string());
                }
                TagEnd::TableHead => {
                    if let Some(t) = b.table.as_mut() {
                        t.header = Some(std::mem::take(&mut b.row));
                    }
                }
                TagEnd::TableRow => {
                    if let Some(t) = b.table.as_mut() {
                        t.rows.push(std::mem::take(&mut b.row));
                    }
                }
                TagEnd::Table => {
                    if let Some(t) = b.table.take() {
                        let text = t
                            .header
                            .iter()
                            .chain(&t.rows)
                            .flatten()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join("\n");
                        b.leaf = Some((text, BlockKind::Table(t)));
                        b.finish();
                    }
                }
                TagEnd::Link | TagEnd::Image => {
                    b.open_links.pop();
                }
                _ => {}
            },
            Event::Text(t) | Event::Code(t) => b.text(&t),
            Event::SoftBreak | Event::HardBreak => b.text(" "),
            Event::Rule => {
                b.finish();
                b.leaf = Some((String::new(), BlockKind::Rule));
                b.finish();
            }
            Event::TaskListMarker(done) => {
                if let Some(Container::Item(item)) = b.containers.last_mut() {
                    item.task = Some(done);
                }
            }
            _ => {}
        }
    }
    b.finish();
    Built {
        paragraphs: b.paragraphs,
        links: b.links,
    }
}
