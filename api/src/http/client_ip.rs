//! Who a request really comes from, for per-IP limits.
//!
//! Behind a load balancer every connection comes from the proxy, and the client's address is
//! in X-Forwarded-For. That header is client-controlled, so it is believed only as far as
//! trusted proxies vouch for it: reading from the right (the hop nearest to us), each address
//! a trusted proxy appended is skipped, and the first untrusted one is the client.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};

use crate::config::Cidr;

/// The client address of a GraphQL operation, in its request data, for per-IP limits in
/// resolvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

/// The client address of a request whose extensions carry the connection's `ConnectInfo`
/// (the server sets it; a transport without one, such as Lambda, counts as one unknown client).
pub fn of_request(extensions: &Extensions, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    match extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => client_ip(*peer, headers, trusted),
        None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.ip();
    if !is_trusted(client) {
        return client;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // A garbled entry: nothing to its left can be trusted either.
            return client;
        };
        client = ip;
        if !is_trusted(ip) {
            return ip;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        headers
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = [Cidr::parse("10.0.0.0/8").unwrap()];
        let proxy: SocketAddr = "10.0.0.5:1234".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:1234".parse().unwrap();
        let spoofed = headers("1.2.3.4, 198.51.100.7, 10.0.0.8");
        // Through two of our proxies: the first untrusted hop from the right.
        assert_eq!(
            client_ip(proxy, &spoofed, &proxies),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Directly from the internet: the header is ignored.
        assert_eq!(client_ip(stranger, &spoofed, &proxies), stranger.ip());
        // No proxies configured: always the peer.
        assert_eq!(client_ip(proxy, &spoofed, &[]), proxy.ip());
        // A garbled hop stops the walk at the last address vouched for.
        assert_eq!(
            client_ip(proxy, &headers("1.2.3.4, nonsense"), &proxies),
            proxy.ip()
        );
        // Nothing forwarded: the proxy itself.
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &proxies), proxy.ip());
    }
}
