//! `countersign review`: the workstation, or (`--snapshot WxH`) its first screen as text.

use std::io::Write;
use std::path::Path;

use super::args::ReviewArgs;
use super::style::finish;
use super::EXIT_OK;
use crate::tui::{self, ReviewOptions};
use crate::{Error, Result};

/// Runs `review`.
pub fn run(cwd: &Path, args: &ReviewArgs) -> Result<i32> {
    let opts = ReviewOptions {
        revspec: args.revspec.clone(),
        trusted_ref: args.trust.trusted_ref.clone(),
        theme: args.theme.clone(),
    };
    match &args.snapshot {
        Some(size) => {
            let size = tui::parse_size(size)?;
            let text = tui::snapshot(cwd, &opts, size, args.snapshot_settled)?;
            let mut out = std::io::stdout().lock();
            finish(out.write_all(text.as_bytes()), EXIT_OK)
        }
        None => {
            if args.snapshot_settled {
                return Err(Error::Message(
                    "--snapshot-settled goes with --snapshot WxH".to_string(),
                ));
            }
            if args.stdout {
                tui::review_to_stdout(cwd, &opts)
            } else {
                tui::review(cwd, &opts)
            }
        }
    }
}
