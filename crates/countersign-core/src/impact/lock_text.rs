//! `Cargo.lock` as cargo writes it, read line by line: a long range's `verify` parses one
//! lock file per commit that changes it, and a TOML parser spent a tenth of the gate's time
//! on them. Only the exact shape cargo writes is read here — comments, a top-level
//! `version = N`, `[[package]]` tables of `name`, `version`, `source` and `checksum` strings
//! without escapes, and a `dependencies` array of one string a line. Anything else (another
//! table or key, an escape, a control character, a duplicate key, other spacing) returns
//! None, and the caller parses the text with the TOML parser as before: what this reads, the
//! TOML parser reads the same.

/// How many lock files' texts [`read`] keeps: a range compares each lock file with the
/// next, so each is read once, not twice.
const KEPT_TEXTS: usize = 4;

thread_local! {
    static TEXTS: std::cell::RefCell<Vec<(git2::Oid, std::rc::Rc<str>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The text of the lock file at `path` of `files` (None where there is none), from the
/// last few read when its blob was among them.
pub(super) fn read(
    files: &dyn crate::git::RepoFiles,
    path: &str,
) -> crate::Result<Option<std::rc::Rc<str>>> {
    let id = files.blob_id(path);
    let known = id.and_then(|id| {
        TEXTS.with(|t| {
            t.borrow()
                .iter()
                .find(|(k, _)| *k == id)
                .map(|(_, v)| v.clone())
        })
    });
    if known.is_some() {
        return Ok(known);
    }
    let Some(bytes) = files.read(path)? else {
        return Ok(None);
    };
    let text: std::rc::Rc<str> = String::from_utf8_lossy(&bytes).into();
    if let Some(id) = id {
        TEXTS.with(|t| {
            let mut t = t.borrow_mut();
            if t.len() == KEPT_TEXTS {
                t.remove(0);
            }
            t.push((id, text.clone()));
        });
    }
    Ok(Some(text))
}

/// One `[[package]]`, borrowed from the text.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Package<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub source: Option<&'a str>,
    pub checksum: Option<&'a str>,
    pub dependencies: Vec<&'a str>,
}

/// A lock file in the shape cargo writes, borrowed from its text.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Parsed<'a> {
    /// The top-level `version = N` (none before format 3).
    pub format: Option<i64>,
    pub packages: Vec<Package<'a>>,
    /// The `[metadata]` table's entries in file order (formats 1 and 2 keep checksums
    /// there, as `"checksum NAME VERSION (SOURCE)" = "…"`), when the file has the table.
    pub metadata: Option<Vec<(&'a str, &'a str)>>,
}

/// The format version (a top-level `version = N`), the packages and the `[metadata]` table
/// of `text`, or None when the text is not in the shape cargo writes.
pub(super) fn parse(text: &str) -> Option<Parsed<'_>> {
    // TOML forbids control characters but tab in comments and strings; a tab or a carriage
    // return is legal TOML that this reader leaves to the TOML parser.
    if text.bytes().any(|b| (b < 0x20 && b != b'\n') || b == 0x7f) {
        return None;
    }
    let mut format: Option<i64> = None;
    let mut packages: Vec<Package<'_>> = Vec::new();
    // Fields seen in the current package (a duplicate is a TOML error: left to the parser).
    let mut seen = [false; 5];
    let mut metadata: Option<Vec<(&str, &str)>> = None;
    let mut metadata_keys: foldhash::HashSet<&str> = Default::default();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(entries) = metadata.as_mut() {
            // The last table cargo writes: quoted keys and string values, one a line.
            let (key, value) = line.split_once(" = ")?;
            let (key, value) = (string(key)?, string(value)?);
            if !metadata_keys.insert(key) {
                return None; // a duplicate key is a TOML error
            }
            entries.push((key, value));
            continue;
        }
        if line == "[metadata]" {
            if !(packages.is_empty() || seen[0] && seen[1]) {
                return None;
            }
            metadata = Some(Vec::new());
            continue;
        }
        if line == "[[package]]" {
            if !(packages.is_empty() || seen[0] && seen[1]) {
                return None;
            }
            packages.push(Package::default());
            seen = [false; 5];
            continue;
        }
        let (key, value) = line.split_once(" = ")?;
        let Some(p) = packages.last_mut() else {
            // Before the first package: the format version alone.
            if key != "version" || format.is_some() {
                return None;
            }
            format = Some(integer(value)?);
            continue;
        };
        let slot = match key {
            "name" => 0,
            "version" => 1,
            "source" => 2,
            "checksum" => 3,
            "dependencies" => 4,
            _ => return None,
        };
        if std::mem::replace(&mut seen[slot], true) {
            return None;
        }
        if slot == 4 {
            if value != "[" {
                return None;
            }
            loop {
                let item = lines.next()?;
                if item == "]" {
                    break;
                }
                let s = item.strip_prefix(' ')?.strip_suffix(',')?;
                p.dependencies.push(string(s)?);
            }
            continue;
        }
        let s = string(value)?;
        match slot {
            0 => p.name = s,
            1 => p.version = s,
            2 => p.source = Some(s),
            _ => p.checksum = Some(s),
        }
    }
    if !(packages.is_empty() || seen[0] && seen[1]) {
        return None;
    }
    Some(Parsed {
        format,
        packages,
        metadata,
    })
}

/// The value of `"text"` with no escape or quote inside.
fn string(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['"', '\\'])).then_some(inner)
}

/// A plain decimal TOML integer (no sign, underscore or leading zero).
fn integer(s: &str) -> Option<i64> {
    let plain =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    plain.then(|| s.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_cargo_writes() {
        let text = "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 3\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"b 1.0.0 (registry+x)\",\n \"c\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\nchecksum = \"ab\"\n";
        let Parsed {
            format, packages, ..
        } = parse(text).expect("cargo's shape");
        assert_eq!(format, Some(3));
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].dependencies, vec!["b 1.0.0 (registry+x)", "c"]);
        assert_eq!(packages[1].source, Some("registry+x"));
        assert_eq!(packages[1].checksum, Some("ab"));
    }

    /// What the line reader makes of cargo's shape is what the TOML parser makes of it.
    #[test]
    fn agrees_with_the_toml_parser() {
        let text = "# generated\nversion = 4\n\n[[package]]\nname = \"a-b\"\nversion = \"0.1.0\"\nsource = \"git+https://x/y?rev=1#abc\"\ndependencies = [\n \"c 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n \"d\",\n]\n\n[[package]]\nchecksum = \"00ff\"\nname = \"c\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"d\"\nversion = \"2.0.0-rc.1+é\"\n";
        let Parsed {
            format, packages, ..
        } = parse(text).expect("cargo's shape");
        let value: toml::Table = toml::from_str(text).expect("TOML");
        assert_eq!(format, value["version"].as_integer());
        let theirs = value["package"].as_array().expect("packages");
        assert_eq!(packages.len(), theirs.len());
        for (ours, theirs) in packages.iter().zip(theirs) {
            let field = |k: &str| theirs.get(k).and_then(|v| v.as_str());
            assert_eq!(Some(ours.name), field("name"));
            assert_eq!(Some(ours.version), field("version"));
            assert_eq!(ours.source, field("source"));
            assert_eq!(ours.checksum, field("checksum"));
            let deps: Vec<&str> = theirs
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|d| d.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            assert_eq!(ours.dependencies, deps);
        }
    }

    /// Formats 1 and 2 end in a `[metadata]` table of checksums: read as the TOML parser
    /// reads it (diem's history holds hundreds of such lock files of 300 KB).
    #[test]
    fn a_metadata_table_of_checksums_is_read_as_toml_reads_it() {
        let text = "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n\n[metadata]\n\"checksum b 1.0.0 (registry+x)\" = \"ab\"\n\"checksum c 2.0.0 (registry+x)\" = \"<none>\"\n";
        let parsed = parse(text).expect("cargo's shape");
        let value: toml::Table = toml::from_str(text).expect("TOML");
        let theirs: Vec<(&str, &str)> = value["metadata"]
            .as_table()
            .expect("a table")
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
            .collect();
        assert_eq!(parsed.metadata, Some(theirs));
        assert_eq!(parsed.packages.len(), 1);
        let empty =
            parse("[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\n").expect("shape");
        assert_eq!(empty.metadata, Some(Vec::new()));
        assert_eq!(parse("version = 3\n").expect("shape").metadata, None);
    }

    #[test]
    fn anything_else_is_left_to_the_toml_parser() {
        for text in [
            "[[package]]\nname = \"a\"\nversion = \"1\"\nname = \"b\"\n",
            "[[package]]\nname = \"a\\u0041\"\nversion = \"1\"\n",
            "[[package]]\nname = \"a\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\nx = \"y\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\n\"x\" = 1\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\n\"x\" = \"1\"\n\"x\" = \"2\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\n\"x\" = \"1\"\n[[package]]\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\n\"x\\u0041\" = \"1\"\n",
            "[[package]]\nname = \"a\"\n[metadata]\n",
            "[[package]]\nname=\"a\"\nversion = \"1\"\n",
            "[[package]]\r\nname = \"a\"\r\nversion = \"1\"\r\n",
            "version = 03\n",
            "version = \"3\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\nreplace = \"b\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"b\"]\n",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
    }
}
