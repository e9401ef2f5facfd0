//! The `countersign` binary: parsing and dispatch live in [`countersign::cli`].

fn main() {
    std::process::exit(countersign::cli::main());
}
