//! Rate limits per client IP, per email address and per user, on governor's keyed GCRA
//! limiters, built from `config.limits`.
//!
//! Each check either passes or refuses with RATE_LIMITED, saying when trying again can
//! succeed. With `RENDERMART_RATE_LIMITS=off` every check passes and the per-user queue cap is
//! off too.
//!
//! Memory stays bounded whatever keys clients choose: keys have a fixed size (an IPv6 client
//! is keyed by its /64, which one subscriber usually holds whole, so a host cannot dodge its
//! limit by rotating addresses; an email by a keyed 64-bit hash of its normalised form; a user
//! by id). A background task drops the keys whose state is back to fresh, and a limiter that
//! still holds more than `MAX_KEYS` afterwards (a flood of distinct keys) starts afresh with
//! a warning: forgetting some counts for a moment is better than growing without bound.

use std::hash::{BuildHasher, Hash, RandomState};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use uuid::Uuid;

use crate::config::Limits;
use crate::error::{AppError, AppResult, retry_after_seconds};
use crate::service::accounts::Email;

/// Keys one limiter may hold after its clean-up before it starts afresh.
const MAX_KEYS: usize = 100_000;

/// How often stale keys are dropped.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(30);

/// One keyed limiter that can be replaced by a fresh one when it holds too many keys.
struct Keyed<K: Hash + Eq + Clone> {
    name: &'static str,
    quota: Quota,
    limiter: RwLock<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(name: &'static str, quota: Quota) -> Keyed<K> {
        Keyed {
            name,
            quota,
            limiter: RwLock::new(DefaultKeyedRateLimiter::keyed(quota)),
        }
    }

    /// Takes one cell for `key`; when none is left, how long until one is.
    fn check(&self, key: &K) -> Result<(), Duration> {
        let limiter = self.limiter.read().unwrap_or_else(PoisonError::into_inner);
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    fn clean_up(&self) {
        let held = {
            let limiter = self.limiter.read().unwrap_or_else(PoisonError::into_inner);
            limiter.retain_recent();
            limiter.shrink_to_fit();
            limiter.len()
        };
        if held > MAX_KEYS {
            tracing::warn!(
                limiter = self.name,
                keys = held,
                "a rate limiter holds too many keys (a flood of distinct clients?); it starts afresh"
            );
            *self.limiter.write().unwrap_or_else(PoisonError::into_inner) =
                DefaultKeyedRateLimiter::keyed(self.quota);
        }
    }

    fn len(&self) -> usize {
        self.limiter
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

fn per_hour(n: u32) -> Quota {
    Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// The key of a client address: IPv4 (also when mapped into IPv6) as it is, IPv6 by its /64.
fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// "12 seconds" or, from two minutes on, "3 minutes" (rounded up).
pub fn wait_words(wait: Duration) -> String {
    let seconds = retry_after_seconds(wait);
    match seconds {
        1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

/// Every rate limit of the service, shared through `AppState`.
pub struct RateLimiter {
    on: bool,
    max_queued_jobs_per_user: u32,
    requests_per_ip: Keyed<IpAddr>,
    login_attempts_per_ip: Keyed<IpAddr>,
    login_attempts_per_email: Keyed<u64>,
    signups_per_ip: Keyed<IpAddr>,
    generations_per_user: Keyed<Uuid>,
    generations_per_minute: u32,
    uploads_per_user: Keyed<Uuid>,
    uploads_per_hour: u32,
    /// Keys the email hash with a per-process secret, so nobody can aim for collisions.
    email_hasher: RandomState,
}

impl RateLimiter {
    pub fn new(limits: &Limits) -> RateLimiter {
        RateLimiter {
            on: limits.rate_limits_on,
            max_queued_jobs_per_user: limits.max_queued_jobs_per_user,
            requests_per_ip: Keyed::new(
                "requests per IP",
                per_minute(limits.requests_per_ip_per_minute),
            ),
            login_attempts_per_ip: Keyed::new(
                "login attempts per IP",
                per_minute(limits.login_attempts_per_ip_per_minute),
            ),
            login_attempts_per_email: Keyed::new(
                "login attempts per email",
                per_hour(limits.login_attempts_per_email_per_hour),
            ),
            signups_per_ip: Keyed::new("sign-ups per IP", per_hour(limits.signups_per_ip_per_hour)),
            generations_per_user: Keyed::new(
                "generations per user",
                per_minute(limits.generations_per_user_per_minute),
            ),
            generations_per_minute: limits.generations_per_user_per_minute.max(1),
            uploads_per_user: Keyed::new(
                "uploads per user",
                per_hour(limits.uploads_per_user_per_hour),
            ),
            uploads_per_hour: limits.uploads_per_user_per_hour.max(1),
            email_hasher: RandomState::new(),
        }
    }

    /// Starts the task that drops stale keys every `CLEANUP_INTERVAL`; it ends when the
    /// limiter is dropped. Needs a Tokio runtime.
    pub fn start_cleanup(self: &Arc<RateLimiter>) {
        if !self.on {
            return;
        }
        let limiter: Weak<RateLimiter> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(CLEANUP_INTERVAL);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(limiter) = limiter.upgrade() else {
                    return;
                };
                limiter.clean_up();
            }
        });
    }

    fn clean_up(&self) {
        self.requests_per_ip.clean_up();
        self.login_attempts_per_ip.clean_up();
        self.login_attempts_per_email.clean_up();
        self.signups_per_ip.clean_up();
        self.generations_per_user.clean_up();
        self.uploads_per_user.clean_up();
    }

    /// Keys held over all limiters (for tests and diagnostics).
    pub fn keys(&self) -> usize {
        self.requests_per_ip.len()
            + self.login_attempts_per_ip.len()
            + self.login_attempts_per_email.len()
            + self.signups_per_ip.len()
            + self.generations_per_user.len()
            + self.uploads_per_user.len()
    }

    /// Runs one per-client check. A client whose address is unknown (0.0.0.0: a transport
    /// without a peer address, such as Lambda behind API Gateway, which throttles itself) is
    /// not limited per IP: all of them would share one allowance.
    fn check_ip(
        &self,
        limiter: &Keyed<IpAddr>,
        ip: IpAddr,
        refusal: impl FnOnce(&str) -> String,
    ) -> AppResult<()> {
        if !self.on || ip == IpAddr::V4(Ipv4Addr::UNSPECIFIED) {
            return Ok(());
        }
        limiter
            .check(&ip_key(ip))
            .map_err(|wait| AppError::rate_limited(wait, refusal(&wait_words(wait))))
    }

    /// One GraphQL request over HTTP (`requests_per_ip_per_minute`).
    pub fn request(&self, ip: IpAddr) -> AppResult<()> {
        self.check_ip(&self.requests_per_ip, ip, |wait| {
            format!("Too many requests from your address; try again in {wait}")
        })
    }

    /// One `logIn` attempt: per client IP, then per email address (whether or not an account
    /// has it, so the answer reveals nothing).
    pub fn log_in(&self, ip: IpAddr, email: &str) -> AppResult<()> {
        self.check_ip(&self.login_attempts_per_ip, ip, |wait| {
            format!("Too many login attempts from your network; try again in {wait}")
        })?;
        if !self.on {
            return Ok(());
        }
        // A malformed address is refused without a password check, so it needs no limit.
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let key = self.email_hasher.hash_one(email.as_str());
        self.login_attempts_per_email.check(&key).map_err(|wait| {
            AppError::rate_limited(
                wait,
                format!(
                    "Too many login attempts for this email address; try again in {}",
                    wait_words(wait)
                ),
            )
        })
    }

    /// One `signUp` attempt per client IP.
    pub fn sign_up(&self, ip: IpAddr) -> AppResult<()> {
        self.check_ip(&self.signups_per_ip, ip, |wait| {
            format!("Too many sign-ups from your network; try again in {wait}")
        })
    }

    /// One `generateImages` or `retryGeneration` by a user.
    pub fn generation(&self, user: Uuid) -> AppResult<()> {
        if !self.on {
            return Ok(());
        }
        self.generations_per_user.check(&user).map_err(|wait| {
            AppError::rate_limited(
                wait,
                format!(
                    "You are starting generations too fast (at most {} a minute); try again in {}",
                    self.generations_per_minute,
                    wait_words(wait)
                ),
            )
        })
    }

    /// One `createUpload` by a user.
    pub fn upload(&self, user: Uuid) -> AppResult<()> {
        if !self.on {
            return Ok(());
        }
        self.uploads_per_user.check(&user).map_err(|wait| {
            AppError::rate_limited(
                wait,
                format!(
                    "You are uploading too fast (at most {} pictures an hour); try again in {}",
                    self.uploads_per_hour,
                    wait_words(wait)
                ),
            )
        })
    }

    /// How many queued jobs one user may have; `None` when rate limits are off.
    pub fn max_queued_jobs_per_user(&self) -> Option<u32> {
        self.on.then_some(self.max_queued_jobs_per_user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LimitSettings;
    use crate::error::ErrorCode;

    fn limiter(settings: LimitSettings) -> RateLimiter {
        RateLimiter::new(&Limits::resolve(settings).unwrap())
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_bit_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(ip_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn login_attempts_are_limited_per_email_whatever_its_spelling() {
        let limits = limiter(LimitSettings {
            login_attempts_per_email_per_hour: Some(2),
            ..LimitSettings::default()
        });
        let ip = |n: u8| IpAddr::V4(Ipv4Addr::new(192, 0, 2, n));
        limits.log_in(ip(1), "ann@example.com").unwrap();
        limits.log_in(ip(2), "  ANN@example.com").unwrap();
        let refused = limits.log_in(ip(3), "ann@EXAMPLE.com").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::RateLimited);
        // One of 2 an hour comes back after 30 minutes.
        let seconds = refused.retry_after_seconds().unwrap();
        assert!((1700..=1800).contains(&seconds), "{seconds}");
        assert!(
            refused.message().contains("30 minutes"),
            "{}",
            refused.message()
        );
        limits.log_in(ip(4), "bob@example.com").unwrap();
    }

    #[test]
    fn switched_off_every_check_passes() {
        let limits = limiter(LimitSettings {
            rate_limits: Some("off".into()),
            signups_per_ip_per_hour: Some(1),
            generations_per_user_per_minute: Some(1),
            ..LimitSettings::default()
        });
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let user = Uuid::now_v7();
        for _ in 0..5 {
            limits.sign_up(ip).unwrap();
            limits.generation(user).unwrap();
        }
        assert_eq!(limits.max_queued_jobs_per_user(), None);
    }

    #[test]
    fn stale_keys_are_dropped_and_a_flood_of_keys_is_forgotten() {
        let limits = limiter(LimitSettings {
            requests_per_ip_per_minute: Some(600_000),
            ..LimitSettings::default()
        });
        // At 10,000 a second one request is forgotten within a tenth of a millisecond.
        for n in 0..1000u32 {
            limits
                .request(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)))
                .unwrap();
        }
        assert_eq!(limits.keys(), 1000);
        std::thread::sleep(Duration::from_millis(5));
        limits.clean_up();
        assert_eq!(limits.keys(), 0);

        let busy = Keyed::<u32>::new("test", per_hour(1));
        for n in 0..=MAX_KEYS as u32 {
            busy.check(&n).unwrap();
        }
        busy.clean_up();
        assert_eq!(busy.len(), 0);
    }

    #[test]
    fn waits_read_in_seconds_then_minutes() {
        assert_eq!(wait_words(Duration::from_millis(300)), "1 second");
        assert_eq!(wait_words(Duration::from_secs(59)), "59 seconds");
        assert_eq!(wait_words(Duration::from_secs(180)), "3 minutes");
    }
}
