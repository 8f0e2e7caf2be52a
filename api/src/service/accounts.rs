use chrono::Utc;
use entity::user;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{hash_password, verify_password};
use crate::error::{AppError, AppResult};

/// An email address, trimmed and lower-cased, checked for a plausible shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> AppResult<Email> {
        let email = raw.trim().to_lowercase();
        let invalid = || {
            AppError::bad_input(
                "email",
                format!(
                    "`{}` is not an email address like name@example.com",
                    raw.trim()
                ),
            )
        };
        if email.len() > 254 || email.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 10 characters.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: String) -> AppResult<NewPassword> {
        NewPassword::parse_field("password", raw)
    }

    /// Parses a new password given in the input field `field`.
    pub fn parse_field(field: &'static str, raw: String) -> AppResult<NewPassword> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(AppError::bad_input(
                field,
                format!(
                    "Use a password of at least {} characters (this one has {chars})",
                    Self::MIN_CHARS
                ),
            ));
        }
        if chars > 1024 {
            return Err(AppError::bad_input(
                field,
                "Use a password of at most 1024 characters",
            ));
        }
        Ok(NewPassword(raw))
    }
}

fn parse_display_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(AppError::bad_input("displayName", "Enter a display name")),
        1..=64 => Ok(name.to_owned()),
        _ => Err(AppError::bad_input(
            "displayName",
            "Use a display name of at most 64 characters",
        )),
    }
}

/// What `generateImages` falls back to for anything a request leaves out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub default_model: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub count: Option<u32>,
    pub style_preset: Option<String>,
    pub negative_prompt: Option<String>,
}

impl Preferences {
    pub fn of(user: &user::Model) -> Preferences {
        serde_json::from_value(user.preferences.clone()).unwrap_or_default()
    }
}

pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

pub async fn sign_up(db: &impl ConnectionTrait, input: SignUp) -> AppResult<user::Model> {
    let email = Email::parse(&input.email)?;
    let display_name = parse_display_name(&input.display_name)?;
    let password = NewPassword::parse(input.password)?;
    let password_hash = hash_password(password.0).await?;
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        preferences: Set(serde_json::json!({})),
        monthly_image_quota: Set(None),
        created_at: Set(Utc::now()),
        token_version: Set(0),
        last_served_at: Set(None),
    };
    match model.insert(db).await {
        Ok(user) => Ok(user),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(AppError::bad_input(
                "email",
                "An account with this email already exists; log in instead",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// A fixed argon2id hash checked when the email is unknown, so a wrong email takes as long
/// as a wrong password and response times do not reveal which accounts exist.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2bJ+8VYlXGXUW0HHgyVsuYKhs2hjI8u6u+ijgG2Fv6o";

pub async fn log_in(
    db: &impl ConnectionTrait,
    email: &str,
    password: String,
) -> AppResult<user::Model> {
    let wrong = || AppError::unauthenticated("The email or the password is wrong");
    let Ok(email) = Email::parse(email) else {
        return Err(wrong());
    };
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let hash = user
        .as_ref()
        .map_or(DECOY_HASH.to_owned(), |u| u.password_hash.clone());
    let matches = verify_password(hash, password).await?;
    match user {
        Some(user) if matches => Ok(user),
        _ => Err(wrong()),
    }
}

/// Sets a new password after checking the current one, and ends every login token issued
/// before: the returned account has the token version new tokens must carry.
pub async fn change_password(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    current_password: String,
    new_password: String,
) -> AppResult<user::Model> {
    let unchanged = current_password == new_password;
    let password = NewPassword::parse_field("newPassword", new_password)?;
    let user = find(db, user_id).await?;
    if !verify_password(user.password_hash.clone(), current_password).await? {
        return Err(AppError::bad_input(
            "currentPassword",
            "The current password is wrong",
        ));
    }
    if unchanged {
        return Err(AppError::bad_input(
            "newPassword",
            "Choose a new password different from the current one",
        ));
    }
    let password_hash = hash_password(password.0).await?;
    // Incremented in the database, so two changes at once still give two versions.
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(
            user::Column::TokenVersion,
            Expr::col(user::Column::TokenVersion).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    find(db, user_id).await
}

/// The version a user's login tokens must carry; `None` when the account is gone. One read
/// by primary key, made for every request with a login token.
pub async fn token_version(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<i32>> {
    Ok(user::Entity::find_by_id(id)
        .select_only()
        .column(user::Column::TokenVersion)
        .into_tuple::<i32>()
        .one(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// The viewer's own account; gone only if it was deleted after the token was issued.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<user::Model> {
    get(db, id)
        .await?
        .ok_or_else(|| AppError::unauthenticated("Your account no longer exists"))
}

/// A change to one preference.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    fn apply(self, old: Option<T>) -> Option<T> {
        match self {
            Change::Keep => old,
            Change::Clear => None,
            Change::Set(value) => Some(value),
        }
    }
}

/// The changes `updatePreferences` asks for, field by field.
#[derive(Debug, Clone)]
pub struct PreferenceChanges {
    pub default_model: Change<String>,
    pub width: Change<u32>,
    pub height: Change<u32>,
    pub count: Change<u32>,
    pub style_preset: Change<String>,
    pub negative_prompt: Change<String>,
}

pub async fn update_preferences(
    db: &impl ConnectionTrait,
    user: user::Model,
    changes: PreferenceChanges,
) -> AppResult<user::Model> {
    let mut prefs = Preferences::of(&user);
    prefs.default_model = changes.default_model.apply(prefs.default_model);
    prefs.width = changes.width.apply(prefs.width);
    prefs.height = changes.height.apply(prefs.height);
    prefs.count = changes.count.apply(prefs.count);
    prefs.style_preset = changes.style_preset.apply(prefs.style_preset);
    prefs.negative_prompt = changes.negative_prompt.apply(prefs.negative_prompt);
    let mut active: user::ActiveModel = user.into();
    active.preferences = Set(serde_json::to_value(&prefs).map_err(AppError::internal)?);
    Ok(active.update(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused_on_the_email_field() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    AppError::Client {
                        field: Some("email"),
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn short_passwords_say_how_long_they_must_be() {
        let err = NewPassword::parse("short".into()).err().unwrap();
        assert!(err.message().contains("at least 10"));
        assert!(NewPassword::parse("ten chars!".into()).is_ok());
    }

    #[tokio::test]
    async fn the_decoy_hash_is_a_valid_argon2id_hash() {
        assert!(
            !verify_password(DECOY_HASH.into(), "anything".into())
                .await
                .unwrap()
        );
    }
}
