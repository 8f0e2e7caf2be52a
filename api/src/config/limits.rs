//! Every limit that protects the service from hostile or runaway clients, with its default.
//!
//! Two kinds: rate limits and per-user caps, which `RENDERMART_RATE_LIMITS=off` turns off for
//! benchmarks and load tests, and cost, size and time limits, which always hold. README's
//! "Limits" section lists them all.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;

/// Declares the limit settings once: each becomes an optional flag, environment variable and
/// TOML key (in the `[limits]` table), and `or` layers two sets field by field.
macro_rules! limit_settings {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty = $env:literal ),* $(,)?) => {
        #[derive(Debug, Default, Clone, Args, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct LimitSettings {
            $(
                $(#[$doc])*
                #[arg(long, global = true, env = $env)]
                #[serde(default)]
                pub $name: Option<$ty>,
            )*
        }

        impl LimitSettings {
            /// Fills every unset field from `lower`.
            pub fn or(self, lower: LimitSettings) -> LimitSettings {
                LimitSettings { $( $name: self.$name.or(lower.$name), )* }
            }
        }
    };
}

limit_settings! {
    /// `on` (default) or `off`: off disables every rate limit and per-user cap, for
    /// benchmarks and load tests; cost, size and time limits stay.
    rate_limits: String = "RENDERMART_RATE_LIMITS",
    /// Comma-separated CIDRs of proxies whose X-Forwarded-For is believed [default: none].
    trusted_proxies: String = "RENDERMART_TRUSTED_PROXIES",
    /// GraphQL requests a minute from one client IP [default: 1200].
    requests_per_ip_per_minute: u32 = "RENDERMART_REQUESTS_PER_IP_PER_MINUTE",
    /// logIn attempts a minute from one client IP [default: 20].
    login_attempts_per_ip_per_minute: u32 = "RENDERMART_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE",
    /// logIn attempts an hour for one email address [default: 20].
    login_attempts_per_email_per_hour: u32 = "RENDERMART_LOGIN_ATTEMPTS_PER_EMAIL_PER_HOUR",
    /// signUp attempts an hour from one client IP [default: 20].
    signups_per_ip_per_hour: u32 = "RENDERMART_SIGNUPS_PER_IP_PER_HOUR",
    /// generateImages calls a minute by one user [default: 30].
    generations_per_user_per_minute: u32 = "RENDERMART_GENERATIONS_PER_USER_PER_MINUTE",
    /// createUpload calls an hour by one user [default: 120].
    uploads_per_user_per_hour: u32 = "RENDERMART_UPLOADS_PER_USER_PER_HOUR",
    /// Jobs one user may have waiting in the queue [default: 50].
    max_queued_jobs_per_user: u32 = "RENDERMART_MAX_QUEUED_JOBS_PER_USER",
    /// Open WebSockets from one client IP [default: 200].
    ws_connections_per_ip: u32 = "RENDERMART_WS_CONNECTIONS_PER_IP",
    /// Open WebSockets of one user [default: 20].
    ws_connections_per_user: u32 = "RENDERMART_WS_CONNECTIONS_PER_USER",
    /// Subscriptions running at once on one WebSocket [default: 100].
    subscriptions_per_socket: u32 = "RENDERMART_SUBSCRIPTIONS_PER_SOCKET",
    /// Bytes of one GraphQL document [default: 32768].
    max_query_bytes: usize = "RENDERMART_MAX_QUERY_BYTES",
    /// Nesting depth of a GraphQL operation [default: 16].
    max_query_depth: usize = "RENDERMART_MAX_QUERY_DEPTH",
    /// Cost of a GraphQL operation: a list costs its page size times what is selected in each
    /// item [default: 25000].
    max_query_complexity: usize = "RENDERMART_MAX_QUERY_COMPLEXITY",
    /// Times one field name may appear under aliases in one selection [default: 15].
    max_aliases_per_field: usize = "RENDERMART_MAX_ALIASES_PER_FIELD",
    /// Directives in one GraphQL document [default: 50].
    max_directives: usize = "RENDERMART_MAX_DIRECTIVES",
    /// Bytes of an HTTP request body [default: 1048576].
    max_body_bytes: usize = "RENDERMART_MAX_BODY_BYTES",
    /// Bytes of one uploaded picture [default: 10485760].
    max_upload_bytes: usize = "RENDERMART_MAX_UPLOAD_BYTES",
    /// Seconds a client has to send its request headers [default: 10].
    header_read_timeout_seconds: u64 = "RENDERMART_HEADER_READ_TIMEOUT_SECONDS",
    /// Seconds an HTTP request may take (WebSockets excepted) [default: 30].
    request_timeout_seconds: u64 = "RENDERMART_REQUEST_TIMEOUT_SECONDS",
    /// Open connections the server accepts at once [default: 20000].
    max_connections: usize = "RENDERMART_MAX_CONNECTIONS",
    /// Bytes of one incoming WebSocket message [default: 65536].
    ws_max_message_bytes: usize = "RENDERMART_WS_MAX_MESSAGE_BYTES",
    /// Messages queued for a WebSocket client that is not reading before it is disconnected
    /// [default: 256].
    ws_outgoing_queue: usize = "RENDERMART_WS_OUTGOING_QUEUE",
    /// Seconds between the server's WebSocket pings [default: 20].
    ws_ping_interval_seconds: u64 = "RENDERMART_WS_PING_INTERVAL_SECONDS",
    /// Seconds without any message from a WebSocket client before it is closed [default: 60].
    ws_idle_timeout_seconds: u64 = "RENDERMART_WS_IDLE_TIMEOUT_SECONDS",
    /// Seconds one S3 call may take [default: 30].
    s3_timeout_seconds: u64 = "RENDERMART_S3_TIMEOUT_SECONDS",
}

/// A trusted proxy network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> anyhow::Result<Cidr> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address
            .trim()
            .parse()
            .with_context(|| format!("`{text}` is not an IP address or CIDR such as 10.0.0.0/8"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .with_context(|| format!("`{text}` has a prefix length outside 0..={max}"))?,
        };
        Ok(Cidr { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        fn bits(ip: IpAddr) -> (u128, u8) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => (u128::from(u32::from(v4)), 32),
                    None => (u128::from(v6), 128),
                },
            }
        }
        let (net, net_width) = bits(self.network);
        let (addr, addr_width) = bits(ip);
        if net_width != addr_width {
            return false;
        }
        let host_bits = u32::from(net_width - self.prefix);
        let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
        (net & mask) == (addr & mask)
    }
}

/// The resolved limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub rate_limits_on: bool,
    pub trusted_proxies: Vec<Cidr>,
    pub requests_per_ip_per_minute: u32,
    pub login_attempts_per_ip_per_minute: u32,
    pub login_attempts_per_email_per_hour: u32,
    pub signups_per_ip_per_hour: u32,
    pub generations_per_user_per_minute: u32,
    pub uploads_per_user_per_hour: u32,
    pub max_queued_jobs_per_user: u32,
    pub ws_connections_per_ip: u32,
    pub ws_connections_per_user: u32,
    pub subscriptions_per_socket: u32,
    pub max_query_bytes: usize,
    pub max_query_depth: usize,
    pub max_query_complexity: usize,
    pub max_aliases_per_field: usize,
    pub max_directives: usize,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
    pub ws_max_message_bytes: usize,
    pub ws_outgoing_queue: usize,
    pub ws_ping_interval: Duration,
    pub ws_idle_timeout: Duration,
    pub s3_timeout: Duration,
}

impl Limits {
    pub fn resolve(s: LimitSettings) -> anyhow::Result<Limits> {
        let rate_limits_on = match s.rate_limits.as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => bail!("RENDERMART_RATE_LIMITS is `{other}`; set it to `on` or `off`"),
        };
        let trusted_proxies = s
            .trusted_proxies
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(Cidr::parse)
            .collect::<anyhow::Result<Vec<_>>>()
            .context("RENDERMART_TRUSTED_PROXIES")?;
        let seconds =
            |value: Option<u64>, default: u64| Duration::from_secs(value.unwrap_or(default).max(1));
        Ok(Limits {
            rate_limits_on,
            trusted_proxies,
            requests_per_ip_per_minute: s.requests_per_ip_per_minute.unwrap_or(1200),
            login_attempts_per_ip_per_minute: s.login_attempts_per_ip_per_minute.unwrap_or(20),
            login_attempts_per_email_per_hour: s.login_attempts_per_email_per_hour.unwrap_or(20),
            signups_per_ip_per_hour: s.signups_per_ip_per_hour.unwrap_or(20),
            generations_per_user_per_minute: s.generations_per_user_per_minute.unwrap_or(30),
            uploads_per_user_per_hour: s.uploads_per_user_per_hour.unwrap_or(120),
            max_queued_jobs_per_user: s.max_queued_jobs_per_user.unwrap_or(50),
            ws_connections_per_ip: s.ws_connections_per_ip.unwrap_or(200),
            ws_connections_per_user: s.ws_connections_per_user.unwrap_or(20),
            subscriptions_per_socket: s.subscriptions_per_socket.unwrap_or(100),
            max_query_bytes: s.max_query_bytes.unwrap_or(32 * 1024),
            max_query_depth: s.max_query_depth.unwrap_or(16),
            max_query_complexity: s.max_query_complexity.unwrap_or(25_000),
            max_aliases_per_field: s.max_aliases_per_field.unwrap_or(15),
            max_directives: s.max_directives.unwrap_or(50),
            max_body_bytes: s.max_body_bytes.unwrap_or(1024 * 1024),
            max_upload_bytes: s.max_upload_bytes.unwrap_or(10 * 1024 * 1024),
            header_read_timeout: seconds(s.header_read_timeout_seconds, 10),
            request_timeout: seconds(s.request_timeout_seconds, 30),
            max_connections: s.max_connections.unwrap_or(20_000).max(1),
            ws_max_message_bytes: s.ws_max_message_bytes.unwrap_or(64 * 1024),
            ws_outgoing_queue: s.ws_outgoing_queue.unwrap_or(256).max(1),
            ws_ping_interval: seconds(s.ws_ping_interval_seconds, 20),
            ws_idle_timeout: seconds(s.ws_idle_timeout_seconds, 60),
            s3_timeout: seconds(s.s3_timeout_seconds, 30),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_match_their_networks_only() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Cidr::parse("fd00::/8")
                .unwrap()
                .contains("fd12::1".parse().unwrap())
        );
        assert!(
            Cidr::parse("127.0.0.1")
                .unwrap()
                .contains("127.0.0.1".parse().unwrap())
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("example.com").is_err());
    }

    #[test]
    fn readme_lists_every_limit() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("\n## Limits\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("README has a Limits section");
        let command = <LimitSettings as clap::Args>::augment_args(clap::Command::new("limits"));
        let mut listed = 0;
        for arg in command.get_arguments() {
            let Some(env) = arg.get_env().and_then(|e| e.to_str()) else {
                continue;
            };
            assert!(
                section.contains(&format!("`{env}`")),
                "README's Limits section does not list {env}"
            );
            listed += 1;
        }
        assert!(listed >= 20, "only {listed} limits found");
    }

    #[test]
    fn rate_limits_switch_is_on_or_off() {
        assert!(
            Limits::resolve(LimitSettings::default())
                .unwrap()
                .rate_limits_on
        );
        let off = LimitSettings {
            rate_limits: Some("off".into()),
            ..LimitSettings::default()
        };
        assert!(!Limits::resolve(off).unwrap().rate_limits_on);
        let typo = LimitSettings {
            rate_limits: Some("of".into()),
            ..LimitSettings::default()
        };
        assert!(
            Limits::resolve(typo)
                .unwrap_err()
                .to_string()
                .contains("RENDERMART_RATE_LIMITS")
        );
    }
}
