//! Image editing on the real server with the offline engine: uploads by signed PUT, each task
//! checked by its pixels, and the refusals.

use image::{DynamicImage, GrayImage, Luma, Rgba, RgbaImage};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const CREATE_UPLOAD: &str = "mutation($input: CreateUploadInput!) { createUpload(input: $input) { id url method headers { name value } expiresAt } }";

const EDIT: &str =
    "mutation($input: GenerateImagesInput!) { generateImages(input: $input) { id task } }";

/// A picture with a plain light background and a dark red square in the middle, so every
/// task has something to work on.
pub(crate) fn picture(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        let inside =
            (width / 4..3 * width / 4).contains(&x) && (height / 4..3 * height / 4).contains(&y);
        if inside {
            Rgba([160, 20, (x % 50) as u8, 255])
        } else {
            Rgba([235, 235, 240, 255])
        }
    })
}

pub(crate) fn png(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// White in the rectangle `x0..x1` × `y0..y1`, black elsewhere.
pub(crate) fn mask(
    width: u32,
    height: u32,
    (x0, x1): (u32, u32),
    (y0, y1): (u32, u32),
) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        Luma([if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
            255
        } else {
            0
        }])
    })
}

/// `createUpload`, then the PUT exactly as the answer says; returns the upload's id.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> String {
    let target = app
        .gql(
            CREATE_UPLOAD,
            json!({ "input": { "contentType": content_type, "byteSize": bytes.len() } }),
            Some(token),
        )
        .await;
    let target = target.data()["createUpload"].clone();
    assert_eq!(target["method"], "PUT");
    let url = target["url"].as_str().unwrap();
    let mut put = app.client.put(format!("{}{url}", app.url)).body(bytes);
    for header in target["headers"].as_array().unwrap() {
        put = put.header(
            header["name"].as_str().unwrap(),
            header["value"].as_str().unwrap(),
        );
    }
    let response = put.send().await.unwrap();
    assert_eq!(
        response.status().as_u16(),
        204,
        "{}",
        response.text().await.unwrap()
    );
    target["id"].as_str().unwrap().to_owned()
}

/// Queues an edit, runs it, and returns the finished job.
pub(crate) async fn edit(app: &TestApp, token: &str, input: Value) -> Value {
    let queued = app.gql(EDIT, json!({ "input": input }), Some(token)).await;
    let id = queued.data()["generateImages"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = app.finished(token, &id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    done
}

pub(crate) async fn download(app: &TestApp, image: &Value) -> DynamicImage {
    let bytes = app
        .get(image["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    image::load_from_memory(&bytes).unwrap()
}

#[tokio::test]
async fn inpaint_and_erase_change_only_the_masked_pixels() {
    let app = spawn_app().await;
    let token = app.sign_up("painter@example.com").await;
    let source = picture(96, 64);
    let source_id = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageRgba8(source.clone())),
    )
    .await;
    let the_mask = mask(96, 64, (10, 40), (8, 30));
    let mask_id = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageLuma8(the_mask.clone())),
    )
    .await;

    for (task, prompt) in [("INPAINT", "a blue moon"), ("ERASE", "")] {
        let done = edit(
            &app,
            &token,
            json!({ "task": task, "prompt": prompt, "model": "offline", "seed": 7,
                    "source": { "uploadId": source_id }, "mask": { "uploadId": mask_id } }),
        )
        .await;
        let result = download(&app, &done["images"][0]).await.to_rgba8();
        assert_eq!(result.dimensions(), (96, 64));
        let mut changed = 0;
        for (x, y, pixel) in result.enumerate_pixels() {
            if the_mask.get_pixel(x, y).0[0] == 0 {
                assert_eq!(
                    pixel,
                    source.get_pixel(x, y),
                    "{task}: ({x}, {y}) is outside the mask"
                );
            } else if pixel != source.get_pixel(x, y) {
                changed += 1;
            }
        }
        assert!(changed > 100, "{task} changed only {changed} masked pixels");
    }
    // The gallery lists the uploaded source and both results, never the mask.
    let gallery = app
        .gql(
            "{ images(first: 20) { nodes { uploaded width } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let uploaded: Vec<bool> = gallery.data()["images"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["uploaded"].as_bool().unwrap())
        .collect();
    assert_eq!(uploaded, [false, false, true]);
}

#[tokio::test]
async fn outpaint_upscale_and_remove_background_make_what_they_say() {
    let app = spawn_app().await;
    let token = app.sign_up("frames@example.com").await;
    let source = picture(80, 60);
    let source_id = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageRgba8(source.clone())),
    )
    .await;
    let from_upload = json!({ "uploadId": source_id });

    let outpainted = edit(
        &app,
        &token,
        json!({ "task": "OUTPAINT", "prompt": "", "model": "offline", "source": from_upload,
                "outpaint": { "left": 16, "right": 8, "top": 4, "bottom": 12 } }),
    )
    .await;
    let wider = download(&app, &outpainted["images"][0]).await.to_rgba8();
    assert_eq!(wider.dimensions(), (104, 76));
    for (x, y, pixel) in source.enumerate_pixels() {
        assert_eq!(
            wider.get_pixel(x + 16, y + 4),
            pixel,
            "({x}, {y}) moved or changed"
        );
    }

    let upscaled = edit(
        &app,
        &token,
        json!({ "task": "UPSCALE", "prompt": "", "model": "offline", "source": from_upload,
                "upscaleFactor": 2.5 }),
    )
    .await;
    assert_eq!(upscaled["images"][0]["width"], 200);
    assert_eq!(upscaled["images"][0]["height"], 150);
    let large = download(&app, &upscaled["images"][0]).await;
    assert_eq!((large.width(), large.height()), (200, 150));

    let cut_out = edit(
        &app,
        &token,
        json!({ "task": "REMOVE_BACKGROUND", "prompt": "", "model": "offline", "source": from_upload }),
    )
    .await;
    let cut = download(&app, &cut_out["images"][0]).await;
    assert!(
        cut.color().has_alpha(),
        "a removed background needs an alpha channel"
    );
    let cut = cut.to_rgba8();
    for (x, y) in [(0, 0), (79, 0), (0, 59), (79, 59)] {
        assert_eq!(
            cut.get_pixel(x, y).0[3],
            0,
            "corner ({x}, {y}) is not transparent"
        );
    }
    assert_eq!(
        cut.get_pixel(40, 30).0[3],
        255,
        "the subject was removed too"
    );
}

#[tokio::test]
async fn an_edit_records_where_it_came_from() {
    let app = spawn_app().await;
    let token = app.sign_up("history@example.com").await;
    let source_id = upload(&app, &token, "image/jpeg", {
        let mut bytes = Vec::new();
        DynamicImage::ImageRgba8(picture(64, 64))
            .to_rgb8()
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        bytes
    })
    .await;
    let first = edit(
        &app,
        &token,
        json!({ "task": "REMOVE_BACKGROUND", "prompt": "", "model": "offline", "source": { "uploadId": source_id } }),
    )
    .await;
    let first_image = first["images"][0]["id"].as_str().unwrap();
    // Chain a second edit on the first one's result.
    let second = edit(
        &app,
        &token,
        json!({ "task": "UPSCALE", "prompt": "", "model": "offline", "source": { "imageId": first_image } }),
    )
    .await;
    let walked = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Image { uploaded source { id uploaded source { id uploaded source { id } } } generation { task source { id } } } } }",
            json!({ "id": second["images"][0]["id"] }),
            Some(&token),
        )
        .await;
    let image = &walked.data()["node"];
    assert_eq!(image["uploaded"], false);
    assert_eq!(image["generation"]["task"], "UPSCALE");
    assert_eq!(image["source"]["id"], first_image);
    assert_eq!(image["generation"]["source"]["id"], first_image);
    assert_eq!(image["source"]["uploaded"], false);
    assert_eq!(image["source"]["source"]["uploaded"], true, "{image}");
    assert!(image["source"]["source"]["source"].is_null());

    // The upload's record is an image of its owner, not a job in their history.
    let history = app
        .gql(
            "{ generations(first: 10) { nodes { task } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let tasks: Vec<&str> = history.data()["generations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["task"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["UPSCALE", "REMOVE_BACKGROUND"]);
}

#[tokio::test]
async fn uploads_are_refused_for_a_wrong_type_size_or_body_and_are_private() {
    let app = spawn_app().await;
    let token = app.sign_up("careful@example.com").await;
    let other = app.sign_up("other@example.com").await;

    let refused = |content_type: &'static str, size: i64| {
        let app = &app;
        let token = &token;
        async move {
            app.gql(
                CREATE_UPLOAD,
                json!({ "input": { "contentType": content_type, "byteSize": size } }),
                Some(token),
            )
            .await
        }
    };
    let gif = refused("image/gif", 1000).await;
    assert_eq!(
        (gif.error_code(), gif.error_field()),
        ("BAD_USER_INPUT", "contentType")
    );
    let huge = refused("image/png", 10 * 1024 * 1024 + 1).await;
    assert_eq!(
        (huge.error_code(), huge.error_field()),
        ("BAD_USER_INPUT", "byteSize")
    );

    // Declared a PNG, but the bytes are text: refused when used, and nothing is queued.
    let text = upload(
        &app,
        &token,
        "image/png",
        b"definitely not a picture".to_vec(),
    )
    .await;
    let not_image = app
        .gql(
            EDIT,
            json!({ "input": { "task": "UPSCALE", "prompt": "", "model": "offline", "source": { "uploadId": text } } }),
            Some(&token),
        )
        .await;
    assert_eq!(
        (not_image.error_code(), not_image.error_field()),
        ("BAD_USER_INPUT", "source")
    );
    assert!(
        not_image
            .error_message()
            .contains("not a PNG, JPEG or WebP"),
        "{}",
        not_image.error_message()
    );
    let queued = app
        .gql(
            "{ generations(first: 5) { nodes { id } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(queued.data()["generations"]["nodes"], json!([]));

    // A PUT that does not match what was signed is refused.
    let target = app
        .gql(
            CREATE_UPLOAD,
            json!({ "input": { "contentType": "image/png", "byteSize": 10 } }),
            Some(&token),
        )
        .await;
    let url = target.data()["createUpload"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = app
        .client
        .put(format!("{}{url}", app.url))
        .header("content-type", "image/png")
        .body(vec![0u8; 11])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);

    // Another user's upload, and another user's private image, are not there for you.
    let mine = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageRgba8(picture(32, 32))),
    )
    .await;
    let theirs = app
        .gql(
            EDIT,
            json!({ "input": { "task": "UPSCALE", "prompt": "", "model": "offline", "source": { "uploadId": mine } } }),
            Some(&other),
        )
        .await;
    assert_eq!(theirs.error_code(), "NOT_FOUND");
    let done = edit(
        &app,
        &token,
        json!({ "task": "UPSCALE", "prompt": "", "model": "offline", "source": { "uploadId": mine } }),
    )
    .await;
    let private = app
        .gql(
            EDIT,
            json!({ "input": { "task": "UPSCALE", "prompt": "", "model": "offline", "source": { "imageId": done["images"][0]["id"] } } }),
            Some(&other),
        )
        .await;
    assert_eq!(private.error_code(), "NOT_FOUND");
}

#[tokio::test]
async fn what_a_task_cannot_take_is_refused_before_anything_is_queued() {
    let app = spawn_app().await;
    let token = app.sign_up("rules@example.com").await;
    let source_id = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageRgba8(picture(64, 48))),
    )
    .await;
    let wrong_mask = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageLuma8(mask(32, 32, (0, 8), (0, 8)))),
    )
    .await;
    let source = json!({ "uploadId": source_id });
    for (input, field) in [
        (
            json!({ "task": "INPAINT", "prompt": "a cat", "model": "offline", "source": source }),
            "mask",
        ),
        (
            json!({ "task": "INPAINT", "prompt": "a cat", "model": "offline", "source": source, "mask": { "uploadId": wrong_mask } }),
            "mask",
        ),
        (
            json!({ "task": "ERASE", "prompt": "", "model": "offline" }),
            "source",
        ),
        (
            json!({ "task": "UPSCALE", "prompt": "", "model": "offline", "source": source, "upscaleFactor": 9.0 }),
            "upscaleFactor",
        ),
        (
            json!({ "task": "UPSCALE", "prompt": "", "model": "offline", "source": source, "width": 512 }),
            "width",
        ),
        (
            json!({ "task": "REMOVE_BACKGROUND", "prompt": "a cat", "model": "offline", "source": source }),
            "prompt",
        ),
        (
            json!({ "task": "OUTPAINT", "prompt": "", "model": "offline", "source": source, "outpaint": { "left": 5000 } }),
            "outpaint",
        ),
        (
            json!({ "prompt": "a cat", "model": "offline", "source": source }),
            "source",
        ),
        (
            json!({ "task": "SEARCH_REPLACE", "prompt": "a cat", "model": "offline", "source": source }),
            "maskPrompt",
        ),
    ] {
        let refused = app.gql(EDIT, json!({ "input": input }), Some(&token)).await;
        assert_eq!(
            (refused.error_code(), refused.error_field()),
            ("BAD_USER_INPUT", field),
            "{input}: {}",
            refused.error_message()
        );
    }
    let queued = app
        .gql(
            "{ generations(first: 5) { nodes { id } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(queued.data()["generations"]["nodes"], json!([]));

    let models = app
        .gql("{ models { id capabilities { tasks taskLimits { task mask upscaleFactor { max } } } } }", json!({}), None)
        .await;
    let offline = &models.data()["models"][0];
    assert_eq!(offline["id"], "offline");
    let tasks = offline["capabilities"]["tasks"].as_array().unwrap();
    for task in [
        "TEXT_TO_IMAGE",
        "IMAGE_TO_IMAGE",
        "VARIATION",
        "INPAINT",
        "OUTPAINT",
        "ERASE",
        "REMOVE_BACKGROUND",
        "UPSCALE",
        "SEARCH_REPLACE",
        "SEARCH_RECOLOR",
    ] {
        assert!(tasks.contains(&json!(task)), "offline lacks {task}");
    }
}

#[tokio::test]
async fn search_replace_repaints_the_region_of_the_named_colour() {
    let app = spawn_app().await;
    let token = app.sign_up("colours@example.com").await;
    // A red square on white: "the red square" is the region.
    let source = RgbaImage::from_fn(64, 64, |x, y| {
        if (16..48).contains(&x) && (16..48).contains(&y) {
            Rgba([214, 40, 40, 255])
        } else {
            Rgba([240, 240, 240, 255])
        }
    });
    let source_id = upload(
        &app,
        &token,
        "image/png",
        png(&DynamicImage::ImageRgba8(source.clone())),
    )
    .await;
    let done = edit(
        &app,
        &token,
        json!({ "task": "SEARCH_RECOLOR", "prompt": "make it blue", "maskPrompt": "the red square",
                "model": "offline", "source": { "uploadId": source_id } }),
    )
    .await;
    let result = download(&app, &done["images"][0]).await.to_rgba8();
    let inside = result.get_pixel(32, 32).0;
    assert!(
        inside[2] > inside[0],
        "the red square did not turn blue: {inside:?}"
    );
    assert_eq!(result.get_pixel(2, 2), source.get_pixel(2, 2));
}

#[tokio::test]
async fn with_s3_the_bytes_go_to_the_bucket_by_presigned_put() {
    let s3 = crate::aws_fakes::FakeS3::start().await;
    let app = crate::storage::s3_app(&s3, |_| {}).await;
    let token = app.sign_up("bucket@example.com").await;
    let bytes = png(&DynamicImage::ImageRgba8(picture(48, 32)));
    let target = app
        .gql(
            CREATE_UPLOAD,
            json!({ "input": { "contentType": "image/png", "byteSize": bytes.len() } }),
            Some(&token),
        )
        .await;
    let target = target.data()["createUpload"].clone();
    let url = target["url"].as_str().unwrap();
    assert!(url.starts_with(&s3.url), "{url} is not a URL of the bucket");
    assert!(url.contains("X-Amz-Signature="), "{url} is not presigned");

    // The client sends exactly what it was told; nothing passes through the API.
    let mut put = reqwest::Client::new().put(url).body(bytes.clone());
    for header in target["headers"].as_array().unwrap() {
        put = put.header(
            header["name"].as_str().unwrap(),
            header["value"].as_str().unwrap(),
        );
    }
    let response = put.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
    let upload_id = target["id"].as_str().unwrap();
    let key = crate::helpers::key_of(upload_id, api::graphql::relay::NodeType::Upload);
    let stored = s3
        .keys()
        .into_iter()
        .find(|k| k.ends_with(&format!("{key}.upload")))
        .expect("the upload is in the bucket");
    assert_eq!(s3.object(&stored).unwrap(), bytes);

    let done = edit(
        &app,
        &token,
        json!({ "task": "UPSCALE", "prompt": "", "model": "offline", "upscaleFactor": 2.0,
                "source": { "uploadId": upload_id } }),
    )
    .await;
    let large = reqwest::get(done["images"][0]["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let large = image::load_from_memory(&large).unwrap();
    assert_eq!((large.width(), large.height()), (96, 64));
}
