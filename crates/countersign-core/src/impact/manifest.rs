//! The parts of a `Cargo.toml` the impact analysis reads, as serde types (raw: nothing is
//! checked here; [`super::workspace`] and [`super::targets`] turn them into the model).
//!
//! Unknown keys are ignored, so a manifest using newer Cargo features still loads. Values of
//! the wrong type fail the whole manifest, which is reported as a problem and the member is
//! kept with what could be read (its name, no dependencies).

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole manifest.
#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawManifest {
    pub package: Option<RawPackage>,
    pub workspace: Option<RawWorkspace>,
    pub lib: Option<RawTarget>,
    #[serde(default)]
    pub bin: Vec<RawTarget>,
    #[serde(default)]
    pub test: Vec<RawTarget>,
    #[serde(default)]
    pub bench: Vec<RawTarget>,
    #[serde(default)]
    pub example: Vec<RawTarget>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "dev_dependencies")]
    pub dev_dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "build_dependencies")]
    pub build_dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    pub target: BTreeMap<String, RawDepTables>,
    /// `[patch.<source>]`: packages replaced by (often local) ones, keyed by source.
    #[serde(default)]
    pub patch: BTreeMap<String, BTreeMap<String, RawDep>>,
    /// `[replace]` (deprecated form of `[patch]`), keyed by `name:version`.
    #[serde(default)]
    pub replace: BTreeMap<String, RawDep>,
    /// [`build_fingerprint`] of the text this was parsed from, worked out once: a parsed
    /// manifest is shared by every workspace load that reads the same text.
    #[serde(skip)]
    pub fingerprint: std::sync::OnceLock<u64>,
}

/// The three dependency tables (with Cargo's old underscore spellings).
#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawDepTables {
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "dev_dependencies")]
    pub dev_dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "build_dependencies")]
    pub build_dependencies: BTreeMap<String, RawDep>,
}

/// `[workspace]`.
#[derive(Deserialize, Default)]
pub(crate) struct RawWorkspace {
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDep>,
    pub package: Option<RawWorkspacePackage>,
}

/// `[workspace.package]`: only what target discovery needs.
#[derive(Deserialize, Default)]
pub(crate) struct RawWorkspacePackage {
    pub edition: Option<String>,
}

/// `[package]`.
#[derive(Deserialize)]
pub(crate) struct RawPackage {
    pub name: Option<String>,
    pub metadata: Option<RawMetadata>,
    pub edition: Option<Inheritable>,
    pub build: Option<RawBuild>,
    pub autolib: Option<bool>,
    pub autobins: Option<bool>,
    pub autotests: Option<bool>,
    pub autobenches: Option<bool>,
    pub autoexamples: Option<bool>,
}

/// A value that may be `{ workspace = true }`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Inheritable {
    Value(String),
    Inherit {
        #[allow(dead_code)]
        workspace: bool,
    },
}

/// `build = "path"` or `build = false`.
#[derive(Deserialize, Clone, Debug)]
#[serde(untagged)]
pub(crate) enum RawBuild {
    Flag(bool),
    Path(String),
}

/// `[package.metadata]`.
#[derive(Deserialize)]
pub(crate) struct RawMetadata {
    pub countersign: Option<RawCountersign>,
}

/// `[package.metadata.countersign]`.
#[derive(Deserialize)]
pub(crate) struct RawCountersign {
    pub tier: Option<toml::Spanned<String>>,
}

/// `[lib]`, `[[bin]]`, `[[test]]`, `[[bench]]`, `[[example]]`.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawTarget {
    pub name: Option<String>,
    pub path: Option<String>,
    /// `proc-macro = true` (Cargo also reads the old `proc_macro`).
    #[serde(alias = "proc_macro")]
    pub proc_macro: Option<bool>,
}

/// One dependency entry: `"1.0"` or a table.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(crate) enum RawDep {
    Version(#[allow(dead_code)] String),
    Detailed(RawDepDetail),
}

/// A dependency table.
#[derive(Deserialize, Clone, Default)]
pub(crate) struct RawDepDetail {
    pub path: Option<String>,
    pub package: Option<String>,
    pub workspace: Option<bool>,
}

impl RawDep {
    /// The table form, when it is one.
    pub(crate) fn detail(&self) -> Option<&RawDepDetail> {
        match self {
            RawDep::Version(_) => None,
            RawDep::Detailed(d) => Some(d),
        }
    }
}

impl RawPackage {
    /// A package with only a name (what survives of a manifest that does not parse).
    pub(crate) fn named(name: &str) -> RawPackage {
        RawPackage {
            name: Some(name.to_string()),
            metadata: None,
            edition: None,
            build: None,
            autolib: None,
            autobins: None,
            autotests: None,
            autobenches: None,
            autoexamples: None,
        }
    }
}

/// The names build-script code uses for the build dependencies (keys, `-` as `_`).
pub(crate) fn build_dep_names(raw: &RawManifest) -> Vec<String> {
    let mut out: Vec<String> = raw
        .build_dependencies
        .keys()
        .chain(
            raw.target
                .values()
                .flat_map(|t| t.build_dependencies.keys()),
        )
        .map(|k| k.replace('-', "_"))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A digest of the parts of a manifest that decide what runs on the build machine:
/// `package.build`, `package.links`, `lib.proc-macro`, and every build-dependency entry
/// (target tables too), as parsed values. 0 for a manifest with none of them.
pub(crate) fn build_fingerprint(raw: &RawManifest, text: &str) -> u64 {
    *raw.fingerprint.get_or_init(|| fingerprint_of(raw, text))
}

/// [`build_fingerprint`], worked out (`raw` is `text` parsed).
fn fingerprint_of(raw: &RawManifest, text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let plain = raw.build_dependencies.is_empty()
        && raw.target.values().all(|t| t.build_dependencies.is_empty())
        && !text.contains("build")
        && !text.contains("links")
        && !text.contains("proc");
    if plain {
        return 0;
    }
    let Ok(value) = toml::from_str::<toml::Value>(text) else {
        return 1;
    };
    let pick = |v: &toml::Value, path: &[&str]| -> String {
        let mut at = Some(v);
        for k in path {
            at = at.and_then(|x| x.get(*k));
        }
        at.map(|x| x.to_string()).unwrap_or_default()
    };
    let mut parts = vec![
        pick(&value, &["package", "build"]),
        pick(&value, &["package", "links"]),
        pick(&value, &["lib", "proc-macro"]),
        pick(&value, &["lib", "proc_macro"]),
        pick(&value, &["build-dependencies"]),
        pick(&value, &["build_dependencies"]),
    ];
    if let Some(targets) = value.get("target").and_then(|t| t.as_table()) {
        for (k, t) in targets {
            parts.push(k.clone());
            parts.push(pick(t, &["build-dependencies"]));
            parts.push(pick(t, &["build_dependencies"]));
        }
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}
