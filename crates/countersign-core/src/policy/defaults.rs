//! What a policy means when it leaves a key out, in one place so that `policy check`, the
//! README and the parser agree.

use crate::model::Tier;

/// `base` when absent: the trusted branch.
pub(crate) const BASE: &str = "main";

/// `default_tier` when absent.
pub(crate) const DEFAULT_TIER: Tier = Tier::Supervised;

/// `[ai] trailers` when absent: the trailer keys agents and their users write.
pub(crate) const TRAILERS: &[&str] = &["Co-authored-by", "Assisted-by", "Generated-by"];

/// `[ai] line_notes` when absent: where git-ai keeps its authorship logs.
pub const LINE_NOTES: &str = "refs/notes/ai";

/// `[ai] authors` when absent: author e-mails that only coding agents commit under.
///
/// Globs, matched case-insensitively; `[bot]` is escaped because `[...]` is a character class.
/// The `*+` prefix is GitHub's numeric user id in noreply addresses.
pub(crate) const AUTHORS: &[&str] = &[
    "*+copilot@users.noreply.github.com",
    "copilot@github.com",
    "*+copilot-swe-agent\\[bot\\]@users.noreply.github.com",
    "*+devin-ai-integration\\[bot\\]@users.noreply.github.com",
    "devin-ai-integration\\[bot\\]@users.noreply.github.com",
    "*+claude\\[bot\\]@users.noreply.github.com",
    "*+google-labs-jules\\[bot\\]@users.noreply.github.com",
    "cursoragent@cursor.com",
];

/// The role the default `supervised` and `prohibited` tiers require.
pub(crate) const ROLE: &str = "senior";

/// What a tier requires when `[tiers.<name>]` is absent: approvals, and the role (if any).
pub fn requirement(tier: Tier) -> (u32, Option<&'static str>) {
    match tier {
        Tier::Autonomous => (0, None),
        Tier::Supervised => (1, Some(ROLE)),
        Tier::Prohibited => (2, Some(ROLE)),
    }
}
