//! `Map<K, V>`: Go's `sync.Map`, on the `papaya` lock-free hash map.
//!
//! Go's `sync.Map` is for read-mostly maps (caches that only grow, keys
//! owned by disjoint goroutines). papaya fits that profile: reads take no
//! lock and write no shared memory, and memory is reclaimed with epoch-style
//! guards (seize). Values are returned by clone, as Go returns copies of
//! interface values; keep large values behind an `Arc`.
//!
//! Two settings differ from papaya's defaults, both measured
//! (`BENCHMARKS.md`, "sync::Map: the hasher and the reclamation batch"):
//!
//! - **Hashing** is foldhash's, seeded at random per map, as Go seeds each
//!   map's hash; like Go's, it resists no determined hash-flooding attack.
//!   std's SipHash (papaya's default), which does, made a read-mostly
//!   workload 45 % slower. A map keyed by untrusted input can ask for it:
//!   [`Map::with_hasher`]`(std::hash::RandomState::new())`.
//! - **Reclamation** runs in batches of `RETIRE_BATCH` (512) replaced or
//!   deleted entries per thread (or the CPU count, if larger), not seize's
//!   32: each batch ends in a process-wide memory barrier (`membarrier`, an
//!   interrupt to every CPU running the process), and batches of 512 took
//!   31 % off the same workload. The cost is memory: up to a batch of
//!   replaced values per thread stay alive until their batch is reclaimed,
//!   as Go's stay until its next garbage collection.
//!
//! Go's names map as: `Load` -> [`Map::load`], `Store` -> [`Map::store`],
//! `LoadOrStore` -> [`Map::load_or_store`], `LoadAndDelete` ->
//! [`Map::load_and_delete`], `Delete` -> [`Map::delete`], `Swap` ->
//! [`Map::swap`], `CompareAndSwap` -> [`Map::compare_and_swap`],
//! `CompareAndDelete` -> [`Map::compare_and_delete`], `Range` ->
//! [`Map::range`], `Clear` -> [`Map::clear`].

use papaya::{Compute, Operation};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::sync::OnceLock;

/// The hasher of a [`Map`] made with [`Map::new`]: foldhash, seeded at
/// random per map (see the module header).
pub type DefaultHashBuilder = foldhash::fast::RandomState;

/// Replaced or deleted entries a thread retires before their memory is
/// reclaimed as one batch (see the module header).
const RETIRE_BATCH: usize = 512;

/// A concurrent map for read-heavy use: Go's `sync.Map`.
///
/// Keys hash with foldhash, seeded at random per map as Go seeds its maps;
/// like Go's, that resists no determined hash-flooding attack, so for keys
/// an attacker chooses make the map with
/// [`Map::with_hasher`]`(std::hash::RandomState::new())` (SipHash).
/// Replaced and deleted values are dropped later, in batches, once no
/// reader can still see them: up to about 512 of them per thread (or one
/// per CPU, if more) may wait at a time, as Go's wait for its next garbage
/// collection.
///
/// ```
/// let m = goro::sync::Map::new();
/// m.store("a", 1);
/// assert_eq!(m.load(&"a"), Some(1));
/// assert_eq!(m.load_or_store("a", 2), (1, true));
/// assert!(m.compare_and_swap("a", &1, 3));
/// assert_eq!(m.load_and_delete(&"a"), Some(3));
/// ```
pub struct Map<K, V, S = DefaultHashBuilder> {
    /// The lock-free table.
    inner: papaya::HashMap<K, V, S>,
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map::with_hasher(DefaultHashBuilder::default())
    }
}

impl<K, V> Map<K, V> {
    /// An empty map, hashing with foldhash (see the module header).
    pub fn new() -> Map<K, V> {
        Map::default()
    }
}

impl<K, V, S> Map<K, V, S> {
    /// An empty map hashing with `hasher`: `std::hash::RandomState::new()`
    /// for keys an attacker chooses (see the module header).
    ///
    /// ```
    /// let m = goro::sync::Map::with_hasher(std::hash::RandomState::new());
    /// m.store(String::from("from the network"), 1);
    /// assert_eq!(m.load(&String::from("from the network")), Some(1));
    /// ```
    pub fn with_hasher(hasher: S) -> Map<K, V, S> {
        let collector = seize::Collector::new().batch_size(retire_batch());
        Map { inner: papaya::HashMap::builder().hasher(hasher).collector(collector).build() }
    }
}

/// [`RETIRE_BATCH`], or the CPU count if larger: a batch is reclaimed only
/// once it holds at least one entry per thread that may read it.
fn retire_batch() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    let cpus = *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from));
    RETIRE_BATCH.max(cpus)
}

impl<K, V, S> Map<K, V, S>
where
    K: Hash + Eq + Send + Sync,
    V: Clone + Send + Sync,
    S: BuildHasher,
{
    /// The value stored for `key`: Go's `Load`.
    pub fn load(&self, key: &K) -> Option<V> {
        self.inner.pin().get(key).cloned()
    }

    /// Sets the value for `key`: Go's `Store`.
    pub fn store(&self, key: K, value: V) {
        self.inner.pin().insert(key, value);
    }

    /// The existing value and `true`, or stores `value` and returns it with
    /// `false`: Go's `LoadOrStore`.
    pub fn load_or_store(&self, key: K, value: V) -> (V, bool) {
        match self.inner.pin().try_insert(key, value) {
            Ok(v) => (v.clone(), false),
            Err(e) => (e.current.clone(), true),
        }
    }

    /// Deletes `key`, returning its value if there was one: Go's
    /// `LoadAndDelete`.
    pub fn load_and_delete(&self, key: &K) -> Option<V> {
        self.inner.pin().remove(key).cloned()
    }

    /// Deletes `key`: Go's `Delete`.
    pub fn delete(&self, key: &K) {
        self.inner.pin().remove(key);
    }

    /// Stores `value`, returning the previous one: Go's `Swap`.
    pub fn swap(&self, key: K, value: V) -> Option<V> {
        self.inner.pin().insert(key, value).cloned()
    }

    /// Stores `new` if the value for `key` equals `old`: Go's
    /// `CompareAndSwap`.
    pub fn compare_and_swap(&self, key: K, old: &V, new: V) -> bool
    where
        V: PartialEq,
    {
        let map = self.inner.pin();
        let mut new = Some(new);
        let r = map.compute(key, |e| match e {
            Some((_, v)) if v == old => match new.take() {
                Some(n) => Operation::Insert(n),
                None => Operation::Abort(()),
            },
            _ => Operation::Abort(()),
        });
        matches!(r, Compute::Updated { .. })
    }

    /// Deletes `key` if its value equals `old`: Go's `CompareAndDelete`.
    pub fn compare_and_delete(&self, key: &K, old: &V) -> bool
    where
        V: PartialEq,
    {
        matches!(self.inner.pin().remove_if(key, |_, v| v == old), Ok(Some(_)))
    }

    /// Calls `f` on each entry until it returns false: Go's `Range`. Like
    /// Go's, it sees no consistent snapshot under concurrent writes.
    pub fn range(&self, mut f: impl FnMut(&K, &V) -> bool) {
        for (k, v) in self.inner.pin().iter() {
            if !f(k, v) {
                break;
            }
        }
    }

    /// Deletes every entry: Go's `Clear`.
    pub fn clear(&self) {
        self.inner.pin().clear();
    }

    /// The number of entries (Go has no such call; a snapshot estimate).
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> fmt::Debug for Map<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map").field("len", &self.inner.len()).finish()
    }
}
