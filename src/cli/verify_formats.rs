//! `verify --format github|junit`: the gate's report as CI systems read it.

use std::io::Write;

use crate::git::short_id;
use crate::review::{CommitReport, Report};

/// GitHub Actions workflow commands: an `::error` per failing commit, a `::notice` per AI
/// commit that passes, and a closing summary line.
pub fn github(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    for c in &r.commits {
        let title = format!("countersign: {} {}", short_id(&c.commit), c.summary);
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
        r.range,
        r.trusted_ref
    )
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
            r.range, r.trusted_ref
        )),
        r.commits.len()
    )?;
    for c in &r.commits {
        let by =
            c.ai.as_ref()
                .map_or("human".to_string(), |a| a.agent.clone());
        let name = format!(
            "{} {} [{}, {}]",
            short_id(&c.commit),
            c.summary,
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
                .cloned()
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

fn failure_text(c: &CommitReport) -> String {
    let mut lines = vec![format!(
        "{} ({} tier, {}): {}",
        c.commit,
        c.tier.name(),
        c.state.name(),
        c.summary
    )];
    lines.extend(c.problems.iter().cloned());
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

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
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
