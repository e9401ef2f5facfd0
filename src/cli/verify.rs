//! `countersign verify`: the CI gate. Every AI commit of the range must carry the sign-offs
//! its tier demands under the policy and roster of the trusted ref.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::args::{VerifyArgs, VerifyFormat};
use super::style::{finish, write_json};
use super::verify_formats;
use super::{Context, EXIT_OK, EXIT_VIOLATION};
use crate::assess::Assessment;
use crate::git::{short_id, ChangeSet, LoadDepth};
use crate::policy::provenance::Provenance;
use crate::policy::Tier;
use crate::signoff::rewrite::RewrittenFrom;
use crate::signoff::{ReviewState, SignoffVerdict};
use crate::util::escape::line as esc;
use crate::Result;

/// The JSON document `verify --format json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Every commit passes.
    pub ok: bool,
    /// The trusted ref the policy and roster were read from.
    pub trusted_ref: String,
    /// The range, as resolved.
    pub range: String,
    /// One entry per commit, oldest first.
    pub commits: Vec<CommitReport>,
}

/// One commit's verdict.
#[derive(Debug, Serialize)]
pub struct CommitReport {
    /// Full id.
    pub commit: String,
    /// First line of the message.
    pub summary: String,
    /// AI provenance, null for a human commit.
    pub ai: Option<Provenance>,
    /// Effective tier under the trusted policy.
    pub tier: Tier,
    /// Why.
    pub tier_reasons: Vec<String>,
    /// Approvals required.
    pub required: u32,
    /// The role approvers must hold.
    pub role: Option<String>,
    /// Approvals that count.
    pub approvals: usize,
    /// Who gave them.
    pub approved_by: Vec<String>,
    /// Qualified reviewers whose latest decision is reject.
    pub rejected_by: Vec<String>,
    /// Where it stands.
    pub state: ReviewState,
    /// It passes.
    pub ok: bool,
    /// Why it fails, as sentences.
    pub problems: Vec<String>,
    /// Every sign-off found, with its verdict.
    pub signoffs: Vec<SignoffVerdict>,
    /// The earlier version approved before a rewrite (rebase, amend), when the commit itself
    /// lacks approvals; it never counts toward them.
    pub rewritten_from: Option<RewrittenFrom>,
}

impl From<Assessment> for CommitReport {
    fn from(a: Assessment) -> Self {
        CommitReport {
            commit: a.commit,
            summary: a.summary,
            ai: a.ai,
            tier: a.tier,
            tier_reasons: a.tier_reasons,
            required: a.gate.required,
            role: a.gate.role,
            approvals: a.gate.approved_by.len(),
            approved_by: a.gate.approved_by,
            rejected_by: a.gate.rejected_by,
            state: a.gate.state,
            ok: a.gate.ok,
            problems: a.gate.problems,
            signoffs: a.signoffs,
            rewritten_from: a.rewritten_from,
        }
    }
}

/// Runs `verify`: 0 all pass, 1 any violation; errors (bad policy, unknown revspec) are 2.
pub fn run(cwd: &Path, args: &VerifyArgs) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let report = build_report(
        &ctx,
        args.revspec.as_deref(),
        args.trust.trusted_ref.as_deref(),
    )?;
    let code = if report.ok { EXIT_OK } else { EXIT_VIOLATION };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        VerifyFormat::Json => write_json(&mut out, &report),
        VerifyFormat::Text => write_text(&mut out, &report),
        VerifyFormat::Github => verify_formats::github(&mut out, &report),
        VerifyFormat::Junit => verify_formats::junit(&mut out, &report),
    };
    finish(written, code)
}

/// Verifies the range and returns the report (no output): the gate as a library call.
pub fn build_report(
    ctx: &Context,
    revspec: Option<&str>,
    trusted_ref: Option<&str>,
) -> Result<Report> {
    let trusted_ref = ctx.trusted_ref(trusted_ref)?;
    let mut assessor = ctx.assessor(&trusted_ref)?;
    let base = assessor.trusted.policy.base.clone();
    let range = ctx.range(revspec, &base, &trusted_ref)?;
    let changes = ChangeSet::load(&ctx.repo, &range.commits, LoadDepth::Files)?;
    let commits = changes
        .commits
        .iter()
        .map(|c| assessor.assess(c).map(CommitReport::from))
        .collect::<Result<Vec<_>>>()?;
    Ok(Report {
        ok: commits.iter().all(|c| c.ok),
        trusted_ref,
        range: range.description,
        commits,
    })
}

/// The text report; subjects, agent names and problems (which quote paths and principals)
/// are escaped, so no line of it can be forged or rubbed out by the branch under review.
fn write_text(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let failed = r.commits.iter().filter(|c| !c.ok).count();
    writeln!(
        out,
        "countersign verify: {} commit{} in {}, judged by the policy and roster on {}",
        r.commits.len(),
        if r.commits.len() == 1 { "" } else { "s" },
        esc(&r.range),
        esc(&r.trusted_ref)
    )?;
    for c in &r.commits {
        let by =
            c.ai.as_ref()
                .map_or("human".to_string(), |a| esc(&a.agent).into_owned());
        let need = if c.required > 0 {
            format!("  {}/{} approvals", c.approvals, c.required)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {}  {:<10}  {:<10}  {:<13}{need}  {}",
            if c.ok { "ok  " } else { "FAIL" },
            short_id(&c.commit),
            by,
            c.tier.name(),
            c.state.name(),
            esc(&c.summary)
        )?;
        for p in &c.problems {
            writeln!(out, "       {}", esc(p))?;
        }
    }
    if failed == 0 {
        writeln!(out, "verify: OK")
    } else {
        writeln!(
            out,
            "verify: FAILED: {failed} of {} commit{} may not ship",
            r.commits.len(),
            if r.commits.len() == 1 { "" } else { "s" }
        )
    }
}
