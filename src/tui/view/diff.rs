//! The diff panel: unified or side-by-side, with line numbers, word-level emphasis, search
//! matches, comment marks and the cursor. Only the rows on screen are turned into spans, so a
//! frame costs the same whatever the size of the file.

use std::collections::HashSet;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::files::display_path;
use super::{fit_left, panel_block};
use crate::diff::{LineHighlight, Side};
use crate::git::LineKind;
use crate::tui::app::{App, DiffSlot, Panel};
use crate::tui::doc::{terminal_safe, DiffDoc, Line, Row, SplitRow};

/// Draws the diff panel.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let focused = app.focus == Panel::Diff;
    let mode = if app.split { "side-by-side" } else { "unified" };
    let path = app.selected_file().map(display_path).unwrap_or_default();
    let path_w = usize::from(area.width).saturating_sub(mode.len() + 8);
    let title = TextLine::from(vec![
        Span::raw(" "),
        Span::raw(fit_left(&path, path_w)),
        Span::raw(" · "),
        Span::styled(mode, app.theme.dim),
        Span::raw(" "),
    ]);
    let block = panel_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let Some(key) = app.selected else {
        frame.render_widget(
            Paragraph::new("nothing to show: the change has no files").style(app.theme.notice),
            inner,
        );
        return;
    };
    let doc = match app.diffs.get(&key) {
        Some(DiffSlot::Ready(doc)) => doc,
        Some(DiffSlot::Failed(e)) => {
            frame.render_widget(Paragraph::new(e.as_str()).style(app.theme.error), inner);
            return;
        }
        _ => {
            frame.render_widget(
                Paragraph::new("loading diff…").style(app.theme.notice),
                inner,
            );
            return;
        }
    };
    let ctx = RowCtx {
        app,
        doc,
        commented: commented_lines(app),
        width: usize::from(inner.width),
        focused,
    };
    let height = usize::from(inner.height);
    let start = app.pos.scroll;
    let lines: Vec<TextLine<'_>> = (start..start + height)
        .take_while(|r| *r < doc.len(app.split))
        .map(|r| ctx.row(r))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Lines of the selected file that carry a comment, as `+N` / `-N`.
fn commented_lines(app: &App) -> HashSet<String> {
    let Some(key) = app.selected else {
        return HashSet::new();
    };
    let (Some(entry), Some(file)) = (app.data.commits.get(key.commit), app.data.file(key)) else {
        return HashSet::new();
    };
    let path = file.path().display();
    app.store
        .saved
        .comments
        .iter()
        .filter(|c| c.commit == entry.change.id && c.path == path)
        .filter_map(|c| c.line.clone())
        .collect()
}

struct RowCtx<'a> {
    app: &'a App,
    doc: &'a DiffDoc,
    commented: HashSet<String>,
    width: usize,
    focused: bool,
}

impl<'a> RowCtx<'a> {
    fn row(&self, r: usize) -> TextLine<'a> {
        let app = self.app;
        let is_cursor = r == app.pos.cursor;
        let is_match = app.search.matches.binary_search(&r).is_ok();
        let mut line = if app.split {
            match &self.doc.split[r] {
                SplitRow::Notice(t) => TextLine::styled(format!(" {t}"), app.theme.notice),
                SplitRow::HunkHeader { text, .. } => TextLine::styled(text.clone(), app.theme.hunk),
                SplitRow::Pair { left, right } => self.pair(*left, *right),
            }
        } else {
            match &self.doc.unified[r] {
                Row::Notice(t) => TextLine::styled(format!(" {t}"), app.theme.notice),
                Row::HunkHeader { text, .. } => TextLine::styled(text.clone(), app.theme.hunk),
                Row::Line(i) => self.unified(&self.doc.lines[*i]),
            }
        };
        if is_match {
            line = self.mark_matches(line);
        }
        if is_cursor {
            line = line.style(if self.focused {
                app.theme.selected
            } else {
                app.theme.cursor
            });
        }
        line
    }

    fn number(n: Option<u32>) -> String {
        n.map_or_else(|| "     ".to_string(), |n| format!("{n:>5}"))
    }

    fn comment_mark(&self, l: &Line) -> Span<'a> {
        let keys = [
            l.new.map(|n| format!("+{n}")),
            l.old.map(|n| format!("-{n}")),
        ];
        if keys.iter().flatten().any(|k| self.commented.contains(k)) {
            Span::styled("✎", self.app.theme.ai)
        } else {
            Span::raw(" ")
        }
    }

    fn unified(&self, l: &Line) -> TextLine<'a> {
        let app = self.app;
        let mut spans = vec![
            Span::styled(Self::number(l.old), app.theme.dim),
            Span::raw(" "),
            Span::styled(Self::number(l.new), app.theme.dim),
            self.comment_mark(l),
            Span::styled("│", app.theme.border),
        ];
        spans.extend(self.content(l, self.width.saturating_sub(13)));
        TextLine::from(spans)
    }

    fn pair(&self, left: Option<usize>, right: Option<usize>) -> TextLine<'a> {
        let app = self.app;
        let half = self.width.saturating_sub(1) / 2;
        let mut spans = Vec::new();
        for (side, idx) in [(0, left), (1, right)] {
            let line = idx.and_then(|i| self.doc.lines.get(i));
            let num = line.and_then(|l| if side == 0 { l.old } else { l.new });
            spans.push(Span::styled(Self::number(num), app.theme.dim));
            match line {
                Some(l) => {
                    spans.push(self.comment_mark(l));
                    spans.push(Span::styled("│", app.theme.border));
                    let mut body = self.content(l, half.saturating_sub(7));
                    pad_spans(&mut body, half.saturating_sub(7));
                    spans.extend(body);
                }
                None => {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled("│", app.theme.border));
                    spans.push(Span::raw(" ".repeat(half.saturating_sub(7))));
                }
            }
            if side == 0 {
                spans.push(Span::styled("┊", app.theme.border));
            }
        }
        TextLine::from(spans)
    }

    /// The sign and the text of a line, cut to `width` columns, with word emphasis.
    fn content(&self, l: &Line, width: usize) -> Vec<Span<'a>> {
        let app = self.app;
        let (sign, base, emph) = match l.kind {
            LineKind::Added => ("+", app.theme.added, app.theme.added_emph),
            LineKind::Removed => ("-", app.theme.removed, app.theme.removed_emph),
            LineKind::Context => (" ", app.theme.text, app.theme.text),
        };
        let highlight = self.highlight(l);
        let mut spans = vec![Span::styled(sign, base)];
        spans.extend(styled_text(
            &l.text,
            base,
            &highlight,
            &l.emphasis,
            emph,
            width.saturating_sub(1),
        ));
        spans
    }

    /// The line's syntax colours, when the highlighter has them cached (drawing never waits
    /// for highlighting: a worker fills the cache and the frame is drawn again).
    fn highlight(&self, l: &Line) -> Vec<StyledRange> {
        let Some(h) = &self.app.highlighter else {
            return Vec::new();
        };
        let side = if l.kind == LineKind::Removed {
            Side::Old
        } else {
            Side::New
        };
        let Some(hl) = h.cached_lines(&self.doc.file, l.hunk, side, l.index..l.index + 1) else {
            return Vec::new();
        };
        match hl.line(l.index) {
            Some(LineHighlight::Spans(spans)) => spans
                .iter()
                .map(|s| {
                    let fg = s.style.fg;
                    let mut style = Style::new().fg(Color::Rgb(fg.r, fg.g, fg.b));
                    if s.style.bold {
                        style = style.add_modifier(Modifier::BOLD);
                    }
                    if s.style.italic {
                        style = style.add_modifier(Modifier::ITALIC);
                    }
                    if s.style.underline {
                        style = style.add_modifier(Modifier::UNDERLINED);
                    }
                    (s.range.clone(), style)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn mark_matches(&self, line: TextLine<'a>) -> TextLine<'a> {
        let q = &self.app.search.query;
        if q.is_empty() {
            return line;
        }
        let fold = !q.chars().any(char::is_uppercase);
        let needle = if fold { q.to_lowercase() } else { q.clone() };
        let mut out: Vec<Span<'a>> = Vec::with_capacity(line.spans.len());
        for span in line.spans {
            let text = span.content.to_string();
            let hay = if fold {
                text.to_lowercase()
            } else {
                text.clone()
            };
            // Lowercasing can change byte lengths; only mark when it did not.
            if hay.len() != text.len() || !hay.contains(&needle) {
                out.push(span);
                continue;
            }
            let mut at = 0;
            while let Some(found) = hay[at..].find(&needle) {
                let s = at + found;
                let e = s + needle.len();
                if s > at {
                    out.push(Span::styled(text[at..s].to_string(), span.style));
                }
                out.push(Span::styled(text[s..e].to_string(), self.app.theme.search));
                at = e;
            }
            if at < text.len() {
                out.push(Span::styled(text[at..].to_string(), span.style));
            }
        }
        TextLine::from(out).style(line.style)
    }
}

/// A styled byte range of a line's text (syntax highlighting).
pub type StyledRange = (std::ops::Range<usize>, Style);

/// Spans for `text` drawn in at most `width` columns: `base` style, syntax colours from
/// `highlight` on top, changed-word backgrounds from `emphasis` on top of those. Tabs and
/// control characters are made safe per segment, keeping columns right.
pub fn styled_text<'a>(
    text: &str,
    base: Style,
    highlight: &[StyledRange],
    emphasis: &[std::ops::Range<usize>],
    emph: Style,
    width: usize,
) -> Vec<Span<'a>> {
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (r, _) in highlight {
        cuts.extend([r.start, r.end]);
    }
    for r in emphasis {
        cuts.extend([r.start, r.end]);
    }
    cuts.retain(|c| *c <= text.len() && text.is_char_boundary(*c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut spans = Vec::new();
    let mut col = 0usize;
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        if col >= width {
            break;
        }
        let mut style = base;
        if let Some((_, hs)) = highlight.iter().find(|(r, _)| r.start <= s && e <= r.end) {
            style = style.patch(*hs);
        }
        if emphasis.iter().any(|r| r.start <= s && e <= r.end) {
            style = style.patch(emph);
        }
        let start_col = col;
        let safe = terminal_safe(&text[s..e], &mut col);
        let piece = if col > width {
            cut(&safe, width - start_col).to_string()
        } else {
            safe
        };
        spans.push(Span::styled(piece, style));
    }
    spans
}

/// `text` cut to at most `width` columns.
fn cut(text: &str, width: usize) -> &str {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width {
            return &text[..i];
        }
    }
    text
}

fn pad_spans(spans: &mut Vec<Span<'_>>, width: usize) {
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if used < width {
        spans.push(Span::raw(" ".repeat(width - used)));
    }
}
