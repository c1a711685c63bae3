//! Wait-for graphs and the cycles in them: the partial deadlock report.
//!
//! Nodes are goroutines; an edge `a -> b` says "a is parked waiting on a
//! resource that b holds (a `Mutex` or `RwLock`), or that b last used (the
//! other side of a channel), or b itself (a join)". A cycle of parked
//! goroutines is a deadlock among them even while the rest of the program
//! runs: none of them can wake the next. Edges come straight from
//! [`WaitGraph::edge`] or from resources ([`WaitGraph::waits_on`] +
//! [`WaitGraph::held_by`]); [`WaitGraph::from_goroutines`] draws them from
//! what the registry records (`debug/hold.rs` says what that is).
//!
//! Algorithm: Tarjan's strongly connected components, iterative so that a
//! long chain cannot overflow the stack; every component with two or more
//! goroutines, or with a self-edge, is a cycle. O(nodes + edges).
//!
//! Consistency ([`deadlocks`]): the registry is read one goroutine at a
//! time while the program runs, so one pass could pair goroutine A parked
//! before B ran with B parked after A woke (a ping-pong pair). So the
//! report reads twice and keeps a cycle only if each member was already
//! parked before the first pass began (its park time, from the monitor's
//! ticked clock, `time::clock::ticked_now_nanos`, is older than the pass's
//! start, read from the same clock) and shows the same park record
//! and held lock in the second pass. A goroutine that parks again gets a
//! park time at or after the first pass's start, so an unchanged record
//! means it stayed parked from its first read to its second; all first
//! reads precede all second reads, so at one instant every member was
//! parked with the records shown.
//!
//! What the edges mean is Go's user-level reading, not a proof: a channel
//! edge names the goroutine that last used the other side, kept only when
//! that side has a single handle (with several, any could complete the
//! operation). A goroutine that moved that handle elsewhere after using it,
//! or a lock guard moved to another goroutine, can make an edge wrong.

use super::dump::format_dump;
use super::view::{goroutines, GoroutineView, State};
use crate::runtime::WaitReason;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Instant;

/// Adjacency: waiter -> (goroutine waited for -> object, 0 if none).
type Edges = BTreeMap<u64, BTreeMap<u64, u64>>;

/// A wait-for graph among goroutines (by id).
#[derive(Clone, Debug, Default)]
pub struct WaitGraph {
    /// Direct edges, with the object they go through (0 if none).
    edges: Edges,
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

    /// The graph the registry's records draw among the parked goroutines of
    /// `gs`: each waits on its object and for its direct peer (a channel's
    /// last other-side user, a joined goroutine), and holds its lock.
    pub fn from_goroutines(gs: &[GoroutineView]) -> Self {
        let mut graph = WaitGraph::new();
        for g in gs {
            let State::Parked { object, waits_for, .. } = g.state else { continue };
            if object != 0 {
                graph.waits_on(g.id, object);
            }
            if waits_for != 0 && waits_for != g.id {
                graph.edge_via(g.id, waits_for, object);
            }
            if g.holds != 0 {
                graph.held_by(g.holds, g.id);
            }
        }
        graph
    }

    /// `waiter` waits for `holder`.
    pub fn edge(&mut self, waiter: u64, holder: u64) {
        self.edge_via(waiter, holder, 0);
    }

    /// `waiter` waits for `holder` through `object` (0: none).
    pub fn edge_via(&mut self, waiter: u64, holder: u64, object: u64) {
        self.edges.entry(waiter).or_default().insert(holder, object);
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
    fn all_edges(&self) -> Edges {
        let mut all = self.edges.clone();
        for (&res, ws) in &self.waiters {
            for &h in self.holders.get(&res).into_iter().flatten() {
                for &w in ws {
                    all.entry(w).or_default().insert(h, res);
                }
            }
        }
        all
    }

    /// The goroutine sets that wait on each other, each sorted, in order of
    /// their smallest id.
    pub fn cycles(&self) -> Vec<Vec<u64>> {
        self.cycles_and_edges().into_iter().map(|(c, _)| c).collect()
    }

    /// Each cycle with its edges.
    fn cycles_and_edges(&self) -> Vec<(Vec<u64>, Vec<WaitEdge>)> {
        let edges = self.all_edges();
        let mut found: Vec<_> = Tarjan::new(&edges)
            .components()
            .into_iter()
            .filter(|c| c.len() > 1 || edges.get(&c[0]).is_some_and(|s| s.contains_key(&c[0])))
            .map(|mut c| {
                c.sort_unstable();
                let inside = edges_within(&edges, &c);
                (c, inside)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }
}

/// The edges of `edges` among the goroutines of `members` (sorted).
fn edges_within(edges: &Edges, members: &[u64]) -> Vec<WaitEdge> {
    let mut out = Vec::new();
    for &waiter in members {
        for (&waits_for, &object) in edges.get(&waiter).into_iter().flatten() {
            if members.binary_search(&waits_for).is_ok() {
                out.push(WaitEdge { waiter, waits_for, object });
            }
        }
    }
    out
}

/// Iterative Tarjan SCC over a sparse graph.
struct Tarjan<'a> {
    /// The graph.
    edges: &'a Edges,
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
    fn new(edges: &'a Edges) -> Self {
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
        self.edges.get(&n).map(|s| s.keys().copied().collect()).unwrap_or_default()
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

/// One wait-for edge of a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitEdge {
    /// The parked goroutine.
    pub waiter: u64,
    /// The goroutine it waits for.
    pub waits_for: u64,
    /// The object between them (the lock held, the channel last used);
    /// 0 for a direct edge (a join).
    pub object: u64,
}

/// Goroutines that wait on each other in a cycle.
#[derive(Clone, Debug)]
pub struct Deadlock {
    /// The goroutines of the cycle, in id order.
    pub goroutines: Vec<GoroutineView>,
    /// Who waits for whom among them, by waiter id.
    pub edges: Vec<WaitEdge>,
}

impl Deadlock {
    /// The ids of the goroutines of the cycle, in order.
    pub fn ids(&self) -> Vec<u64> {
        self.goroutines.iter().map(|g| g.id).collect()
    }
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.goroutines.iter().map(|g| g.id.to_string()).collect();
        writeln!(f, "goroutines {} wait on each other:", ids.join(", "))?;
        for e in &self.edges {
            let g = self.goroutines.iter().find(|g| g.id == e.waiter);
            let reason = g.and_then(GoroutineView::wait_reason).unwrap_or(WaitReason::Unknown);
            writeln!(
                f,
                "\tgoroutine {} [{reason}] waits for goroutine {}{}",
                e.waiter,
                e.waits_for,
                via(reason, e.object)
            )?;
        }
        writeln!(f)?;
        f.write_str(&format_dump(&self.goroutines, Instant::now()))
    }
}

/// How an edge goes, in words: ` (holds sync.Mutex 0x…)` and the like.
fn via(reason: WaitReason, object: u64) -> String {
    match (reason, object) {
        (WaitReason::JoinHandle, _) => " (joins it)".into(),
        (_, 0) => String::new(),
        (WaitReason::ChanReceive, o) => format!(" (last sender on chan {o:#x})"),
        (WaitReason::ChanSend, o) => format!(" (last receiver on chan {o:#x})"),
        (WaitReason::MutexLock, o) => format!(" (holds sync.Mutex {o:#x})"),
        (WaitReason::RwLockRead | WaitReason::RwLockWrite, o) => {
            format!(" (holds sync.RWMutex {o:#x})")
        }
        (_, o) => format!(" (holds {o:#x})"),
    }
}

/// The cycles of `graph` among the parked goroutines of `gs`.
pub fn deadlocks_in(graph: &WaitGraph, gs: &[GoroutineView]) -> Vec<Deadlock> {
    let parked: BTreeMap<u64, &GoroutineView> =
        gs.iter().filter(|g| g.is_parked()).map(|g| (g.id, g)).collect();
    graph
        .cycles_and_edges()
        .into_iter()
        .filter(|(c, _)| c.iter().all(|id| parked.contains_key(id)))
        .map(|(c, edges)| Deadlock {
            goroutines: c.iter().map(|id| parked[id].clone()).collect(),
            edges,
        })
        .collect()
}

/// The partial deadlock report: cycles of parked goroutines in the wait-for
/// graph the registry knows, found while the rest of the program may run on.
///
/// Edges come from what goroutines record (see `goro/src/debug/README.md`):
/// a goroutine parked on a `sync::Mutex` or `RwLock` waits for the
/// goroutine that took it; one parked on a channel waits for the last
/// goroutine to use the other side, when that side has a single handle; one
/// joining a goroutine waits for it. A cycle is reported only if all of its
/// goroutines were parked before this call began and stayed so while it
/// read (see "Consistency" in the source), so a goroutine that deadlocked
/// a moment ago shows up on the next call a few milliseconds later.
///
/// Not seen: `select!` and `sleep` (they name no object), `WaitGroup`,
/// `Cond`, `Once` and `Semaphore` (no single holder), channels with several
/// handles on the other side, and locks held under a lock taken later.
/// Empty without the `diagnostics` feature.
///
/// ```
/// goro::run(async {
///     assert!(goro::debug::deadlocks().is_empty());
/// });
/// ```
pub fn deadlocks() -> Vec<Deadlock> {
    let start = crate::time::clock::instant_of(crate::time::clock::ticked_now_nanos());
    let first: Vec<GoroutineView> =
        goroutines().into_iter().filter(|g| parked_before(g, start)).collect();
    let found = deadlocks_in(&WaitGraph::from_goroutines(&first), &first);
    if found.is_empty() {
        return found;
    }
    let second: BTreeMap<u64, GoroutineView> =
        goroutines().into_iter().map(|g| (g.id, g)).collect();
    let unchanged = |g: &GoroutineView| {
        second.get(&g.id).is_some_and(|s| s.state == g.state && s.holds == g.holds)
    };
    found.into_iter().filter(|d| d.goroutines.iter().all(unchanged)).collect()
}

/// Whether `g` is parked, since before `start`.
fn parked_before(g: &GoroutineView, start: Instant) -> bool {
    matches!(g.state, State::Parked { since, .. } if since < start)
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
                    object: 0,
                    waits_for: 0,
                }
            } else {
                State::Running
            },
            spawned_at: std::panic::Location::caller(),
            scope: 0,
            holds: 0,
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
