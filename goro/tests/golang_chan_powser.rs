//! Ported from go/test/chan/powser1.go: McIlroy's power series, where every
//! series is a goroutine serving a demand channel. It exercises nested
//! selects, nil-channel cases (getn), two cases on the same channel, and
//! goroutines that hand their duty on to a successor (split).
//!
//! As in Go, the series are infinite: their goroutines stay parked when the
//! test ends.
//!
//! go/test/chan/powser2.go is "like powser1.go but uses channels of
//! interfaces": the same program, with its coefficients behind an
//! interface. For a Rust channel that changes only the element type, and a
//! boxed element is a value with drop glue, which `chan_stress.rs` covers
//! (its tokens count their drops), so it is not ported a second time.

use goro::chan::{Receiver, Sender};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};

/// A rational; `den == 0` is the end mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rat {
    /// Numerator.
    num: i64,
    /// Denominator (0: end of series).
    den: i64,
}

/// Go's gcd (of possibly negative numbers).
fn gcd(u: i64, v: i64) -> i64 {
    if u < 0 {
        return gcd(-u, v);
    }
    if u == 0 {
        return v;
    }
    gcd(v % u, u)
}

/// u/v, normalised.
fn i2tor(u: i64, v: i64) -> Rat {
    let g = gcd(u, v);
    if v > 0 {
        Rat { num: u / g, den: v / g }
    } else {
        Rat { num: -u / g, den: -v / g }
    }
}

/// u/1.
fn itor(u: i64) -> Rat {
    i2tor(u, 1)
}

const ZERO: Rat = Rat { num: 0, den: 1 };
const ONE: Rat = Rat { num: 1, den: 1 };
const FINIS: Rat = Rat { num: -1, den: 0 };

/// True at the end mark.
fn end(u: Rat) -> bool {
    u.den == 0
}

fn add(u: Rat, v: Rat) -> Rat {
    let g = gcd(u.den, v.den);
    i2tor(u.num * (v.den / g) + v.num * (u.den / g), u.den * (v.den / g))
}

fn mul(u: Rat, v: Rat) -> Rat {
    let (g1, g2) = (gcd(u.num, v.den), gcd(u.den, v.num));
    Rat { num: (u.num / g1) * (v.num / g2), den: (u.den / g2) * (v.den / g1) }
}

fn neg(u: Rat) -> Rat {
    i2tor(-u.num, u.den)
}

/// A demand channel: a request, then the datum (Go's `dch`).
#[derive(Clone)]
struct Dch {
    /// Requests in.
    req_tx: Sender<i64>,
    /// Requests, served side.
    req_rx: Receiver<i64>,
    /// Data out.
    dat_tx: Sender<Rat>,
    /// Data, consumer side.
    dat_rx: Receiver<Rat>,
}

/// A fresh demand channel.
fn mkdch() -> Dch {
    let (req_tx, req_rx) = goro::chan(0);
    let (dat_tx, dat_rx) = goro::chan(0);
    Dch { req_tx, req_rx, dat_tx, dat_rx }
}

/// Go's request sequence numbers.
static SEQNO: AtomicI64 = AtomicI64::new(0);

fn seq() -> i64 {
    SEQNO.fetch_add(1, Ordering::Relaxed) + 1
}

/// Go's `c <- v` in a stream goroutine.
///
/// Go's program abandons its streams when main returns, their sends blocked
/// forever. Here the end of the test body drops the consumers' handles, and
/// a send whose every receiver is gone fails instead, handing the value
/// back; the stream then stays parked, as Go's would, rather than panic
/// while the test's runtime winds down. (A stream's own handles do not keep
/// its output open: an `async move` block captures only the fields of a
/// `Dch` it uses.) A send that failed mid-test would hang the test into its
/// timeout, which fails it.
async fn send_on<T>(tx: &Sender<T>, v: T) {
    park_if_gone(tx.send(v).await).await;
}

/// [`send_on`]'s rule for a select's send case: parks forever if the send
/// failed because every receiver is gone.
async fn park_if_gone<T>(sent: Result<(), goro::chan::SendError<T>>) {
    if sent.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Serves one request with `dat`.
async fn put(dat: Rat, out: &Dch) {
    out.req_rx.recv().await;
    send_on(&out.dat_tx, dat).await;
}

/// Requests and gets one datum.
async fn get(inp: &Dch) -> Rat {
    send_on(&inp.req_tx, seq()).await;
    inp.dat_rx.recv().await.unwrap()
}

/// Gets one datum from each of two series at once (Go's getn), disabling
/// each case once done.
async fn get2(in0: &Dch, in1: &Dch) -> [Rat; 2] {
    let mut req = [Some(&in0.req_tx), Some(&in1.req_tx)];
    let mut dat: [Option<&Receiver<Rat>>; 2] = [None, None];
    let mut out = [ZERO; 2];
    for _ in 0..4 {
        let s = seq();
        goro::select! {
            send(req[0], s) -> r => { park_if_gone(r).await; dat[0] = Some(&in0.dat_rx); req[0] = None; },
            send(req[1], s) -> r => { park_if_gone(r).await; dat[1] = Some(&in1.dat_rx); req[1] = None; },
            recv(dat[0]) -> v => { out[0] = v.unwrap(); dat[0] = None; },
            recv(dat[1]) -> v => { out[1] = v.unwrap(); dat[1] = None; },
        }
    }
    out
}

/// Serves `out` from `inp` forever.
async fn copy(inp: Dch, out: Dch) {
    loop {
        out.req_rx.recv().await;
        let v = get(&inp).await;
        send_on(&out.dat_tx, v).await;
    }
}

/// A boxed goroutine body (dosplit starts its own successor).
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Go's dosplit: replicates one datum of `inp` onto both outputs, serving
/// whichever asks first, and hands the next datum to a successor.
fn dosplit(inp: Dch, mut out: [Dch; 2], wait: Receiver<i32>) -> Task {
    Box::pin(async move {
        let mut both = false;
        goro::select! {
            recv(out[0].req_rx) -> _ => {},
            recv(wait) -> _ => {
                both = true;
                goro::select! {
                    recv(out[0].req_rx) -> _ => {},
                    recv(out[1].req_rx) -> _ => out.swap(0, 1),
                }
            },
        }
        send_on(&inp.req_tx, seq()).await;
        let (release_tx, release) = goro::chan::<i32>(0);
        goro::go(dosplit(inp.clone(), out.clone(), release));
        let dat = inp.dat_rx.recv().await.unwrap();
        send_on(&out[0].dat_tx, dat).await;
        if !both {
            wait.recv().await;
        }
        out[1].req_rx.recv().await;
        send_on(&out[1].dat_tx, dat).await;
        send_on(&release_tx, 0).await;
    })
}

/// Splits `inp` onto `out`.
async fn split(inp: Dch, out: [Dch; 2]) {
    let (release_tx, release) = goro::chan::<i32>(0);
    goro::go(dosplit(inp, out, release));
    send_on(&release_tx, 0).await;
}

/// Two copies of `u`.
fn split_ps(u: Dch) -> [Dch; 2] {
    let uu = [mkdch(), mkdch()];
    goro::go(split(u, uu.clone()));
    uu
}

/// c, c, c, ...
fn rep(c: Rat) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        loop {
            put(c, &zz).await;
        }
    });
    z
}

/// U + V.
fn add_ps(u: Dch, v: Dch) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        loop {
            zz.req_rx.recv().await;
            let uv = get2(&u, &v).await;
            let (out, tail) = match (end(uv[0]), end(uv[1])) {
                (false, false) => (add(uv[0], uv[1]), None),
                (true, false) => (uv[1], Some(v.clone())),
                (false, true) => (uv[0], Some(u.clone())),
                (true, true) => (FINIS, None),
            };
            send_on(&zz.dat_tx, out).await;
            if let Some(t) = tail {
                return copy(t, zz).await;
            }
        }
    });
    z
}

/// c * U.
fn cmul(c: Rat, u: Dch) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        loop {
            zz.req_rx.recv().await;
            let v = get(&u).await;
            if end(v) {
                break;
            }
            send_on(&zz.dat_tx, mul(c, v)).await;
        }
        send_on(&zz.dat_tx, FINIS).await;
    });
    z
}

/// U - V.
fn sub_ps(u: Dch, v: Dch) -> Dch {
    add_ps(u, cmul(neg(ONE), v))
}

/// U * V: u*v + x*(u*VV + v*UU) + x*x*UU*VV.
fn mul_ps(u: Dch, v: Dch) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        zz.req_rx.recv().await;
        let uv = get2(&u, &v).await;
        if end(uv[0]) || end(uv[1]) {
            return send_on(&zz.dat_tx, FINIS).await;
        }
        send_on(&zz.dat_tx, mul(uv[0], uv[1])).await;
        let [uu0, uu1] = split_ps(u);
        let [vv0, vv1] = split_ps(v);
        let w = add_ps(cmul(uv[0], vv0), cmul(uv[1], uu0));
        zz.req_rx.recv().await;
        send_on(&zz.dat_tx, get(&w).await).await;
        copy(add_ps(w, mul_ps(uu1, vv1)), zz).await;
    });
    z
}

/// dU/dx.
fn diff(u: Dch) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        zz.req_rx.recv().await;
        if !end(get(&u).await) {
            let mut i = 1;
            loop {
                let v = get(&u).await;
                if end(v) {
                    break;
                }
                send_on(&zz.dat_tx, mul(itor(i), v)).await;
                zz.req_rx.recv().await;
                i += 1;
            }
        }
        send_on(&zz.dat_tx, FINIS).await;
    });
    z
}

/// The integral of U, with constant c.
fn integ(c: Rat, u: Dch) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        put(c, &zz).await;
        let mut i = 1;
        loop {
            zz.req_rx.recv().await;
            let v = get(&u).await;
            send_on(&zz.dat_tx, mul(i2tor(1, i), v)).await;
            if end(v) {
                break;
            }
            i += 1;
        }
        send_on(&zz.dat_tx, FINIS).await;
    });
    z
}

/// exp(U) for U with constant term 0: Z = integral of Z * dU/dx.
async fn exp_ps(u: Dch) -> Dch {
    let zz = [mkdch(), mkdch()];
    split(integ(ONE, mul_ps(zz[0].clone(), diff(u))), zz.clone()).await;
    zz[1].clone()
}

/// U(c0 x^n).
fn mon_subst(u: Dch, c0: Rat, n: usize) -> Dch {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        let mut c = ONE;
        loop {
            zz.req_rx.recv().await;
            let v = get(&u).await;
            send_on(&zz.dat_tx, mul(v, c)).await;
            c = mul(c, c0);
            if end(v) {
                send_on(&zz.dat_tx, FINIS).await;
                break;
            }
            for _ in 1..n {
                zz.req_rx.recv().await;
                send_on(&zz.dat_tx, ZERO).await;
            }
        }
    });
    z
}

/// Takes `count` values of `u`, each must be `c`.
async fn check(u: &Dch, c: Rat, count: usize, what: &str) {
    for _ in 0..count {
        let r = get(u).await;
        assert_eq!(r, c, "{what}");
    }
}

/// Takes `a.len()` values of `u`, which must be `a`.
async fn checka(u: &Dch, a: &[Rat], what: &str) {
    for (i, &c) in a.iter().enumerate() {
        let r = get(u).await;
        assert_eq!(r, c, "{what}: term {i}");
    }
}

const N: i64 = 10;

// Ported from go/test/chan/powser1.go: main's test mode.
// Go's program abandons its stream goroutines parked when main returns, so
// this port opts out of the leak check rather than rewriting the algorithm.
#[goro::test(allow_leaks)]
async fn powser1() {
    let ones = rep(ONE);
    let twos = rep(itor(2));
    check(&ones, ONE, 5, "Ones").await;
    check(&add_ps(ones.clone(), ones.clone()), itor(2), 0, "Add Ones Ones").await;
    check(&add_ps(ones.clone(), twos.clone()), itor(3), 0, "Add Ones Twos").await;
    let a: Vec<Rat> = (0..N).map(|i| itor(i + 1)).collect();
    checka(&diff(ones.clone()), &a, "Diff").await;
    let a: Vec<Rat> = (0..N).map(|i| if i == 0 { ZERO } else { i2tor(1, i) }).collect();
    checka(&integ(ZERO, ones.clone()), &a, "Integ").await;
    check(&cmul(neg(ONE), twos.clone()), itor(-2), 10, "CMul").await;
    check(&sub_ps(ones.clone(), twos.clone()), itor(-1), 0, "Sub Ones Twos").await;
    let a: Vec<Rat> = (0..N).map(|i| itor(i + 1)).collect();
    checka(&mul_ps(ones.clone(), ones.clone()), &a, "Mul").await;
    let a = [
        itor(1),
        itor(1),
        i2tor(3, 2),
        i2tor(13, 6),
        i2tor(73, 24),
        i2tor(167, 40),
        i2tor(4051, 720),
        i2tor(37633, 5040),
        i2tor(43817, 4480),
        i2tor(4596553, 362880),
    ];
    checka(&exp_ps(ones.clone()).await, &a, "Exp").await;
    let mut c = 1;
    let a: Vec<Rat> = (0..N)
        .map(|i| {
            if i % 2 == 0 {
                ZERO
            } else {
                let r = i2tor(c, i);
                c = -c;
                r
            }
        })
        .collect();
    checka(&integ(ZERO, mon_subst(ones.clone(), neg(ONE), 2)), &a, "ATan").await;
}
