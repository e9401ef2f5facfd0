//! `countersign man`: a page per subcommand, with keys, exit status, environment and files,
//! and no reference to a page that does not exist.

use std::collections::BTreeSet;

#[path = "support/mod.rs"]
mod support;

/// Every `name(1)` a page points to, with roff's `\-` and font changes undone.
fn references(roff: &str) -> BTreeSet<String> {
    let plain = roff
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "");
    let mut out = BTreeSet::new();
    for (i, _) in plain.match_indices("(1)") {
        let name: String = plain[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

#[test]
fn man_dir_writes_a_page_per_subcommand_and_no_dangling_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pages = dir.path().join("man1");
    support::countersign(dir.path())
        .args(["man", "--dir"])
        .arg(&pages)
        .assert()
        .success();
    let names: BTreeSet<String> = std::fs::read_dir(&pages)
        .expect("pages written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for want in [
        "countersign.1",
        "countersign-review.1",
        "countersign-verify.1",
        "countersign-status.1",
        "countersign-policy-check.1",
        "countersign-man.1",
    ] {
        assert!(names.contains(want), "{want} missing from {names:?}");
    }
    let mut referenced = 0;
    for name in &names {
        let roff = std::fs::read_to_string(pages.join(name)).expect("page readable");
        for r in references(&roff) {
            if r.starts_with("countersign") {
                referenced += 1;
                assert!(
                    names.contains(&format!("{r}.1")),
                    "{name} points to {r}(1), which was not written"
                );
            }
        }
        for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
            assert!(roff.contains(section), "{name} lacks {section}");
        }
        for var in [
            "COUNTERSIGN_KEY",
            "COUNTERSIGN_PASSPHRASE",
            "NO_COLOR",
            "PAGER",
            "COUNTERSIGN_PROGRESS_AFTER_MS",
        ] {
            assert!(roff.contains(var), "{name} does not name {var}");
        }
    }
    assert!(
        referenced >= 10,
        "countersign(1) lists the subcommand pages"
    );
    let review = std::fs::read_to_string(pages.join("countersign-review.1")).expect("review");
    assert!(review.contains(".SH KEYS"), "review's page lists its keys");
    let verify = std::fs::read_to_string(pages.join("countersign-verify.1")).expect("verify");
    assert!(
        verify.contains("\\fB1\\fR\na violation"),
        "verify's exit 1 documented"
    );
}

#[test]
fn man_without_dir_still_prints_countersign_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = support::countersign(dir.path())
        .arg("man")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH countersign"),
        "{roff:.200}"
    );
    assert!(roff.contains(".SH ENVIRONMENT"));
}
