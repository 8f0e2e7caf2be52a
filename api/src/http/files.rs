//! `/api/files/{key}`: local-storage images, served only with a valid, unexpired signature.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
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
    match local.verify(&key, expires, &sig) {
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
