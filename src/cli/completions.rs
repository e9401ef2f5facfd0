//! Shell completions and the man page, generated from the CLI definition itself.

use clap::CommandFactory;

use super::{Cli, EXIT_OK};
use crate::util::pipe;
use crate::{Error, Result};

/// Prints the completion script for `shell` on stdout. Generated into memory first: clap's
/// generator panics when a write fails, and `completions bash | head -c1` closes the pipe.
pub fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    // Made in memory, then written: clap_complete panics on a failed write (`| head -c1`).
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "countersign", &mut buf);
    match shell {
        clap_complete::Shell::Bash => buf.extend_from_slice(BASH_DYNAMIC.as_bytes()),
        clap_complete::Shell::Zsh => buf = zsh_dynamic(&String::from_utf8_lossy(&buf)).into_bytes(),
        clap_complete::Shell::Fish => buf.extend_from_slice(FISH_DYNAMIC.as_bytes()),
        _ => {}
    }
    pipe::finish(pipe::write_stdout(&buf), EXIT_OK)
}

/// Zsh: clap's script with revisions completed for REVSPEC, `--trusted-ref` and `--rev`, and
/// theme names for `--theme` (clap leaves them `_default`: file names). The helpers go first,
/// so that they exist when the file is autoloaded from `fpath` and runs as `_countersign`.
fn zsh_dynamic(script: &str) -> String {
    let mut out = String::with_capacity(script.len() + ZSH_HELPERS.len());
    let mut lines = script.lines();
    if let Some(first) = lines.next() {
        out.push_str(first);
        out.push('\n');
    }
    out.push_str(ZSH_HELPERS);
    for line in lines {
        let line = if line.starts_with("'--theme=") {
            line.replacen(":_default'", ":_countersign_themes'", 1)
        } else if line.starts_with("'--trusted-ref=")
            || line.starts_with("'--rev=")
            || line.starts_with("'::revspec")
            || line.starts_with("':revspec")
        {
            line.replacen(":_default'", ":_countersign_revs'", 1)
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Zsh helpers: the repository's branches, tags and remote branches (after `A..` or `A...`
/// too), and the built-in and user theme names.
const ZSH_HELPERS: &str = r#"
_countersign_revs() {
    local -a refs
    refs=(${(f)"$(git for-each-ref --format='%(refname:short)' refs/heads refs/tags refs/remotes 2>/dev/null)"} HEAD)
    compset -P '*...' || compset -P '*..'
    compadd -a refs
}
_countersign_themes() {
    local -a names
    names=(dark light ${XDG_CONFIG_HOME:-$HOME/.config}/countersign/themes/*.toml(N:t:r))
    compadd -a names
}
"#;

/// Fish, after clap's script: the same revisions and theme names.
const FISH_DYNAMIC: &str = r#"
function __countersign_revs
    set -l prefix (string match -r -- '^.*\.\.\.?' (commandline -ct))
    for r in (git for-each-ref --format='%(refname:short)' refs/heads refs/tags refs/remotes 2>/dev/null) HEAD
        echo "$prefix$r"
    end
end
function __countersign_themes
    echo dark
    echo light
    set -l base $HOME/.config
    set -q XDG_CONFIG_HOME; and set base $XDG_CONFIG_HOME
    for t in $base/countersign/themes/*.toml
        basename $t .toml
    end
end
complete -c countersign -l theme -x -a '(__countersign_themes)'
complete -c countersign -l trusted-ref -x -a '(__countersign_revs)'
complete -c countersign -l rev -x -a '(__countersign_revs)'
complete -c countersign -n '__fish_seen_subcommand_from review impact sign verify show status feedback' -f -a '(__countersign_revs)'
"#;

/// Bash, after clap's script: revisions (branches, tags, remote branches, both sides of
/// `A..B`) for REVSPEC, `--trusted-ref` and `--rev`, and theme names (built in, and the
/// user's `~/.config/countersign/themes/*.toml`) for `--theme`. Asked of git at completion
/// time, so they follow the repository.
const BASH_DYNAMIC: &str = r#"
_countersign_revs() {
    local cur="$1" prefix=""
    if [[ "$cur" == *..* ]]; then
        prefix="${cur%..*}.."
        [[ "$cur" == *...* ]] && prefix="${cur%...*}..."
        cur="${cur#"$prefix"}"
    fi
    local IFS=$'\n' r
    for r in $(git for-each-ref --format='%(refname:short)' refs/heads refs/tags refs/remotes 2>/dev/null; echo HEAD); do
        [[ "$r" == "$cur"* ]] && COMPREPLY+=("$prefix$r")
    done
}
_countersign_dynamic() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
    (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
    COMPREPLY=()
    case "$prev" in
        --theme)
            local d="${XDG_CONFIG_HOME:-$HOME/.config}/countersign/themes" t names="dark light"
            for t in "$d"/*.toml; do [[ -f "$t" ]] && names+=" $(basename "$t" .toml)"; done
            COMPREPLY=($(compgen -W "$names" -- "$cur"))
            return 0 ;;
        --trusted-ref|--rev)
            _countersign_revs "$cur"
            return 0 ;;
    esac
    _countersign "$@"
    [[ "$cur" == -* || "$prev" == -* ]] && return 0
    local w
    for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case "$w" in
            review|impact|sign|verify|show|status|feedback)
                _countersign_revs "$cur"
                return 0 ;;
        esac
    done
}
complete -F _countersign_dynamic -o bashdefault -o default countersign
"#;

/// Prints countersign(1) on stdout, or with `dir` writes a page per subcommand there.
pub fn man(dir: Option<&std::path::Path>) -> Result<i32> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match dir {
        None => {
            let buf = page(&cmd, "countersign")?;
            pipe::finish(pipe::write_stdout(&buf), EXIT_OK)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(Error::io(dir.display().to_string()))?;
            let mut pages = Vec::new();
            collect(&cmd, "countersign", &mut pages);
            for (name, sub) in &pages {
                let path = dir.join(format!("{name}.1"));
                let buf = page(sub, name)?;
                std::fs::write(&path, buf).map_err(Error::io(path.display().to_string()))?;
            }
            Ok(EXIT_OK)
        }
    }
}

/// Every visible command under `cmd` with its page name (`countersign-policy-check`).
fn collect(cmd: &clap::Command, name: &str, out: &mut Vec<(String, clap::Command)>) {
    out.push((name.to_string(), cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}

/// One page: clap_mangen's title, name, synopsis, description, options and subcommands, then
/// the sections clap knows nothing of (keys, exit status, environment, files, see also).
fn page(cmd: &clap::Command, name: &str) -> Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    let io = |e| Error::io("the man page")(e);
    man.render_title(&mut buf).map_err(&io)?;
    man.render_name_section(&mut buf).map_err(&io)?;
    man.render_synopsis_section(&mut buf).map_err(&io)?;
    man.render_description_section(&mut buf).map_err(&io)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf).map_err(&io)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf).map_err(&io)?;
    }
    let leaf = name.strip_prefix("countersign-").unwrap_or("");
    buf.extend_from_slice(extra_sections(leaf).as_bytes());
    Ok(buf)
}

/// Roff for KEYS (review only), EXIT STATUS, ENVIRONMENT, FILES and SEE ALSO of the page of
/// subcommand `leaf` ("" for countersign(1)). Static text only: nothing from a repository.
fn extra_sections(leaf: &str) -> String {
    let mut s = String::new();
    if leaf == "review" {
        // The workstation's one key table, as its `?` overlay shows it.
        s.push_str(".SH KEYS\n");
        for (layer, lines) in crate::tui::keymap::help_sections() {
            s.push_str(&format!(".SS \"{}\"\n", roff_text(layer)));
            for (key, what) in lines {
                s.push_str(&format!(
                    ".TP\n\\fB{}\\fR\n{}\n",
                    roff_text(&key),
                    roff_text(what)
                ));
            }
        }
    }
    s.push_str(".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR\nsuccess");
    match leaf {
        "verify" => s.push_str(
            " (every commit may ship)\n.TP\n\\fB1\\fR\na violation: a commit lacks the sign-offs its tier demands, or is forbidden\n",
        ),
        "sign" => s.push_str(
            "\n.TP\n\\fB1\\fR\nrefused, nothing written (a key the roster does not list, outside its validity, an AI commit in the prohibited tier)\n",
        ),
        _ => s.push('\n'),
    }
    s.push_str(".TP\n\\fB2\\fR\nan error: bad arguments, a bad policy or roster, not a repository, no trusted ref\n");
    s.push_str(".SH ENVIRONMENT\n");
    for (var, what) in [
        ("COUNTERSIGN_KEY", "the signing key when --key is not given (a private key file, or key::ssh-ed25519 ... for ssh-agent); then git's user.signingKey"),
        ("COUNTERSIGN_PASSPHRASE", "the key's passphrase, for automation (otherwise asked on the terminal)"),
        ("NO_COLOR", "when set and not empty, --color auto prints no colour"),
        ("PAGER", "the pager for long text output on a terminal (default less -FRX; empty or cat: none)"),
        ("COLUMNS", "the width text output is fitted to (default: the terminal's)"),
        ("COUNTERSIGN_PROGRESS_AFTER_MS", "how long work runs before a progress line shows on a terminal (default 500)"),
    ] {
        s.push_str(&format!(".TP\n\\fB{var}\\fR\n{}\n", roff_text(what)));
    }
    s.push_str(".SH FILES\n");
    for (file, what) in [
        (
            ".countersign/policy.toml",
            "tiers, rules, roles, AI provenance rules; read from the trusted ref",
        ),
        (
            ".countersign/allowed_signers",
            "the roster, in ssh-keygen's allowed_signers format; read from the trusted ref",
        ),
        (
            "refs/notes/countersign",
            "the sign-offs, one JSON line per sign-off in each commit's note",
        ),
        (
            "~/.ssh/countersign_ed25519",
            "the key countersign keygen writes by default",
        ),
    ] {
        s.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            roff_text(file),
            roff_text(what)
        ));
    }
    s.push_str(".SH \"SEE ALSO\"\n");
    if leaf.is_empty() {
        s.push_str("\\fBgit\\fR(1), \\fBssh\\-keygen\\fR(1)\n");
    } else {
        s.push_str("\\fBcountersign\\fR(1), \\fBgit\\fR(1), \\fBssh\\-keygen\\fR(1)\n");
    }
    s
}

/// `text` safe inside a roff paragraph: backslashes and hyphens escaped, no line starting with
/// a control character.
fn roff_text(text: &str) -> String {
    let t = text.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}
