//! Repository-relative paths as the impact analysis joins them: `dir/name`, and a relative
//! path (with `.` and `..`) resolved against a directory without leaving the repository.

/// `dir/name`, or `name` at the root.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Joins `rel` (which may hold `.` and `..`) onto `dir` and normalises the result; None when
/// it climbs above the repository root or is absolute.
pub(crate) fn normalize(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains('\\') && rel.starts_with("\\\\") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_joins_and_climbs() {
        assert_eq!(normalize("crates/a", "../b").as_deref(), Some("crates/b"));
        assert_eq!(normalize("", "./x/y/").as_deref(), Some("x/y"));
        assert_eq!(normalize("a", "../..").as_deref(), None);
        assert_eq!(normalize("a", "/abs").as_deref(), None);
    }
}
