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
    exact: Matchers,
    /// Every glob, case-insensitively; built when first asked for.
    folded: OnceLock<Matchers>,
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
        let exact = match builder.build() {
            Ok(set) => Matchers::Set(set),
            Err(_) => Matchers::each(&texts, false),
        };
        Ok(RuleGlobs {
            exact,
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
            // Each glob compiled exactly in `new`, so it compiles folded too (and, were it not
            // to, the exact glob keeps the indices aligned with `owners`).
            let mut builder = GlobSetBuilder::new();
            for t in &self.texts {
                if let Ok(g) = glob(t, true).or_else(|_| glob(t, false)) {
                    builder.add(g);
                }
            }
            match builder.build() {
                Ok(set) => Matchers::Set(set),
                Err(_) => Matchers::each(&self.texts, true),
            }
        });
        let mut hits = set.matches(path);
        // A path that folds to itself (most do) would only match the same globs again.
        if folded != path {
            hits.extend(set.matches(folded));
        }
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

/// Globs compiled together: one set, or — should the set outgrow the regex size limit (a
/// policy of tens of thousands of wildcard globs; folded regexes are larger) — one matcher
/// each, slower but losing nothing the rules cover.
#[derive(Clone, Debug)]
enum Matchers {
    Set(GlobSet),
    Each(Vec<globset::GlobMatcher>),
}

impl Default for Matchers {
    fn default() -> Self {
        Matchers::Set(GlobSet::empty())
    }
}

impl Matchers {
    /// One matcher per glob of `texts` (each compiled before, so each compiles).
    fn each(texts: &[String], case_insensitive: bool) -> Matchers {
        Matchers::Each(
            texts
                .iter()
                .filter_map(|t| {
                    glob(t, case_insensitive)
                        .or_else(|_| glob(t, false))
                        .ok()
                        .map(|g| g.compile_matcher())
                })
                .collect(),
        )
    }

    /// Indices of the globs matching `path`, ascending.
    fn matches(&self, path: &Path) -> Vec<usize> {
        match self {
            Matchers::Set(set) => set.matches(path),
            Matchers::Each(each) => (0..each.len())
                .filter(|&i| each[i].is_match(path))
                .collect(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tier;

    fn rules() -> Vec<Rule> {
        [vec!["docs/**", "*.md"], vec!["crates/billing/**"]]
            .into_iter()
            .enumerate()
            .map(|(i, paths)| Rule {
                paths: paths.into_iter().map(str::to_string).collect(),
                crates: Vec::new(),
                tier: Tier::Supervised,
                line: i + 1,
            })
            .collect()
    }

    #[test]
    fn rules_match_in_rule_order_with_their_first_glob_and_fold_case_either_way() {
        let g = RuleGlobs::new(&rules()).expect("compiles");
        assert_eq!(g.matching(Path::new("docs/a.md")), [(0, 0)]);
        assert_eq!(g.matching(Path::new("crates/billing/src/lib.rs")), [(1, 0)]);
        assert!(g.matching(Path::new("DOCS/a.txt")).is_empty());
        let path = Path::new("Crates/Billing/src/lib.rs");
        let folded = Path::new("crates/billing/src/lib.rs");
        assert_eq!(g.matching_folded(path, folded), [1]);
        // The glob-by-glob fallback (past the regex size limit) answers the same.
        let each = RuleGlobs {
            folded: OnceLock::from(Matchers::Each(
                g.texts
                    .iter()
                    .map(|t| glob(t, true).expect("glob").compile_matcher())
                    .collect(),
            )),
            ..g.clone()
        };
        assert_eq!(each.matching_folded(path, folded), [1]);
        assert_eq!(
            each.matching_folded(Path::new("DOCS/A.TXT"), Path::new("docs/a.txt")),
            [0]
        );
    }
}
