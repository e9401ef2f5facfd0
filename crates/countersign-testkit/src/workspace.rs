//! Cargo workspaces in a [`TestRepo`]: a root `[workspace]` manifest and member packages
//! that depend on each other by path, written and staged in one chain.

use crate::TestRepo;

/// A member package: `[package]` with name, version 0.1.0 and edition 2021, its path
/// dependencies on sibling packages, and its files. Written by [`TestRepo::package`].
#[derive(Clone, Debug)]
pub struct Package {
    name: String,
    dir: String,
    deps: Vec<String>,
    dev_deps: Vec<String>,
    tail: String,
    files: Vec<(String, String)>,
}

impl Package {
    /// A package called `name` in `crates/NAME`, with no dependencies and no files.
    pub fn new(name: &str) -> Self {
        Package {
            name: name.to_string(),
            dir: format!("crates/{name}"),
            deps: Vec::new(),
            dev_deps: Vec::new(),
            tail: String::new(),
            files: Vec::new(),
        }
    }

    /// Puts the package in `dir` (relative to the repository root; `""` for the root itself)
    /// instead of `crates/NAME`.
    pub fn at(mut self, dir: &str) -> Self {
        self.dir = dir.to_string();
        self
    }

    /// `[dependencies]`: `NAME = { path = "../NAME" }` (a sibling package).
    pub fn dep(mut self, name: &str) -> Self {
        self.deps.push(name.to_string());
        self
    }

    /// `[dev-dependencies]`: `NAME = { path = "../NAME" }`.
    pub fn dev_dep(mut self, name: &str) -> Self {
        self.dev_deps.push(name.to_string());
        self
    }

    /// `[package.metadata.countersign] tier = "TIER"`: the crate's own tier claim.
    pub fn tier(self, tier: &str) -> Self {
        self.manifest_tail(&format!(
            "\n[package.metadata.countersign]\ntier = \"{tier}\"\n"
        ))
    }

    /// Raw TOML appended to the manifest (features, build scripts, targets).
    pub fn manifest_tail(mut self, toml: &str) -> Self {
        self.tail.push_str(toml);
        self
    }

    /// `src/lib.rs`.
    pub fn lib(self, text: &str) -> Self {
        self.file("src/lib.rs", text)
    }

    /// Any file, relative to the package's directory.
    pub fn file(mut self, path: &str, text: &str) -> Self {
        self.files.push((path.to_string(), text.to_string()));
        self
    }

    /// The package's `Cargo.toml`.
    pub fn manifest(&self) -> String {
        let mut out = format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            self.name
        );
        for (header, deps) in [
            ("dependencies", &self.deps),
            ("dev-dependencies", &self.dev_deps),
        ] {
            if deps.is_empty() {
                continue;
            }
            out.push_str(&format!("[{header}]\n"));
            for d in deps {
                out.push_str(&format!("{d} = {{ path = \"../{d}\" }}\n"));
            }
        }
        out.push_str(&self.tail);
        out
    }

    /// Every file with its path from the repository root, the manifest first.
    pub fn files(&self) -> Vec<(String, String)> {
        let at = |path: &str| match self.dir.as_str() {
            "" => path.to_string(),
            dir => format!("{dir}/{path}"),
        };
        let mut all = vec![(at("Cargo.toml"), self.manifest())];
        for (path, text) in &self.files {
            all.push((at(path), text.clone()));
        }
        all
    }
}

impl TestRepo {
    /// Writes the root `Cargo.toml`: `[workspace]` with `members`.
    pub fn cargo_workspace(&self, members: &[&str]) -> &Self {
        let quoted: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
        self.write(
            "Cargo.toml",
            format!("[workspace]\nmembers = [{}]\n", quoted.join(", ")),
        );
        self
    }

    /// Writes and stages every file of `package`.
    pub fn package(&self, package: &Package) -> &Self {
        for (path, text) in package.files() {
            self.write(path, text);
        }
        self
    }

    /// Writes and stages `.countersign/policy.toml`.
    pub fn policy(&self, toml: &str) -> &Self {
        self.write(".countersign/policy.toml", toml);
        self
    }

    /// Writes and stages `.countersign/allowed_signers`.
    pub fn roster(&self, text: &str) -> &Self {
        self.write(".countersign/allowed_signers", text);
        self
    }

    /// Creates branch `name` at HEAD and checks it out (the usual `feature` after `main`).
    pub fn start_branch(&self, name: &str) -> &Self {
        self.branch(name);
        self.checkout(name);
        self
    }
}
