//! Themes and the user's config file.
//!
//! A theme is two files with the same name: `NAME.toml` holds the UI colours ([`UiColors`]),
//! `NAME.tmTheme` the syntax colours (TextMate's plist format, the one bat and delta read).
//! The built-in themes (`dark`, `light`) are compiled into the binary from `themes/`.
//! [`load_theme`] looks in the config directory's `themes/` first, so a user's `dark.toml`
//! replaces the built-in `dark`, and any other name adds a theme.
//!
//! The config file is `config.toml` in the config directory (the caller finds the directory,
//! with `directories::ProjectDirs::from("", "", "countersign")`); [`load_config`] reads it.

use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use syntect::highlighting::ThemeSet;

/// The built-in themes: name, UI colours (TOML), syntax colours (tmTheme).
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "dark",
        include_str!("../../../../themes/dark.toml"),
        include_str!("../../../../themes/dark.tmTheme"),
    ),
    (
        "light",
        include_str!("../../../../themes/light.toml"),
        include_str!("../../../../themes/light.tmTheme"),
    ),
];

/// The theme used when neither `--theme` nor the config file names one.
pub const DEFAULT_THEME: &str = "dark";

/// The names of the built-in themes.
pub(crate) fn builtin_theme_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(name, _, _)| *name).collect()
}

/// A 24-bit colour. The TUI converts it to its terminal library's colour type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Rgb {
    /// The red component, 0–255.
    pub r: u8,
    /// The green component, 0–255.
    pub g: u8,
    /// The blue component, 0–255.
    pub b: u8,
}

impl Rgb {
    /// A colour from its three components.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Rgb { r, g, b }
    }

    /// Parses `#rrggbb` (the `#` is required, hex digits in either case).
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb::new(byte(0)?, byte(2)?, byte(4)?))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Rgb::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a colour: write it as \"#rrggbb\", e.g. \"#1e1f24\""
            ))
        })
    }
}

/// The UI colours of a theme, as written in its `NAME.toml`. Every key is required, so a
/// theme file states its whole palette; unknown keys are errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiColors {
    /// Screen background and text.
    pub base: BaseColors,
    /// The diff panel.
    pub diff: DiffColors,
    /// Panel frames and the selection.
    pub panel: PanelColors,
    /// Badges in the commit and file list and the impact panel.
    pub badge: BadgeColors,
    /// The status line at the bottom.
    pub status_bar: BarColors,
    /// Dialogs (sign, help, comment editor).
    pub dialog: DialogColors,
}

/// Screen background and text.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseColors {
    /// Background of every panel.
    pub background: Rgb,
    /// Default text (and unhighlighted code).
    pub foreground: Rgb,
    /// Secondary text: hints, paths' directories, "computing…".
    pub muted: Rgb,
    /// Errors and warnings in panels.
    pub error: Rgb,
}

/// The diff panel.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffColors {
    /// Background of an added line.
    pub added_bg: Rgb,
    /// Background of a removed line.
    pub removed_bg: Rgb,
    /// Background of the changed words of an added line.
    pub added_emph_bg: Rgb,
    /// Background of the changed words of a removed line.
    pub removed_emph_bg: Rgb,
    /// The `+`/`-` marker of an added line.
    pub added_marker: Rgb,
    /// The `+`/`-` marker of a removed line.
    pub removed_marker: Rgb,
    /// Line numbers in the gutter.
    pub line_number: Rgb,
    /// `@@ … @@` hunk headers.
    pub hunk_header: Rgb,
    /// Background of search matches.
    pub search_match_bg: Rgb,
}

/// Panel frames and the selection.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelColors {
    /// Frame of an unfocused panel.
    pub border: Rgb,
    /// Frame of the focused panel.
    pub focused_border: Rgb,
    /// Panel titles.
    pub title: Rgb,
    /// Background of the selected row.
    pub selection_bg: Rgb,
    /// Text of the selected row.
    pub selection_fg: Rgb,
}

/// Badges: each is drawn as `text` on its colour.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeColors {
    /// Text drawn on a badge.
    pub text: Rgb,
    /// The autonomous tier.
    pub autonomous: Rgb,
    /// The supervised tier.
    pub supervised: Rgb,
    /// The prohibited tier.
    pub prohibited: Rgb,
    /// The AI-generated mark.
    pub ai: Rgb,
    /// The "viewed" check mark beside a file (a foreground colour, not a badge).
    pub viewed: Rgb,
}

/// A bar: background and text, plus the colour keys are drawn in.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarColors {
    /// The bar's background.
    pub background: Rgb,
    /// Its text.
    pub foreground: Rgb,
    /// Key names (`j/k`, `a`).
    pub key: Rgb,
}

/// The colours of dialogs (sign, help, comment, search).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialogColors {
    /// The dialog's background.
    pub background: Rgb,
    /// Its text.
    pub foreground: Rgb,
    /// Its frame.
    pub border: Rgb,
}

/// A loaded theme: UI colours plus the syntax theme the highlighter uses.
#[derive(Clone, Debug)]
pub struct LoadedTheme {
    /// The name it was loaded by.
    pub name: String,
    /// Where it came from.
    pub source: ThemeSource,
    /// UI colours.
    pub ui: UiColors,
    /// Syntax colours, shared (cheap to clone, `Send + Sync`).
    pub syntax: Arc<syntect::highlighting::Theme>,
}

/// Where a theme was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThemeSource {
    /// Compiled into the binary.
    BuiltIn,
    /// The user's `themes/NAME.toml` (this path) and its `NAME.tmTheme`.
    User(PathBuf),
}

/// Why a theme or the config file could not be loaded. Each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// No user theme and no built-in of that name.
    #[error("unknown theme `{name}`: available themes are {}{}", .available.join(", "), .searched.as_ref().map(|p| format!(" (user themes are read from {})", p.display())).unwrap_or_default())]
    Unknown {
        /// The name asked for.
        name: String,
        /// Every name that would have worked, sorted.
        available: Vec<String>,
        /// The user theme directory that was searched, if any.
        searched: Option<PathBuf>,
    },
    /// A TOML file (theme or config) that does not parse or has wrong keys or values.
    #[error("{}:{line}:{column}: {message}", .file.display())]
    Toml {
        /// The theme file that failed to parse.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A `.tmTheme` that is not a valid TextMate theme.
    #[error("{}: not a valid TextMate theme (.tmTheme plist): {message}", .file.display())]
    TmTheme {
        /// The `.tmTheme` file that failed to parse.
        file: PathBuf,
        /// The parser's complaint.
        message: String,
    },
    /// A user theme's TOML without its `.tmTheme` beside it.
    #[error("{}: the theme's syntax colours are missing: add {} beside it (a TextMate .tmTheme), or set `syntax = \"dark\"` (a built-in name) in the TOML", .toml.display(), .expected.display())]
    MissingTmTheme {
        /// The theme's TOML file.
        toml: PathBuf,
        /// Where the tmTheme was looked for.
        expected: PathBuf,
    },
    /// A file that exists but cannot be read.
    #[error("{}: {source}", .file.display())]
    Io {
        /// The file that could not be read.
        file: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl From<ThemeError> for crate::Error {
    fn from(e: ThemeError) -> Self {
        crate::Error::Message(e.to_string())
    }
}

/// A theme's TOML file: the UI colours, and optionally which built-in syntax theme to use
/// when no `.tmTheme` sits beside it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    /// A built-in syntax theme name, for user themes that only restyle the UI.
    syntax: Option<String>,
    base: BaseColors,
    diff: DiffColors,
    panel: PanelColors,
    badge: BadgeColors,
    status_bar: BarColors,
    dialog: DialogColors,
}

impl ThemeFile {
    fn ui(self) -> UiColors {
        UiColors {
            base: self.base,
            diff: self.diff,
            panel: self.panel,
            badge: self.badge,
            status_bar: self.status_bar,
            dialog: self.dialog,
        }
    }
}

/// Loads the theme called `name`: the user's `config_dir/themes/NAME.toml` (with
/// `NAME.tmTheme` beside it) when it exists, else the built-in theme of that name.
///
/// Errors: an unknown name lists every available theme; a broken TOML names the file, line
/// and column; a broken tmTheme names the file.
pub fn load_theme(name: &str, config_dir: Option<&Path>) -> Result<LoadedTheme, ThemeError> {
    let user_dir = config_dir.map(|d| d.join("themes"));
    if let Some(dir) = user_dir.as_ref().filter(|_| is_plain_name(name)) {
        let toml_path = dir.join(format!("{name}.toml"));
        if toml_path.is_file() {
            return load_user_theme(name, &toml_path);
        }
    }
    if let Some((_, toml_text, tm_text)) = BUILTIN.iter().find(|(n, _, _)| *n == name) {
        let file = PathBuf::from(format!("<built-in>/themes/{name}.toml"));
        let parsed = parse_theme_toml(&file, toml_text)?;
        let tm_file = PathBuf::from(format!("<built-in>/themes/{name}.tmTheme"));
        return Ok(LoadedTheme {
            name: name.to_string(),
            source: ThemeSource::BuiltIn,
            ui: parsed.ui(),
            syntax: Arc::new(parse_tmtheme(&tm_file, tm_text.as_bytes())?),
        });
    }
    Err(ThemeError::Unknown {
        name: name.to_string(),
        available: available_themes(config_dir),
        searched: user_dir,
    })
}

/// Every theme name [`load_theme`] accepts with this config directory, sorted.
pub(crate) fn available_themes(config_dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = builtin_theme_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    if let Some(entries) = config_dir.and_then(|d| std::fs::read_dir(d.join("themes")).ok()) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    names.push(stem.to_string());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// A theme name must not reach outside the themes directory.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != ".."
}

fn load_user_theme(name: &str, toml_path: &Path) -> Result<LoadedTheme, ThemeError> {
    let text = read(toml_path)?;
    let parsed = parse_theme_toml(toml_path, &text)?;
    let tm_path = toml_path.with_extension("tmTheme");
    let syntax = if tm_path.is_file() {
        let bytes = std::fs::read(&tm_path).map_err(|source| ThemeError::Io {
            file: tm_path.clone(),
            source,
        })?;
        parse_tmtheme(&tm_path, &bytes)?
    } else if let Some(builtin) = &parsed.syntax {
        match BUILTIN.iter().find(|(n, _, _)| n == builtin) {
            Some((n, _, tm)) => parse_tmtheme(
                Path::new(&format!("<built-in>/themes/{n}.tmTheme")),
                tm.as_bytes(),
            )?,
            None => {
                return Err(ThemeError::Unknown {
                    name: builtin.clone(),
                    available: builtin_theme_names()
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                    searched: None,
                })
            }
        }
    } else {
        return Err(ThemeError::MissingTmTheme {
            toml: toml_path.to_path_buf(),
            expected: tm_path,
        });
    };
    Ok(LoadedTheme {
        name: name.to_string(),
        source: ThemeSource::User(toml_path.to_path_buf()),
        ui: parsed.ui(),
        syntax: Arc::new(syntax),
    })
}

fn read(path: &Path) -> Result<String, ThemeError> {
    std::fs::read_to_string(path).map_err(|source| ThemeError::Io {
        file: path.to_path_buf(),
        source,
    })
}

fn parse_theme_toml(file: &Path, text: &str) -> Result<ThemeFile, ThemeError> {
    let parsed: ThemeFile = parse_toml(file, text)?;
    Ok(parsed)
}

/// Parses TOML into `T`, turning an error into [`ThemeError::Toml`] with line and column.
fn parse_toml<T: serde::de::DeserializeOwned>(file: &Path, text: &str) -> Result<T, ThemeError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| line_column(text, s.start))
            .unwrap_or((1, 1));
        ThemeError::Toml {
            file: file.to_path_buf(),
            line,
            column,
            message: e.message().trim_end().to_string(),
        }
    })
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn parse_tmtheme(file: &Path, bytes: &[u8]) -> Result<syntect::highlighting::Theme, ThemeError> {
    ThemeSet::load_from_reader(&mut Cursor::new(bytes)).map_err(|e| {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        ThemeError::TmTheme {
            file: file.to_path_buf(),
            message,
        }
    })
}

/// The user's settings, from `config.toml` in the config directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The theme's name (`theme = "light"`); `None` means [`DEFAULT_THEME`].
    pub theme: Option<String>,
    /// Columns a tab expands to in the diff (`tab_width = 8`); `None` means 4.
    pub tab_width: Option<usize>,
}

impl Config {
    /// Columns a tab expands to: this config's `tab_width` (1 to 16), else 4.
    pub fn tab_width(&self) -> usize {
        self.tab_width.filter(|w| (1..=16).contains(w)).unwrap_or(4)
    }

    /// The theme to use: this config's, or [`DEFAULT_THEME`].
    pub fn theme_name(&self) -> &str {
        self.theme.as_deref().unwrap_or(DEFAULT_THEME)
    }
}

/// Reads `config_dir/config.toml`. A missing file (or directory) is the default config;
/// a file that does not parse, or has a key countersign does not know, is an error naming
/// the file, line and column.
pub fn load_config(config_dir: &Path) -> Result<Config, ThemeError> {
    let path = config_dir.join("config.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_toml(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(ThemeError::Io { file: path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("themes")).expect("themes dir");
        dir
    }

    #[test]
    fn builtin_themes_load_and_differ() {
        let dark = load_theme("dark", None).expect("dark");
        let light = load_theme("light", None).expect("light");
        assert_eq!(dark.source, ThemeSource::BuiltIn);
        assert_ne!(dark.ui.base.background, light.ui.base.background);
        assert!(!dark.syntax.scopes.is_empty());
        assert_ne!(
            dark.syntax.settings.background,
            light.syntax.settings.background
        );
    }

    #[test]
    fn user_theme_overrides_builtin_of_same_name() {
        let dir = user_dir();
        let light_toml = BUILTIN[1].1.replace("[base]", "[base]\n# mine");
        let light_toml = light_toml.replacen(
            &format!(
                "background = \"{}\"",
                load_theme("light", None).expect("light").ui.base.background
            ),
            "background = \"#123456\"",
            1,
        );
        std::fs::write(dir.path().join("themes/dark.toml"), light_toml).expect("write");
        std::fs::write(dir.path().join("themes/dark.tmTheme"), BUILTIN[1].2).expect("write");
        let theme = load_theme("dark", Some(dir.path())).expect("user dark");
        assert_eq!(theme.ui.base.background, Rgb::new(0x12, 0x34, 0x56));
        assert_eq!(
            theme.source,
            ThemeSource::User(dir.path().join("themes/dark.toml"))
        );
        // Other names still resolve to the built-ins, and the user theme is listed.
        assert_eq!(
            load_theme("light", Some(dir.path())).expect("light").source,
            ThemeSource::BuiltIn
        );
    }

    #[test]
    fn user_theme_may_borrow_a_builtin_syntax_theme() {
        let dir = user_dir();
        let text = format!("syntax = \"light\"\n{}", BUILTIN[0].1);
        std::fs::write(dir.path().join("themes/mine.toml"), text).expect("write");
        let theme = load_theme("mine", Some(dir.path())).expect("mine");
        let light = load_theme("light", None).expect("light");
        assert_eq!(
            theme.syntax.settings.background,
            light.syntax.settings.background
        );
        assert!(available_themes(Some(dir.path())).contains(&"mine".to_string()));
    }

    #[test]
    fn user_theme_without_tmtheme_names_the_missing_file() {
        let dir = user_dir();
        std::fs::write(dir.path().join("themes/bare.toml"), BUILTIN[0].1).expect("write");
        let err = load_theme("bare", Some(dir.path()))
            .expect_err("no tmTheme")
            .to_string();
        assert!(err.contains("bare.tmTheme"), "{err}");
    }

    #[test]
    fn unknown_theme_lists_the_available_names() {
        let dir = user_dir();
        std::fs::write(dir.path().join("themes/solar.toml"), "").expect("write");
        let err = load_theme("nope", Some(dir.path()))
            .expect_err("unknown")
            .to_string();
        assert!(err.starts_with("unknown theme `nope`"), "{err}");
        assert!(err.contains("dark, light, solar"), "{err}");
        assert!(load_theme("../dark", Some(dir.path())).is_err());
    }

    #[test]
    fn broken_toml_names_file_line_and_column() {
        let dir = user_dir();
        let path = dir.path().join("themes/broken.toml");
        let text = BUILTIN[0]
            .1
            .replacen("added_bg = ", "added_bg = \"#12345\" # ", 1);
        std::fs::write(&path, &text).expect("write");
        let line = text
            .lines()
            .position(|l| l.starts_with("added_bg"))
            .expect("line")
            + 1;
        let err = load_theme("broken", Some(dir.path())).expect_err("broken");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}:{line}:12: ", path.display())),
            "{msg}"
        );
        assert!(msg.contains("#rrggbb"), "{msg}");

        std::fs::write(&path, "[base\n").expect("write");
        let msg = load_theme("broken", Some(dir.path()))
            .expect_err("syntax error")
            .to_string();
        assert!(msg.starts_with(&format!("{}:1:", path.display())), "{msg}");
    }

    #[test]
    fn unknown_theme_key_is_an_error_with_position() {
        let dir = user_dir();
        let path = dir.path().join("themes/typo.toml");
        let text = BUILTIN[0]
            .1
            .replacen("[diff]\n", "[diff]\nadded_bgg = \"#000000\"\n", 1);
        std::fs::write(&path, &text).expect("write");
        let line = text
            .lines()
            .position(|l| l.starts_with("added_bgg"))
            .expect("line")
            + 1;
        let msg = load_theme("typo", Some(dir.path()))
            .expect_err("typo")
            .to_string();
        assert!(
            msg.starts_with(&format!("{}:{line}:1: ", path.display())),
            "{msg}"
        );
    }

    #[test]
    fn broken_tmtheme_names_the_file() {
        let dir = user_dir();
        std::fs::write(dir.path().join("themes/bad.toml"), BUILTIN[0].1).expect("write");
        let tm = dir.path().join("themes/bad.tmTheme");
        std::fs::write(&tm, "<?xml version=\"1.0\"?><plist><dict><key>x").expect("write");
        let msg = load_theme("bad", Some(dir.path()))
            .expect_err("bad tmTheme")
            .to_string();
        assert!(msg.starts_with(&format!("{}: ", tm.display())), "{msg}");
    }

    #[test]
    fn config_reads_tab_width_with_a_default_of_four() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(Config::default().tab_width(), 4);
        std::fs::write(dir.path().join("config.toml"), "tab_width = 8\n").expect("write");
        assert_eq!(load_config(dir.path()).expect("ok").tab_width(), 8);
        std::fs::write(dir.path().join("config.toml"), "tab_width = 0\n").expect("write");
        assert_eq!(load_config(dir.path()).expect("ok").tab_width(), 4);
    }

    #[test]
    fn config_reads_theme_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(load_config(dir.path()).expect("missing"), Config::default());
        assert_eq!(Config::default().theme_name(), "dark");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"light\"\n").expect("write");
        assert_eq!(load_config(dir.path()).expect("ok").theme_name(), "light");
        std::fs::write(&path, "theme = \"light\"\ncolour = \"red\"\n").expect("write");
        let msg = load_config(dir.path())
            .expect_err("unknown key")
            .to_string();
        assert!(
            msg.starts_with(&format!("{}:2:1: ", path.display())),
            "{msg}"
        );
        assert!(msg.contains("colour"), "{msg}");
    }

    #[test]
    fn rgb_parses_and_prints() {
        assert_eq!(Rgb::parse("#0aFf10"), Some(Rgb::new(10, 255, 16)));
        assert_eq!(Rgb::new(10, 255, 16).to_string(), "#0aff10");
        for bad in ["0aff10", "#0aff1", "#0aff1g", "#ééé"] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }
}
