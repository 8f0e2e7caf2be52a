//! Giving memory back to the system. glibc's allocator keeps the pages freed by thousands of
//! closed WebSockets in its per-thread arenas (410 MiB of 417 stayed taken after 10,000
//! sockets closed); `malloc_trim` hands the free pages back. It runs within a second after
//! sockets closed, not per socket: a pass walks every arena.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set when a WebSocket ended since the last pass.
static RELEASED: AtomicBool = AtomicBool::new(false);

/// How often a pass may run. A tick with nothing released costs one atomic swap.
const TRIM_INTERVAL: Duration = Duration::from_secs(1);

/// Notes that a WebSocket's memory was freed.
pub fn released() {
    RELEASED.store(true, Ordering::Relaxed);
}

/// Trims the heap every `TRIM_INTERVAL` when sockets closed meanwhile, for the process's
/// life. Needs a Tokio runtime.
pub fn spawn_trimmer() {
    tokio::spawn(async {
        let mut every = tokio::time::interval(TRIM_INTERVAL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if RELEASED.swap(false, Ordering::Relaxed) {
                let _ = tokio::task::spawn_blocking(trim).await;
            }
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own arenas; 0 keeps no extra padding.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
