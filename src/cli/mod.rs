//! The command line: argument definitions (clap) and one module per subcommand.
