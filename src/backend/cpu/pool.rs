//! The intra-op thread pool: a parallel for-loop in which the calling thread takes part and
//! idle workers spin briefly before they sleep (OpenMP's scheme, which torch uses).
//!
//! Why not rayon's pool for this: a call from a thread outside that pool (every op called
//! from Python) injects the job, wakes a worker through the kernel and puts the caller to
//! sleep until the job is done. That costs two wake-ups per op, tens of microseconds: more
//! than an add of 64K floats takes. Here the caller runs tasks itself, and a worker that ran
//! a loop a moment ago is still spinning, so back-to-back ops start in well under a
//! microsecond.
//!
//! Tasks are handed out one at a time from a shared counter, so a slow thread takes fewer.
//! The caller does wait for every worker it counted in, even one that is still waking up:
//! letting workers join only while tasks are left (and not waiting for the others) measured
//! slower here, 7 us instead of 3 us per 32K-element add. Which thread runs a task never
//! changes what the task computes, so results stay deterministic.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, TryLockError};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long an idle worker watches for the next loop before it sleeps. Ops issued back to
/// back (a training step) come far more often than this.
const SPIN: Duration = Duration::from_micros(300);

/// Bits of the epoch word that hold the number of helping workers.
const HELPER_BITS: u32 = 16;

/// The loop being run: a type-erased `&dyn Fn(usize)` and its number of tasks.
struct Job {
    f: *const (dyn Fn(usize) + Sync + 'static),
    tasks: usize,
}

struct Worker {
    /// Set while the worker is parked (or about to park), so that a caller knows to wake it.
    sleeping: AtomicBool,
    thread: OnceLock<Thread>,
}

struct Pool {
    /// Loop number (high bits) and how many workers help with it (low `HELPER_BITS`).
    epoch: AtomicU64,
    /// Written only by a caller holding `lock` while no worker is inside a loop.
    job: UnsafeCell<Job>,
    next: AtomicUsize,
    /// Helpers that have not finished the current loop.
    pending: AtomicUsize,
    /// The first panic of a worker's task in the current loop, re-raised by the caller.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    workers: Vec<Worker>,
    lock: Mutex<()>,
    /// The process that started the workers: a forked child has none of them.
    pid: u32,
}

// SAFETY: `job` is written only under `lock` while `pending` is zero (no worker reads it),
// and read by workers only between an epoch change (acquire) and their decrement of
// `pending` (release); the raw closure pointer is only called while its loop runs.
unsafe impl Sync for Pool {}
// SAFETY: as above.
unsafe impl Send for Pool {}

thread_local! {
    /// True on pool workers and on a caller inside a loop: a nested loop runs serially.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

static POOL: OnceLock<Option<&'static Pool>> = OnceLock::new();

/// The pool, started on first use with one worker per core after the first; `None` when
/// threads cannot be spawned (loops then run serially).
fn pool() -> Option<&'static Pool> {
    *POOL.get_or_init(|| {
        let helpers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).saturating_sub(1);
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            epoch: AtomicU64::new(0),
            job: UnsafeCell::new(Job { f: &|_| {}, tasks: 0 }),
            next: AtomicUsize::new(0),
            pending: AtomicUsize::new(0),
            panic: Mutex::new(None),
            workers: (0..helpers).map(|_| Worker { sleeping: AtomicBool::new(false), thread: OnceLock::new() }).collect(),
            lock: Mutex::new(()),
            pid: std::process::id(),
        }));
        for id in 0..helpers {
            let spawned = std::thread::Builder::new().name(format!("rtorch-{id}")).spawn(move || work(pool, id));
            if spawned.is_err() {
                return None;
            }
        }
        // Wait until every worker has registered: a loop may only count on workers that
        // will see its epoch.
        while pool.workers.iter().any(|w| w.thread.get().is_none()) {
            std::thread::yield_now();
        }
        Some(pool)
    })
}

/// True on a pool worker or inside a loop, where [`parallel_for`] runs serially.
pub fn inside() -> bool {
    INSIDE.with(Cell::get)
}

/// Runs `f(0) .. f(tasks - 1)`, spread over up to `threads` threads (the caller included);
/// returns when all have run. Serial when `threads` is 1, inside another loop, or while
/// another thread's loop holds the pool. A panic in a task is re-raised here.
pub fn parallel_for(tasks: usize, threads: usize, f: impl Fn(usize) + Sync) {
    let serial = || (0..tasks).for_each(&f);
    if tasks <= 1 || threads <= 1 || inside() {
        return serial();
    }
    let Some(pool) = pool() else { return serial() };
    if pool.pid != std::process::id() {
        return serial();
    }
    // A poisoned lock only means that an earlier loop panicked; the pool itself is sound.
    let guard = match pool.lock.try_lock() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => return serial(),
    };
    let helpers = (threads - 1).min(tasks - 1).min(pool.workers.len()).min((1 << HELPER_BITS) - 1);
    if helpers == 0 {
        return serial();
    }
    let f: &(dyn Fn(usize) + Sync) = &f;
    // SAFETY: the lifetime is erased only for the duration of this loop: workers call `f`
    // only while `pending` counts them, and this function returns after it reaches zero.
    let f: &'static (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(f) };
    // SAFETY: we hold the lock and the previous loop ended with `pending` at zero, so no
    // worker reads the job now.
    unsafe { *pool.job.get() = Job { f, tasks } };
    pool.next.store(0, Ordering::Relaxed);
    pool.pending.store(helpers, Ordering::Relaxed);
    let seq = (pool.epoch.load(Ordering::Relaxed) >> HELPER_BITS) + 1;
    pool.epoch.store(seq << HELPER_BITS | helpers as u64, Ordering::SeqCst);
    for w in &pool.workers[..helpers] {
        if w.sleeping.load(Ordering::SeqCst) {
            if let Some(t) = w.thread.get() {
                t.unpark();
            }
        }
    }
    INSIDE.with(|c| c.set(true));
    let mine = catch_unwind(AssertUnwindSafe(|| run_tasks(pool, f, tasks)));
    INSIDE.with(|c| c.set(false));
    let mut spins = 0u32;
    while pool.pending.load(Ordering::Acquire) != 0 {
        spins = backoff(spins);
    }
    let theirs = pool.panic.lock().unwrap_or_else(|e| e.into_inner()).take();
    drop(guard);
    if let Err(payload) = mine {
        std::panic::resume_unwind(payload);
    }
    if let Some(payload) = theirs {
        std::panic::resume_unwind(payload);
    }
}

/// Runs `f(i)` for every `i < items`, each costing about `work` elements: on the calling
/// thread when the whole is small, otherwise as [`parallel_each`].
pub fn parallel_items(items: usize, work: usize, f: impl Fn(usize) + Sync) {
    let threads = super::threads::get_num_threads();
    if items.saturating_mul(work) < super::iter::PARALLEL_THRESHOLD {
        return (0..items).for_each(f);
    }
    parallel_each(items, threads, f)
}

/// Runs `f(i)` for every `i < items` on up to `threads` threads, handed out in up to eight
/// ranges per thread: a task per item would make the threads fight over the task counter's
/// cache line once per item (100 ns each, as long as a small product), and fewer ranges
/// leave a thread idle at the end when the other is delayed.
pub fn parallel_each(items: usize, threads: usize, f: impl Fn(usize) + Sync) {
    if items < 2 || threads <= 1 {
        return (0..items).for_each(f);
    }
    let per = items.div_ceil(threads * 8);
    parallel_for(items.div_ceil(per), threads, |c| (c * per..((c + 1) * per).min(items)).for_each(&f));
}

/// Runs `f(k, piece)` for each `chunk`-element piece of `data` (the last may be shorter),
/// in parallel when large.
pub fn chunks_mut<T: Send>(data: &mut [T], chunk: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    if chunk == 0 {
        return;
    }
    let (p, len) = (super::iter::SendPtr(data.as_mut_ptr()), data.len());
    parallel_items(len.div_ceil(chunk), chunk, |k| {
        let start = k * chunk;
        // SAFETY: pieces are disjoint parts of `data`, which is borrowed for the whole loop.
        f(k, unsafe { std::slice::from_raw_parts_mut(p.get().add(start), chunk.min(len - start)) })
    });
}

/// The results of `f(0) .. f(tasks - 1)`, computed in parallel, in order.
pub fn parallel_map<T: Send>(tasks: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let slots: Vec<Mutex<Option<T>>> = (0..tasks).map(|_| Mutex::new(None)).collect();
    parallel_each(tasks, threads, |i| {
        let v = f(i);
        if let Ok(mut s) = slots[i].lock() {
            *s = Some(v);
        }
    });
    slots.into_iter().filter_map(|s| s.into_inner().ok().flatten()).collect()
}

/// Takes tasks of the current loop until none is left.
fn run_tasks(pool: &Pool, f: &(dyn Fn(usize) + Sync), tasks: usize) {
    loop {
        let i = pool.next.fetch_add(1, Ordering::Relaxed);
        if i >= tasks {
            return;
        }
        f(i);
    }
}

/// One step of a wait: spin at first, then give the core away (a waited-for thread may
/// have been descheduled).
fn backoff(spins: u32) -> u32 {
    if spins < 1 << 12 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
    spins.saturating_add(1)
}

/// A worker's life: wait for a loop that counts it among its helpers, take tasks, report.
fn work(pool: &'static Pool, id: usize) {
    INSIDE.with(|c| c.set(true));
    let me = &pool.workers[id];
    let _ = me.thread.set(std::thread::current());
    let mut seen = 0u64;
    loop {
        seen = wait_for_epoch(pool, me, seen);
        if id < (seen & ((1 << HELPER_BITS) - 1)) as usize {
            // SAFETY: the caller wrote the job before publishing this epoch (we loaded it
            // with acquire ordering) and keeps it until we decrement `pending`.
            let (f, tasks) = unsafe {
                let job = &*pool.job.get();
                (&*job.f, job.tasks)
            };
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| run_tasks(pool, f, tasks))) {
                // Nothing panics while holding this lock; take it even if it were poisoned.
                pool.panic.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(payload);
            }
            pool.pending.fetch_sub(1, Ordering::Release);
        }
    }
}

/// Waits until the epoch differs from `seen` and returns it: spinning for `SPIN`, then
/// parked until a caller unparks us.
fn wait_for_epoch(pool: &Pool, me: &Worker, seen: u64) -> u64 {
    let start = Instant::now();
    let mut i = 0u32;
    loop {
        let e = pool.epoch.load(Ordering::Acquire);
        if e != seen {
            return e;
        }
        std::hint::spin_loop();
        i = i.wrapping_add(1);
        if i % 256 == 0 && start.elapsed() > SPIN {
            break;
        }
    }
    // Announce the sleep, then look once more: a caller either sees `sleeping` and unparks
    // us, or published its epoch before our second look (both orders are SeqCst).
    me.sleeping.store(true, Ordering::SeqCst);
    loop {
        let e = pool.epoch.load(Ordering::SeqCst);
        if e != seen {
            me.sleeping.store(false, Ordering::SeqCst);
            return e;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_once_even_across_sleeps_and_nesting() {
        for round in 0..50 {
            let hits: Vec<AtomicUsize> = (0..97).map(|_| AtomicUsize::new(0)).collect();
            parallel_for(hits.len(), 4, |i| {
                hits[i].fetch_add(1, Ordering::Relaxed);
                // A nested loop runs serially on the same thread.
                parallel_for(3, 4, |_| {
                    hits[i].fetch_add(1, Ordering::Relaxed);
                });
            });
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 4), "round {round}");
            if round % 10 == 0 {
                // Let the workers fall asleep, so that the next loop must wake them.
                std::thread::sleep(SPIN * 3);
            }
        }
    }

    #[test]
    fn a_panicking_task_reaches_the_caller_and_the_pool_still_works() {
        let r = catch_unwind(|| parallel_for(64, 4, |i| assert!(i != 40, "task 40")));
        let message = r.err().and_then(|p| p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()));
        assert_eq!(message.as_deref(), Some("task 40"));
        let sum = AtomicUsize::new(0);
        let caller = std::thread::current().id();
        let helped = AtomicBool::new(false);
        for _ in 0..100 {
            parallel_for(64, 4, |i| {
                sum.fetch_add(i, Ordering::Relaxed);
                if std::thread::current().id() != caller {
                    helped.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_micros(20));
            });
        }
        assert_eq!(sum.load(Ordering::Relaxed), 100 * 64 * 63 / 2);
        // The pool still runs loops on more than one thread (on a machine with one core it has
        // no worker).
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        assert_eq!(helped.load(Ordering::Relaxed), cores > 1);
    }
}
