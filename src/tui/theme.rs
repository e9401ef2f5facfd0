//! The workstation's colours as ratatui styles, made from a [`crate::diff::LoadedTheme`] (its UI
//! colours; its syntax colours go to the highlighter). `--theme NAME`, then `config.toml`'s
//! `theme`, then `dark` choose it; a user's own theme lives in the config directory's
//! `themes/`.

use std::path::Path;
use std::sync::Arc;

use ratatui::style::{Color, Modifier, Style};

use crate::diff::{self, Rgb};
use crate::model::Tier;
use crate::{Error, Result};

/// Styles for every element the panels draw.
#[derive(Clone, Debug)]
pub struct Theme {
    /// The theme's name.
    pub name: String,
    /// Plain text.
    pub text: Style,
    /// Secondary text (line numbers, hints).
    pub dim: Style,
    /// The focused panel's border and title.
    pub border_focused: Style,
    /// Other borders.
    pub border: Style,
    /// The selected row.
    pub selected: Style,
    /// The diff cursor's row.
    pub cursor: Style,
    /// Added lines.
    pub added: Style,
    /// Removed lines.
    pub removed: Style,
    /// Changed words inside added lines.
    pub added_emph: Style,
    /// Changed words inside removed lines.
    pub removed_emph: Style,
    /// Hunk headers.
    pub hunk: Style,
    /// Notices (binary, mode change, computing…).
    pub notice: Style,
    /// Search matches.
    pub search: Style,
    /// The header line.
    pub header: Style,
    /// The status line.
    pub status: Style,
    /// Error messages.
    pub error: Style,
    /// Good news (signed, viewed).
    pub ok: Style,
    /// Tier badges, indexed autonomous, supervised, prohibited.
    pub tiers: [Style; 3],
    /// The AI badge.
    pub ai: Style,
    /// Added to the focused panel's title (reverse video without colours, so that focus
    /// shows under `NO_COLOR`).
    pub focus_title: Style,
    /// The theme it came from (syntax colours for the highlighter), when loaded from one.
    pub source: Option<Arc<diff::LoadedTheme>>,
}

impl Theme {
    /// The built-in `dark` theme.
    pub fn dark() -> Theme {
        diff::load_theme("dark", None).map_or_else(|_| Theme::fallback_dark(), Theme::from_diff)
    }

    /// The built-in `light` theme.
    pub fn light() -> Theme {
        diff::load_theme("light", None).map_or_else(|_| Theme::fallback_light(), Theme::from_diff)
    }

    /// A dark palette of terminal colours, should the built-in theme ever fail to load.
    fn fallback_dark() -> Theme {
        Theme {
            name: "dark".into(),
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            selected: Style::new()
                .bg(Color::Rgb(45, 50, 65))
                .add_modifier(Modifier::BOLD),
            cursor: Style::new().bg(Color::Rgb(40, 44, 56)),
            added: Style::new().fg(Color::Green),
            removed: Style::new().fg(Color::Red),
            added_emph: Style::new().fg(Color::Black).bg(Color::Green),
            removed_emph: Style::new().fg(Color::Black).bg(Color::Red),
            hunk: Style::new().fg(Color::Cyan),
            notice: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::ITALIC),
            search: Style::new().fg(Color::Black).bg(Color::Yellow),
            header: Style::new()
                .fg(Color::White)
                .bg(Color::Rgb(30, 34, 46))
                .add_modifier(Modifier::BOLD),
            status: Style::new().fg(Color::Gray),
            error: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::LightGreen),
            tiers: [
                Style::new().fg(Color::Green),
                Style::new().fg(Color::Yellow),
                Style::new()
                    .fg(Color::LightRed)
                    .add_modifier(Modifier::BOLD),
            ],
            ai: Style::new().fg(Color::Magenta),
            focus_title: Style::new(),
            source: None,
        }
    }

    /// A light palette of terminal colours, should the built-in theme ever fail to load.
    fn fallback_light() -> Theme {
        Theme {
            name: "light".into(),
            text: Style::new().fg(Color::Black),
            dim: Style::new().fg(Color::Gray),
            border_focused: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Gray),
            selected: Style::new()
                .bg(Color::Rgb(210, 222, 240))
                .add_modifier(Modifier::BOLD),
            cursor: Style::new().bg(Color::Rgb(232, 236, 244)),
            added: Style::new().fg(Color::Rgb(0, 110, 0)),
            removed: Style::new().fg(Color::Rgb(170, 0, 0)),
            added_emph: Style::new().bg(Color::Rgb(170, 235, 170)),
            removed_emph: Style::new().bg(Color::Rgb(245, 180, 180)),
            hunk: Style::new().fg(Color::Blue),
            notice: Style::new()
                .fg(Color::Rgb(140, 90, 0))
                .add_modifier(Modifier::ITALIC),
            search: Style::new().bg(Color::Rgb(255, 230, 120)),
            header: Style::new()
                .fg(Color::Black)
                .bg(Color::Rgb(220, 225, 235))
                .add_modifier(Modifier::BOLD),
            status: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Rgb(0, 120, 0)),
            tiers: [
                Style::new().fg(Color::Rgb(0, 120, 0)),
                Style::new().fg(Color::Rgb(160, 100, 0)),
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ],
            ai: Style::new().fg(Color::Magenta),
            focus_title: Style::new(),
            source: None,
        }
    }

    /// The theme called `name`: the user's (in `config_dir/themes/`) or a built-in one. An
    /// unknown or broken theme is an error naming the file.
    pub fn named(name: &str, config_dir: Option<&Path>) -> Result<Theme> {
        let loaded =
            diff::load_theme(name, config_dir).map_err(|e| Error::Message(e.to_string()))?;
        Ok(Theme::from_diff(loaded))
    }

    /// Styles from a loaded theme's UI colours.
    pub fn from_diff(theme: diff::LoadedTheme) -> Theme {
        let c = |rgb: Rgb| Color::Rgb(rgb.r, rgb.g, rgb.b);
        let ui = &theme.ui;
        let fg = Style::new().fg(c(ui.base.foreground));
        let badge = |bg: Rgb| {
            Style::new()
                .fg(c(ui.badge.text))
                .bg(c(bg))
                .add_modifier(Modifier::BOLD)
        };
        Theme {
            name: theme.name.clone(),
            text: fg,
            dim: Style::new().fg(c(ui.base.muted)),
            border_focused: Style::new()
                .fg(c(ui.panel.focused_border))
                .add_modifier(Modifier::BOLD),
            border: Style::new().fg(c(ui.panel.border)),
            selected: Style::new()
                .fg(c(ui.panel.selection_fg))
                .bg(c(ui.panel.selection_bg))
                .add_modifier(Modifier::BOLD),
            cursor: Style::new().bg(c(ui.panel.selection_bg)),
            added: Style::new()
                .fg(c(ui.diff.added_marker))
                .bg(c(ui.diff.added_bg)),
            removed: Style::new()
                .fg(c(ui.diff.removed_marker))
                .bg(c(ui.diff.removed_bg)),
            added_emph: Style::new().bg(c(ui.diff.added_emph_bg)),
            removed_emph: Style::new().bg(c(ui.diff.removed_emph_bg)),
            hunk: Style::new().fg(c(ui.diff.hunk_header)),
            notice: Style::new()
                .fg(c(ui.panel.title))
                .add_modifier(Modifier::ITALIC),
            search: Style::new().bg(c(ui.diff.search_match_bg)),
            header: Style::new()
                .fg(c(ui.status_bar.foreground))
                .bg(c(ui.status_bar.background))
                .add_modifier(Modifier::BOLD),
            status: Style::new().fg(c(ui.status_bar.foreground)),
            error: Style::new()
                .fg(c(ui.base.error))
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(c(ui.badge.viewed)),
            tiers: [
                badge(ui.badge.autonomous),
                badge(ui.badge.supervised),
                badge(ui.badge.prohibited),
            ],
            ai: Style::new().fg(c(ui.badge.ai)),
            focus_title: Style::new(),
            source: Some(Arc::new(theme)),
        }
    }

    /// The same theme for a terminal without colours (`NO_COLOR`): every colour dropped, and
    /// what colour alone showed carried by reverse video, bold and underline instead — the
    /// cursor and selection in reverse video, the focused panel's border bold and its title
    /// reversed, word emphasis and search matches underlined — so that moving the cursor or
    /// the focus still changes the screen.
    pub fn without_colour(self) -> Theme {
        let plain = Style::new();
        let bold = plain.add_modifier(Modifier::BOLD);
        let reversed = plain.add_modifier(Modifier::REVERSED);
        let underlined = plain.add_modifier(Modifier::UNDERLINED);
        Theme {
            name: format!("{} (no colour)", self.name),
            text: plain,
            dim: plain.add_modifier(Modifier::DIM),
            border_focused: bold,
            border: plain.add_modifier(Modifier::DIM),
            selected: reversed.add_modifier(Modifier::BOLD),
            cursor: reversed,
            added: plain,
            removed: plain,
            added_emph: underlined.add_modifier(Modifier::BOLD),
            removed_emph: underlined.add_modifier(Modifier::BOLD),
            hunk: bold,
            notice: plain.add_modifier(Modifier::ITALIC),
            search: underlined.add_modifier(Modifier::BOLD),
            header: reversed.add_modifier(Modifier::BOLD),
            status: plain,
            error: bold,
            ok: plain,
            tiers: [bold, bold, reversed.add_modifier(Modifier::BOLD)],
            ai: plain,
            focus_title: reversed.add_modifier(Modifier::BOLD),
            source: self.source,
        }
    }

    /// Whether the environment asks for no colour: `NO_COLOR` set and not empty
    /// (<https://no-color.org>; crossterm then drops every colour it is asked to draw).
    pub fn no_colour_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// The badge style of a tier.
    pub fn tier(&self, tier: Tier) -> Style {
        match tier {
            Tier::Autonomous => self.tiers[0],
            Tier::Supervised => self.tiers[1],
            Tier::Prohibited => self.tiers[2],
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}
