//! `countersign demo`: build the sample repository, then review it.

use super::args::{DemoArgs, Format, StatusArgs, TrustArgs};
use crate::demo;
use crate::util::pipe::Printer;
use crate::{Error, Result};

/// Runs `demo`.
pub fn run(args: &DemoArgs) -> Result<i32> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => tempfile::Builder::new()
            .prefix("countersign-demo-")
            .tempdir()
            .map_err(Error::io(std::env::temp_dir()))?
            .keep(),
    };
    let made = demo::build(&dir)?;
    let mut out = Printer::stdout();
    out.line("countersign demo: a Cargo workspace with AI-authored commits is ready.");
    out.line(format_args!("  repository: {}", made.repo.display()));
    out.line(format_args!(
        "  senior key: {} (alice@example.com, the repository's user.signingKey)",
        made.key.display()
    ));
    out.line("");
    let mut reviewed = 0;
    let opens = !args.no_tui && crate::tui::terminal::refusal().is_none();
    if opens {
        // The triage table is printed when the workstation closes, as it stands then (a
        // table printed before it would be stale by the time it is read).
        out.line("Opening the review workstation (? lists the keys, q quits)…");
        out.finish(0)?;
        reviewed = crate::tui::review(&made.repo, &crate::tui::ReviewOptions::default())?;
    } else {
        out.finish(0)?;
    }
    let code = super::status::run(
        &made.repo,
        &StatusArgs {
            revspec: None,
            trust: TrustArgs { trusted_ref: None },
            format: Format::Text,
        },
    )?;
    let mut out = Printer::stdout();
    out.line("");
    let repo = made.repo.display().to_string();
    let repo = crate::util::shell::quote(&repo);
    out.line(format_args!(
        "Review it:  countersign -C {repo} review   (from a checkout: cargo run --release -- -C {repo} review)"
    ));
    out.line(format_args!(
        "Run the gate as CI does:  countersign -C {repo} verify   (exit 0: every AI commit has what its tier needs)"
    ));
    if !args.no_tui && !opens {
        out.line("(no terminal here, so the review workstation does not open; the table above is the triage queue)");
    }
    // Quitting the workstation by Ctrl-C (130) or a signal is what the demo reports.
    out.finish(if reviewed != 0 { reviewed } else { code })
}
