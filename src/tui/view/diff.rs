//! The diff panel: unified or side-by-side, with line numbers, word-level emphasis, search
//! matches, comment marks with each comment's text under its (last) line, the `V` selection
//! and the cursor. Only the rows on screen are turned into spans, so a
//! frame costs the same whatever the size of the file.

use std::collections::HashMap;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::files::display_path;
use super::text::{self, marker_style, visible, LineSource};
use super::{fit_left, panel_block};
use crate::diff::LineHighlight;
use crate::git::LineKind;
use crate::model::Side;
use crate::review::drafts::Draft;
use crate::tui::app::{App, DiffSlot, Panel};
use crate::tui::doc::{DiffDoc, Line, Row, SplitRow};

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
    let (ctx, start) = layout(app, doc, inner, focused);
    let height = usize::from(inner.height);
    let len = doc.len(app.split);
    let mut lines: Vec<TextLine<'_>> = Vec::with_capacity(height);
    for r in start..len {
        if lines.len() >= height {
            break;
        }
        lines.extend(ctx.row(r));
    }
    lines.truncate(height);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The rows' context and the first row on screen, for the diff panel's inner area `inner`.
fn layout<'a>(app: &'a App, doc: &'a DiffDoc, inner: Rect, focused: bool) -> (RowCtx<'a>, usize) {
    let ai_lines = attested_lines(app);
    let ctx = RowCtx {
        app,
        doc,
        ai_hunks: ai_per_hunk(doc, ai_lines),
        ai_lines,
        commented: commented_lines(app),
        width: usize::from(inner.width),
        height: usize::from(inner.height),
        focused,
        marker: marker_style(&app.theme),
    };
    let height = usize::from(inner.height);
    let len = doc.len(app.split);
    let mut start = app.pos.scroll.min(len);
    // Wrapped rows and comments take several screen lines: start late enough that the
    // cursor's row is on screen.
    let heights: Vec<usize> = (start..=app.pos.cursor.min(len.saturating_sub(1)))
        .map(|r| ctx.row(r).len())
        .collect();
    let mut total: usize = heights.iter().sum();
    let mut i = 0;
    while total > height && start < app.pos.cursor {
        total -= heights[i];
        i += 1;
        start += 1;
    }
    (ctx, start)
}

/// The diff lines (hunk, index in the hunk) of the selected file that the diff panel shows
/// whole now: every screen line of their row inside the panel, and their end on screen (a
/// line cut at the right edge counts once scrolling or wrapping shows its end). Nothing while
/// a dialog covers the panel or the screen is too small to draw it.
pub fn whole_lines(app: &App) -> Vec<(usize, usize)> {
    let covered = app
        .overlays
        .iter()
        .any(|o| !matches!(o, crate::tui::app::Overlay::Search { .. }));
    if covered || crate::tui::layout::too_small(app.size) {
        return Vec::new();
    }
    let area = app.areas().diff;
    let (Some(key), true) = (app.selected, area.width > 0) else {
        return Vec::new();
    };
    let Some(DiffSlot::Ready(doc)) = app.diffs.get(&key) else {
        return Vec::new();
    };
    let inner = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .inner(area);
    let (ctx, start) = layout(app, doc, inner, app.focus == Panel::Diff);
    let mut used = 0;
    let mut out = Vec::new();
    for r in start..doc.len(app.split) {
        used += ctx.row(r).len();
        if used > ctx.height {
            break;
        }
        let shown: Vec<usize> = if app.split {
            match &doc.split[r] {
                SplitRow::Pair { left, right } => {
                    left.iter().chain(right.iter()).copied().collect()
                }
                _ => Vec::new(),
            }
        } else {
            match &doc.unified[r] {
                Row::Line(i) => vec![*i],
                _ => Vec::new(),
            }
        };
        out.extend(
            shown
                .into_iter()
                .filter_map(|i| doc.lines.get(i))
                .filter(|l| ctx.end_shown(l))
                .map(|l| (l.hunk, l.index)),
        );
    }
    out
}

/// The comments on the selected file's lines: each by the side and number of its last line
/// (where its text is drawn).
fn commented_lines(app: &App) -> HashMap<(Side, u32), Vec<&Draft>> {
    let mut out: HashMap<(Side, u32), Vec<&Draft>> = HashMap::new();
    let Some(key) = app.selected else {
        return out;
    };
    let (Some(entry), Some(file)) = (app.data.commits.get(key.commit), app.data.file(key)) else {
        return out;
    };
    let path = file.path().display();
    for c in app
        .store
        .saved
        .comments
        .iter()
        .filter(|c| entry.change.id.is(&c.commit) && c.path == path)
    {
        if let (Some(side), Some((_, last))) = (c.side(), c.lines()) {
            out.entry((side, last)).or_default().push(c);
        }
    }
    out
}

/// The selected file's added lines that a line-provenance note attests to an agent.
fn attested_lines(app: &App) -> &[(u32, u32)] {
    let Some(key) = app.selected else {
        return &[];
    };
    let (Some(entry), Some(file)) = (app.data.commits.get(key.commit), app.data.file(key)) else {
        return &[];
    };
    let path = String::from_utf8_lossy(file.path().as_bytes());
    entry
        .verdict
        .as_ref()
        .and_then(|v| v.ai_lines.get(path.as_ref()))
        .map_or(&[], Vec::as_slice)
}

/// Whether new-side line `n` is in `ranges` (sorted, disjoint).
fn attested(ranges: &[(u32, u32)], n: u32) -> bool {
    let i = ranges.partition_point(|(_, end)| *end < n);
    ranges.get(i).is_some_and(|(start, _)| *start <= n)
}

/// AI-attested added lines per hunk (empty when the file has none).
fn ai_per_hunk(doc: &DiffDoc, ranges: &[(u32, u32)]) -> Vec<usize> {
    if ranges.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for l in &doc.lines {
        if l.kind == LineKind::Added && l.new.is_some_and(|n| attested(ranges, n)) {
            if out.len() <= l.hunk {
                out.resize(l.hunk + 1, 0);
            }
            out[l.hunk] += 1;
        }
    }
    out
}

/// Where a diff line is on each side it shows: (side, number).
fn places(l: &Line) -> impl Iterator<Item = (Side, u32)> {
    let new = l.new.filter(|_| l.kind != LineKind::Removed);
    let old = l.old.filter(|_| l.kind != LineKind::Added);
    [new.map(|n| (Side::New, n)), old.map(|n| (Side::Old, n))]
        .into_iter()
        .flatten()
}

struct RowCtx<'a> {
    app: &'a App,
    doc: &'a DiffDoc,
    /// The selected file's AI-attested added lines (new side).
    ai_lines: &'a [(u32, u32)],
    /// AI-attested lines per hunk.
    ai_hunks: Vec<usize>,
    commented: HashMap<(Side, u32), Vec<&'a Draft>>,
    width: usize,
    height: usize,
    focused: bool,
    marker: Style,
}

impl<'a> RowCtx<'a> {
    /// The columns a line's text gets in this layout (as [`RowCtx::content`] is given them).
    fn text_width(&self) -> usize {
        if self.app.split {
            (self.width.saturating_sub(1) / 2).saturating_sub(8)
        } else {
            self.width.saturating_sub(14)
        }
    }

    /// Whether the end of `l` is on screen when its row is: wrapped whole, or inside the
    /// horizontal window.
    fn end_shown(&self, l: &Line) -> bool {
        let app = self.app;
        let w = text::column_of(&l.text, l.text.len(), app.tab_width) + usize::from(l.cr);
        let text_w = self.text_width();
        if app.wrap {
            w <= text_w * (self.height + 1)
        } else {
            w <= app.hscroll + text_w && (app.hscroll == 0 || w > app.hscroll)
        }
    }

    /// The screen lines of row `r`: one, or several when wrapping.
    fn row(&self, r: usize) -> Vec<TextLine<'a>> {
        let app = self.app;
        let is_cursor = r == app.pos.cursor;
        let is_match = app.search.matches.binary_search(&r).is_ok();
        let notice = |t: &str| {
            vec![TextLine::styled(
                format!(" {}", visible(t)),
                app.theme.notice,
            )]
        };
        let header = |hunk: usize, t: &str| {
            let mut spans = vec![Span::styled(visible(t), app.theme.hunk)];
            if self
                .doc
                .hunk_names
                .get(hunk)
                .is_some_and(|n| app.hunk_viewed(n))
            {
                spans.push(Span::styled("  ✓ viewed", app.theme.dim));
            }
            if let Some(n) = self.ai_hunks.get(hunk).filter(|n| **n > 0) {
                spans.push(Span::styled(
                    format!("  ▍ {n} AI-attested line{}", if *n == 1 { "" } else { "s" }),
                    app.theme.ai,
                ));
            }
            vec![TextLine::from(spans)]
        };
        let mut lines = if app.split {
            match &self.doc.split[r] {
                SplitRow::Notice(t) => notice(t),
                SplitRow::HunkHeader { hunk, text } => header(*hunk, text),
                SplitRow::Pair { left, right } => self.pair(*left, *right),
            }
        } else {
            match &self.doc.unified[r] {
                Row::Notice(t) => notice(t),
                Row::HunkHeader { hunk, text } => header(*hunk, text),
                Row::Line(i) => self.unified(&self.doc.lines[*i]),
            }
        };
        if is_match {
            lines = lines.into_iter().map(|l| self.mark_matches(l)).collect();
        }
        let selected = app
            .anchor
            .is_some_and(|a| (a.min(app.pos.cursor)..=a.max(app.pos.cursor)).contains(&r));
        if is_cursor {
            let style = if self.focused {
                app.theme.selected
            } else {
                app.theme.cursor
            };
            lines = lines.into_iter().map(|l| l.style(style)).collect();
        } else if selected {
            lines = lines
                .into_iter()
                .map(|l| l.style(app.theme.cursor))
                .collect();
        }
        lines.extend(self.comment_rows(r));
        lines
    }

    /// The text of the comments whose last line is on row `r`, under it (as tuicr and
    /// GitHub show them), wrapped to the panel.
    fn comment_rows(&self, r: usize) -> Vec<TextLine<'a>> {
        if self.commented.is_empty() {
            return Vec::new();
        }
        let idx: Vec<usize> = if self.app.split {
            match &self.doc.split[r] {
                SplitRow::Pair { left, right } => left.iter().chain(right).copied().collect(),
                _ => Vec::new(),
            }
        } else {
            match &self.doc.unified[r] {
                Row::Line(i) => vec![*i],
                _ => Vec::new(),
            }
        };
        let mut seen: Vec<*const Draft> = Vec::new();
        let mut out = Vec::new();
        let t = &self.app.theme;
        let indent = 12;
        let text_w = self.width.saturating_sub(indent + 3).max(10);
        for l in idx.iter().filter_map(|i| self.doc.lines.get(*i)) {
            for place in places(l) {
                for c in self.commented.get(&place).into_iter().flatten() {
                    if seen.contains(&(*c as *const Draft)) {
                        continue;
                    }
                    seen.push(*c as *const Draft);
                    let range = match c.lines() {
                        Some((a, b)) if a != b => format!("lines {a}-{b}: "),
                        _ => String::new(),
                    };
                    let conflict = if c.conflict {
                        super::comments::CONFLICT
                    } else {
                        ""
                    };
                    let body = format!("{conflict}{range}{}", visible(&c.text));
                    for (k, chunk) in wrap_text(&body, text_w).into_iter().enumerate() {
                        out.push(TextLine::from(vec![
                            Span::raw(" ".repeat(indent)),
                            Span::styled(if k == 0 { "✎ " } else { "  " }, t.ai),
                            Span::styled(chunk, t.notice),
                        ]));
                    }
                }
            }
        }
        out
    }

    /// Whether the draft `c` is on the selected file.
    fn is_here(&self, c: &Draft) -> bool {
        self.commented
            .values()
            .flatten()
            .any(|x| std::ptr::eq(*x, c))
    }

    fn number(n: Option<u32>) -> String {
        n.map_or_else(|| "     ".to_string(), |n| format!("{n:>5}"))
    }

    fn comment_mark(&self, l: &Line) -> Span<'a> {
        let keys = [
            l.new.map(|n| format!("+{n}")),
            l.old.map(|n| format!("-{n}")),
        ];
        let covered = self.app.store.saved.comments.iter().any(|c| {
            keys.iter()
                .flatten()
                .any(|k| c.line.is_some() && self.is_here(c) && covers_key(c, k))
        });
        if covered {
            Span::styled("✎", self.app.theme.ai)
        } else if l.kind == LineKind::Added && l.new.is_some_and(|n| attested(self.ai_lines, n)) {
            // A line-provenance note says an agent wrote this line.
            Span::styled("▍", self.app.theme.ai)
        } else {
            Span::raw(" ")
        }
    }

    fn unified(&self, l: &Line) -> Vec<TextLine<'a>> {
        let app = self.app;
        let gutter = vec![
            Span::styled(Self::number(l.old), app.theme.dim),
            Span::raw(" "),
            Span::styled(Self::number(l.new), app.theme.dim),
            self.comment_mark(l),
            Span::styled("│", app.theme.border),
        ];
        let cont = vec![
            Span::raw(" ".repeat(11)),
            Span::styled("↪", app.theme.dim),
            Span::styled("│", app.theme.border),
        ];
        let body = self.content(l, self.width.saturating_sub(13));
        body.into_iter()
            .enumerate()
            .map(|(i, spans)| {
                let mut all = if i == 0 { gutter.clone() } else { cont.clone() };
                all.extend(spans);
                TextLine::from(all)
            })
            .collect()
    }

    fn pair(&self, left: Option<usize>, right: Option<usize>) -> Vec<TextLine<'a>> {
        let app = self.app;
        let half = self.width.saturating_sub(1) / 2;
        let text_w = half.saturating_sub(8);
        let mut sides: Vec<Vec<Vec<Span<'a>>>> = Vec::with_capacity(2);
        for (side, idx) in [(0, left), (1, right)] {
            let line = idx.and_then(|i| self.doc.lines.get(i));
            let num = line.and_then(|l| if side == 0 { l.old } else { l.new });
            let rows = match line {
                Some(l) => self.content(l, text_w + 1),
                None => vec![Vec::new()],
            };
            let mut out = Vec::with_capacity(rows.len());
            for (i, mut body) in rows.into_iter().enumerate() {
                let mut spans = if i == 0 {
                    vec![
                        Span::styled(Self::number(num), app.theme.dim),
                        line.map_or(Span::raw(" "), |l| self.comment_mark(l)),
                        Span::styled("│", app.theme.border),
                    ]
                } else {
                    vec![
                        Span::raw("     "),
                        Span::styled("↪", app.theme.dim),
                        Span::styled("│", app.theme.border),
                    ]
                };
                pad_spans(&mut body, text_w + 1);
                spans.extend(body);
                out.push(spans);
            }
            sides.push(out);
        }
        let n = sides.iter().map(Vec::len).max().unwrap_or(1);
        let blank = |w: usize| vec![Span::raw(" ".repeat(w))];
        (0..n)
            .map(|i| {
                let mut spans = sides[0].get(i).cloned().unwrap_or_else(|| blank(half));
                spans.push(Span::styled("┊", app.theme.border));
                spans.extend(sides[1].get(i).cloned().unwrap_or_else(|| blank(half)));
                TextLine::from(spans)
            })
            .collect()
    }

    /// The sign and the text of a line in `width` columns (sign included): cut at the
    /// horizontal scroll position with marks where text continues, or wrapped into several
    /// rows; tabs expanded, invisible characters as markers, word emphasis.
    fn content(&self, l: &Line, width: usize) -> Vec<Vec<Span<'a>>> {
        let app = self.app;
        let (sign, base, emph) = match l.kind {
            LineKind::Added => ("+", app.theme.added, app.theme.added_emph),
            LineKind::Removed => ("-", app.theme.removed, app.theme.removed_emph),
            LineKind::Context => (" ", app.theme.text, app.theme.text),
        };
        // Identifiers mixing look-alike scripts are drawn like markers (first, so that they
        // win over syntax colours).
        let mut highlight: Vec<text::Styled> = crate::diff::invisible::mixed_script_ranges(&l.text)
            .into_iter()
            .map(|r| (r, self.marker))
            .collect();
        highlight.extend(self.highlight(l));
        let src = LineSource {
            text: &l.text,
            base,
            highlight: &highlight,
            emphasis: &l.emphasis,
            emph,
            cr: l.cr,
        };
        let text_w = width.saturating_sub(1);
        let limit = if app.wrap {
            text_w * (self.height + 1)
        } else {
            app.hscroll + text_w + 2
        };
        let cells = text::cells(&src, app.tab_width, self.marker, limit);
        let rows = if app.wrap {
            text::wrap(&cells, text_w)
        } else {
            vec![text::window(&cells, app.hscroll, text_w, self.marker)]
        };
        rows.into_iter()
            .enumerate()
            .map(|(i, body)| {
                let mut spans = vec![Span::styled(if i == 0 { sign } else { " " }, base)];
                spans.extend(body);
                spans
            })
            .collect()
    }

    /// The line's syntax colours, when the highlighter has them cached (drawing never waits
    /// for highlighting: a worker fills the cache and the frame is drawn again).
    fn highlight(&self, l: &Line) -> Vec<text::Styled> {
        let Some(h) = self.app.highlighter.as_ref().filter(|_| !self.doc.plain) else {
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

/// Whether the draft `c` covers the line `key` (`+N` / `-N`).
fn covers_key(c: &Draft, key: &str) -> bool {
    let side = if key.starts_with('-') {
        Side::Old
    } else {
        Side::New
    };
    key.get(1..)
        .and_then(|n| n.parse().ok())
        .is_some_and(|n| c.covers(side, n))
}

/// `text` in rows of at most `width` columns.
fn wrap_text(text: &str, width: usize) -> Vec<String> {
    super::text::wrap_words(text, width)
}

fn pad_spans(spans: &mut Vec<Span<'_>>, width: usize) {
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if used < width {
        spans.push(Span::raw(" ".repeat(width - used)));
    }
}

#[cfg(test)]
mod tests {
    use super::wrap_text;

    #[test]
    fn comments_wrap_at_words_and_keep_their_lines() {
        assert_eq!(
            wrap_text("is the cache bounded? it grows\nsecond", 12),
            ["is the cache", "bounded? it", "grows", "second"]
        );
        assert_eq!(wrap_text("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }
}
