//! `countersign policy check`: validate the policy and roster (work tree, or a revision).

use std::path::Path;

use super::args::PolicyCheckArgs;
use super::{Context, EXIT_ERROR, EXIT_OK};
use crate::git::{GitTree, WorkTree};
use crate::impact::Workspace;
use crate::policy::{self, Diagnostics};
use crate::util::escape;
use crate::util::pipe::{self, Printer};
use crate::{Error, Result};

/// How many warnings `policy check` prints before counting the rest.
const MAX_WARNINGS: usize = 20;

/// Runs `policy check`: prints every problem at once and exits 2, or a summary and exits 0.
pub fn run(cwd: &Path, args: &PolicyCheckArgs) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let loaded = match &args.rev {
        Some(rev) => policy::load_trusted(&ctx.repo, rev),
        None => policy::load_worktree(workdir(&ctx)?),
    };
    let mut problems = Diagnostics::default();
    let trusted = match loaded {
        Ok(t) => Some(t),
        Err(Error::Policy(d)) => {
            problems.0.extend(d.0);
            None
        }
        Err(e) => return Err(e),
    };
    // Cargo metadata tiers are part of the policy too: read from the same place.
    let workspace = match &args.rev {
        Some(rev) => Workspace::load(&GitTree::at(&ctx.repo, rev)?)?,
        None => Workspace::load(&WorkTree {
            root: workdir(&ctx)?.to_path_buf(),
        })?,
    };
    problems.0.extend(workspace.problems.clone());
    if !problems.is_empty() {
        // The report quotes lines of files from the work tree: escaped, capped (see
        // `Diagnostic`), repeats summarised.
        pipe::warn(escape::text(&problems.to_string(), ""));
        return Ok(EXIT_ERROR);
    }
    let mut out = Printer::stdout();
    if let Some(t) = trusted {
        let (policy_file, roster_file) = match &args.rev {
            Some(rev) => (
                format!("{rev}:{}", policy::POLICY_PATH),
                format!("{rev}:{}", policy::ROSTER_PATH),
            ),
            None => (
                policy::POLICY_PATH.to_string(),
                policy::ROSTER_PATH.to_string(),
            ),
        };
        let crates: Vec<&str> = workspace.members.iter().map(|m| m.name.as_str()).collect();
        let mut findings =
            policy::lint::lint(&t, &crates, &policy_file, &roster_file, chrono::Utc::now());
        let files = tracked_files(&ctx.repo, args.rev.as_deref())?;
        findings.extend(policy::lint::unmatched_globs(&t, &files, &policy_file));
        let scan = scan(&ctx.repo, args.rev.as_deref(), &workspace);
        findings.extend(ineffective_rules(
            &t,
            &workspace,
            scan.as_ref(),
            &files,
            &policy_file,
        ));
        // Errors all; warnings up to a point (40,000 rules can name 40,000 missing crates).
        let mut warned = 0;
        for f in &findings {
            if !f.fatal {
                warned += 1;
                if warned > MAX_WARNINGS {
                    continue;
                }
            }
            pipe::warn(escape::line(&f.to_string()));
        }
        if warned > MAX_WARNINGS {
            pipe::warn(format_args!(
                "… and {} more warnings like these",
                warned - MAX_WARNINGS
            ));
        }
        if findings.iter().any(|f| f.fatal) {
            return Ok(EXIT_ERROR);
        }
        for form in unresolved_forms(scan.as_ref()) {
            pipe::warn(escape::line(&form));
        }
        out.line(escape::line(&policy::summary(&t)));
        let least = crate::policy::tier::Classifier::new(&t.policy, &workspace).build_code_tier();
        out.line(format_args!(
            "build-time code (build scripts, proc macros, members used by them or as build \
             dependencies, vendored crates, .cargo/config and rust-toolchain files at any \
             depth) is at least {least} \
             ([escalation] build_code)"
        ));
    }
    out.finish(EXIT_OK)
}

/// What crates compile in REV's tree (HEAD's for the work tree), None when there is no
/// such commit or it cannot be read.
fn scan(
    repo: &git2::Repository,
    rev: Option<&str>,
    ws: &Workspace,
) -> Option<crate::impact::compiled::Inclusions> {
    let commit = repo
        .revparse_single(rev.unwrap_or("HEAD"))
        .and_then(|o| o.peel_to_commit())
        .ok()?;
    crate::impact::compiled::scan_tree(repo, commit.id(), ws).ok()
}

/// A warning for each inclusion form the gate cannot resolve: the crate then may compile
/// any file, so every file outside it takes its tier until its owners write the path as a
/// literal.
fn unresolved_forms(scan: Option<&crate::impact::compiled::Inclusions>) -> Vec<String> {
    let Some(found) = scan else {
        return Vec::new();
    };
    found
        .unresolved()
        .map(|(krate, form)| {
            format!(
                "warning: `{krate}` may include any file outside it: {form}; the gate gives \
                 every file outside `{krate}` its tier until the path is a literal (or a \
                 concat! of literals and env!(\"CARGO_MANIFEST_DIR\"))"
            )
        })
        .collect()
}

/// Warnings for path rules that can never take effect: every tracked file they match gets a
/// higher tier from another rule or from a crate that compiles it (a rule never lowers).
fn ineffective_rules(
    t: &policy::Trusted,
    ws: &Workspace,
    scan: Option<&crate::impact::compiled::Inclusions>,
    files: &[String],
    policy_file: &str,
) -> Vec<policy::lint::Finding> {
    let none = crate::impact::compiled::Inclusions::default();
    let classifier =
        crate::policy::tier::Classifier::new(&t.policy, ws).with_inclusions(scan.unwrap_or(&none));
    // Rule → (files it matches, one file that gets a higher tier, with why).
    let mut seen: std::collections::BTreeMap<usize, (usize, Option<(String, String)>)> =
        Default::default();
    let mut effective: std::collections::BTreeSet<usize> = Default::default();
    for f in files {
        let mut rules: Vec<usize> = t
            .policy
            .path_globs
            .each_match(Path::new(f))
            .map(|(r, _)| r)
            .collect();
        rules.dedup();
        if rules.is_empty() {
            continue;
        }
        let got = classifier.path_tier(&crate::git::GitPath::from(f.as_str()), ws);
        for r in rules {
            let Some(rule) = t.policy.rules.get(r) else {
                continue;
            };
            let entry = seen.entry(r).or_default();
            entry.0 += 1;
            if got.tier <= rule.tier {
                effective.insert(r);
            } else if entry.1.is_none() {
                entry.1 = Some((f.clone(), got.why.clone()));
            }
        }
    }
    seen.into_iter()
        .filter(|(r, _)| !effective.contains(r))
        .filter_map(|(r, (count, example))| {
            let rule = t.policy.rules.get(r)?;
            let (file, why) = example?;
            Some(policy::lint::Finding {
                file: policy_file.to_string(),
                line: rule.line,
                message: format!(
                    "this rule ({}) never takes effect: each of the {count} files it matches \
                     gets a higher tier (`{file}`: {why})",
                    rule.tier
                ),
                fatal: false,
            })
        })
        .collect()
}

fn workdir(ctx: &Context) -> Result<&Path> {
    ctx.repo
        .workdir()
        .ok_or_else(|| Error::BareRepository(ctx.repo.path().to_path_buf()))
}

/// The files the policy's globs are matched against: those of REV's tree, or (work tree) the
/// files git tracks in the index.
fn tracked_files(repo: &git2::Repository, rev: Option<&str>) -> crate::Result<Vec<String>> {
    let mut files = Vec::new();
    match rev {
        Some(rev) => {
            let tree = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_tree())
                .map_err(crate::Error::git(format!("reading the tree of {rev}")))?;
            let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                if e.kind() != Some(git2::ObjectType::Tree) {
                    files.push(format!("{dir}{}", String::from_utf8_lossy(e.name_bytes())));
                }
                git2::TreeWalkResult::Ok
            });
        }
        None => {
            let index = repo
                .index()
                .map_err(crate::Error::git("reading the index"))?;
            files.extend(
                index
                    .iter()
                    .map(|e| String::from_utf8_lossy(&e.path).into_owned()),
            );
        }
    }
    Ok(files)
}
