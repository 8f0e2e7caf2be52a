//! A job's parameters are read back from the database as JSON and checked against every
//! model's capabilities, for every task it offers (edits against a source of any size): any
//! JSON must be refused cleanly or checked without a panic, and the aspect-ratio mapping must
//! work for any size.
#![no_main]

use api::config::BEDROCK_MODELS;
use api::engines::{GenerationParams, ModelInfo, SourceShape, bedrock, offline};
use libfuzzer_sys::fuzz_target;

fn models() -> Vec<ModelInfo> {
    let mut models = vec![offline::model_info()];
    models.extend(BEDROCK_MODELS.iter().filter_map(|id| bedrock::catalog(id)).map(|e| e.info));
    models
}

fuzz_target!(|input: (&[u8], &str, Option<&str>, u32, u32)| {
    let (json, prompt, negative, width, height) = input;
    let Ok(params) = serde_json::from_slice::<GenerationParams>(json) else {
        return;
    };
    for model in models() {
        let caps = &model.capabilities;
        for task in &caps.tasks {
            let _ = caps.check(task, prompt, negative, &params);
            let source = SourceShape {
                width,
                height,
                mask: Some((height, width)),
            };
            if let Ok((w, h)) = task.check_edit(&params.edit, source) {
                assert!(
                    w.max(h) <= task.max_output_side,
                    "{} {:?} made {w}x{h}",
                    model.id,
                    task.task
                );
            }
        }
        let _ = caps.accepts_size(width, height);
        if let Some((w, h)) = caps.nearest_aspect_ratio(width, height) {
            assert!(w > 0 && h > 0, "{} mapped {width}x{height} to {w}:{h}", model.id);
        }
    }
});
