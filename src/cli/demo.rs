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
    out.finish(0)?;
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
    if args.no_tui {
        return out.finish(code);
    }
    if !crate::tui::terminal::has_terminal() {
        out.line("(no terminal here, so the review workstation does not open; the table above is the triage queue)");
        return out.finish(code);
    }
    out.finish(code)?;
    crate::tui::review(&made.repo, &crate::tui::ReviewOptions::default())
}
