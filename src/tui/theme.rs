//! The workstation's colours as ratatui styles. Built-in `dark` and `light` palettes; a theme
//! chosen by `--theme` or `config.toml` selects one.

use ratatui::style::{Color, Modifier, Style};

use crate::policy::Tier;
use crate::{Error, Result};

/// Styles for every element the panels draw.
#[derive(Clone, Debug, PartialEq)]
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
}

impl Theme {
    /// The built-in dark palette.
    pub fn dark() -> Theme {
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
        }
    }

    /// The built-in light palette.
    pub fn light() -> Theme {
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
        }
    }

    /// A built-in theme by name.
    pub fn named(name: &str) -> Result<Theme> {
        match name {
            "dark" => Ok(Theme::dark()),
            "light" => Ok(Theme::light()),
            other => Err(Error::Message(format!(
                "unknown theme `{other}`: the built-in themes are dark and light"
            ))),
        }
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
