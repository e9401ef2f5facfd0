//! The command-line contract (DESIGN.md): every subcommand, its flags and their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Review, tier and sign off AI-generated changes to Cargo repositories.
#[derive(Debug, Parser)]
#[command(name = "countersign", version, about, long_about = None)]
pub struct Cli {
    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,
    /// Colour the text outputs: `auto` (a terminal, and `NO_COLOR` unset or empty),
    /// `always` or `never`, as git's `--color`.
    #[arg(long, value_name = "WHEN", global = true, default_value = "auto")]
    pub color: ColorWhen,
    /// Never page long text output (like git's `--no-pager`).
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Exactly one (without one, the usage is printed and the exit code is 2).
    #[command(subcommand)]
    pub command: Command,
}

/// When the text outputs are coloured (`--color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set to a non-empty value.
    #[default]
    Auto,
    /// Always, even into a pipe or a file (and whatever `NO_COLOR` says).
    Always,
    /// Never, even on a terminal.
    Never,
}

/// Output formats shared by the reporting subcommands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table or tree for people.
    #[default]
    Text,
    /// One JSON document on stdout, for scripts.
    Json,
}

/// Output formats of `verify`: the shared ones plus CI annotations and JUnit XML.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// A report for people.
    #[default]
    Text,
    /// One JSON document on stdout, for scripts.
    Json,
    /// GitHub Actions workflow commands (`::error title=…::…`), one per failing commit.
    Github,
    /// JUnit XML: one test case per commit, for GitLab and other CI test reports.
    Junit,
    /// A Markdown summary for GitHub's job summary (`$GITHUB_STEP_SUMMARY`) or a PR comment:
    /// each commit's verdict and the blast radius as a Mermaid graph.
    Markdown,
}

/// Output formats of `impact`: the shared ones plus the graph alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// A tree for people.
    #[default]
    Text,
    /// One JSON document on stdout, for scripts.
    Json,
    /// The blast radius as a Mermaid flowchart (crates, dependents, modules).
    Mermaid,
    /// The blast radius as a Graphviz DOT digraph (`dot -Tsvg`).
    Dot,
}

/// Where trust comes from: the revision whose policy and roster judge the change.
#[derive(Clone, Debug, Args)]
pub struct TrustArgs {
    /// Read the policy and roster from REF, best given as a full ref name
    /// (`refs/remotes/origin/main`); a short name several refs answer to is refused. Default:
    /// git config `countersign.trustedRef`, else the branch `origin/HEAD` points at, else (no
    /// remote) the one of `main`/`master` that exists.
    #[arg(long, value_name = "REF")]
    pub trusted_ref: Option<String>,
}

impl TrustArgs {
    /// The selection a command judges: `revspec` under this trusted ref.
    pub fn select<'a>(&'a self, revspec: Option<&'a str>) -> crate::review::Selection<'a> {
        crate::review::Selection {
            revspec,
            trusted_ref: self.trusted_ref.as_deref(),
        }
    }
}

impl VerifyArgs {
    /// The REVSPEC and trusted ref given.
    pub fn selection(&self) -> crate::review::Selection<'_> {
        self.trust.select(self.revspec.as_deref())
    }
}

/// One per command of the command-line contract (DESIGN.md), each in its own module of `cli`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the review workstation (TUI) on a change.
    Review(ReviewArgs),
    /// Build a sample repository with AI-authored commits, a policy and a key, then review it.
    Demo(DemoArgs),
    /// Show what a change can reach: crates, modules, targets, and the tier that follows.
    Impact(ImpactArgs),
    /// Sign an approval or rejection of each commit of a range (the TUI's signing path).
    Sign(SignArgs),
    /// The CI gate: fail any AI commit that lacks the sign-off its tier demands.
    Verify(VerifyArgs),
    /// The review as a prompt for the agent: the decision and each comment with its code,
    /// found again on the agent's next revision (open, moved, outdated).
    Feedback(FeedbackArgs),
    /// List the sign-offs on a commit, each with its verification verdict.
    Show(ShowArgs),
    /// Make a new ed25519 signing key and print its allowed_signers line.
    Keygen(KeygenArgs),
    /// The triage queue: each commit's AI provenance, tier with reasons, and sign-off state.
    Status(StatusArgs),
    /// Adopt countersign here: write a policy and roster, set up notes fetching and rewriting.
    Init,
    /// Share sign-offs: fetch the remote's, merge them with yours (line union), push.
    Sync {
        /// Where to fetch the team's sign-offs from and push the merged ones to.
        #[arg(default_value = "origin")]
        remote: String,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to print the script for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `countersign man > countersign.1`; with `--dir DIR`, write
    /// a page per subcommand into DIR (countersign.1, countersign-status.1, …).
    Man {
        /// Write every page into this directory instead of printing countersign(1).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Validate the policy and roster.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The pattern over history: AI share per month and crate, tiers, approvals and their
    /// latency, rejects, AI changes fixed soon after, the blast radius (HTML, Markdown, JSON).
    Report(ReportArgs),
    /// Print a server-side git hook that refuses rewriting or deleting
    /// refs/notes/countersign* (install it as hooks/pre-receive or hooks/update).
    Hook {
        /// Which hook: pre-receive (reads ref updates on stdin) or update (one ref per call).
        #[arg(value_enum, default_value_t)]
        kind: HookKind,
    },
}

/// The server-side hooks `countersign hook` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum HookKind {
    /// `hooks/pre-receive`: every ref update of a push on stdin, all refused together.
    #[default]
    PreReceive,
    /// `hooks/update`: called once per ref (`REF OLD NEW`).
    Update,
}

impl Command {
    /// True when the command prints one JSON document (`--format json`): its errors are then
    /// one JSON object on stderr too, so that a script reads both the same way.
    pub fn wants_json(&self) -> bool {
        match self {
            Command::Impact(a) => a.format == ImpactFormat::Json,
            Command::Status(a) => a.format == Format::Json,
            Command::Show(a) => a.format == Format::Json,
            Command::Verify(a) => a.format == VerifyFormat::Json,
            Command::Report(a) => a.format == ReportFormat::Json,
            _ => false,
        }
    }
}

/// Arguments of `review`: the change to open in the workstation, or its first screen as text.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// A commit, a range `A..B`, or nothing for the commits of HEAD not on the base branch.
    pub revspec: Option<String>,
    /// Where the policy and roster that judge the change come from.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Render the first screen into a WxH buffer, print it as text and exit.
    #[arg(long, value_name = "WxH")]
    pub snapshot: Option<String>,
    /// With --snapshot: wait until every panel has its data.
    #[arg(long)]
    pub snapshot_settled: bool,
    /// Draw the screen on /dev/tty and, when the review ends, print the review as a prompt
    /// for the agent (decision, comments with the code they are about) on stdout.
    #[arg(long, conflicts_with = "snapshot")]
    pub stdout: bool,
    /// Colour theme (built in: dark, light; or one in the config directory's themes/).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
}

/// Arguments of `demo`: where to build the sample repository, and whether to open it.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the demo in DIR (its repository in DIR/repo, its key in DIR/keys); default: a
    /// fresh temporary directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print where the demo is and its status instead of opening the TUI.
    #[arg(long)]
    pub no_tui: bool,
}

/// Arguments of `impact`: the change whose blast radius to show, and how.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// A commit, a range `A..B`, or nothing for the commits of HEAD not on the base branch.
    pub revspec: Option<String>,
    /// Where the policy and roster that judge the change come from.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ImpactFormat,
}

/// A signed decision as `sign --decision` spells it (the record's own is `signoff::Decision`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    /// The change may ship.
    Approve,
    /// The change must not ship as it is.
    Reject,
}

/// Arguments of `sign`: the commits, the decision and the key that signs it.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The commit or range to sign.
    pub revspec: String,
    /// Approve or reject.
    #[arg(long, value_enum)]
    pub decision: DecisionArg,
    /// A comment recorded in the signed payload.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// Structured comments from a JSON file: an array of `{"commit", "path", "side"
    /// ("old"|"new"), "start", "end", "text", "resolved"}` (commit defaults to the only commit
    /// signed). countersign quotes the lines from the commit; the sign-off becomes a payload
    /// version 2, which only an upgraded gate reads. `-` reads them from stdin (with --yes).
    #[arg(long, value_name = "FILE")]
    pub comments_from: Option<PathBuf>,
    /// The private key to sign with (default: $COUNTERSIGN_KEY, then git's user.signingKey).
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    /// The roster principal to sign as, where the key is listed under several.
    #[arg(long, value_name = "PRINCIPAL")]
    pub principal: Option<String>,
    /// Sign without asking for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Show what would be signed (one `would sign:` line per commit on stdout) and stop:
    /// nothing is asked for or written.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the policy and roster that judge the change come from.
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// Arguments of `verify`: the range the gate judges, and the report's format.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A commit, a range `A..B`, or nothing for the commits of HEAD not on the base branch.
    pub revspec: Option<String>,
    /// Where the policy and roster that judge the change come from.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: VerifyFormat,
    /// A file holding the notes commit an earlier run judged by: exit 2 when
    /// refs/notes/countersign no longer contains it (a rewritten history); after a verdict,
    /// the tip judged by is written to it. Missing: a first run.
    #[arg(long, value_name = "FILE")]
    pub notes_anchor: Option<PathBuf>,
}

/// Output formats of `feedback`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum FeedbackFormat {
    /// A prompt an agent reads well.
    #[default]
    Markdown,
    /// One JSON document (`schema_version`), for tools.
    Json,
}

/// Arguments of `feedback`: the range whose review to hand back, and how.
#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// A commit, a range `A..B`, or nothing for the commits of HEAD not on the base branch.
    pub revspec: Option<String>,
    /// Where the roster that checks the signed comments comes from.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: FeedbackFormat,
    /// Leave out the outdated comments (their lines changed) and those marked resolved.
    #[arg(long)]
    pub unresolved: bool,
}

/// Arguments of `show`: the commit whose sign-offs to list.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The commit whose sign-offs to list.
    pub commit: String,
    /// Where the policy and roster that judge the change come from.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `keygen`: where to write the new key, and whether to protect it.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key (the public key goes beside it with `.pub`).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Write the key unencrypted (for CI bots and demos).
    #[arg(long)]
    pub no_passphrase: bool,
    /// The kind of key: `ed25519` (made by countersign), or a FIDO2 security key made by
    /// `ssh-keygen` (`ed25519-sk`, `ecdsa-sk`; touch it when it blinks), the only kind whose
    /// sign-offs meet a tier's `presence`.
    #[arg(long = "type", value_name = "TYPE", default_value = "ed25519",
          value_parser = ["ed25519", "ed25519-sk", "ecdsa-sk"])]
    pub key_type: String,
}

/// Arguments of `status`: the range to triage, and the table's format.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A commit, a range `A..B`, or nothing for the commits of HEAD not on the base branch.
    pub revspec: Option<String>,
    /// Where the policy and roster that judge the change come from.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check .countersign/policy.toml and allowed_signers: every error with file:line:column.
    Check(PolicyCheckArgs),
}

/// `policy check`.
#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// Check the files as committed at REF instead of the work tree.
    #[arg(long, value_name = "REF")]
    pub rev: Option<String>,
}

/// Formats of `report`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained page: inline SVG charts, each with its table.
    #[default]
    Html,
    /// Tables and a Mermaid chart, for a pull request or a wiki.
    Markdown,
    /// One JSON document (schemas/report.schema.json).
    Json,
}

/// Arguments of `report`: the history to read and where the report goes.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A range `A..B`, or a commit for its whole history; nothing for the trusted ref's.
    pub range: Option<String>,
    /// Only commits dated on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// An AI commit whose lines a later commit changed within DAYS counts as changed again.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub fix_window: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where today's policy and roster that judge the history come from.
    #[command(flatten)]
    pub trust: TrustArgs,
}
