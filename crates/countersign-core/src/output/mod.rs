//! Every output format the commands write besides text and JSON, in one place: what CI
//! systems, forges and browsers read of a verdict, an impact or a report.
//!
//! - [`markdown`]: quoting attacker text in Markdown and Mermaid (the one escaping every
//!   Markdown writer uses);
//! - [`graph`]: the blast radius as Mermaid and Graphviz DOT (`impact --format mermaid|dot`);
//! - [`summary`]: `verify --format markdown`, for a job summary or a pull-request comment;
//! - [`ci`]: `verify --format github|junit`, GitHub workflow commands and JUnit XML;
//! - [`report_html`] and [`report_markdown`]: `countersign report`'s page and summary.
//!
//! Each is a plain function from the judged data (`review::Report`, `pattern::PatternReport`,
//! an impact's graph) to bytes; none knows a terminal, and none reads anything but, for the
//! GitHub annotations, the commit whose line it names.

pub mod ci;
pub mod graph;
pub mod markdown;
pub mod report_html;
pub mod report_markdown;
pub mod summary;
