//! `verify --format github|junit`: the gate's report as CI systems read it.

use std::io::Write;

use crate::review::{CommitReport, Report};
use crate::util::escape::line as esc;

/// GitHub Actions workflow commands: an `::error` per failing commit, a `::notice` per AI
/// commit that passes, and a closing summary line. Each of those commits also gets one
/// annotation on the first file behind its tier, at its first changed line (`file=`,
/// `line=`), so that it shows on the pull request's diff; `repo` finds that line.
pub fn github(out: &mut impl Write, r: &Report, repo: &git2::Repository) -> std::io::Result<()> {
    for c in &r.commits {
        let title = format!("countersign: {} {}", c.commit.short(), esc(&c.summary));
        if !c.ok || c.ai.is_some() {
            if let Some((path, line)) = tier_place(repo, c) {
                let level = if c.ok { "notice" } else { "error" };
                let msg = format!(
                    "this file puts commit {} in the {} tier ({}){}",
                    c.commit.short(),
                    c.tier.name(),
                    c.state.name(),
                    if c.ok {
                        String::new()
                    } else {
                        format!(
                            ": {}",
                            c.problems
                                .iter()
                                .map(|p| esc(p))
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    }
                );
                writeln!(
                    out,
                    "::{level} file={},line={line},title={}::{}",
                    escape_property(&path),
                    escape_property(&title),
                    escape_data(&msg)
                )?;
            }
        }
        if !c.ok {
            writeln!(
                out,
                "::error title={}::{}",
                escape_property(&title),
                escape_data(&failure_text(c))
            )?;
        } else if c.ai.is_some() {
            let msg = format!(
                "{} tier, {} ({} of {} approvals)",
                c.tier.name(),
                c.state.name(),
                c.approvals,
                c.required
            );
            writeln!(
                out,
                "::notice title={}::{}",
                escape_property(&title),
                escape_data(&msg)
            )?;
        }
    }
    let failed = r.commits.iter().filter(|c| !c.ok).count();
    writeln!(
        out,
        "countersign verify: {} of {} commits in {} may not ship (policy and roster from {})",
        failed,
        r.commits.len(),
        esc(&r.range),
        esc(&r.trusted_ref)
    )
}

/// The file behind `c`'s tier and its first changed line on the commit's side (1 for a file
/// the commit deletes or whose change has no lines, such as a mode change). None for a path
/// that is not UTF-8 or holds control characters (an annotation could not name it), or when
/// the commit cannot be read.
fn tier_place(repo: &git2::Repository, c: &CommitReport) -> Option<(String, u32)> {
    let path = c.tier_path.as_ref()?.to_str()?.to_string();
    if path.chars().any(char::is_control) {
        return None;
    }
    let commit = repo.find_commit(c.commit.oid()).ok()?;
    let tree = commit.tree().ok()?;
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let mut opts = git2::DiffOptions::new();
    opts.pathspec(&path)
        .disable_pathspec_match(true)
        .context_lines(0);
    let diff = repo
        .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))
        .ok()?;
    let mut first: Option<u32> = None;
    diff.foreach(
        &mut |_, _| true,
        None,
        Some(&mut |_, hunk| {
            if first.is_none() {
                first = Some(hunk.new_start().max(1));
            }
            false
        }),
        None,
    )
    .ok();
    Some((path, first.unwrap_or(1)))
}

/// JUnit XML: one test case per commit; a failing commit is a failure with its problems.
pub fn junit(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let failed = r.commits.iter().filter(|c| !c.ok).count();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"countersign verify\" tests=\"{}\" failures=\"{failed}\">",
        r.commits.len()
    )?;
    writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">",
        xml(&format!(
            "countersign verify {} (trusted: {})",
            esc(&r.range),
            esc(&r.trusted_ref)
        )),
        r.commits.len()
    )?;
    for c in &r.commits {
        let by =
            c.ai.as_ref()
                .map_or("human".to_string(), |a| esc(&a.agent).into_owned());
        let name = format!(
            "{} {} [{}, {}]",
            c.commit.short(),
            esc(&c.summary),
            by,
            c.tier.name()
        );
        write!(
            out,
            "    <testcase classname=\"countersign.verify\" name=\"{}\"",
            xml(&name)
        )?;
        if c.ok {
            writeln!(out, "/>")?;
        } else {
            let first = c
                .problems
                .first()
                .map(|p| esc(p).into_owned())
                .unwrap_or_else(|| c.state.name().to_string());
            writeln!(out, ">")?;
            writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml(&first),
                c.state.name(),
                xml(&failure_text(c))
            )?;
            writeln!(out, "    </testcase>")?;
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// The failure's lines: each one escaped on its own, so only these newlines separate them.
fn failure_text(c: &CommitReport) -> String {
    let mut lines = vec![format!(
        "{} ({} tier, {}): {}",
        c.commit,
        c.tier.name(),
        c.state.name(),
        esc(&c.summary)
    )];
    lines.extend(c.problems.iter().map(|p| esc(p).into_owned()));
    lines.join("\n")
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes text for XML attributes and content. Fields from the repository are escaped for
/// the terminal first ([`esc`]), so no control character is left for this to drop.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
