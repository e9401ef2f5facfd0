//! `countersign sign`: the workstation's signing path without the workstation. Shows what it
//! will sign, asks (unless `--yes`), then signs through the one signing path
//! ([`sign_current`]), which plans again at that moment, refuses (exit 2) when what was shown
//! changed meanwhile, asks for the key's passphrase and stores the sign-offs.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::args::{DecisionArg, SignArgs};
use super::{notify, Context, EXIT_OK, EXIT_VIOLATION};
use crate::git::short_id;
use crate::review::signing::{sign_current, KeyAccess, Shown, Signing};
use crate::review::{Purpose, Review};
use crate::signoff::comment::{self, CommentFileEntry, ReviewComment};
use crate::signoff::keys;
use crate::signoff::{Decision, SignPlan, SignRequest};
use crate::util::escape::{line as esc, text};
use crate::util::pipe;
use crate::{Error, Result};

/// Runs `sign`: 0 signed, 1 refused (nothing written), 2 error.
pub fn run(cwd: &Path, args: &SignArgs) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let mut review = Review::open(
        &ctx.repo,
        args.trust.select(Some(&args.revspec)),
        Purpose::Sign,
    )?;
    notify(&review.notices);
    let location = keys::locate(&ctx.repo, args.key.as_deref())?;
    let public = keys::public_key_at(&location)?;
    let request = SignRequest {
        decision: match args.decision {
            DecisionArg::Approve => Decision::Approve,
            DecisionArg::Reject => Decision::Reject,
        },
        comment: args.comment.clone().unwrap_or_default(),
        comments: match &args.comments_from {
            Some(file) => read_comments(&ctx.repo, file, &review.range.commits)?,
            None => Vec::new(),
        },
        principal: args.principal.clone(),
        evidence: HashMap::new(),
        interface: "cli".to_string(),
    };
    let mut progress = super::progress::Progress::new("checking", false);
    let shown = review.plan_shown_with(&request, &public, chrono::Utc::now(), &mut |d, t, c| {
        progress.tick(d, t, c)
    })?;
    progress.finish();
    let plan = &shown.plan;
    let mut err = std::io::stderr().lock();
    if !plan.refusals.is_empty() {
        for r in &plan.refusals {
            let _ = writeln!(err, "countersign: refused: {}", text(r, "  "));
        }
        return Ok(EXIT_VIOLATION);
    }
    describe(
        &mut err,
        plan,
        &review.range.description,
        &review.trusted.display(),
    )
    .map_err(Error::io("stderr"))?;
    if args.dry_run {
        let mut out = std::io::stdout().lock();
        for item in &plan.items {
            writeln!(
                out,
                "would sign: {} {} as {}",
                item.payload.decision, item.commit, item.payload.principal
            )
            .map_err(Error::io("stdout"))?;
        }
        let _ = writeln!(err, "Dry run: nothing was signed.");
        return Ok(EXIT_OK);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            let _ = writeln!(
                err,
                "countersign: refused: no terminal to confirm on; nothing was signed. Pass --yes \
                 to sign without asking"
            );
            return Ok(EXIT_VIOLATION);
        }
        if !confirm(&mut err, plan)? {
            let _ = writeln!(err, "Nothing was signed.");
            return Ok(EXIT_VIOLATION);
        }
    }
    // The one signing path: planned again now, and refused when what the reviewer confirmed
    // changed while they answered (the trusted branch moved, a decision was signed meanwhile).
    // Under --yes nobody confirmed a standing: only the trusted commit must be the same.
    let resolved = review.resolved();
    let confirmed: &[_] = if args.yes { &[] } else { &shown.standing };
    let signed = sign_current(
        &ctx.repo,
        Shown {
            resolved: &resolved,
            standing: confirmed,
        },
        &request,
        KeyAccess {
            location: &location,
            passphrase: &mut |path| terminal_passphrase(path).map(Some),
            cancel: None,
        },
    )?;
    let outcomes = match signed {
        Signing::Signed { outcomes, .. } => outcomes,
        Signing::Changed(lines) => return Err(Error::Message(lines.join("\n  "))),
        Signing::Refused(lines) => {
            for r in &lines {
                let _ = writeln!(err, "countersign: refused: {}", text(r, "  "));
            }
            return Ok(EXIT_VIOLATION);
        }
        Signing::NeedPassphrase => {
            return Err(Error::Message(
                "the key's passphrase was not given; nothing was signed".to_string(),
            ))
        }
    };
    let mut out = std::io::stdout().lock();
    let written = outcomes.iter().try_for_each(|o| {
        writeln!(
            out,
            "signed: {} {} as {}",
            o.decision,
            short_id(&o.commit),
            esc(&o.principal)
        )
    });
    pipe::finish(written, EXIT_OK)
}

/// Reads `sign --comments-from FILE`: a JSON array of [`CommentFileEntry`], each quoted from its
/// commit (default: the only commit of the range).
fn read_comments(
    repo: &git2::Repository,
    file: &Path,
    range: &[git2::Oid],
) -> Result<Vec<ReviewComment>> {
    let bytes = if file == Path::new("-") {
        // `-` is stdin, as for most tools; read within the same cap.
        use std::io::Read;
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_COMMENTS_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(Error::io("stdin"))?;
        if bytes.len() as u64 > MAX_COMMENTS_FILE {
            return Err(Error::Message(format!(
                "the comments on stdin are larger than {MAX_COMMENTS_FILE} bytes: give fewer comments"
            )));
        }
        bytes
    } else {
        let meta = std::fs::metadata(file).map_err(Error::io(file))?;
        if !meta.is_file() || meta.len() > MAX_COMMENTS_FILE {
            return Err(Error::Message(format!(
                "{}: not a regular file of at most {MAX_COMMENTS_FILE} bytes",
                file.display()
            )));
        }
        std::fs::read(file).map_err(Error::io(file))?
    };
    // Editors on Windows (and PowerShell's `>`) start UTF-8 files with a byte-order mark.
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let inputs: Vec<CommentFileEntry> = serde_json::from_slice(json).map_err(|e| {
        Error::Message(format!(
            "{}: {e}; expected an array of {{\"path\", \"start\", \"end\", \"text\", \
             \"side\", \"commit\"}}",
            file.display()
        ))
    })?;
    inputs
        .iter()
        .map(|input| {
            let commit = match (&input.commit, range) {
                (Some(rev), _) => crate::git::resolve_rev(repo, rev)?.commit.into(),
                (None, [only]) => (*only).into(),
                (None, _) => {
                    return Err(Error::Message(format!(
                        "{}: the comment on {} names no commit, and the range has {} commits: \
                         add \"commit\"",
                        file.display(),
                        input.path,
                        range.len()
                    )))
                }
            };
            comment::quote(repo, &input.on(commit))
                .map_err(|e| Error::Message(format!("{}: {e}", file.display())))
        })
        .collect()
}

/// The largest `--comments-from` file read.
const MAX_COMMENTS_FILE: u64 = 4 * 1024 * 1024;

/// Prints what will be signed; subjects, names and the comment are escaped (a comment keeps
/// its lines, indented under it).
fn describe(
    out: &mut impl Write,
    plan: &SignPlan,
    range: &str,
    trusted_ref: &str,
) -> std::io::Result<()> {
    let Some(first) = plan.items.first() else {
        return Ok(());
    };
    writeln!(
        out,
        "About to sign {} {} of {} as {} with key {} (policy and roster from {}):",
        if first.payload.decision == Decision::Approve {
            "an approval"
        } else {
            "a rejection"
        },
        if plan.items.len() == 1 {
            "of 1 commit".to_string()
        } else {
            format!("of each of {} commits", plan.items.len())
        },
        esc(range),
        esc(plan.principal.as_deref().unwrap_or("?")),
        plan.key_fingerprint,
        esc(trusted_ref),
    )?;
    for item in &plan.items {
        let by = item
            .ai
            .as_ref()
            .map_or("human".to_string(), |a| format!("AI: {}", esc(&a.agent)));
        writeln!(
            out,
            "  {}  {:<10}  {:<12}  {}",
            item.commit.short(),
            item.tier.name(),
            by,
            esc(&item.summary)
        )?;
    }
    if let Some(c) = plan
        .items
        .first()
        .map(|i| &i.payload.comment)
        .filter(|c| !c.is_empty())
    {
        writeln!(out, "  comment: {}", text(c, "           "))?;
    }
    for item in &plan.items {
        for c in &item.payload.comments {
            writeln!(
                out,
                "  comment on {} {}:{} ({} side): {}",
                item.commit.short(),
                c.path,
                c.range(),
                c.side.name(),
                c.text
            )?;
        }
    }
    for w in &plan.warnings {
        writeln!(out, "  note: {}", esc(w))?;
    }
    Ok(())
}

/// Asks y/N on the terminal.
fn confirm(out: &mut impl Write, plan: &SignPlan) -> Result<bool> {
    write!(
        out,
        "Sign {} sign-off{}? [y/N] ",
        plan.items.len(),
        if plan.items.len() == 1 { "" } else { "s" }
    )
    .and_then(|()| out.flush())
    .map_err(Error::io("stderr"))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(Error::io("stdin"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

/// The passphrase: `$COUNTERSIGN_PASSPHRASE`, else asked on the terminal without echo.
pub fn terminal_passphrase(path: &Path) -> Result<String> {
    if let Some(p) = keys::passphrase_from_env() {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Err(Error::Message(format!(
            "{} is encrypted and there is no terminal to ask for its passphrase: set {} (for \
             automation) or run countersign in a terminal",
            path.display(),
            keys::PASSPHRASE_ENV
        )));
    }
    rpassword::prompt_password(format!("Passphrase for {}: ", path.display())).map_err(|e| {
        Error::Message(format!(
            "could not read the passphrase for {} from the terminal: {e}",
            path.display()
        ))
    })
}
