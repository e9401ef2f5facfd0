//! The Cargo workspace as of a revision.

/// A workspace member.
#[derive(Clone, Debug)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Directory relative to the repository root (`""` for a root package).
    pub dir: String,
}

/// The workspace as of a revision.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Members, sorted by directory.
    pub members: Vec<Member>,
}
