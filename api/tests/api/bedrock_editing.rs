//! Edits on Bedrock through the real SDK client, against the local Bedrock stand-in: each
//! task sends its family's documented body with the source (and mask) and stores what comes
//! back; and models the control plane does not list ACTIVE are not offered.

use image::{DynamicImage, GrayImage};
use serde_json::{Value, json};

use crate::aws_fakes::{self, Call, FakeBedrock};
use crate::editing::{download, edit, mask, picture, png, upload};
use crate::helpers::{ServerProcess, TestApp, spawn_app_with};

const TITAN_V2: &str = "amazon.titan-image-generator-v2:0";
const NOVA: &str = "amazon.nova-canvas-v1:0";
const SD35: &str = "stability.sd3-5-large-v1:0";

/// A server with local storage whose Bedrock runtime and control plane are the stand-in.
async fn bedrock_app(bedrock: &FakeBedrock, refresh_seconds: Option<u64>) -> TestApp {
    let url = bedrock.url.clone();
    spawn_app_with(move |s| {
        s.aws_static = Some(aws_fakes::credentials());
        s.bedrock_control_endpoint_url = Some(url.clone());
        s.bedrock_endpoint_url = Some(url);
        s.bedrock_retry_base_ms = Some(5);
        s.bedrock_catalog_refresh_seconds = refresh_seconds;
    })
    .await
}

/// A base64 picture of a request, decoded.
fn decoded(b64: &Value) -> DynamicImage {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.as_str().expect("a base64 picture"))
        .unwrap();
    image::load_from_memory(&bytes).unwrap()
}

/// The names of a JSON object's fields, sorted.
fn sorted_keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

/// The last call the stand-in received.
fn last_call(bedrock: &FakeBedrock) -> Call {
    bedrock.calls().pop().expect("a call reached Bedrock")
}

/// A 512×384 source and a mask of its top-left corner, uploaded; their upload ids.
async fn source_and_mask(app: &TestApp, token: &str) -> (String, String, GrayImage) {
    let source = upload(
        app,
        token,
        "image/png",
        png(&DynamicImage::ImageRgba8(picture(512, 384))),
    )
    .await;
    let the_mask = mask(512, 384, (0, 128), (0, 96));
    let mask_id = upload(
        app,
        token,
        "image/png",
        png(&DynamicImage::ImageLuma8(the_mask.clone())),
    )
    .await;
    (source, mask_id, the_mask)
}

#[tokio::test]
async fn titan_and_nova_edits_send_their_task_bodies_and_store_the_results() {
    let bedrock = FakeBedrock::start().await;
    let app = bedrock_app(&bedrock, None).await;
    let token = app.sign_up("titan-edits@example.com").await;
    let (source, mask_id, the_mask) = source_and_mask(&app, &token).await;

    // Inpainting: the source as sent, the mask inverted (black = change).
    let done = edit(
        &app,
        &token,
        json!({ "task": "INPAINT", "model": TITAN_V2, "prompt": "a brass lamp", "seed": 3,
                "source": { "uploadId": source }, "mask": { "uploadId": mask_id } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.model, TITAN_V2);
    assert_eq!(call.body["taskType"], "INPAINTING");
    let params = &call.body["inPaintingParams"];
    assert_eq!(params["text"], "a brass lamp");
    assert_eq!(
        decoded(&params["image"]).to_rgb8(),
        DynamicImage::ImageRgba8(picture(512, 384)).to_rgb8()
    );
    let sent_mask = decoded(&params["maskImage"]).to_luma8();
    for (x, y, pixel) in the_mask.enumerate_pixels() {
        assert_eq!(sent_mask.get_pixel(x, y)[0], 255 - pixel[0], "({x}, {y})");
    }
    assert_eq!(
        call.body["imageGenerationConfig"],
        json!({ "numberOfImages": 1, "seed": 3, "cfgScale": 8.0 })
    );
    let image = &done["images"][0];
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(512), Some(384))
    );

    // Erasing is inpainting without text.
    edit(
        &app,
        &token,
        json!({ "task": "ERASE", "model": TITAN_V2, "prompt": "",
                "source": { "uploadId": source }, "mask": { "uploadId": mask_id } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["taskType"], "INPAINTING");
    assert_eq!(
        sorted_keys(&call.body["inPaintingParams"]),
        ["image", "maskImage"]
    );

    // Outpainting on Nova: the source on the larger canvas, kept by the mask.
    let done = edit(
        &app,
        &token,
        json!({ "task": "OUTPAINT", "model": NOVA, "prompt": "more of the beach",
                "outpaint": { "left": 64, "right": 0, "top": 0, "bottom": 32 },
                "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["taskType"], "OUTPAINTING");
    let params = &call.body["outPaintingParams"];
    assert_eq!(params["outPaintingMode"], "PRECISE");
    let canvas = decoded(&params["image"]).to_rgb8();
    assert_eq!(canvas.dimensions(), (576, 416));
    assert_eq!(
        canvas.get_pixel(64 + 300, 200),
        &image::Rgb([160, 20, (300 % 50) as u8])
    );
    let keep = decoded(&params["maskImage"]).to_luma8();
    assert_eq!(
        (keep.get_pixel(10, 10)[0], keep.get_pixel(100, 100)[0]),
        (255, 0)
    );
    let result = download(&app, &done["images"][0]).await;
    assert_eq!((result.width(), result.height()), (576, 416));

    // A variation: similarity is 1 − strength, at Titan's size nearest the source's shape.
    edit(
        &app,
        &token,
        json!({ "task": "VARIATION", "model": TITAN_V2, "prompt": "", "strength": 0.4,
                "count": 2, "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["taskType"], "IMAGE_VARIATION");
    assert_eq!(call.body["imageVariationParams"]["similarityStrength"], 0.6);
    assert!(call.body["imageVariationParams"].get("text").is_none());
    assert_eq!(call.body["imageGenerationConfig"]["numberOfImages"], 2);
    assert_eq!(call.body["imageGenerationConfig"]["width"], 1152);

    // Background removal: the image alone, and a PNG with transparency back.
    let done = edit(
        &app,
        &token,
        json!({ "task": "REMOVE_BACKGROUND", "model": NOVA, "prompt": "",
                "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["taskType"], "BACKGROUND_REMOVAL");
    assert_eq!(
        call.body.as_object().unwrap().len(),
        2,
        "no generation config: {}",
        call.body
    );
    let cut_out = download(&app, &done["images"][0]).await.to_rgba8();
    assert_eq!(cut_out.get_pixel(0, 0)[3], 0, "transparent corner");
    assert_eq!(cut_out.get_pixel(256, 192)[3], 255);
}

#[tokio::test]
async fn stability_image_services_and_sd35_send_their_bodies_and_store_the_results() {
    let bedrock = FakeBedrock::start().await;
    let app = bedrock_app(&bedrock, None).await;
    let token = app.sign_up("stability-edits@example.com").await;
    let (source, mask_id, the_mask) = source_and_mask(&app, &token).await;

    edit(
        &app,
        &token,
        json!({ "task": "INPAINT", "model": "stability.stable-image-inpaint-v1:0",
                "prompt": "a brass lamp", "negativePrompt": "blur", "seed": 11,
                "source": { "uploadId": source }, "mask": { "uploadId": mask_id } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.model, "stability.stable-image-inpaint-v1:0");
    assert_eq!(
        sorted_keys(&call.body),
        [
            "image",
            "mask",
            "negative_prompt",
            "output_format",
            "prompt",
            "seed"
        ]
    );
    assert_eq!(call.body["seed"], 11);
    // Stability reads masks as RenderMart does: white = change.
    assert_eq!(decoded(&call.body["mask"]).to_luma8(), the_mask);

    edit(
        &app,
        &token,
        json!({ "task": "SEARCH_REPLACE", "model": "stability.stable-image-search-replace-v1:0",
                "prompt": "a green door", "maskPrompt": "the red square",
                "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["search_prompt"], "the red square");
    assert_eq!(call.body["prompt"], "a green door");
    assert!(call.body.get("mask").is_none());

    edit(
        &app,
        &token,
        json!({ "task": "ERASE", "model": "stability.stable-image-erase-object-v1:0", "prompt": "",
                "source": { "uploadId": source }, "mask": { "uploadId": mask_id } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(
        sorted_keys(&call.body),
        ["image", "mask", "output_format", "seed"]
    );

    edit(
        &app,
        &token,
        json!({ "task": "SEARCH_RECOLOR", "model": "stability.stable-image-search-recolor-v1:0",
                "prompt": "deep blue", "maskPrompt": "the red square",
                "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["select_prompt"], "the red square");

    let done = edit(
        &app,
        &token,
        json!({ "task": "UPSCALE", "model": "stability.stable-conservative-upscale-v1:0",
                "prompt": "a crisp photo", "strength": 0.4, "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.body["creativity"], 0.4);
    assert_eq!(call.body["prompt"], "a crisp photo");
    assert_eq!(done["images"][0]["width"], 1024);

    let done = edit(
        &app,
        &token,
        json!({ "task": "OUTPAINT", "model": "stability.stable-outpaint-v1:0", "prompt": "",
                "outpaint": { "left": 10, "right": 20, "top": 30, "bottom": 40 },
                "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(
        [
            &call.body["left"],
            &call.body["right"],
            &call.body["up"],
            &call.body["down"]
        ],
        [&json!(10), &json!(20), &json!(30), &json!(40)]
    );
    assert_eq!(done["images"][0]["width"], 542);

    let done = edit(
        &app,
        &token,
        json!({ "task": "UPSCALE", "model": "stability.stable-fast-upscale-v1:0", "prompt": "",
                "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(
        call.body,
        json!({ "image": call.body["image"], "output_format": "png" })
    );
    let large = download(&app, &done["images"][0]).await;
    assert_eq!((large.width(), large.height()), (2048, 1536));

    edit(
        &app,
        &token,
        json!({ "task": "IMAGE_TO_IMAGE", "model": SD35, "prompt": "an oil painting",
                "strength": 0.65, "source": { "uploadId": source } }),
    )
    .await;
    let call = last_call(&bedrock);
    assert_eq!(call.model, SD35);
    assert_eq!(call.body["mode"], "image-to-image");
    assert_eq!(call.body["strength"], 0.65);
    assert!(call.body.get("aspect_ratio").is_none());
    assert_eq!(decoded(&call.body["image"]).width(), 512);

    // Limits per model: a source larger than Titan takes is refused before any call.
    let calls = bedrock.calls().len();
    let big = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageRgba8(picture(1600, 400))),
    )
    .await;
    let refused = app
        .gql(
            "mutation($input: GenerateImagesInput!) { generateImages(input: $input) { id } }",
            json!({ "input": { "task": "ERASE", "model": TITAN_V2, "prompt": "",
                               "maskPrompt": "the square", "source": { "uploadId": big } } }),
            Some(&token),
        )
        .await;
    assert_eq!(refused.error_field(), "source");
    assert!(
        refused.error_message().contains("1408"),
        "{}",
        refused.error_message()
    );
    assert_eq!(bedrock.calls().len(), calls);
}

const MODELS: &str = "query($all: Boolean! = false) { models(includeUnavailable: $all) { id available unavailableReason } }";

fn ids(models: &Value) -> Vec<String> {
    models["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn models_the_control_plane_does_not_list_active_are_not_offered_and_say_why() {
    let bedrock = FakeBedrock::start().await;
    bedrock.set_lifecycle(TITAN_V2, Some("LEGACY"));
    bedrock.set_lifecycle(NOVA, None);
    bedrock.set_lifecycle("stability.stable-image-core-v1:1", Some("LEGACY"));
    let app = bedrock_app(&bedrock, Some(1)).await;
    let token = app.sign_up("lifecycle@example.com").await;

    let offered = app.gql(MODELS, json!({}), None).await;
    let offered = ids(offered.data());
    assert!(
        !offered.iter().any(|id| id == TITAN_V2 || id == NOVA),
        "{offered:?}"
    );
    assert!(offered.iter().any(|id| id == SD35));

    let all = app.gql(MODELS, json!({ "all": true }), None).await;
    let all = all.data()["models"].as_array().unwrap().clone();
    let titan = all.iter().find(|m| m["id"] == TITAN_V2).unwrap();
    assert_eq!(titan["available"], false);
    let why = titan["unavailableReason"].as_str().unwrap();
    assert!(why.contains("LEGACY in us-west-2"), "{why}");
    assert!(why.contains("end of life 2026-"), "{why}");
    let nova = all.iter().find(|m| m["id"] == NOVA).unwrap();
    assert!(
        nova["unavailableReason"]
            .as_str()
            .unwrap()
            .contains("does not offer amazon.nova-canvas-v1:0 in us-west-2")
    );

    // Asking for a withheld model is refused with the reason; without a model, the first
    // ACTIVE one that draws from text is used (Stable Image Core is Legacy here).
    let refused = app
        .gql(
            "mutation($input: GenerateImagesInput!) { generateImages(input: $input) { id } }",
            json!({ "input": { "prompt": "a lighthouse", "model": TITAN_V2 } }),
            Some(&token),
        )
        .await;
    assert!(
        refused.error_message().contains("LEGACY"),
        "{}",
        refused.error_message()
    );
    let queued = app
        .gql(
            "mutation($input: GenerateImagesInput!) { generateImages(input: $input) { model } }",
            json!({ "input": { "prompt": "a lighthouse" } }),
            Some(&token),
        )
        .await;
    assert_eq!(queued.data()["generateImages"]["model"], SD35);

    // The list is refreshed: a model listed ACTIVE again comes back.
    bedrock.set_lifecycle(TITAN_V2, Some("ACTIVE"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let models = app.gql(MODELS, json!({}), None).await;
        if ids(models.data()).iter().any(|id| id == TITAN_V2) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Titan did not come back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(bedrock.listings() >= 2);
}

// Multi-threaded: the stand-in must answer while this thread waits for the process to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_plane_client_honours_aws_endpoint_url_bedrock() {
    let bedrock = FakeBedrock::start().await;
    bedrock.set_lifecycle(TITAN_V2, Some("LEGACY"));
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = crate::helpers::fresh_database_url(data_dir.path()).await;
    let server = ServerProcess::start(
        &database_url,
        data_dir.path(),
        &[
            ("AWS_REGION", aws_fakes::REGION),
            ("AWS_ACCESS_KEY_ID", aws_fakes::ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", aws_fakes::SECRET_KEY),
            ("AWS_ENDPOINT_URL_BEDROCK", &bedrock.url),
            ("RENDERMART_BEDROCK_ENDPOINT_URL", &bedrock.url),
            ("RENDERMART_WORKERS", "0"),
        ],
    );
    let models = server.client().gql(MODELS, json!({}), None).await;
    let offered = ids(&models["data"]);
    let output = server.into_output();
    assert_eq!(bedrock.listings(), 1, "{output}");
    assert!(offered.iter().any(|id| id == NOVA), "{offered:?}");
    assert!(
        !offered.iter().any(|id| id == TITAN_V2),
        "{offered:?} {output}"
    );
}
