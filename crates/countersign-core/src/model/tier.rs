//! The three governance tiers: shared by the impact analysis (each crate's tier), the policy
//! (which assigns them) and every report.

use std::fmt;

use serde::Serialize;

/// The three governance tiers, ordered: autonomous < supervised < prohibited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// AI may ship alone.
    Autonomous,
    /// A qualified human approves before it ships.
    Supervised,
    /// A human must make the change; AI-generated commits here always fail.
    Prohibited,
}

impl Tier {
    /// All tiers, lowest first.
    pub const ALL: [Tier; 3] = [Tier::Autonomous, Tier::Supervised, Tier::Prohibited];

    /// The name used in policy files and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Autonomous => "autonomous",
            Tier::Supervised => "supervised",
            Tier::Prohibited => "prohibited",
        }
    }

    /// Parses a tier name exactly as written in policy files (lowercase).
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == name)
    }

    /// A four-letter badge for tables and the TUI (`AUTO`, `SUPV`, `PROH`).
    pub fn badge(self) -> &'static str {
        match self {
            Tier::Autonomous => "AUTO",
            Tier::Supervised => "SUPV",
            Tier::Prohibited => "PROH",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
