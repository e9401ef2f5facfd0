//! Every `[[rules]]` path glob of a policy compiled into one set, so that a path is matched
//! against the whole policy at once: linear in the number of rules to build and fast to
//! query, where one compiled set per rule made a 40,000-rule policy cost seconds.

use std::path::Path;
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::Rule;

/// The path globs of all rules, exact (as rules mean them) and case-folded (what a rule covers
/// on a case-insensitive checkout, compiled on first use).
#[derive(Clone, Debug, Default)]
pub struct RuleGlobs {
    /// Every glob, as rules mean them.
    exact: GlobSet,
    /// Every glob, case-insensitively; built when first asked for.
    folded: OnceLock<GlobSet>,
    /// Glob index in the sets → (rule index, glob index within the rule).
    owners: Vec<(usize, usize)>,
    /// The globs as written, in set order (for the folded set).
    texts: Vec<String>,
}

impl RuleGlobs {
    /// Compiles the path globs of `rules` (each of them parsed already).
    pub fn new(rules: &[Rule]) -> Result<Self, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        let mut owners = Vec::new();
        let mut texts = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for (g, text) in rule.paths.iter().enumerate() {
                builder.add(glob(text, false)?);
                owners.push((r, g));
                texts.push(text.clone());
            }
        }
        Ok(RuleGlobs {
            exact: builder.build()?,
            folded: OnceLock::new(),
            owners,
            texts,
        })
    }

    /// The rules with a path glob matching `path`, in rule order, each with the index of its
    /// first matching glob.
    pub fn matching(&self, path: &Path) -> Vec<(usize, usize)> {
        self.owned(self.exact.matches(path))
    }

    /// The rules with a glob matching `path` or `folded` when compared case-insensitively,
    /// in rule order.
    pub fn matching_folded(&self, path: &Path, folded: &Path) -> Vec<usize> {
        let set = self.folded.get_or_init(|| {
            let mut builder = GlobSetBuilder::new();
            for text in &self.texts {
                // Each glob compiled exactly in `new`, so it compiles folded too.
                if let Ok(g) = glob(text, true) {
                    builder.add(g);
                }
            }
            builder.build().unwrap_or_else(|_| GlobSet::empty())
        });
        let mut hits = set.matches(path);
        hits.extend(set.matches(folded));
        self.owned(hits).into_iter().map(|(r, _)| r).collect()
    }

    /// Indices of the globs (in set order) matching `path`, with their rule and place.
    pub fn each_match(&self, path: &Path) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.exact
            .matches(path)
            .into_iter()
            .filter_map(|i| self.owners.get(i).copied())
    }

    fn owned(&self, mut hits: Vec<usize>) -> Vec<(usize, usize)> {
        hits.sort_unstable();
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in hits {
            if let Some(&(r, g)) = self.owners.get(i) {
                if out.last().is_none_or(|&(last, _)| last != r) {
                    out.push((r, g));
                }
            }
        }
        out
    }
}

/// A path glob as policy rules mean it: `*` stays within one directory, `**` crosses them.
pub(crate) fn glob(text: &str, case_insensitive: bool) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .case_insensitive(case_insensitive)
        .build()
}
