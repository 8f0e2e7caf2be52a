//! Image engines and the registry of models they serve.

pub mod bedrock;
pub mod capabilities;
pub mod offline;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use entity::generation::{ErrorCode, Task};

pub use capabilities::{
    Capabilities, EditParams, FloatRange, GenerationParams, InputRule, ModelDefaults, Outpaint,
    SizeRule, SourceLimits, SourceShape, TaskLimits,
};
use tokio::sync::mpsc::UnboundedSender;

/// One model as listed by `models`.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    pub id: String,
    pub name: String,
    pub provider: String,
    /// True for engines that run without network or AI (the offline renderer).
    pub offline: bool,
    pub description: String,
    pub capabilities: Capabilities,
    pub defaults: ModelDefaults,
}

/// What a worker asks an engine to make.
#[derive(Debug, Clone)]
pub struct EngineJob {
    pub model: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub params: GenerationParams,
    pub task: Task,
    /// What an edit starts from, decoded.
    pub source: Option<Arc<image::RgbaImage>>,
    /// White where an edit changes the source; the source's size.
    pub mask: Option<Arc<image::GrayImage>>,
    /// Which images of the job are still missing (0-based). A job resumed after its worker
    /// died asks only for these, so no image is made or paid for twice.
    pub positions: Vec<u32>,
}

#[cfg(test)]
impl EngineJob {
    /// One text-to-image picture of `prompt`, seed 0, nothing optional: tests set the rest.
    pub(crate) fn for_test(model: &str, prompt: &str, width: u32, height: u32) -> EngineJob {
        EngineJob {
            model: model.to_owned(),
            prompt: prompt.to_owned(),
            negative_prompt: None,
            params: GenerationParams {
                width,
                height,
                count: 1,
                seed: 0,
                cfg_scale: None,
                style_preset: None,
                quality: None,
                aspect_ratio: None,
                edit: EditParams::default(),
            },
            task: Task::TextToImage,
            source: None,
            mask: None,
            positions: vec![0],
        }
    }
}

/// One image an engine made.
#[derive(Debug, Clone)]
pub struct EngineImage {
    pub position: u32,
    pub seed: i64,
    /// RGB, or RGBA where the picture has transparency (a removed background).
    pub pixels: image::DynamicImage,
}

/// A progress report while an engine works.
#[derive(Debug, Clone)]
pub struct Progress {
    /// 0..1 of the whole job.
    pub fraction: f64,
    pub stage: String,
    /// A small PNG of the picture so far, when the engine has one.
    pub preview_png: Option<Vec<u8>>,
}

#[derive(Debug, Default)]
pub struct EngineOutput {
    pub images: Vec<EngineImage>,
    /// Images the model refused to return (content filter) while others came through.
    pub filtered: u32,
    /// Calls made to the provider, for usage accounting.
    pub calls: u32,
}

/// Why an engine could not make a job's images. Each maps to a generation error code.
#[derive(Debug)]
pub enum EngineError {
    ContentFiltered(String),
    ModelUnavailable(String),
    Throttled(String),
    Timeout(String),
    Internal(anyhow::Error),
}

impl EngineError {
    /// The `Generation.error.code` and the message a person reads.
    pub fn code_and_message(&self) -> (ErrorCode, String) {
        match self {
            EngineError::ContentFiltered(m) => (ErrorCode::ContentFiltered, m.clone()),
            EngineError::ModelUnavailable(m) => (ErrorCode::ModelUnavailable, m.clone()),
            EngineError::Throttled(m) => (ErrorCode::Throttled, m.clone()),
            EngineError::Timeout(m) => (ErrorCode::Timeout, m.clone()),
            EngineError::Internal(_) => (
                ErrorCode::Internal,
                "The image engine failed unexpectedly; retry the generation".to_owned(),
            ),
        }
    }
}

/// A failed job's error, with the provider calls it took (each may be billed).
#[derive(Debug)]
pub struct EngineFailure {
    pub error: EngineError,
    pub calls: u32,
}

#[async_trait::async_trait]
pub trait Engine: Send + Sync {
    async fn generate(
        &self,
        job: &EngineJob,
        progress: &UnboundedSender<Progress>,
    ) -> Result<EngineOutput, EngineFailure>;
}

/// Every model this process can run, each with the engine that runs it, and which of them
/// are withheld for now (a provider no longer serving them here), each with the reason.
#[derive(Default)]
pub struct EngineRegistry {
    models: Vec<(ModelInfo, Arc<dyn Engine>)>,
    withheld: RwLock<HashMap<String, String>>,
}

impl EngineRegistry {
    pub fn register(&mut self, info: ModelInfo, engine: Arc<dyn Engine>) {
        self.models.push((info, engine));
    }

    /// The models offered now, in registration order.
    pub fn models(&self) -> Vec<&ModelInfo> {
        let withheld = self.withheld_now();
        self.models
            .iter()
            .map(|(info, _)| info)
            .filter(|info| !withheld.contains_key(&info.id))
            .collect()
    }

    /// The models known but not offered now, each with why.
    pub fn withheld(&self) -> Vec<(&ModelInfo, String)> {
        let withheld = self.withheld_now();
        self.models
            .iter()
            .filter_map(|(info, _)| withheld.get(&info.id).map(|why| (info, why.clone())))
            .collect()
    }

    /// Withholds exactly these models (id → reason); the others are offered again.
    pub fn withhold(&self, models: HashMap<String, String>) {
        *self
            .withheld
            .write()
            .unwrap_or_else(PoisonError::into_inner) = models;
    }

    fn withheld_now(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, String>> {
        self.withheld.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// An offered model and its engine.
    pub fn get(&self, model_id: &str) -> Option<(&ModelInfo, &Arc<dyn Engine>)> {
        if self.withheld_now().contains_key(model_id) {
            return None;
        }
        self.engine(model_id)
    }

    /// A registered model's engine, offered or not: a job queued before its model was
    /// withheld still runs, and the provider's answer decides its fate.
    pub fn engine(&self, model_id: &str) -> Option<(&ModelInfo, &Arc<dyn Engine>)> {
        self.models
            .iter()
            .find(|(info, _)| info.id == model_id)
            .map(|(info, engine)| (info, engine))
    }

    /// The model used for `task` when neither the request nor the user's preferences name
    /// one: the first offered that does it.
    pub fn default_model(&self, task: Task) -> Option<&ModelInfo> {
        self.models()
            .into_iter()
            .find(|m| m.capabilities.tasks.iter().any(|t| t.task == task))
    }

    /// Why `model_id` cannot be used now: withheld, or not known at all.
    pub fn unavailable_reason(&self, model_id: &str) -> String {
        if let Some(why) = self.withheld_now().get(model_id) {
            return why.clone();
        }
        let known: Vec<&str> = self.models().iter().map(|m| m.id.as_str()).collect();
        format!(
            "Unknown model `{model_id}`; choose one of: {}",
            known.join(", ")
        )
    }
}
