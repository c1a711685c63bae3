//! Ported from go/test/chan/powser1.go and go/test/chan/powser2.go:
//! McIlroy's power series, where every series is a goroutine serving a
//! demand channel. They exercise nested selects, nil-channel cases (getn),
//! two cases on the same channel, and goroutines that hand their duty on to
//! a successor (split).
//!
//! powser2.go is "like powser1.go but uses channels of interfaces": its
//! data channels carry `item`, an interface holding a `*rat`, which every
//! reader type-asserts back. The two share one port, generic over what a
//! data channel carries ([`Datum`]): powser1 sends [`Rat`] by value,
//! powser2 an [`Item`], a shared pointer to a trait object that each
//! reader downcasts, as Go's reader asserts `.(*rat)`.
//!
//! As in Go, the series are infinite: their goroutines stay parked when the
//! test ends.

use goro::chan::{Receiver, Sender};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

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

/// What a series' data channel carries: a coefficient, however wrapped.
trait Datum: Clone + Send + Sync + 'static {
    /// Wraps `r`.
    fn of(r: Rat) -> Self;
    /// The coefficient inside (Go's `.(*rat)` in powser2).
    fn rat(&self) -> Rat;
}

/// powser1: the rational itself.
impl Datum for Rat {
    fn of(r: Rat) -> Self {
        r
    }
    fn rat(&self) -> Rat {
        *self
    }
}

/// powser2's `item`: an interface value holding a `*rat`. A clone shares
/// the pointer, as copying Go's interface value does (split sends one item
/// to both outputs).
#[derive(Clone)]
struct Item(Arc<dyn Any + Send + Sync>);

impl Datum for Item {
    fn of(r: Rat) -> Self {
        Item(Arc::new(r))
    }
    fn rat(&self) -> Rat {
        *self.0.downcast_ref::<Rat>().expect("powser2: an item that is not a *rat")
    }
}

/// A demand channel: a request, then the datum (Go's `dch`).
#[derive(Clone)]
struct Dch<D> {
    /// Requests in.
    req_tx: Sender<i64>,
    /// Requests, served side.
    req_rx: Receiver<i64>,
    /// Data out.
    dat_tx: Sender<D>,
    /// Data, consumer side.
    dat_rx: Receiver<D>,
}

/// A fresh demand channel.
fn mkdch<D: Datum>() -> Dch<D> {
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
async fn put<D: Datum>(dat: D, out: &Dch<D>) {
    out.req_rx.recv().await;
    send_on(&out.dat_tx, dat).await;
}

/// Requests and gets one datum, as sent.
async fn get_datum<D: Datum>(inp: &Dch<D>) -> D {
    send_on(&inp.req_tx, seq()).await;
    inp.dat_rx.recv().await.unwrap()
}

/// Requests and gets one coefficient (Go's get).
async fn get<D: Datum>(inp: &Dch<D>) -> Rat {
    get_datum(inp).await.rat()
}

/// Gets one datum from each of two series at once (Go's getn), disabling
/// each case once done.
async fn get2<D: Datum>(in0: &Dch<D>, in1: &Dch<D>) -> [D; 2] {
    let mut req = [Some(&in0.req_tx), Some(&in1.req_tx)];
    let mut dat: [Option<&Receiver<D>>; 2] = [None, None];
    let mut out = [None, None];
    for _ in 0..4 {
        let s = seq();
        goro::select! {
            send(req[0], s) -> r => { park_if_gone(r).await; dat[0] = Some(&in0.dat_rx); req[0] = None; },
            send(req[1], s) -> r => { park_if_gone(r).await; dat[1] = Some(&in1.dat_rx); req[1] = None; },
            recv(dat[0]) -> v => { out[0] = v; dat[0] = None; },
            recv(dat[1]) -> v => { out[1] = v; dat[1] = None; },
        }
    }
    out.map(|v| v.expect("getn: each series answers once"))
}

/// Serves `out` from `inp` forever.
async fn copy<D: Datum>(inp: Dch<D>, out: Dch<D>) {
    loop {
        out.req_rx.recv().await;
        let v = get_datum(&inp).await;
        send_on(&out.dat_tx, v).await;
    }
}

/// A boxed goroutine body (dosplit starts its own successor).
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Go's dosplit: replicates one datum of `inp` onto both outputs, serving
/// whichever asks first, and hands the next datum to a successor.
fn dosplit<D: Datum>(inp: Dch<D>, mut out: [Dch<D>; 2], wait: Receiver<i32>) -> Task {
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
        send_on(&out[0].dat_tx, dat.clone()).await;
        if !both {
            wait.recv().await;
        }
        out[1].req_rx.recv().await;
        send_on(&out[1].dat_tx, dat).await;
        send_on(&release_tx, 0).await;
    })
}

/// Splits `inp` onto `out`.
async fn split<D: Datum>(inp: Dch<D>, out: [Dch<D>; 2]) {
    let (release_tx, release) = goro::chan::<i32>(0);
    goro::go(dosplit(inp, out, release));
    send_on(&release_tx, 0).await;
}

/// Two copies of `u`.
fn split_ps<D: Datum>(u: Dch<D>) -> [Dch<D>; 2] {
    let uu = [mkdch(), mkdch()];
    goro::go(split(u, uu.clone()));
    uu
}

/// c, c, c, ... (the same datum each time, as Go's repeat).
fn rep<D: Datum>(c: Rat) -> Dch<D> {
    let z = mkdch();
    let zz = z.clone();
    let c = D::of(c);
    goro::go(async move {
        loop {
            put(c.clone(), &zz).await;
        }
    });
    z
}

/// U + V.
fn add_ps<D: Datum>(u: Dch<D>, v: Dch<D>) -> Dch<D> {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        loop {
            zz.req_rx.recv().await;
            let [u0, u1] = get2(&u, &v).await;
            let (out, tail) = match (end(u0.rat()), end(u1.rat())) {
                (false, false) => (D::of(add(u0.rat(), u1.rat())), None),
                (true, false) => (u1, Some(v.clone())),
                (false, true) => (u0, Some(u.clone())),
                (true, true) => (D::of(FINIS), None),
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
fn cmul<D: Datum>(c: Rat, u: Dch<D>) -> Dch<D> {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        loop {
            zz.req_rx.recv().await;
            let v = get(&u).await;
            if end(v) {
                break;
            }
            send_on(&zz.dat_tx, D::of(mul(c, v))).await;
        }
        send_on(&zz.dat_tx, D::of(FINIS)).await;
    });
    z
}

/// U - V.
fn sub_ps<D: Datum>(u: Dch<D>, v: Dch<D>) -> Dch<D> {
    add_ps(u, cmul(neg(ONE), v))
}

/// U * V: u*v + x*(u*VV + v*UU) + x*x*UU*VV.
fn mul_ps<D: Datum>(u: Dch<D>, v: Dch<D>) -> Dch<D> {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        zz.req_rx.recv().await;
        let uv = get2(&u, &v).await.map(|d| d.rat());
        if end(uv[0]) || end(uv[1]) {
            return send_on(&zz.dat_tx, D::of(FINIS)).await;
        }
        send_on(&zz.dat_tx, D::of(mul(uv[0], uv[1]))).await;
        let [uu0, uu1] = split_ps(u);
        let [vv0, vv1] = split_ps(v);
        let w = add_ps(cmul(uv[0], vv0), cmul(uv[1], uu0));
        zz.req_rx.recv().await;
        send_on(&zz.dat_tx, get_datum(&w).await).await;
        copy(add_ps(w, mul_ps(uu1, vv1)), zz).await;
    });
    z
}

/// dU/dx.
fn diff<D: Datum>(u: Dch<D>) -> Dch<D> {
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
                send_on(&zz.dat_tx, D::of(mul(itor(i), v))).await;
                zz.req_rx.recv().await;
                i += 1;
            }
        }
        send_on(&zz.dat_tx, D::of(FINIS)).await;
    });
    z
}

/// The integral of U, with constant c.
fn integ<D: Datum>(c: Rat, u: Dch<D>) -> Dch<D> {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        put(D::of(c), &zz).await;
        let mut i = 1;
        loop {
            zz.req_rx.recv().await;
            let v = get(&u).await;
            send_on(&zz.dat_tx, D::of(mul(i2tor(1, i), v))).await;
            if end(v) {
                break;
            }
            i += 1;
        }
        send_on(&zz.dat_tx, D::of(FINIS)).await;
    });
    z
}

/// exp(U) for U with constant term 0: Z = integral of Z * dU/dx.
async fn exp_ps<D: Datum>(u: Dch<D>) -> Dch<D> {
    let zz = [mkdch(), mkdch()];
    split(integ(ONE, mul_ps(zz[0].clone(), diff(u))), zz.clone()).await;
    zz[1].clone()
}

/// U(c0 x^n).
fn mon_subst<D: Datum>(u: Dch<D>, c0: Rat, n: usize) -> Dch<D> {
    let z = mkdch();
    let zz = z.clone();
    goro::go(async move {
        let mut c = ONE;
        loop {
            zz.req_rx.recv().await;
            let v = get(&u).await;
            send_on(&zz.dat_tx, D::of(mul(v, c))).await;
            c = mul(c, c0);
            if end(v) {
                send_on(&zz.dat_tx, D::of(FINIS)).await;
                break;
            }
            for _ in 1..n {
                zz.req_rx.recv().await;
                send_on(&zz.dat_tx, D::of(ZERO)).await;
            }
        }
    });
    z
}

/// Takes `count` values of `u`, each must be `c`.
async fn check<D: Datum>(u: &Dch<D>, c: Rat, count: usize, what: &str) {
    for _ in 0..count {
        let r = get(u).await;
        assert_eq!(r, c, "{what}");
    }
}

/// Takes `a.len()` values of `u`, which must be `a`.
async fn checka<D: Datum>(u: &Dch<D>, a: &[Rat], what: &str) {
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
    powser::<Rat>().await;
}

// Ported from go/test/chan/powser2.go: main's test mode, the same checks
// as powser1's, over channels of interface values (`item`). Leaks allowed
// as in powser1.
#[goro::test(allow_leaks)]
async fn powser2() {
    powser::<Item>().await;
}

/// The checks of both programs' test mode, with data channels of `D`.
async fn powser<D: Datum>() {
    let ones = rep::<D>(ONE);
    let twos = rep::<D>(itor(2));
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
