//! `countersign feedback`: the review as a prompt for the agent (Markdown) or for tools (JSON).

use std::io::Write;
use std::path::Path;

use super::args::{FeedbackArgs, FeedbackFormat};
use super::{notify, Context, EXIT_OK};
use crate::review::{drafts, feedback, feedback_render, Purpose, Review};
use crate::{Error, Result};

/// Runs `feedback`: prints the feedback; 0 unless an error (2).
pub fn run(cwd: &Path, args: &FeedbackArgs) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let mut review = Review::open(
        &ctx.repo,
        args.trust.select(args.revspec.as_deref()),
        Purpose::Explore,
    )?;
    notify(&review.notices);
    let repo_path = ctx
        .repo
        .workdir()
        .unwrap_or_else(|| ctx.repo.path())
        .to_path_buf();
    let home = drafts::state_home(&repo_path).ok().map(|h| h.dir);
    let drafts = drafts::read_drafts(home.as_deref(), &repo_path);
    let mut fb = feedback::collect(&mut review, &drafts)?;
    if args.unresolved {
        fb.keep_unresolved();
    }
    let text = match args.format {
        FeedbackFormat::Markdown => feedback_render::markdown(&fb),
        FeedbackFormat::Json => {
            let mut s = serde_json::to_string_pretty(&fb)
                .map_err(|e| Error::Message(format!("encoding the feedback: {e}")))?;
            s.push('\n');
            s
        }
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
        r => r.map(|()| EXIT_OK).map_err(Error::io("stdout")),
    }
}
