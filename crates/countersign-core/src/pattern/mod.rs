//! The pattern over history (`countersign report`): how much of each crate agents wrote and
//! at which tier, how fast supervised changes get approved and by whom, what was rejected,
//! which AI changes a later commit changed again soon after, and where the blast radius
//! keeps reaching.
//!
//! Three passes, each linear in the history:
//!
//! 1. **Judge** every commit as `status` does ([`crate::review::Review`] under today's trusted
//!    policy and roster, notes pinned): provenance (rules and line notes), tier, state,
//!    sign-offs, and the crates its blast radius reaches.
//! 2. **Count lines**: each commit's diff against its first parent, as `git log --numstat`
//!    reads it (added lines per file; binary files and files over 8 MiB count none).
//! 3. **Find fixes** ([`fixes`]): for a later commit that changes lines of a file an AI commit
//!    added lines to within the window, blame those lines (bounded to the window) and count
//!    the ones that came from the AI commit.
//!
//! Months are UTC; dates are what commits and sign-offs claim ([`model::DATES_NOTE`]).

pub mod fixes;
pub mod model;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use git2::{Oid, Repository};

use crate::model::CommitId;
use crate::review::{Assessment, Purpose, Resolved, Review, TrustedRef};
use crate::signoff::{Decision, ReviewState};
use crate::{Error, Result};
pub use model::PatternReport;
use model::{AgentRow, Bucket, CrateReach, CrateRow, Latency, Period, Reject};

/// What to report on.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// Only commits dated on or after this day (UTC).
    pub since: Option<NaiveDate>,
    /// An AI commit changed again within this many days counts as fixed soon after.
    pub fix_window_days: u32,
}

/// Progress: (phase, done, total).
pub type Tick<'a> = &'a mut dyn FnMut(&'static str, usize, usize);

/// What the report keeps of one commit.
struct KeptCommit {
    oid: Oid,
    time: i64,
    month: String,
    a: Assessment,
    /// Added lines per path.
    added: BTreeMap<String, u64>,
    /// The crate of each path, as the verdict placed it.
    crate_of: HashMap<String, String>,
}

/// The crate files outside every workspace member are counted under.
pub const NO_CRATE: &str = "(no crate)";

/// Builds the report on `commits` (oldest first) judged under `trusted`.
pub fn build(
    repo: &Repository,
    trusted: &TrustedRef,
    commits: Vec<Oid>,
    range: &str,
    opts: &ReportOptions,
    tick: Tick<'_>,
) -> Result<PatternReport> {
    let since = opts
        .since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp());
    let mut kept = Vec::with_capacity(commits.len());
    for id in commits {
        let c = repo
            .find_commit(id)
            .map_err(Error::git(format!("reading commit {id}")))?;
        let time = c.committer().when().seconds();
        if since.is_none_or(|s| time >= s) {
            kept.push((id, time));
        }
    }
    let mut report = PatternReport {
        schema_version: model::SCHEMA_VERSION,
        trusted_ref: trusted.name.clone(),
        trusted_commit: trusted.commit.to_string(),
        range: range.to_string(),
        since: opts.since.map(|d| d.format("%Y-%m-%d").to_string()),
        fix_window_days: opts.fix_window_days,
        dates_note: model::DATES_NOTE.to_string(),
        ..PatternReport::default()
    };
    if kept.is_empty() {
        return Ok(report);
    }
    let resolved = Resolved {
        trusted: trusted.clone(),
        commits: kept.iter().map(|(id, _)| *id).collect(),
        range: range.to_string(),
    };
    let mut review = Review::reopen(repo, &resolved, Purpose::Triage)?;
    // Each verdict is cut down to what the report counts as soon as it is made: a long
    // history's verdicts, every path with its reasons, never sit in memory together.
    let mut assessed: HashMap<CommitId, (Assessment, HashMap<String, String>)> = HashMap::new();
    review.assess_each_with(&mut |i, n, _| tick("judging", i, n), &mut |a| {
        let kept = slim(a);
        assessed.insert(kept.0.commit, kept);
        Ok(())
    })?;
    drop(review);
    let total = kept.len();
    let mut rows = Vec::with_capacity(total);
    for (i, (oid, time)) in kept.into_iter().enumerate() {
        tick("counting lines", i, total);
        let Some((a, crate_of)) = assessed.remove(&CommitId::from(oid)) else {
            continue;
        };
        let added = added_lines(repo, oid)?;
        rows.push(KeptCommit {
            oid,
            time,
            month: month_of(time),
            a,
            added,
            crate_of,
        });
    }
    report.fixes = fixes::find(repo, &rows_view(&rows), opts.fix_window_days, tick)?;
    aggregate(&mut report, &rows);
    Ok(report)
}

/// `a` without what the report never reads (the per-path verdicts and every sentence of
/// reasons), with the crate of each of its paths.
fn slim(mut a: Assessment) -> (Assessment, HashMap<String, String>) {
    let crate_of = std::mem::take(&mut a.verdict.paths)
        .into_iter()
        .map(|p| {
            (
                String::from_utf8_lossy(p.path.as_bytes()).into_owned(),
                p.crate_name.unwrap_or_else(|| NO_CRATE.to_string()),
            )
        })
        .collect();
    a.verdict.reasons = Vec::new();
    a.tier_reasons = Vec::new();
    a.checkout_attributes = Vec::new();
    a.line_note_problems = Vec::new();
    a.gate.problems = Vec::new();
    for c in &mut a.verdict.crates {
        c.why = String::new();
    }
    (a, crate_of)
}

/// What [`fixes::find`] needs of each commit.
fn rows_view(rows: &[KeptCommit]) -> Vec<fixes::Commit<'_>> {
    rows.iter()
        .map(|r| fixes::Commit {
            oid: r.oid,
            time: r.time,
            summary: &r.a.summary,
            agent: r.a.ai.as_ref().map(|p| p.agent.as_str()),
            ai_files: r
                .a
                .ai
                .as_ref()
                .map(|p| match &p.lines {
                    Some(l) => l.files.keys().cloned().collect(),
                    None => r.added.keys().cloned().collect(),
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn month_of(time: i64) -> String {
    DateTime::<Utc>::from_timestamp(time, 0)
        .map_or_else(|| "unknown".to_string(), |t| t.format("%Y-%m").to_string())
}

/// Every added line of `commit` against its first parent, counted per path (numstat).
fn added_lines(repo: &Repository, commit: Oid) -> Result<BTreeMap<String, u64>> {
    let c = repo
        .find_commit(commit)
        .map_err(Error::git(format!("reading commit {commit}")))?;
    let tree = c
        .tree()
        .map_err(Error::git(format!("reading the tree of {commit}")))?;
    let parent = match c.parents().next() {
        Some(p) => Some(
            p.tree()
                .map_err(Error::git(format!("reading the parent tree of {commit}")))?,
        ),
        None => None,
    };
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0)
        .max_size(crate::util::bounded::SOURCE.bytes as i64)
        .ignore_submodules(true);
    let diff = repo
        .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))
        .map_err(Error::git(format!("diffing {commit}")))?;
    let mut out = BTreeMap::new();
    for i in 0..diff.deltas().len() {
        let Ok(Some(patch)) = git2::Patch::from_diff(&diff, i) else {
            continue;
        };
        let delta = patch.delta();
        let Some(path) = delta
            .new_file()
            .path_bytes()
            .filter(|_| delta.new_file().exists())
        else {
            continue;
        };
        let (_, adds, _) = patch
            .line_stats()
            .map_err(Error::git(format!("counting the lines of {commit}")))?;
        out.insert(String::from_utf8_lossy(path).into_owned(), adds as u64);
    }
    Ok(out)
}

/// Lines of `row` an agent wrote, per path: a note's attested lines where one is used, else
/// every added line of an AI commit.
fn ai_lines_of(row: &KeptCommit) -> BTreeMap<&str, (u64, &str)> {
    let mut out = BTreeMap::new();
    let Some(p) = &row.a.ai else {
        return out;
    };
    match &p.lines {
        Some(l) => {
            for (path, ranges) in &l.files {
                let n: u64 = ranges.iter().map(|(a, b)| u64::from(b - a + 1)).sum();
                out.insert(path.as_str(), (n, l.top_agent()));
            }
        }
        None => {
            for (path, n) in &row.added {
                out.insert(path.as_str(), (*n, p.agent.as_str()));
            }
        }
    }
    out
}

/// Adds one commit to a bucket; `paths` limits the lines counted to those files (a crate's).
fn add(
    bucket: &mut Bucket,
    row: &KeptCommit,
    paths: Option<&HashSet<&str>>,
    agents: &mut AgentTally,
) {
    let inside = |p: &str| paths.is_none_or(|set| set.contains(p));
    bucket.commits += 1;
    bucket.lines_added += row
        .added
        .iter()
        .filter(|(p, _)| inside(p))
        .map(|(_, n)| n)
        .sum::<u64>();
    let Some(p) = &row.a.ai else {
        return;
    };
    bucket.ai_commits += 1;
    let ai = ai_lines_of(row);
    let mut lines = 0;
    for (path, (n, agent)) in &ai {
        if inside(path) {
            lines += n;
            agents.entry(agent.to_string()).or_default().1 += n;
        }
    }
    bucket.ai_lines += lines;
    agents.entry(p.agent.clone()).or_default().0 += 1;
    *bucket
        .ai_tiers
        .entry(row.a.tier.name().to_string())
        .or_default() += 1;
    *bucket
        .states
        .entry(row.a.state.name().to_string())
        .or_default() += 1;
    bucket.approvals_needed += u64::from(row.a.gate.required);
    bucket.approvals_given += row.a.gate.approved_by.len() as u64;
    bucket.rejects += row.a.gate.rejected_by.len() as u64;
}

/// Per agent: (commits, lines).
type AgentTally = BTreeMap<String, (u64, u64)>;

fn finish_agents(bucket: &mut Bucket, tally: AgentTally) {
    let mut agents: Vec<AgentRow> = tally
        .into_iter()
        .map(|(agent, (commits, lines))| AgentRow {
            agent,
            commits,
            lines,
        })
        .collect();
    agents.sort_by(|a, b| b.lines.cmp(&a.lines).then(b.commits.cmp(&a.commits)));
    bucket.agents = agents;
}

/// Hours from the commit to its first counting approval, when it has one.
fn latency_hours(row: &KeptCommit) -> Option<f64> {
    if row.a.state != ReviewState::Approved {
        return None;
    }
    let first = row
        .a
        .signoffs
        .iter()
        .filter(|s| s.counts && s.decision == Some(Decision::Approve))
        .filter_map(|s| s.timestamp.as_deref())
        .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .min()?;
    Some((first - row.time) as f64 / 3600.0)
}

fn latency(mut hours: Vec<f64>) -> Latency {
    hours.sort_by(f64::total_cmp);
    let at = |q: f64| -> Option<f64> {
        if hours.is_empty() {
            return None;
        }
        let i = ((hours.len() - 1) as f64 * q).round() as usize;
        hours.get(i).map(|h| (h * 10.0).round() / 10.0)
    };
    Latency {
        count: hours.len() as u64,
        median: at(0.5),
        p90: at(0.9),
        max: at(1.0),
    }
}

fn aggregate(report: &mut PatternReport, rows: &[KeptCommit]) {
    let mut totals = Bucket::default();
    let mut total_agents = AgentTally::new();
    let mut total_latency = Vec::new();
    let mut months: BTreeMap<&str, (Bucket, AgentTally, Vec<f64>)> = BTreeMap::new();
    let mut crates: BTreeMap<&str, (Bucket, AgentTally)> = BTreeMap::new();
    let mut reach: BTreeMap<String, CrateReach> = BTreeMap::new();
    for row in rows {
        add(&mut totals, row, None, &mut total_agents);
        let month = months.entry(row.month.as_str()).or_default();
        add(&mut month.0, row, None, &mut month.1);
        if let Some(h) = latency_hours(row) {
            total_latency.push(h);
            month.2.push(h);
        }
        // A crate counts the commits that touch it and the lines added to its files.
        let mut by_crate: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
        for (path, krate) in &row.crate_of {
            by_crate
                .entry(krate.as_str())
                .or_default()
                .insert(path.as_str());
        }
        for path in row.added.keys().filter(|p| !row.crate_of.contains_key(*p)) {
            by_crate.entry(NO_CRATE).or_default().insert(path.as_str());
        }
        for (krate, paths) in &by_crate {
            let c = crates.entry(*krate).or_default();
            add(&mut c.0, row, Some(paths), &mut c.1);
        }
        for principal in &row.a.gate.rejected_by {
            report.rejects.push(Reject {
                commit: row.oid.to_string(),
                summary: row.a.summary.clone(),
                principal: principal.clone(),
                month: row.month.clone(),
            });
        }
        if row.a.ai.is_some() {
            let changed: HashSet<&str> = row
                .a
                .verdict
                .crates
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            for name in &row.a.reached {
                let r = reach.entry(name.clone()).or_insert_with(|| CrateReach {
                    name: name.clone(),
                    ..CrateReach::default()
                });
                r.reached += 1;
                if !changed.contains(name.as_str()) {
                    r.as_dependent += 1;
                }
            }
        }
        for s in row
            .a
            .signoffs
            .iter()
            .filter(|s| s.counts && s.decision == Some(Decision::Approve))
        {
            let Some(payload) = &s.parsed else { continue };
            let e = &payload.evidence;
            let cov = &mut report.coverage;
            cov.approvals += 1;
            cov.files_viewed += u64::from(e.files_viewed);
            cov.files_total += u64::from(e.files_total);
            cov.all_files_viewed += u64::from(e.files_total > 0 && e.files_viewed >= e.files_total);
            cov.impact_shown += u64::from(e.impact_shown);
            if let Some(h) = &e.hunks {
                // A bitmap that does not decode viewed nothing that can be counted.
                let viewed = crate::signoff::hunks::decode_bitmap(&h.viewed, h.total as usize)
                    .map_or(0, |bits| bits.iter().filter(|b| **b).count() as u64);
                cov.hunk_evidence += 1;
                cov.hunks_viewed += viewed;
                cov.hunks_total += u64::from(h.total);
                cov.all_hunks_viewed += u64::from(h.total > 0 && viewed >= u64::from(h.total));
            }
        }
    }
    finish_agents(&mut totals, total_agents);
    totals.approval_latency_hours = latency(total_latency);
    report.totals = totals;
    report.months = months
        .into_iter()
        .map(|(month, (mut bucket, agents, hours))| {
            finish_agents(&mut bucket, agents);
            bucket.approval_latency_hours = latency(hours);
            Period {
                month: month.to_string(),
                bucket,
            }
        })
        .collect();
    let mut crate_rows: Vec<CrateRow> = crates
        .into_iter()
        .map(|(name, (mut bucket, agents))| {
            finish_agents(&mut bucket, agents);
            CrateRow {
                name: name.to_string(),
                bucket,
            }
        })
        .collect();
    crate_rows.sort_by(|a, b| {
        b.bucket
            .ai_lines
            .cmp(&a.bucket.ai_lines)
            .then(b.bucket.ai_commits.cmp(&a.bucket.ai_commits))
            .then(a.name.cmp(&b.name))
    });
    report.crates = crate_rows;
    let mut reach: Vec<CrateReach> = reach.into_values().collect();
    reach.sort_by(|a, b| b.reached.cmp(&a.reached).then(a.name.cmp(&b.name)));
    report.blast_radius = reach;
}
