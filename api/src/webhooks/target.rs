//! Where a webhook may point. At creation and again at every delivery, after DNS resolution
//! (so a name that later resolves elsewhere gains nothing), loopback, private, link-local
//! (the cloud metadata address 169.254.169.254 among them), CGNAT, unique-local and other
//! special-purpose addresses are refused unless private targets are allowed; production
//! takes https only.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::{Cidr, WebhookConfig};

/// Addresses a public endpoint never has.
const NOT_PUBLIC_RANGES: [&str; 17] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/96",
    "::1/128",
    "64:ff9b::/96",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

static NOT_PUBLIC: LazyLock<Vec<Cidr>> = LazyLock::new(|| {
    // Every range parses; a test holds that.
    NOT_PUBLIC_RANGES
        .iter()
        .filter_map(|text| Cidr::parse(text).ok())
        .collect()
});

/// True for an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    !NOT_PUBLIC.iter().any(|range| range.contains(ip))
}

/// The longest URL an endpoint may have.
const MAX_URL_LENGTH: usize = 2048;

/// Reads and checks an endpoint URL; the error says what to change.
pub fn parse(text: &str, config: &WebhookConfig) -> Result<Url, String> {
    let text = text.trim();
    if text.len() > MAX_URL_LENGTH {
        return Err(format!("Use a URL of at most {MAX_URL_LENGTH} characters"));
    }
    let url = Url::parse(text).map_err(|_| {
        format!("`{text}` is not a URL; give one such as https://example.com/hooks")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if !config.require_https => {}
        "http" => {
            return Err("Use an https:// URL; this server sends webhooks over https only".into());
        }
        other => return Err(format!("Use an https:// URL, not {other}://")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The URL needs a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Leave credentials out of the URL; check the signature instead".into());
    }
    Ok(url)
}

/// Resolves the URL's host and refuses it when an address is not public (and private
/// targets are not allowed).
pub async fn check_addresses(url: &Url, config: &WebhookConfig) -> Result<(), String> {
    if config.allow_private {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = resolve(host, port).await?;
    refuse_private(host, &addresses)
}

fn refuse_private(host: &str, addresses: &[SocketAddr]) -> Result<(), String> {
    match addresses.iter().find(|a| !is_public(a.ip())) {
        Some(address) => Err(format!(
            "`{host}` is at {}, a loopback, private or link-local address; webhooks go to public addresses only",
            address.ip()
        )),
        None => Ok(()),
    }
}

async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| format!("The host `{host}` could not be found"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("The host `{host}` has no address"));
    }
    Ok(addresses)
}

/// The resolver of the delivery client: the addresses it hands to the connection are the
/// ones it checked, so a name cannot resolve to a public address for the check and a private
/// one for the connection.
pub struct CheckingResolver {
    pub allow_private: bool,
}

impl Resolve for CheckingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses = resolve(&host, 0).await?;
            if !allow_private {
                refuse_private(&host, &addresses)?;
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

impl CheckingResolver {
    pub fn shared(config: &WebhookConfig) -> Arc<CheckingResolver> {
        Arc::new(CheckingResolver {
            allow_private: config.allow_private,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config(allow_private: bool, require_https: bool) -> WebhookConfig {
        WebhookConfig {
            base_url: "http://127.0.0.1:4000".into(),
            allow_private,
            require_https,
            retry_delays: vec![Duration::from_secs(1)],
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn special_purpose_addresses_are_not_public() {
        assert_eq!(NOT_PUBLIC.len(), NOT_PUBLIC_RANGES.len());
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} passed as public");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} refused");
        }
    }

    #[test]
    fn urls_are_checked_for_scheme_host_and_credentials() {
        let production = config(false, true);
        assert!(parse("https://example.com/hook", &production).is_ok());
        assert!(
            parse("http://example.com/hook", &production)
                .unwrap_err()
                .contains("https")
        );
        assert!(parse("http://example.com/hook", &config(true, false)).is_ok());
        assert!(parse("ftp://example.com", &production).is_err());
        assert!(parse("not a url", &production).is_err());
        assert!(parse("https://user:pw@example.com", &production).is_err());
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed_names_included() {
        let strict = config(false, false);
        for url in [
            "http://127.0.0.1:9/x",
            "http://localhost:9/x",
            "http://[::1]:9/x",
            "http://169.254.169.254/latest",
        ] {
            let url = parse(url, &strict).unwrap();
            let err = check_addresses(&url, &strict).await.unwrap_err();
            assert!(err.contains("public addresses only"), "{err}");
        }
        let url = parse("http://localhost:9/x", &strict).unwrap();
        assert!(check_addresses(&url, &config(true, false)).await.is_ok());
    }
}
