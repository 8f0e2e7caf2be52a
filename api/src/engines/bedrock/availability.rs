//! Which Bedrock models may be offered: the control plane's `ListFoundationModels` says, per
//! region, which models exist and their lifecycle (ACTIVE or LEGACY). A configured model it
//! does not list ACTIVE is withheld from `models` and refused by `generateImages`, with the
//! reason; the list is fetched at start-up and refreshed in the background.
//!
//! When the control plane cannot be asked (no `bedrock:ListFoundationModels` permission, no
//! network), the configured models stay offered and the runtime's own errors speak for them:
//! a failed look never takes models away.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use aws_sdk_bedrock::types::FoundationModelLifecycleStatus;

use crate::engines::EngineRegistry;

/// How long one look may take before the models stay as they are.
const LOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// A model's lifecycle in this region, as the control plane lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifecycle {
    Active,
    /// LEGACY or a status this build does not know, with its end of life when announced.
    Retiring {
        status: String,
        end_of_life: Option<String>,
    },
}

pub struct ControlPlane {
    client: aws_sdk_bedrock::Client,
    region: String,
}

impl ControlPlane {
    pub fn new(client: aws_sdk_bedrock::Client, region: String) -> ControlPlane {
        ControlPlane { client, region }
    }

    /// Every foundation model of the region, with its lifecycle.
    async fn lifecycles(&self) -> anyhow::Result<HashMap<String, Lifecycle>> {
        let listed = self
            .client
            .list_foundation_models()
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "ListFoundationModels failed: {}",
                    aws_sdk_bedrock::error::DisplayErrorContext(e)
                )
            })?;
        Ok(listed
            .model_summaries()
            .iter()
            .map(|summary| {
                let lifecycle = match summary.model_lifecycle() {
                    None => Lifecycle::Active,
                    Some(l) if *l.status() == FoundationModelLifecycleStatus::Active => {
                        Lifecycle::Active
                    }
                    Some(l) => Lifecycle::Retiring {
                        status: l.status().as_str().to_owned(),
                        end_of_life: l.end_of_life_time().map(|t| t.to_string()),
                    },
                };
                (summary.model_id().to_owned(), lifecycle)
            })
            .collect())
    }

    /// The configured models that must not be offered, each with why.
    pub async fn withheld(&self, model_ids: &[String]) -> anyhow::Result<HashMap<String, String>> {
        let lifecycles = tokio::time::timeout(LOOK_TIMEOUT, self.lifecycles())
            .await
            .map_err(|_| anyhow::anyhow!("ListFoundationModels did not answer in time"))??;
        Ok(withheld(&lifecycles, model_ids, &self.region))
    }
}

/// The reasons `model_ids` are not offered, given the region's lifecycles.
pub fn withheld(
    lifecycles: &HashMap<String, Lifecycle>,
    model_ids: &[String],
    region: &str,
) -> HashMap<String, String> {
    model_ids
        .iter()
        .filter_map(|id| {
            let why = match lifecycles.get(id) {
                Some(Lifecycle::Active) => return None,
                None => format!(
                    "Amazon Bedrock does not offer {id} in {region}; the operator can set RENDERMART_BEDROCK_REGION to a region that has it"
                ),
                Some(Lifecycle::Retiring {
                    status,
                    end_of_life,
                }) => {
                    let until = end_of_life
                        .as_deref()
                        .map(|t| format!(", end of life {t}"))
                        .unwrap_or_default();
                    format!(
                        "Amazon Bedrock lists {id} as {status} in {region}{until}: it is being retired, so RenderMart no longer offers it; choose another model"
                    )
                }
            };
            Some((id.clone(), why))
        })
        .collect()
}

/// Looks once now, then every `every` for as long as the registry lives.
pub async fn watch(
    control: ControlPlane,
    registry: &Arc<EngineRegistry>,
    model_ids: Vec<String>,
    every: Duration,
) {
    look(&control, registry, &model_ids).await;
    let registry: Weak<EngineRegistry> = Arc::downgrade(registry);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let Some(registry) = registry.upgrade() else {
                return;
            };
            look(&control, &registry, &model_ids).await;
        }
    });
}

async fn look(control: &ControlPlane, registry: &EngineRegistry, model_ids: &[String]) {
    match control.withheld(model_ids).await {
        Ok(withheld) => {
            for (model, why) in &withheld {
                tracing::info!(%model, %why, "Bedrock model not offered");
            }
            registry.withhold(withheld);
        }
        Err(error) => {
            tracing::warn!(%error, "could not ask Bedrock which models are ACTIVE; the models stay as they were");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_models_listed_active_are_offered_and_the_others_say_why() {
        let lifecycles = HashMap::from([
            ("a".to_owned(), Lifecycle::Active),
            (
                "b".to_owned(),
                Lifecycle::Retiring {
                    status: "LEGACY".into(),
                    end_of_life: Some("2026-09-30T00:00:00Z".into()),
                },
            ),
        ]);
        let ids = ["a", "b", "c"].map(String::from).to_vec();
        let withheld = withheld(&lifecycles, &ids, "us-east-1");
        assert_eq!(withheld.len(), 2);
        assert!(withheld["b"].contains("LEGACY in us-east-1, end of life 2026-09-30"));
        assert!(withheld["c"].contains("does not offer c in us-east-1"));
    }
}
