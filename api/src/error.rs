//! The one error type that reaches clients, and the table of its codes.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql converts anything that
//! does into a client message verbatim, which is how database and SDK error text leaks. The
//! `From<AppError> for async_graphql::Error` below is the only way out, and it logs internal
//! errors with their source chain once, then tells the client only "internal error".

use std::time::Duration;

use async_graphql::ErrorExtensions;
use axum::http::StatusCode;

/// A client-facing error code: the string in `extensions.code` and its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    RateLimited,
    QuotaExceeded,
    UpstreamUnavailable,
    Internal,
}

impl ErrorCode {
    /// The code table: stable machine-readable code and the HTTP status it maps to.
    pub fn as_str_and_status(self) -> (&'static str, StatusCode) {
        match self {
            ErrorCode::Unauthenticated => ("UNAUTHENTICATED", StatusCode::UNAUTHORIZED),
            ErrorCode::Forbidden => ("FORBIDDEN", StatusCode::FORBIDDEN),
            ErrorCode::NotFound => ("NOT_FOUND", StatusCode::NOT_FOUND),
            ErrorCode::BadUserInput => ("BAD_USER_INPUT", StatusCode::BAD_REQUEST),
            ErrorCode::Conflict => ("CONFLICT", StatusCode::CONFLICT),
            ErrorCode::RateLimited => ("RATE_LIMITED", StatusCode::TOO_MANY_REQUESTS),
            ErrorCode::QuotaExceeded => ("QUOTA_EXCEEDED", StatusCode::TOO_MANY_REQUESTS),
            ErrorCode::UpstreamUnavailable => {
                ("UPSTREAM_UNAVAILABLE", StatusCode::SERVICE_UNAVAILABLE)
            }
            ErrorCode::Internal => ("INTERNAL", StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.as_str_and_status().0
    }

    pub fn status(self) -> StatusCode {
        self.as_str_and_status().1
    }
}

#[derive(Debug)]
pub enum AppError {
    /// A client-facing error whose message says what to fix.
    Client {
        code: ErrorCode,
        message: String,
        field: Option<&'static str>,
        /// For RATE_LIMITED: when trying again can succeed.
        retry_after: Option<Duration>,
    },
    /// Anything unexpected; logged, never shown.
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    fn client(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError::Client {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Unauthenticated, message)
    }

    /// The error for an operation that needs a logged-in viewer.
    pub fn login_required() -> AppError {
        AppError::unauthenticated(
            "You need to log in: send `Authorization: Bearer <token>` with a token from logIn or an API key",
        )
    }

    pub fn not_found(what: &str) -> AppError {
        AppError::client(
            ErrorCode::NotFound,
            format!("No {what} with that id exists for you"),
        )
    }

    pub fn bad_input(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Client {
            code: ErrorCode::BadUserInput,
            message: message.into(),
            field: Some(field),
            retry_after: None,
        }
    }

    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Conflict, message)
    }

    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Forbidden, message)
    }

    /// A refusal that goes away with time; `retry_after` is rounded up to whole seconds.
    pub fn rate_limited(retry_after: Duration, message: impl Into<String>) -> AppError {
        AppError::Client {
            code: ErrorCode::RateLimited,
            message: message.into(),
            field: None,
            retry_after: Some(retry_after),
        }
    }

    pub fn upstream_unavailable(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::UpstreamUnavailable, message)
    }

    /// Seconds until a rate-limited request can succeed, at least 1.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            AppError::Client {
                retry_after: Some(after),
                ..
            } => Some(retry_after_seconds(*after)),
            _ => None,
        }
    }

    /// The error of one item of a list argument, naming its index: `requests[3].width: …`.
    pub fn in_list_item(self, list: &'static str, index: usize) -> AppError {
        match self {
            AppError::Client {
                code,
                message,
                field,
                retry_after,
            } => AppError::Client {
                code,
                message: match field {
                    Some(field) => format!("{list}[{index}].{field}: {message}"),
                    None => format!("{list}[{index}]: {message}"),
                },
                field: Some(list),
                retry_after,
            },
            internal => internal,
        }
    }

    pub fn quota_exceeded(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::QuotaExceeded, message)
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(error.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Client { code, .. } => *code,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AppError::Client { message, .. } => message,
            AppError::Internal(_) => "Internal error; it has been logged. Try again later.",
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> AppError {
        match error {
            // Every pooled connection is busy or the database is unreachable: nothing is wrong
            // with the request, and trying again shortly can succeed.
            sea_orm::DbErr::ConnectionAcquire(cause) => {
                tracing::warn!(error = %cause, "no database connection");
                AppError::upstream_unavailable(
                    "The database is not answering right now; try again in a few seconds",
                )
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(error: sea_orm::TransactionError<AppError>) -> AppError {
        match error {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> async_graphql::Error {
        if let AppError::Internal(inner) = &error {
            tracing::error!(error = ?inner, "internal error");
        }
        let code = error.code();
        let field = match &error {
            AppError::Client { field, .. } => *field,
            AppError::Internal(_) => None,
        };
        let retry_after = error.retry_after_seconds();
        async_graphql::Error::new(error.message()).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            if let Some(field) = field {
                ext.set("field", field);
            }
            if let Some(seconds) = retry_after {
                ext.set("retryAfter", seconds);
            }
        })
    }
}

/// Whole seconds for `Retry-After` and `extensions.retryAfter`: rounded up, at least 1, so a
/// client that waits that long is not refused again for a fraction of a second.
pub fn retry_after_seconds(after: Duration) -> u64 {
    let whole = after.as_secs() + u64::from(after.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let err: async_graphql::Error =
            AppError::internal(anyhow::anyhow!("relation \"users\" does not exist")).into();
        assert!(!err.message.contains("users"));
        let ext = err.extensions.unwrap();
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("INTERNAL"))
        );
    }

    #[test]
    fn bad_input_names_its_field() {
        let err: async_graphql::Error = AppError::bad_input("email", "Use a valid email").into();
        let ext = err.extensions.unwrap();
        assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("email")));
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("BAD_USER_INPUT"))
        );
    }

    #[test]
    fn rate_limited_says_when_to_retry_in_whole_seconds() {
        let err: async_graphql::Error =
            AppError::rate_limited(Duration::from_millis(1200), "Slow down").into();
        let ext = err.extensions.unwrap();
        assert_eq!(ext.get("retryAfter"), Some(&async_graphql::Value::from(2)));
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(3)), 3);
    }

    #[test]
    fn a_database_without_free_connections_is_upstream_unavailable() {
        let err = AppError::from(sea_orm::DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::Timeout,
        ));
        assert_eq!(err.code(), ErrorCode::UpstreamUnavailable);
        assert!(err.message().contains("try again"));
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let all = [
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::BadUserInput,
            ErrorCode::Conflict,
            ErrorCode::RateLimited,
            ErrorCode::QuotaExceeded,
            ErrorCode::UpstreamUnavailable,
            ErrorCode::Internal,
        ];
        let mut names: Vec<_> = all.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
