//! Policy and roster errors: every problem reported at once, each at its file, line and
//! column with a fix; and loading from a trusted revision rather than the work tree.

use std::path::Path;

use countersign_core::model::Tier;
use countersign_core::policy::{
    self, load_trusted, load_worktree, parse_policy, parse_roster, Diagnostic, Policy,
    PolicySource, Reach, Roster, Trusted,
};
use countersign_core::Error;

const ALICE_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti alice";
const BOB_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZtwskcMcXL/nR5aTQ+ERzB+oSOvENwNdIOaB/YlRpn bob";

const FILE: &str = ".countersign/policy.toml";
const ROSTER: &str = ".countersign/allowed_signers";

/// The example from DESIGN.md's "Policy file" section, verbatim.
const DESIGN_EXAMPLE: &str = r#"# .countersign/policy.toml
base = "main"                 # the trusted branch; `verify` reads policy and roster from it
default_tier = "supervised"   # for paths no rule matches

[escalation]                  # may the tier of a crate that depends on the change raise the change's tier?
reach = "transitive"          # "none" | "direct" | "transitive"
cap = "supervised"            # the highest tier that escalation alone can give a change

[roles]
senior = ["alice@example.com", "bob@example.com"]   # principals, as in allowed_signers

[ai]                          # a commit is AI-generated when any of these match (defaults cover common agents)
trailers = ["Co-authored-by", "Assisted-by", "Generated-by"]   # trailer keys to inspect
agents = ["kiro", "claude", "copilot", "cursor", "codex", "devin", "gemini", "aider"]  # names in those trailers
authors = ["*@agents.example"]                      # author e-mail globs

[tiers.autonomous]            # AI may ship alone
approvals = 0
[tiers.supervised]            # a qualified human approves before it ships
approvals = 1
role = "senior"
[tiers.prohibited]            # a human must make the change; AI-generated commits here always fail
approvals = 2
role = "senior"

[[rules]]                     # paths by glob, crates by name; see "Tiers" below
paths = ["docs/**", "**/*.md"]
tier = "autonomous"
[[rules]]
crates = ["billing-api"]
tier = "prohibited"
"#;

fn roster_text() -> String {
    format!("alice@example.com namespaces=\"countersign\" {ALICE_KEY}\nbob@example.com {BOB_KEY}\n")
}

fn source() -> PolicySource {
    PolicySource {
        rev: "test".to_string(),
        commit: None,
    }
}

fn parse(text: &str) -> Policy {
    match parse_policy(text, FILE, source()) {
        Ok(p) => p,
        Err(d) => panic!("expected the policy to parse, got:\n{d}"),
    }
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_policy(text, FILE, source()) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(d) => d.0,
    }
}

fn roster_errors(text: &str) -> Vec<Diagnostic> {
    match parse_roster(text, ROSTER) {
        Ok(_) => panic!("expected roster errors for:\n{text}"),
        Err(d) => d.0,
    }
}

/// 1-based character column of the first `needle` on 1-based `line` of `text`.
fn col(text: &str, line: usize, needle: &str) -> usize {
    let l = text
        .lines()
        .nth(line - 1)
        .expect("line exists in the test text");
    let byte = l.find(needle).expect("needle on that line");
    l[..byte].chars().count() + 1
}

/// The only diagnostic whose message contains `what`.
fn find<'d>(diags: &'d [Diagnostic], what: &str) -> &'d Diagnostic {
    let hits: Vec<&Diagnostic> = diags.iter().filter(|d| d.message.contains(what)).collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one diagnostic mentioning {what:?}, got {diags:#?}"
    );
    hits[0]
}

fn help(d: &Diagnostic) -> &str {
    d.help.as_deref().unwrap_or("")
}

fn at(d: &Diagnostic, file: &str, line: usize, column: usize) {
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        (file, line, column),
        "wrong place for {d:#?}"
    );
}

// ---------------------------------------------------------------- policy.toml

#[test]
fn misspelt_default_tier_points_at_the_string_and_suggests_the_tier() {
    let text = "base = \"main\"\ndefault_tier = \"supervisd\"\n[roles]\nsenior = [\"a@x\"]\n";
    let diags = errors(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    at(d, FILE, 2, col(text, 2, "\"supervisd\""));
    assert_eq!(d.column, 16);
    assert!(d.message.contains("supervisd"), "{}", d.message);
    assert!(help(d).contains("did you mean `supervised`"), "{}", help(d));
    assert!(help(d).contains("`autonomous`") && help(d).contains("`prohibited`"));
}

#[test]
fn every_problem_in_one_file_is_reported_at_once() {
    let text = r#"base = "main"
default_teir = "supervised"
[escalation]
reach = "transitiv"
cap = "prohibitd"
[roles]
senior = ["a@x"]
[tiers.supervisd]
approvals = 1
[[rules]]
paths = ["docs/[abc"]
tier = "autonomus"
[[rules]]
tier = "autonomous"
"#;
    let diags = errors(text);
    assert_eq!(diags.len(), 7, "{diags:#?}");
    let lines: Vec<usize> = diags.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![2, 4, 5, 8, 11, 12, 13], "in file order");

    let d = find(&diags, "default_teir");
    at(d, FILE, 2, 1);
    assert!(
        help(d).contains("did you mean `default_tier`?"),
        "{}",
        help(d)
    );

    let d = find(&diags, "reach");
    at(d, FILE, 4, col(text, 4, "\"transitiv\""));
    assert!(help(d).contains("`transitive`"), "{}", help(d));

    let d = find(&diags, "prohibitd");
    at(d, FILE, 5, col(text, 5, "\"prohibitd\""));
    assert!(help(d).contains("did you mean `prohibited`"), "{}", help(d));

    let d = find(&diags, "supervisd");
    at(d, FILE, 8, col(text, 8, "supervisd"));
    assert!(help(d).contains("did you mean `supervised`"), "{}", help(d));

    let d = find(&diags, "bad glob");
    at(d, FILE, 11, col(text, 11, "\"docs/[abc\""));
    assert!(help(d).contains("close the `[`"), "{}", help(d));

    let d = find(&diags, "autonomus");
    at(d, FILE, 12, col(text, 12, "\"autonomus\""));
    assert!(help(d).contains("did you mean `autonomous`"), "{}", help(d));

    let d = find(&diags, "neither `paths` nor `crates`");
    at(d, FILE, 13, 1);
    assert!(help(d).contains("paths = ["), "{}", help(d));
}

#[test]
fn unknown_key_without_a_close_match_lists_the_known_keys() {
    let text = "[roles]\nsenior = [\"a@x\"]\n[escalation]\nwhatever = 3\n";
    let d = &errors(text)[0];
    at(d, FILE, 4, 1);
    assert!(d.message.contains("unknown key `whatever` in [escalation]"));
    assert_eq!(
        help(d),
        "the keys allowed in [escalation] are `reach`, `cap` and `build_code`"
    );
}

#[test]
fn unknown_key_in_a_rule_suggests_the_rule_key() {
    let text =
        "[roles]\nsenior = [\"a@x\"]\n[[rules]]\npath = [\"docs/**\"]\ntier = \"autonomous\"\n";
    let diags = errors(text);
    let d = find(&diags, "unknown key `path`");
    at(d, FILE, 4, 1);
    assert_eq!(help(d), "did you mean `paths`?");
    // Without `paths`, the rule also names nothing: reported at its header.
    at(find(&diags, "neither"), FILE, 3, 1);
}

#[test]
fn wrong_value_types_say_what_to_write() {
    let text = r#"base = ["main"]
[roles]
senior = "a@x"
[tiers.supervised]
approvals = "1"
role = "senior"
[tiers.prohibited]
approvals = -2
[[rules]]
paths = "docs/**"
tier = "autonomous"
"#;
    let diags = errors(text);

    let d = find(&diags, "`base` must be a string");
    at(d, FILE, 1, 8);
    assert!(d.message.contains("this is an array"));

    let d = find(&diags, "`senior` must be an array of strings");
    at(d, FILE, 3, 10);
    assert!(help(d).contains(r#"`senior = ["a@x"]`"#), "{}", help(d));

    let d = find(&diags, "`approvals` must be a whole number");
    at(d, FILE, 5, 13);
    assert!(
        help(d).contains("`approvals = 1` (no quotes)"),
        "{}",
        help(d)
    );

    let d = find(&diags, "cannot be negative");
    at(d, FILE, 8, 13);
    assert!(help(d).contains("approvals = 0"), "{}", help(d));

    let d = find(&diags, "`paths` must be an array of strings");
    at(d, FILE, 10, 9);
    assert!(help(d).contains(r#"`paths = ["docs/**"]`"#), "{}", help(d));
}

#[test]
fn bad_author_glob_and_unescaped_bot_class_are_reported() {
    let text = r#"[roles]
senior = ["a@x"]
[ai]
authors = ["*@agents.example", "{a,b@x", "devin-ai-integration[bot]@users.noreply.github.com"]
"#;
    let diags = errors(text);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    let d = find(&diags, "bad glob `{a,b@x`");
    at(d, FILE, 4, col(text, 4, "\"{a,b@x\""));
    assert!(help(d).contains("close the `{` with `}`"), "{}", help(d));
    let d = find(&diags, "character class");
    at(d, FILE, 4, col(text, 4, "\"devin"));
    assert!(help(d).contains(r"\\[bot\\]"), "{}", help(d));
}

#[test]
fn path_glob_rooted_at_slash_never_matches() {
    let text =
        "[roles]\nsenior = [\"a@x\"]\n[[rules]]\npaths = [\"/docs/**\"]\ntier = \"autonomous\"\n";
    let d = &errors(text)[0];
    at(d, FILE, 4, 10);
    assert!(help(d).contains("\"docs/**\""), "{}", help(d));
}

#[test]
fn rule_without_tier_is_reported_at_its_header() {
    let text = "[roles]\nsenior = [\"a@x\"]\n\n[[rules]]\ncrates = [\"billing-api\"]\n";
    let d = &errors(text)[0];
    at(d, FILE, 4, 1);
    assert_eq!(d.width, "[[rules]]".len());
    assert!(d.message.contains("no `tier`"));
    assert!(help(d).contains("tier = "), "{}", help(d));
}

#[test]
fn tier_role_missing_from_roles_is_reported_at_the_role() {
    let text = r#"[roles]
senior = ["a@x"]
[tiers.supervised]
approvals = 1
role = "senoir"
"#;
    let d = &errors(text)[0];
    at(d, FILE, 5, 8);
    assert!(d
        .message
        .contains("role `senoir` is not defined in [roles]"));
    assert!(help(d).contains("did you mean `senior`?"), "{}", help(d));
}

#[test]
fn default_tiers_need_the_senior_role() {
    let text = "base = \"main\"\n[roles]\nlead = [\"a@x\"]\n";
    let diags = errors(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    at(d, FILE, 2, 1);
    assert!(d.message.contains("default role `senior`"), "{}", d.message);
    assert!(help(d).contains("senior = ["), "{}", help(d));
    assert!(help(d).contains("[tiers.supervised] and [tiers.prohibited]"));

    // Writing the tiers out with the role in use fixes it.
    let fixed = format!(
        "{text}[tiers.supervised]\napprovals = 1\nrole = \"lead\"\n[tiers.prohibited]\napprovals = 2\nrole = \"lead\"\n"
    );
    let p = parse(&fixed);
    assert_eq!(
        p.requirement(Tier::Prohibited).role.as_deref(),
        Some("lead")
    );
    // autonomous was defaulted: no role, no approvals.
    assert_eq!(p.requirement(Tier::Autonomous).approvals, 0);
}

#[test]
fn approvals_without_a_role_are_allowed() {
    let text = "[tiers.autonomous]\napprovals = 0\n[tiers.supervised]\napprovals = 1\n[tiers.prohibited]\napprovals = 2\n";
    let p = parse(text);
    assert_eq!(p.requirement(Tier::Supervised).approvals, 1);
    assert_eq!(p.requirement(Tier::Supervised).role, None);
}

#[test]
fn syntax_errors_are_reported_with_the_other_problems() {
    let text = "base = main\ndefault_tier = \"supervisd\"\n[roles]\nsenior = [\"a@x\"]\n";
    let diags = errors(text);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    let d = &diags[0];
    assert_eq!((d.line, d.file.as_str()), (1, FILE));
    assert!(d.message.starts_with("TOML syntax error"), "{}", d.message);
    assert!(help(d).contains(r#"`base = "main"`"#), "{}", help(d));
    at(&diags[1], FILE, 2, 16);
}

#[test]
fn design_example_parses_with_its_values() {
    let p = parse(DESIGN_EXAMPLE);
    assert_eq!(p.base, "main");
    assert_eq!(p.default_tier, Tier::Supervised);
    assert_eq!(p.escalation.reach, Reach::Transitive);
    assert_eq!(p.escalation.cap, Tier::Supervised);
    assert_eq!(
        p.principals_with_role("senior"),
        ["alice@example.com", "bob@example.com"]
    );
    // The lists extend the built-in ones.
    assert_eq!(
        p.ai.authors.last().map(String::as_str),
        Some("*@agents.example")
    );
    assert!(p.ai.author_set.is_match("kiro@agents.example"));
    assert!(p.ai.author_set.is_match("cursoragent@cursor.com"));
    for a in [
        "kiro", "claude", "copilot", "cursor", "codex", "devin", "gemini", "aider",
    ] {
        assert!(p.ai.agents.iter().any(|x| x == a), "{a}");
    }
    assert_eq!(p.requirement(Tier::Autonomous).approvals, 0);
    assert_eq!(p.requirement(Tier::Prohibited).approvals, 2);
    assert_eq!(
        p.requirement(Tier::Prohibited).role.as_deref(),
        Some("senior")
    );
    assert_eq!(p.rules.len(), 2);
    let docs = &p.rules[0];
    assert_eq!((docs.tier, docs.line), (Tier::Autonomous, 26));
    assert!(docs.is_match("docs/guide/intro.txt"));
    assert!(docs.is_match("crates/a/README.md"));
    assert!(!docs.is_match("src/lib.rs"));
    let billing = &p.rules[1];
    assert_eq!((billing.tier, billing.line), (Tier::Prohibited, 29));
    assert_eq!(billing.crates, ["billing-api"]);
}

#[test]
fn a_single_star_stays_in_one_directory() {
    let text =
        "[roles]\nsenior = [\"a@x\"]\n[[rules]]\npaths = [\"src/*.rs\"]\ntier = \"autonomous\"\n";
    let p = parse(text);
    assert!(p.rules[0].is_match("src/lib.rs"));
    assert!(!p.rules[0].is_match("src/a/lib.rs"));
}

#[test]
fn defaults_apply_when_tables_are_absent() {
    let p = parse("[roles]\nsenior = [\"a@x\"]\n");
    assert_eq!(p.base, "main");
    assert_eq!(p.default_tier, Tier::Supervised);
    assert_eq!(p.escalation.reach, Reach::Transitive);
    assert_eq!(p.escalation.cap, Tier::Supervised);
    assert_eq!(
        p.ai.trailers,
        ["Co-authored-by", "Assisted-by", "Generated-by"]
    );
    assert_eq!(p.ai.agents, policy::DEFAULT_AGENTS);
    assert!(p
        .ai
        .author_set
        .is_match("12345+copilot@users.noreply.github.com"));
    assert!(p
        .ai
        .author_set
        .is_match("158243242+devin-ai-integration[bot]@users.noreply.github.com"));
    assert!(!p.ai.author_set.is_match("kiro@agents.example"));
    assert!(p.ai.authors.iter().all(|a| !a.contains("agents.example")));
    assert_eq!(p.requirement(Tier::Autonomous).approvals, 0);
    assert_eq!(p.requirement(Tier::Autonomous).role, None);
    assert_eq!(p.requirement(Tier::Supervised).approvals, 1);
    assert_eq!(
        p.requirement(Tier::Supervised).role.as_deref(),
        Some("senior")
    );
    assert_eq!(p.requirement(Tier::Prohibited).approvals, 2);
    assert!(p.rules.is_empty());
}

#[test]
fn agent_names_are_stored_lowercase_and_absent_ai_keys_default() {
    let p =
        parse("[roles]\nsenior = [\"a@x\"]\n[ai]\nagents = [\"Kiro\", \"CLAUDE\", \"Acme-Bot\"]\n");
    assert!(
        p.ai.agents.ends_with(&["acme-bot".to_string()]),
        "{:?}",
        p.ai.agents
    );
    assert!(
        p.ai.agents.iter().any(|a| a == "jules"),
        "the table extends the built-in agents: {:?}",
        p.ai.agents
    );
    assert_eq!(p.ai.agents.iter().filter(|a| *a == "kiro").count(), 1);
    assert_eq!(p.ai.trailers.len(), 3);
    let p = parse("[roles]\nsenior = [\"a@x\"]\n[ai]\nuse_defaults = false\nagents = [\"Kiro\"]\n");
    assert_eq!(p.ai.agents, ["kiro"]);
    assert!(p.ai.trailers.is_empty() && p.ai.authors.is_empty());
}

#[test]
fn display_shows_place_source_line_carets_and_help() {
    let text = "base = \"main\"\ndefault_tier = \"supervisd\"\n[roles]\nsenior = [\"a@x\"]\n";
    let Err(diags) = parse_policy(text, FILE, source()) else {
        panic!("expected an error");
    };
    let shown = diags.to_string();
    let expected = format!(
        "{FILE}:2:16: error: unknown tier `supervisd` in `default_tier`\n  |\n2 | default_tier = \"supervisd\"\n  |                ^^^^^^^^^^^\n  = help: "
    );
    assert!(shown.starts_with(&expected), "got:\n{shown}");
    assert!(shown.ends_with("1 problem found"), "got:\n{shown}");
}

// ---------------------------------------------------------------- allowed_signers

#[test]
fn roster_parses_options_quotes_comments_and_times_as_utc() {
    let text = format!(
        "# reviewers\n\n\"alice@example.com,al@corp.example\" namespaces=\"countersign,git\",valid-after=\"20240101\",valid-before=\"202501021230Z\" {ALICE_KEY}\nbob@example.com {BOB_KEY}\n"
    );
    let roster = match parse_roster(&text, ROSTER) {
        Ok(r) => r,
        Err(d) => panic!("{d}"),
    };
    assert_eq!(roster.entries.len(), 2);
    let a = &roster.entries[0];
    assert_eq!(a.principals, ["alice@example.com", "al@corp.example"]);
    assert_eq!(a.line, 3);
    assert_eq!(
        a.namespaces.as_deref(),
        Some(&["countersign".to_string(), "git".to_string()][..])
    );
    assert_eq!(
        a.valid_after.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-01-01T00:00:00+00:00")
    );
    assert_eq!(
        a.valid_before.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-01-02T12:30:00+00:00")
    );
    assert_eq!(roster.entries[1].namespaces, None);
    assert_eq!(roster.entries[1].line, 4);
    assert!(a.summary().fingerprint.starts_with("SHA256:"));
}

#[test]
fn cert_authority_is_rejected_with_a_fix() {
    let text = format!("alice@example.com cert-authority {ALICE_KEY}\n");
    let d = &roster_errors(&text)[0];
    at(d, ROSTER, 1, 19);
    assert!(d.message.contains("not supported yet"), "{}", d.message);
    assert!(
        help(d).contains("each signer's own public key"),
        "{}",
        help(d)
    );
}

#[test]
fn bad_key_is_reported_at_the_key() {
    let damaged = ALICE_KEY.replace("AAAAC3Nza", "AAAAC3Nzb");
    let text = format!(
        "alice@example.com {BOB_KEY}\nbob@example.com namespaces=\"countersign\" {damaged}\n"
    );
    let diags = roster_errors(&text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    at(&diags[0], ROSTER, 2, col(&text, 2, "ssh-ed25519"));
    assert!(help(&diags[0]).contains(".pub"), "{}", help(&diags[0]));

    let text = "carol@example.com ssh-ed2559 AAAA\n";
    let d = &roster_errors(text)[0];
    at(d, ROSTER, 1, 19);
    assert!(
        d.message.contains("unknown key type `ssh-ed2559`"),
        "{}",
        d.message
    );

    let text = "carol@example.com\n";
    let d = &roster_errors(text)[0];
    assert_eq!(d.line, 1);
    assert!(d.message.contains("no public key"), "{}", d.message);
}

#[test]
fn bad_valid_after_is_reported_at_the_value() {
    let text = format!("alice@example.com valid-after=20241301 {ALICE_KEY}\n");
    let d = &roster_errors(&text)[0];
    at(d, ROSTER, 1, col(&text, 1, "20241301"));
    assert!(d.message.contains("valid-after"), "{}", d.message);
    assert!(help(d).contains("YYYYMMDD"), "{}", help(d));
}

#[test]
fn unknown_roster_option_suggests_the_known_one() {
    let text = format!("alice@example.com namespace=\"countersign\" {ALICE_KEY}\n");
    let d = &roster_errors(&text)[0];
    at(d, ROSTER, 1, 19);
    assert!(
        d.message.contains("unknown option `namespace`"),
        "{}",
        d.message
    );
    assert!(
        help(d).contains("did you mean `namespaces`?"),
        "{}",
        help(d)
    );
}

// ---------------------------------------------------------------- cross-checks

#[test]
fn role_principal_missing_from_the_roster_is_reported_at_the_principal() {
    let text = "[roles]\nsenior = [\"alice@example.com\", \"carol@example.com\"]\n";
    let p = parse(text);
    let roster: Roster = match parse_roster(&roster_text(), ROSTER) {
        Ok(r) => r,
        Err(d) => panic!("{d}"),
    };
    let diags = Trusted::check(text, FILE, &p, &roster).0;
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    at(d, FILE, 2, col(text, 2, "\"carol@example.com\""));
    assert_eq!(
        help(d),
        "add a line for carol@example.com to .countersign/allowed_signers, or remove it from the role"
    );
}

// ---------------------------------------------------------------- loading

/// A throwaway repository on branch `main`; commits use a fixed identity, never the
/// developer's git config.
struct Repo {
    dir: tempfile::TempDir,
    repo: git2::Repository,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = git2::Repository::init_opts(dir.path(), &opts).expect("git init");
        Repo { dir, repo }
    }

    fn write(&self, path: &str, bytes: &[u8]) -> &Repo {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, bytes).expect("write");
        self
    }

    /// Commits the work tree's files onto HEAD's branch.
    fn commit(&self, message: &str) -> git2::Oid {
        let mut index = self.repo.index().expect("index");
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.write().expect("write index");
        let tree = self
            .repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let sig = git2::Signature::new(
            "Test",
            "test@example.com",
            &git2::Time::new(1_700_000_000, 0),
        )
        .expect("sig");
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .expect("commit")
    }

    fn checkout_new_branch(&self, name: &str) {
        let head = self
            .repo
            .head()
            .expect("head")
            .peel_to_commit()
            .expect("commit");
        self.repo.branch(name, &head, false).expect("branch");
        self.repo
            .set_head(&format!("refs/heads/{name}"))
            .expect("set head");
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn policy_errors(err: Error) -> Vec<Diagnostic> {
    match err {
        Error::Policy(d) => d.0,
        other => panic!("expected policy diagnostics, got {other}"),
    }
}

#[test]
fn load_trusted_reads_the_revision_not_the_work_tree() {
    let repo = Repo::new();
    repo.write(policy::POLICY_PATH, DESIGN_EXAMPLE.as_bytes())
        .write(policy::ROSTER_PATH, roster_text().as_bytes());
    let main = repo.commit("policy A");

    // Policy B: broken, committed on another branch and also left in the work tree.
    repo.checkout_new_branch("feature");
    let broken = "default_tier = \"autonomus\"\n";
    repo.write(policy::POLICY_PATH, broken.as_bytes());
    repo.commit("policy B");
    repo.write(policy::POLICY_PATH, b"this is = = not toml");

    let trusted = match load_trusted(&repo.repo, "main") {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(trusted.policy.rules.len(), 2);
    assert_eq!(trusted.policy.source.rev, "main");
    assert_eq!(trusted.policy.source.commit, Some(main.to_string()));
    assert_eq!(trusted.roster.entries.len(), 2);
    assert!(trusted.policy.digest.starts_with("sha256:"));
    assert_eq!(trusted.policy.digest.len(), "sha256:".len() + 64);
    assert_eq!(
        policy::summary(&trusted),
        "policy OK: base main, default supervised, 2 rules, roles senior (2), 2 signers"
    );

    // The branch's policy B is judged from its own revision, labelled with it.
    let diags = policy_errors(load_trusted(&repo.repo, "feature").expect_err("B is broken"));
    let d = find(&diags, "autonomus");
    at(d, "feature:.countersign/policy.toml", 1, 16);

    // policy check reads the work tree.
    let diags = policy_errors(load_worktree(repo.path()).expect_err("work tree is broken"));
    assert_eq!(diags[0].file, FILE);
    assert!(diags[0].message.starts_with("TOML syntax error"));
}

#[test]
fn missing_policy_is_no_policy() {
    let repo = Repo::new();
    repo.write("README.md", b"hello\n");
    repo.commit("no policy");
    match load_trusted(&repo.repo, "main") {
        Err(Error::NoPolicy { rev }) => assert_eq!(rev, "main"),
        Err(e) => panic!("expected NoPolicy, got {e}"),
        Ok(_) => panic!("expected NoPolicy"),
    }
}

#[test]
fn digest_changes_when_the_roster_changes() {
    let repo = Repo::new();
    repo.write(policy::POLICY_PATH, DESIGN_EXAMPLE.as_bytes())
        .write(policy::ROSTER_PATH, roster_text().as_bytes());
    repo.commit("one");
    let first = load_trusted(&repo.repo, "main")
        .expect("loads")
        .policy
        .digest;
    let again = load_trusted(&repo.repo, "main")
        .expect("loads")
        .policy
        .digest;
    assert_eq!(first, again);

    let more = format!("{}carol@example.com {BOB_KEY}\n", roster_text());
    repo.write(policy::ROSTER_PATH, more.as_bytes());
    repo.commit("two");
    let second = load_trusted(&repo.repo, "main")
        .expect("loads")
        .policy
        .digest;
    assert_ne!(first, second);
    assert_eq!(
        first,
        policy::policy_digest(DESIGN_EXAMPLE.as_bytes(), roster_text().as_bytes())
    );
}

#[test]
fn load_reports_policy_roster_and_cross_file_problems_together() {
    let repo = Repo::new();
    let policy_text = "default_tier = \"supervisd\"\n[roles]\nsenior = [\"alice@example.com\", \"dave@example.com\"]\n";
    let damaged = ALICE_KEY.replace("AAAAC3Nza", "AAAAC3Nzb");
    let roster = format!("alice@example.com {damaged}\nbob@example.com cert-authority {BOB_KEY}\n");
    repo.write(policy::POLICY_PATH, policy_text.as_bytes())
        .write(policy::ROSTER_PATH, roster.as_bytes());
    repo.commit("broken");
    let diags = policy_errors(load_trusted(&repo.repo, "main").expect_err("broken"));
    let places: Vec<(String, usize)> = diags.iter().map(|d| (d.file.clone(), d.line)).collect();
    let pf = "main:.countersign/policy.toml".to_string();
    let rf = "main:.countersign/allowed_signers".to_string();
    assert_eq!(
        places,
        vec![(pf.clone(), 1), (pf, 3), (rf.clone(), 1), (rf, 2)],
        "{diags:#?}"
    );
    // alice's line is in the roster (with a bad key): not reported again as missing.
    let d = find(&diags, "dave@example.com");
    assert_eq!(d.column, col(policy_text, 3, "\"dave"));
}

#[test]
fn missing_roster_reports_every_role_principal() {
    let repo = Repo::new();
    repo.write(
        policy::POLICY_PATH,
        b"[roles]\nsenior = [\"alice@example.com\"]\n",
    );
    repo.commit("no roster");
    let diags = policy_errors(load_trusted(&repo.repo, "main").expect_err("no roster"));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    at(&diags[0], "main:.countersign/policy.toml", 2, 11);
}

#[test]
fn non_utf8_policy_is_a_diagnostic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join(policy::POLICY_PATH);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, b"base = \"main\"\nbase2 = \"\xff\"\n").expect("write");
    let diags = policy_errors(load_worktree(dir.path()).expect_err("not utf-8"));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    at(&diags[0], FILE, 2, 10);
    assert!(diags[0].message.contains("UTF-8"));
}

#[test]
fn worktree_policy_loads_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".countersign")).expect("mkdir");
    std::fs::write(root.join(policy::POLICY_PATH), DESIGN_EXAMPLE).expect("write");
    std::fs::write(root.join(policy::ROSTER_PATH), roster_text()).expect("write");
    let t = load_worktree(root).expect("loads");
    assert_eq!(t.policy.source.rev, "work tree");
    assert_eq!(t.policy.source.commit, None);
    assert!(t.policy.digest.starts_with("sha256:"));
}
