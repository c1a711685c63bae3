//! `Map<K, V>`: Go's `sync.Map`, on the `papaya` lock-free hash map.
//!
//! Go's `sync.Map` is for read-mostly maps (caches that only grow, keys
//! owned by disjoint goroutines). papaya fits that profile: reads take no
//! lock and write no shared memory, and memory is reclaimed with epoch-style
//! guards (seize). Values are returned by clone, as Go returns copies of
//! interface values; keep large values behind an `Arc`.
//!
//! Go's names map as: `Load` -> [`Map::load`], `Store` -> [`Map::store`],
//! `LoadOrStore` -> [`Map::load_or_store`], `LoadAndDelete` ->
//! [`Map::load_and_delete`], `Delete` -> [`Map::delete`], `Swap` ->
//! [`Map::swap`], `CompareAndSwap` -> [`Map::compare_and_swap`],
//! `CompareAndDelete` -> [`Map::compare_and_delete`], `Range` ->
//! [`Map::range`], `Clear` -> [`Map::clear`].

use papaya::{Compute, Operation};
use std::fmt;
use std::hash::Hash;

/// A concurrent map for read-heavy use: Go's `sync.Map`.
///
/// ```
/// let m = goro::sync::Map::new();
/// m.store("a", 1);
/// assert_eq!(m.load(&"a"), Some(1));
/// assert_eq!(m.load_or_store("a", 2), (1, true));
/// assert!(m.compare_and_swap("a", &1, 3));
/// assert_eq!(m.load_and_delete(&"a"), Some(3));
/// ```
pub struct Map<K, V> {
    /// The lock-free table.
    inner: papaya::HashMap<K, V>,
}

impl<K: Hash + Eq, V> Default for Map<K, V> {
    fn default() -> Self {
        Map { inner: papaya::HashMap::new() }
    }
}

impl<K, V> Map<K, V>
where
    K: Hash + Eq + Send + Sync,
    V: Clone + Send + Sync,
{
    /// An empty map.
    pub fn new() -> Map<K, V> {
        Map { inner: papaya::HashMap::new() }
    }

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

impl<K: Hash + Eq, V> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map").field("len", &self.inner.len()).finish()
    }
}
