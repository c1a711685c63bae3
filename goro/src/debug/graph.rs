//! Wait-for graphs and the cycles in them: the partial deadlock report.
//!
//! Nodes are goroutines; an edge `a -> b` says "a is parked waiting on a
//! resource that b holds (a `Mutex` or `RwLock`), or that b last used (the
//! other side of a channel)". A cycle of parked goroutines is a deadlock
//! among them even while the rest of the program runs: none of them can
//! wake the next. Edges come straight from [`WaitGraph::edge`] or from
//! resources ([`WaitGraph::waits_on`] + [`WaitGraph::held_by`]).
//!
//! Algorithm: Tarjan's strongly connected components, iterative so that a
//! long chain cannot overflow the stack; every component with two or more
//! goroutines, or with a self-edge, is a cycle. O(nodes + edges).

use super::dump::format_dump;
use super::view::{goroutines, GoroutineView};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A wait-for graph among goroutines (by id).
#[derive(Clone, Debug, Default)]
pub struct WaitGraph {
    /// Direct edges: waiter -> goroutines it waits for.
    edges: BTreeMap<u64, BTreeSet<u64>>,
    /// Resource -> goroutines waiting on it.
    waiters: BTreeMap<u64, BTreeSet<u64>>,
    /// Resource -> goroutines holding (or last using) it.
    holders: BTreeMap<u64, BTreeSet<u64>>,
}

impl WaitGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// `waiter` waits for `holder`.
    pub fn edge(&mut self, waiter: u64, holder: u64) {
        self.edges.entry(waiter).or_default().insert(holder);
    }

    /// Goroutine `g` is parked on `resource` (any stable id, e.g. an address).
    pub fn waits_on(&mut self, g: u64, resource: u64) {
        self.waiters.entry(resource).or_default().insert(g);
    }

    /// Goroutine `g` holds, or last used the other side of, `resource`.
    pub fn held_by(&mut self, resource: u64, g: u64) {
        self.holders.entry(resource).or_default().insert(g);
    }

    /// Every edge, direct or through a resource.
    fn all_edges(&self) -> BTreeMap<u64, BTreeSet<u64>> {
        let mut all = self.edges.clone();
        for (res, ws) in &self.waiters {
            for &h in self.holders.get(res).into_iter().flatten() {
                for &w in ws {
                    all.entry(w).or_default().insert(h);
                }
            }
        }
        all
    }

    /// The goroutine sets that wait on each other, each sorted, in order of
    /// their smallest id.
    pub fn cycles(&self) -> Vec<Vec<u64>> {
        let edges = self.all_edges();
        let mut found: Vec<Vec<u64>> = Tarjan::new(&edges)
            .components()
            .into_iter()
            .filter(|c| c.len() > 1 || edges.get(&c[0]).is_some_and(|s| s.contains(&c[0])))
            .map(|mut c| {
                c.sort_unstable();
                c
            })
            .collect();
        found.sort();
        found
    }
}

/// Iterative Tarjan SCC over a sparse graph.
struct Tarjan<'a> {
    /// The graph.
    edges: &'a BTreeMap<u64, BTreeSet<u64>>,
    /// Discovery index and low-link of each visited node.
    index: BTreeMap<u64, (usize, usize)>,
    /// Tarjan's node stack, and membership.
    stack: Vec<u64>,
    /// Nodes on `stack`.
    on_stack: BTreeSet<u64>,
    /// Components found.
    out: Vec<Vec<u64>>,
}

impl<'a> Tarjan<'a> {
    /// A search over `edges`.
    fn new(edges: &'a BTreeMap<u64, BTreeSet<u64>>) -> Self {
        Tarjan {
            edges,
            index: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            out: Vec::new(),
        }
    }

    /// Every strongly connected component.
    fn components(mut self) -> Vec<Vec<u64>> {
        let nodes: Vec<u64> = self.edges.keys().copied().collect();
        for n in nodes {
            if !self.index.contains_key(&n) {
                self.visit(n);
            }
        }
        self.out
    }

    /// The successors of `n`.
    fn succ(&self, n: u64) -> Vec<u64> {
        self.edges.get(&n).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }

    /// Depth-first search from `root` with an explicit frame stack.
    fn visit(&mut self, root: u64) {
        let mut frames: Vec<(u64, Vec<u64>, usize)> = Vec::new();
        self.discover(root);
        frames.push((root, self.succ(root), 0));
        while let Some((node, succ, i)) = frames.last_mut() {
            let node = *node;
            if let Some(&next) = succ.get(*i) {
                *i += 1;
                if !self.index.contains_key(&next) {
                    self.discover(next);
                    let s = self.succ(next);
                    frames.push((next, s, 0));
                } else if self.on_stack.contains(&next) {
                    self.lower(node, self.index[&next].0);
                }
                continue;
            }
            frames.pop();
            if let Some((parent, _, _)) = frames.last() {
                let low = self.index[&node].1;
                self.lower(*parent, low);
            }
            self.maybe_emit(node);
        }
    }

    /// Gives `n` the next index.
    fn discover(&mut self, n: u64) {
        let i = self.index.len();
        self.index.insert(n, (i, i));
        self.stack.push(n);
        self.on_stack.insert(n);
    }

    /// Lowers `n`'s low-link to `low`.
    fn lower(&mut self, n: u64, low: usize) {
        let e = self.index.get_mut(&n).expect("visited");
        e.1 = e.1.min(low);
    }

    /// Pops `n`'s component if `n` is its root.
    fn maybe_emit(&mut self, n: u64) {
        let (i, low) = self.index[&n];
        if i != low {
            return;
        }
        let mut comp = Vec::new();
        while let Some(m) = self.stack.pop() {
            self.on_stack.remove(&m);
            comp.push(m);
            if m == n {
                break;
            }
        }
        self.out.push(comp);
    }
}

/// Goroutines that wait on each other in a cycle.
#[derive(Clone, Debug)]
pub struct Deadlock {
    /// The goroutines of the cycle, in id order.
    pub goroutines: Vec<GoroutineView>,
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.goroutines.iter().map(|g| g.id.to_string()).collect();
        writeln!(f, "goroutines {} wait on each other:\n", ids.join(", "))?;
        f.write_str(&format_dump(&self.goroutines, std::time::Instant::now()))
    }
}

/// The cycles of `graph` among the parked goroutines of `gs`.
pub fn deadlocks_in(graph: &WaitGraph, gs: &[GoroutineView]) -> Vec<Deadlock> {
    let parked: BTreeMap<u64, &GoroutineView> =
        gs.iter().filter(|g| g.is_parked()).map(|g| (g.id, g)).collect();
    graph
        .cycles()
        .into_iter()
        .filter(|c| c.iter().all(|id| parked.contains_key(id)))
        .map(|c| Deadlock { goroutines: c.iter().map(|id| parked[id].clone()).collect() })
        .collect()
}

/// The partial deadlock report: cycles of parked goroutines in the wait-for
/// graph the registry knows, while the rest of the program may run on.
///
/// Today the registry records each goroutine's wait reason and place, not
/// the object it waits on nor who holds it; until channels and `sync`
/// record holders, the graph has no edges and this finds nothing. Build a
/// [`WaitGraph`] yourself and call [`deadlocks_in`] to use the algorithm.
pub fn deadlocks() -> Vec<Deadlock> {
    deadlocks_in(&WaitGraph::new(), &goroutines())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_cycle_and_a_chain_into_it() {
        let mut g = WaitGraph::new();
        g.edge(1, 2);
        g.edge(2, 1);
        g.edge(3, 1); // waits on the cycle, but is not part of it
        assert_eq!(g.cycles(), vec![vec![1, 2]]);
    }

    #[test]
    fn self_wait_is_a_cycle_and_a_dag_has_none() {
        let mut g = WaitGraph::new();
        g.edge(5, 5);
        assert_eq!(g.cycles(), vec![vec![5]]);
        let mut dag = WaitGraph::new();
        dag.edge(1, 2);
        dag.edge(2, 3);
        dag.edge(1, 3);
        assert!(dag.cycles().is_empty());
    }

    #[test]
    fn cycles_through_resources_like_two_mutexes_locked_in_opposite_order() {
        // g1 holds A, waits for B; g2 holds B, waits for A.
        let mut g = WaitGraph::new();
        g.held_by(0xA, 1);
        g.held_by(0xB, 2);
        g.waits_on(1, 0xB);
        g.waits_on(2, 0xA);
        g.waits_on(3, 0xA); // a bystander queued on A
        assert_eq!(g.cycles(), vec![vec![1, 2]]);
    }

    #[test]
    fn two_disjoint_cycles_and_a_long_chain_do_not_overflow() {
        let mut g = WaitGraph::new();
        for i in 1..200_000 {
            g.edge(i, i + 1);
        }
        g.edge(200_000, 100_000); // closes a 100,001-long cycle
        g.edge(1_000_000, 1_000_001);
        g.edge(1_000_001, 1_000_000);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 2);
        assert_eq!(cycles[0].len(), 100_001);
        assert_eq!(cycles[1], vec![1_000_000, 1_000_001]);
    }

    #[test]
    fn only_cycles_of_parked_goroutines_are_reported() {
        use crate::debug::view::State;
        let view = |id, parked: bool| GoroutineView {
            id,
            parent: 0,
            name: None,
            state: if parked {
                State::Parked {
                    reason: crate::runtime::WaitReason::MutexLock,
                    at: None,
                    since: std::time::Instant::now(),
                }
            } else {
                State::Running
            },
            spawned_at: std::panic::Location::caller(),
            scope: 0,
        };
        let mut g = WaitGraph::new();
        g.edge(1, 2);
        g.edge(2, 1);
        g.edge(3, 4);
        g.edge(4, 3);
        let found =
            deadlocks_in(&g, &[view(1, true), view(2, true), view(3, true), view(4, false)]);
        assert_eq!(found.len(), 1);
        let text = found[0].to_string();
        assert!(text.starts_with("goroutines 1, 2 wait on each other:"), "{text}");
        assert!(text.contains("goroutine 2 [sync.Mutex.Lock]:"), "{text}");
    }
}
