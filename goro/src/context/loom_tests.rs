//! loom model of context cancellation: a child registering while its
//! parent is cancelled is cancelled either way (born cancelled, or reached
//! by propagation), and a `done()` waiter is woken. Run by `scripts/loom.sh`.

use super::{background, with_cancel, ContextError};
use crate::loom::thread;
use loom::future::block_on;

#[test]
fn loom_context_cancel_races_child_registration() {
    loom::model(|| {
        let (parent, cancel) = with_cancel(&background());
        let p2 = parent.clone();
        let t = thread::spawn(move || {
            let (child, _c) = with_cancel(&p2);
            block_on(child.done());
            child.err()
        });
        cancel.cancel();
        assert_eq!(t.join().unwrap(), Some(ContextError::Canceled));
        assert_eq!(parent.err(), Some(ContextError::Canceled));
    });
}
