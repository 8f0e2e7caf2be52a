//! Security headers on everything the server answers. The frontend at `/` gets a
//! Content-Security-Policy that allows only what the app loads, plus the usual companions;
//! API responses get the headers that stop a browser from treating JSON or an image as a
//! page. frontend/nginx.conf sends the same frontend headers from the nginx image.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::{Config, StorageLocation};

/// The frontend's policy. Scripts, styles, fonts and workers come from our own build (the
/// GraphiQL page's editor injects style elements and inlines its fonts, hence
/// 'unsafe-inline' for styles and data: for fonts; scripts stay strictly 'self'). Images are
/// the API's signed `/api/files/` URLs, the engine's data: previews, and S3 presigned URLs,
/// which in production live on the bucket's own https origin. GraphQL and its WebSocket are
/// on this origin ('self' covers ws: and wss: of the same host); uploads are PUT to presigned
/// URLs on that same bucket origin, hence https: in connect-src too.
const FRONTEND_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; font-src 'self' data:; \
connect-src 'self' https:; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// API responses are data, never documents: nothing in them may load or run.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
browsing-topics=()";

/// Sent only on requests a TLS-terminating proxy marks as HTTPS: over plain HTTP the header
/// means nothing, and a laptop on http://localhost must not be pinned to HTTPS.
const HSTS: &str = "max-age=31536000";

/// The headers for each part of the surface, built once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    frontend: HeaderMap,
    api: HeaderMap,
}

impl SecurityHeaders {
    pub fn new(config: &Config) -> SecurityHeaders {
        let mut frontend = HeaderMap::new();
        let policy = frontend_policy(plain_http_bucket_origin(config).as_deref());
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            frontend.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        frontend.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        frontend.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
        frontend.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        frontend.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        );
        frontend.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );

        let mut api = HeaderMap::new();
        api.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        api.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_POLICY),
        );
        api.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        SecurityHeaders { frontend, api }
    }
}

/// The frontend policy, with one more origin for images and uploads when the bucket is on
/// plain HTTP.
fn frontend_policy(extra_bucket_origin: Option<&str>) -> String {
    match extra_bucket_origin {
        Some(origin) => FRONTEND_POLICY
            .replace(
                "img-src 'self' data: blob: https:;",
                &format!("img-src 'self' data: blob: https: {origin};"),
            )
            .replace(
                "connect-src 'self' https:;",
                &format!("connect-src 'self' https: {origin};"),
            ),
        None => FRONTEND_POLICY.to_owned(),
    }
}

/// The origin of presigned URLs (image GETs, upload PUTs) when they are plain HTTP (MinIO on
/// a laptop, say): `https:` in the policy does not cover them.
fn plain_http_bucket_origin(config: &Config) -> Option<String> {
    if !matches!(config.storage, StorageLocation::S3 { .. }) {
        return None;
    }
    let endpoint = config
        .aws
        .s3_public_endpoint_url
        .as_deref()
        .or(config.aws.s3_endpoint_url.as_deref())?;
    let rest = endpoint.strip_prefix("http://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let valid = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    valid.then(|| format!("http://{authority}"))
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn forwarded_https(request: &Request) -> bool {
    request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Middleware adding the headers a response does not already carry.
pub async fn apply(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let set = if is_api(request.uri().path()) {
        &headers.api
    } else {
        &headers.frontend
    };
    let https = forwarded_https(&request);
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    for (name, value) in set {
        if !out.contains_key(name) {
            out.insert(name.clone(), value.clone());
        }
    }
    if https {
        out.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontend_policy_loads_scripts_only_from_this_origin() {
        let policy = frontend_policy(None);
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(HeaderValue::from_str(&policy).is_ok());
    }

    #[test]
    fn a_plain_http_bucket_is_added_to_img_src_and_connect_src() {
        let policy = frontend_policy(Some("http://localhost:9000"));
        assert!(
            policy.contains("connect-src 'self' https: http://localhost:9000;"),
            "{policy}"
        );
        assert!(
            policy.contains("img-src 'self' data: blob: https: http://localhost:9000;"),
            "{policy}"
        );
    }

    fn s3_config(endpoint: Option<&str>, public: Option<&str>) -> Config {
        let mut config = Config::resolve(crate::config::Settings {
            jwt_secret: Some("x".repeat(32)),
            data_dir: Some(std::path::PathBuf::from("/nonexistent")),
            storage: Some("s3://bucket/prefix".into()),
            ..Default::default()
        })
        .unwrap();
        config.aws.s3_endpoint_url = endpoint.map(str::to_owned);
        config.aws.s3_public_endpoint_url = public.map(str::to_owned);
        config
    }

    #[test]
    fn only_plain_http_s3_endpoints_need_their_own_origin() {
        assert_eq!(
            plain_http_bucket_origin(&s3_config(Some("http://minio:9000/"), None)).as_deref(),
            Some("http://minio:9000")
        );
        assert_eq!(
            plain_http_bucket_origin(&s3_config(
                Some("http://minio:9000"),
                Some("http://localhost:9000/x")
            ))
            .as_deref(),
            Some("http://localhost:9000")
        );
        assert_eq!(
            plain_http_bucket_origin(&s3_config(Some("https://s3.example.com"), None)),
            None
        );
        assert_eq!(plain_http_bucket_origin(&s3_config(None, None)), None);
        // Anything that is not a plain host[:port] stays out of the header.
        assert_eq!(
            plain_http_bucket_origin(&s3_config(Some("http://a b;c"), None)),
            None
        );
    }
}
