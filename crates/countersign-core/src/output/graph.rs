//! The blast radius as a graph: Mermaid (GitHub renders it in Markdown) and Graphviz DOT.
//!
//! The graph is read off a change's impact (`impact::Impact`):
//!
//! - a node per affected crate (changed crates, dependents, and the dependents whose tier
//!   escalated the change's tier marked as such), and a node per affected module;
//! - an edge per dependency hop (the last hop of each crate's `via` chain, dashed for a
//!   dev-dependency), and one edge per module: from the module before it in its `via` chain
//!   when that module is a node of the same crate, else from its crate.
//!
//! So `nodes = crates + modules` and `edges = crates at distance > 0 + modules`. A graph of
//! more than [`MAX_NODES`] nodes is collapsed to crates (modules dropped). Node ids are ours
//! (`c0`, `m0`); every label is attacker text and goes through [`super::markdown`].

use std::collections::HashMap;
use std::fmt::Write;

use super::markdown::{dot_label, mermaid_label};
use crate::impact::DepKind;
use crate::model::Tier;
use crate::review::tiered::TieredImpact;

/// The most nodes drawn before modules are dropped (the Decision "Markdown output").
pub const MAX_NODES: usize = 100;

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A crate with a changed file.
    Changed,
    /// A dependent whose own tier raised the change's tier.
    Escalated,
    /// Another affected crate.
    Affected,
    /// An affected module.
    Module,
}

/// A crate or module as drawn (not the impact's own data: an id of ours and a label).
#[derive(Clone, Debug)]
pub struct DrawnNode {
    /// Our id (`c3`, `m12`).
    pub id: String,
    /// The label (attacker text, unescaped here).
    pub label: String,
    /// What it stands for.
    pub kind: NodeKind,
}

/// A dependency or import hop as drawn, between two [`DrawnNode`] ids.
#[derive(Clone, Debug)]
pub struct DrawnEdge {
    /// Id of the node it starts at.
    pub from: String,
    /// Id of the node it ends at.
    pub to: String,
    /// A dev-dependency hop (drawn dashed).
    pub dev: bool,
}

/// The graph of an impact.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Crates first (in the impact's order), then modules.
    pub nodes: Vec<DrawnNode>,
    /// Dependency hops, then module edges.
    pub edges: Vec<DrawnEdge>,
    /// True when modules were dropped to stay within [`MAX_NODES`].
    pub collapsed: bool,
}

impl Graph {
    /// The graph of `impact` (see the module documentation for what is drawn).
    pub fn of(impact: &TieredImpact) -> Graph {
        let mut g = Graph::default();
        // The dependents whose own tier is above the touched files' tier, when the range's
        // tier was raised: they escalated it.
        let escalated = match (impact.tier, impact.direct_tier) {
            (Some(t), Some(d)) if t > d => Some(d),
            _ => None,
        };
        let mut crate_ids: HashMap<&str, String> = HashMap::new();
        for (i, c) in impact.crates.iter().enumerate() {
            let id = format!("c{i}");
            crate_ids.insert(c.name.as_str(), id.clone());
            let kind = if c.changed || c.distance == 0 {
                NodeKind::Changed
            } else if escalated.is_some_and(|d| impact.crate_tier(&c.name).is_some_and(|t| t > d)) {
                NodeKind::Escalated
            } else {
                NodeKind::Affected
            };
            let mut label = c.name.clone();
            if let Some(t) = impact.crate_tier(&c.name) {
                label.push_str(&format!(" ({})", tier_word(t)));
            }
            g.nodes.push(DrawnNode { id, label, kind });
        }
        for c in impact.crates.iter().filter(|c| c.distance > 0) {
            let [.., from, to] = c.via.as_slice() else {
                continue;
            };
            if let (Some(f), Some(t)) = (crate_ids.get(from.as_str()), crate_ids.get(to.as_str())) {
                g.edges.push(DrawnEdge {
                    from: f.clone(),
                    to: t.clone(),
                    dev: c.edge == Some(DepKind::Dev),
                });
            }
        }
        if impact.crates.len() + impact.modules.len() > MAX_NODES {
            g.collapsed = !impact.modules.is_empty();
            return g;
        }
        let mut module_ids: HashMap<(&str, &str), String> = HashMap::new();
        for (i, m) in impact.modules.iter().enumerate() {
            let id = format!("m{i}");
            module_ids.insert((m.crate_name.as_str(), m.module.as_str()), id.clone());
            g.nodes.push(DrawnNode {
                id,
                label: m.module.clone(),
                kind: NodeKind::Module,
            });
        }
        for (i, m) in impact.modules.iter().enumerate() {
            let before = match m.via.as_slice() {
                [.., b, _] => module_ids.get(&(m.crate_name.as_str(), b.as_str())),
                _ => None,
            };
            let from = before
                .or_else(|| crate_ids.get(m.crate_name.as_str()))
                .cloned();
            // A module whose crate is not among the crates (cannot happen in a well-formed
            // impact) still gets its one edge, from itself, so the counts stay exact.
            g.edges.push(DrawnEdge {
                from: from.unwrap_or_else(|| format!("m{i}")),
                to: format!("m{i}"),
                dev: false,
            });
        }
        g
    }

    /// The graph as a Mermaid flowchart (without the surrounding code fence).
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        if self.collapsed {
            out.push_str("  %% over 100 nodes: collapsed to crates\n");
        }
        for n in &self.nodes {
            let (open, close) = if n.kind == NodeKind::Module {
                ("(\"", "\")")
            } else {
                ("[\"", "\"]")
            };
            let _ = writeln!(out, "  {}{open}{}{close}", n.id, mermaid_label(&n.label));
        }
        for e in &self.edges {
            let arrow = if e.dev { "-.->" } else { "-->" };
            let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
        }
        for (kind, class) in [
            (NodeKind::Changed, "changed"),
            (NodeKind::Escalated, "escalated"),
        ] {
            let ids: Vec<&str> = self
                .nodes
                .iter()
                .filter(|n| n.kind == kind)
                .map(|n| n.id.as_str())
                .collect();
            if !ids.is_empty() {
                let _ = writeln!(out, "  class {} {class}", ids.join(","));
            }
        }
        out.push_str("  classDef changed fill:#fde68a,stroke:#92400e\n");
        out.push_str("  classDef escalated fill:#fecaca,stroke:#991b1b\n");
        out
    }

    /// The graph as Graphviz DOT (`dot -Tsvg` draws it).
    pub fn dot(&self) -> String {
        let mut out = String::from(
            "digraph impact {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n",
        );
        if self.collapsed {
            out.push_str("  // over 100 nodes: collapsed to crates\n");
        }
        for n in &self.nodes {
            let style = match n.kind {
                NodeKind::Changed => ", style=filled, fillcolor=\"#fde68a\"",
                NodeKind::Escalated => ", style=filled, fillcolor=\"#fecaca\"",
                NodeKind::Affected => "",
                NodeKind::Module => ", shape=ellipse",
            };
            let _ = writeln!(
                out,
                "  {} [label=\"{}\"{style}];",
                n.id,
                dot_label(&n.label)
            );
        }
        for e in &self.edges {
            let style = if e.dev { " [style=dashed]" } else { "" };
            let _ = writeln!(out, "  {} -> {}{style};", e.from, e.to);
        }
        out.push_str("}\n");
        out
    }
}

fn tier_word(t: Tier) -> &'static str {
    t.name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impact::modules::ModuleImpact;
    use crate::impact::{CrateImpact, Impact};

    fn krate(i: usize) -> CrateImpact {
        CrateImpact {
            name: format!("k{i}"),
            dir: format!("crates/k{i}"),
            changed: i == 0,
            deleted: false,
            moved_from: None,
            distance: usize::from(i > 0),
            via: if i == 0 {
                vec!["k0".into()]
            } else {
                vec!["k0".into(), format!("k{i}")]
            },
            edge: (i > 0).then_some(DepKind::Normal),
            dev_only: false,
            reasons: Vec::new(),
        }
    }

    fn module(i: usize) -> ModuleImpact {
        ModuleImpact {
            crate_name: "k0".into(),
            target: "lib".into(),
            module: format!("k0::m{i}"),
            file: format!("crates/k0/src/m{i}.rs"),
            changed: i == 0,
            via: vec![format!("k0::m{i}")],
            reason: None,
        }
    }

    #[test]
    fn graphs_over_100_nodes_are_collapsed_to_crates() {
        let small = Impact {
            crates: (0..10).map(krate).collect(),
            modules: (0..90).map(module).collect(),
            ..Impact::default()
        };
        let tiered = |graph: Impact| TieredImpact {
            graph,
            ..TieredImpact::default()
        };
        let g = Graph::of(&tiered(small.clone()));
        assert!(!g.collapsed);
        assert_eq!((g.nodes.len(), g.edges.len()), (100, 9 + 90));
        let big = Impact {
            modules: (0..91).map(module).collect(),
            ..small
        };
        let g = Graph::of(&tiered(big));
        assert!(g.collapsed);
        assert_eq!((g.nodes.len(), g.edges.len()), (10, 9));
        assert!(g.mermaid().contains("collapsed to crates"));
        assert!(g.dot().contains("collapsed to crates"));
    }

    #[test]
    fn hostile_crate_names_cannot_escape_labels() {
        let mut k = krate(0);
        k.name = "x\"] --> evil[\"<b>pwn</b>".into();
        let impact = TieredImpact {
            graph: Impact {
                crates: vec![k],
                ..Impact::default()
            },
            ..TieredImpact::default()
        };
        let g = Graph::of(&impact);
        let m = g.mermaid();
        assert_eq!(m.lines().filter(|l| l.contains("-->")).count(), 0, "{m}");
        assert!(!m.contains("<b>"));
        let d = g.dot();
        assert!(
            d.contains("label=\"x\\\"] --> evil[\\\"<b>pwn</b>\""),
            "{d}"
        );
    }
}
