//! `/api/files/{key}`: local-storage images, served only with a valid, unexpired signature;
//! and the signed PUT that receives an upload's bytes in embedded mode (with S3 they go to
//! the bucket).

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::HttpContext;
use crate::storage::Storage;
use crate::storage::local::FileAccessError;

#[derive(Deserialize)]
pub struct Signature {
    expires: Option<i64>,
    sig: Option<String>,
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

pub async fn serve(
    State(ctx): State<HttpContext>,
    Path(key): Path<String>,
    Query(query): Query<Signature>,
) -> Response {
    // With S3, image URLs point at the bucket; nothing is served from here.
    let Storage::Local(local) = ctx.state.storage.as_ref() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "Images are not served from this server",
        );
    };
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return refuse(
            StatusCode::FORBIDDEN,
            "This file link has no signature; use an image URL from the API",
        );
    };
    match local.verify(&key, expires, &sig, None) {
        Ok(()) => {}
        Err(FileAccessError::BadSignature) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "This file link's signature is not valid; use an image URL from the API",
            );
        }
        Err(FileAccessError::Expired) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "This file link has expired; fetch the image again for a fresh URL",
            );
        }
    }
    match local.read(&key).await {
        Ok(bytes) => {
            let max_age = (expires - chrono::Utc::now().timestamp()).max(0);
            (
                [
                    (header::CONTENT_TYPE, "image/png".to_owned()),
                    (
                        header::CACHE_CONTROL,
                        format!("private, max-age={max_age}, immutable"),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(_) => refuse(StatusCode::NOT_FOUND, "This image no longer exists"),
    }
}

/// Receives an upload's bytes: exactly the content type and size `createUpload` signed, once.
pub async fn upload(
    State(ctx): State<HttpContext>,
    Path(key): Path<String>,
    Query(query): Query<Signature>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Storage::Local(local) = ctx.state.storage.as_ref() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "Uploads go to the URL createUpload returned, not to this server",
        );
    };
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return refuse(
            StatusCode::FORBIDDEN,
            "This upload link has no signature; use the URL createUpload returned",
        );
    };
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
    let Some(length) = header_text(header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok())
    else {
        return refuse(
            StatusCode::LENGTH_REQUIRED,
            "Send the upload with a Content-Length header",
        );
    };
    match local.verify(&key, expires, &sig, Some((content_type, length))) {
        Ok(()) => {}
        Err(FileAccessError::BadSignature) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "This upload does not match its link: send exactly the headers createUpload \
                 returned, and exactly byteSize bytes",
            );
        }
        Err(FileAccessError::Expired) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "This upload link has expired; call createUpload again",
            );
        }
    }
    if local.read(&key).await.is_ok() {
        return refuse(
            StatusCode::CONFLICT,
            "This upload has its bytes already; call createUpload for another picture",
        );
    }
    let bytes = match axum::body::to_bytes(body, length as usize).await {
        Ok(bytes) if bytes.len() as u64 == length => bytes,
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "The body is not the Content-Length it announced; send the file again",
            );
        }
    };
    match local.put(&key, bytes.to_vec(), content_type).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            tracing::error!(?error, "could not store an upload");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The upload could not be stored; send it again",
            )
        }
    }
}
