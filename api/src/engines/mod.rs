//! Image engines and the registry of models they serve.

pub mod bedrock;
pub mod capabilities;
pub mod offline;

use std::sync::Arc;

use entity::generation::{ErrorCode, Task};

pub use capabilities::{
    Capabilities, EditParams, FloatRange, GenerationParams, InputRule, ModelDefaults, Outpaint,
    SizeRule, SourceShape, TaskLimits,
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

/// Every model this process can run, each with the engine that runs it.
#[derive(Default)]
pub struct EngineRegistry {
    models: Vec<(ModelInfo, Arc<dyn Engine>)>,
}

impl EngineRegistry {
    pub fn register(&mut self, info: ModelInfo, engine: Arc<dyn Engine>) {
        self.models.push((info, engine));
    }

    pub fn models(&self) -> impl Iterator<Item = &ModelInfo> {
        self.models.iter().map(|(info, _)| info)
    }

    pub fn get(&self, model_id: &str) -> Option<(&ModelInfo, &Arc<dyn Engine>)> {
        self.models
            .iter()
            .find(|(info, _)| info.id == model_id)
            .map(|(info, engine)| (info, engine))
    }

    /// The model used when neither the request nor the user's preferences name one.
    pub fn default_model(&self) -> Option<&ModelInfo> {
        self.models().next()
    }
}
