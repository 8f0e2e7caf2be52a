//! Accounts: sign-up, log-in, the viewer, preferences and API keys.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_key, user};

use super::cost;
use super::relay::{NodeType, expect_global_id, global_id};
use super::webhooks::Webhook;
use super::{app_state, client_ip, require_viewer};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::service::accounts::{self, Change, PreferenceChanges, Preferences};
use crate::service::{api_keys, usage, webhooks};

/// A RenderMart account. Private fields (email, preferences, API keys) are visible only to
/// the account itself; elsewhere they are null.
pub struct User {
    model: user::Model,
    /// Set where the caller just proved to be this user (signUp, logIn) before the request
    /// carried a token.
    is_self: bool,
}

impl User {
    pub fn new(model: user::Model) -> User {
        User {
            model,
            is_self: false,
        }
    }

    fn own(model: user::Model) -> User {
        User {
            model,
            is_self: true,
        }
    }

    fn is_viewer(&self, ctx: &Context<'_>) -> bool {
        self.is_self
            || ctx
                .data_opt::<Viewer>()
                .is_some_and(|v| v.user_id == self.model.id)
    }
}

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        global_id(NodeType::User, self.model.id)
    }

    async fn display_name(&self) -> &str {
        &self.model.display_name
    }

    /// Only for the account itself.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.is_viewer(ctx).then_some(self.model.email.as_str())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    /// Defaults for `generateImages`; only for the account itself.
    async fn preferences(&self, ctx: &Context<'_>) -> Option<PreferencesObject> {
        self.is_viewer(ctx)
            .then(|| PreferencesObject::from(Preferences::of(&self.model)))
    }

    /// Images made this calendar month (UTC), per model, and the monthly quota; only for
    /// the account itself.
    #[graphql(complexity = "cost::per_object_query(child_complexity)")]
    async fn usage(&self, ctx: &Context<'_>) -> Result<Option<UsageObject>> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let state = app_state(ctx);
        let usage = usage::monthly(&state.db, self.model.id, Utc::now()).await?;
        let quota = usage::quota_for(&self.model, state.config.monthly_image_quota);
        let counted = usage.quota_images(&state.engines);
        let int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(Some(UsageObject {
            period_start: usage.period_start,
            period_end: usage.period_end,
            images: int(usage.models.iter().map(|m| m.images).sum()),
            pending_images: int(usage.models.iter().map(|m| m.pending_images).sum()),
            billed_failed_images: int(usage.models.iter().map(|m| m.billed_failed_images).sum()),
            quota: quota.map(int),
            quota_remaining: quota.map(|q| int(q.saturating_sub(counted))),
            models: usage
                .models
                .into_iter()
                .map(|m| ModelUsageObject {
                    model: m.model,
                    images: int(m.images),
                    pending_images: int(m.pending_images),
                    billed_failed_images: int(m.billed_failed_images),
                    generations: int(m.generations),
                    engine_calls: int(m.engine_calls),
                })
                .collect(),
        }))
    }

    /// The account's webhook endpoints; only for the account itself (empty for anyone else).
    #[graphql(
        complexity = "cost::list(webhooks::MAX_WEBHOOKS_PER_USER as usize, child_complexity)"
    )]
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        if !self.is_viewer(ctx) {
            return Ok(Vec::new());
        }
        let hooks = webhooks::list(&app_state(ctx).db, self.model.id).await?;
        Ok(hooks.into_iter().map(Webhook).collect())
    }

    /// Live (unrevoked) API keys, newest first; only for the account itself.
    #[graphql(complexity = "cost::list(cost::UNPAGED_LIST_ITEMS, child_complexity)")]
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Option<Vec<ApiKey>>> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let keys = api_keys::list(&app_state(ctx).db, self.model.id).await?;
        Ok(Some(keys.into_iter().map(ApiKey).collect()))
    }
}

/// A user's images in one calendar month (UTC).
#[derive(SimpleObject)]
#[graphql(name = "Usage")]
pub struct UsageObject {
    period_start: DateTime<Utc>,
    /// The first instant of the next month, when the quota starts afresh.
    period_end: DateTime<Utc>,
    /// Images of succeeded generations this month, all models.
    images: i32,
    /// Images of generations still queued or running.
    pending_images: i32,
    /// Images of failed or cancelled generations that count against the quota all the same:
    /// they had started, so the provider may have billed them.
    billed_failed_images: i32,
    /// Images a month with AI models (the offline model is free); null when unlimited.
    quota: Option<i32>,
    /// What is left of the quota after made, pending and billed AI images; null when
    /// unlimited.
    quota_remaining: Option<i32>,
    models: Vec<ModelUsageObject>,
}

/// One model's share of a month.
#[derive(SimpleObject)]
#[graphql(name = "ModelUsage")]
pub struct ModelUsageObject {
    /// The model id, as in `models`.
    model: String,
    images: i32,
    pending_images: i32,
    billed_failed_images: i32,
    /// Generations asked for this month, whatever their outcome.
    generations: i32,
    /// Calls RenderMart made to the model's provider, retries included.
    engine_calls: i32,
}

#[derive(SimpleObject)]
#[graphql(name = "Preferences")]
pub struct PreferencesObject {
    default_model: Option<String>,
    width: Option<i32>,
    height: Option<i32>,
    count: Option<i32>,
    style_preset: Option<String>,
    negative_prompt: Option<String>,
}

impl From<Preferences> for PreferencesObject {
    fn from(p: Preferences) -> PreferencesObject {
        let int = |v: Option<u32>| v.map(|n| n as i32);
        PreferencesObject {
            default_model: p.default_model,
            width: int(p.width),
            height: int(p.height),
            count: int(p.count),
            style_preset: p.style_preset,
            negative_prompt: p.negative_prompt,
        }
    }
}

/// A key for scripts and integrations; use its secret as a bearer token.
pub struct ApiKey(pub api_key::Model);

#[Object]
impl ApiKey {
    pub async fn id(&self) -> ID {
        global_id(NodeType::ApiKey, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The first characters of the secret, to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }

    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    user: User,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    api_key: ApiKey,
    /// Shown this once; RenderMart keeps only its hash.
    secret: String,
}

#[derive(InputObject)]
pub struct SignUpInput {
    email: String,
    /// At least 10 characters.
    password: String,
    display_name: String,
}

#[derive(InputObject)]
pub struct LogInInput {
    email: String,
    password: String,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    current_password: String,
    /// At least 10 characters, different from the current password.
    new_password: String,
}

/// Fields left out are unchanged; null (or an empty string) clears a field.
#[derive(InputObject)]
pub struct UpdatePreferencesInput {
    default_model: MaybeUndefined<String>,
    width: MaybeUndefined<i32>,
    height: MaybeUndefined<i32>,
    count: MaybeUndefined<i32>,
    style_preset: MaybeUndefined<String>,
    negative_prompt: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The logged-in user, or null for an anonymous caller.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(viewer) = ctx.data_opt::<Viewer>() else {
            return Ok(None);
        };
        Ok(Some(User::new(
            accounts::find(&app_state(ctx).db, viewer.user_id).await?,
        )))
    }
}

#[derive(Default)]
pub struct AccountMutation;

fn text_change(value: MaybeUndefined<String>) -> Change<String> {
    match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(text) if text.trim().is_empty() => Change::Clear,
        MaybeUndefined::Value(text) => Change::Set(text.trim().to_owned()),
    }
}

fn number_change(
    field: &'static str,
    value: MaybeUndefined<i32>,
    max: i32,
) -> Result<Change<u32>, AppError> {
    match value {
        MaybeUndefined::Undefined => Ok(Change::Keep),
        MaybeUndefined::Null => Ok(Change::Clear),
        MaybeUndefined::Value(v) if (1..=max).contains(&v) => Ok(Change::Set(v as u32)),
        MaybeUndefined::Value(_) => Err(AppError::bad_input(
            field,
            format!("Use a {field} from 1 to {max}, or null to clear it"),
        )),
    }
}

#[Object]
impl AccountMutation {
    /// Creates an account and logs it in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let state = app_state(ctx);
        state.limiter.sign_up(client_ip(ctx))?;
        let user = accounts::sign_up(
            &state.db,
            accounts::SignUp {
                email: input.email,
                password: input.password,
                display_name: input.display_name,
            },
        )
        .await?;
        let token = state.tokens.issue(user.id, user.token_version)?;
        Ok(AuthPayload {
            token,
            user: User::own(user),
        })
    }

    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> Result<AuthPayload> {
        let state = app_state(ctx);
        state.limiter.log_in(client_ip(ctx), &input.email)?;
        let user = accounts::log_in(&state.db, &input.email, input.password).await?;
        let token = state.tokens.issue(user.id, user.token_version)?;
        Ok(AuthPayload {
            token,
            user: User::own(user),
        })
    }

    /// Changes your password and ends every earlier login token (on every device, WebSockets
    /// included); continue with the token returned here. API keys keep working. Needs a login
    /// token: an API key cannot change the password.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<AuthPayload> {
        let viewer = require_viewer(ctx)?;
        if viewer.is_api_key() {
            return Err(AppError::forbidden(
                "An API key cannot change the password; log in with the password and use that token",
            )
            .into());
        }
        let state = app_state(ctx);
        let user = accounts::change_password(
            &state.db,
            viewer.user_id,
            input.current_password,
            input.new_password,
        )
        .await?;
        let token = state.tokens.issue(user.id, user.token_version)?;
        Ok(AuthPayload {
            token,
            user: User::own(user),
        })
    }

    /// Creates an API key. Its secret is in this response only.
    async fn create_api_key(&self, ctx: &Context<'_>, name: String) -> Result<CreateApiKeyPayload> {
        let viewer = require_viewer(ctx)?;
        let (key, secret) = api_keys::create(&app_state(ctx).db, viewer.user_id, &name).await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(key),
            secret,
        })
    }

    /// Revokes one of your API keys; it stops working at once, and WebSockets opened with it
    /// close (4403) within seconds.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let viewer = require_viewer(ctx)?;
        let key_id = expect_global_id(&id, NodeType::ApiKey, "id")?;
        Ok(ApiKey(
            api_keys::revoke(&app_state(ctx).db, viewer.user_id, key_id).await?,
        ))
    }

    async fn update_preferences(
        &self,
        ctx: &Context<'_>,
        input: UpdatePreferencesInput,
    ) -> Result<User> {
        let viewer = require_viewer(ctx)?;
        let state = app_state(ctx);
        let default_model = text_change(input.default_model);
        if let Change::Set(model) = &default_model
            && state.engines.get(model).is_none()
        {
            return Err(AppError::bad_input(
                "defaultModel",
                state.engines.unavailable_reason(model),
            )
            .into());
        }
        let changes = PreferenceChanges {
            default_model,
            width: number_change("width", input.width, 8192)?,
            height: number_change("height", input.height, 8192)?,
            count: number_change("count", input.count, 10)?,
            style_preset: text_change(input.style_preset),
            negative_prompt: text_change(input.negative_prompt),
        };
        let user = accounts::find(&state.db, viewer.user_id).await?;
        Ok(User::new(
            accounts::update_preferences(&state.db, user, changes).await?,
        ))
    }
}
