"""Skaffold, GitHub Actions and AWS files agree with the chart, the Dockerfiles and the
least-privilege rules of issue 6."""

import json
import re

import pytest
import yaml

from conftest import ROOT, helm_template

# The Bedrock models the server supports, as api/src/config.rs lists them.
MODELS = set(re.findall(
    r'"([a-z0-9.:-]+)"',
    re.search(r"BEDROCK_MODELS: \[&str; \d+\] = \[(.*?)\];", (ROOT / "api/src/config.rs").read_text(), re.S)[1],
))


def load_yaml(rel):
    return yaml.safe_load((ROOT / rel).read_text())


def load_json(rel):
    return json.loads((ROOT / rel).read_text())


def as_list(x):
    return x if isinstance(x, list) else [x]


# --- Skaffold ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def skaffold():
    return load_yaml("skaffold.yaml")


def skaffold_var(image):
    return re.sub(r"[^A-Za-z0-9]", "_", image)


def releases_by_profile(skaffold):
    out = {"(default)": (skaffold["build"], skaffold["deploy"]["helm"]["releases"])}
    for p in skaffold["profiles"]:
        out[p["name"]] = (p.get("build", skaffold["build"]), p.get("deploy", skaffold["deploy"])["helm"]["releases"])
    return out


def test_skaffold_builds_both_images_from_existing_dockerfiles(skaffold):
    assert re.fullmatch(r"skaffold/v4beta\d+", skaffold["apiVersion"])
    for name, (build, _) in releases_by_profile(skaffold).items():
        images = {a["image"]: a for a in build["artifacts"]}
        assert set(images) == {"rendermart-backend", "rendermart-frontend"}, name
        for a in images.values():
            assert (ROOT / a["context"] / a["docker"]["dockerfile"]).is_file(), a


def test_skaffold_has_local_and_prod_profiles(skaffold):
    profiles = {p["name"]: p for p in skaffold["profiles"]}
    assert {"local", "prod"} <= set(profiles)
    assert profiles["prod"]["build"]["local"]["push"] is True
    assert profiles["local"]["build"]["local"]["push"] is False
    forwards = {(f["resourceName"], f["port"]) for f in profiles["local"]["portForward"]}
    values = load_yaml("helm/rendermart/values.yaml")
    assert (values["services"]["backend"]["name"], values["services"]["backend"]["port"]) in forwards


@pytest.mark.parametrize("profile", ["(default)", "local", "prod"])
def test_skaffold_releases_render_with_the_images_skaffold_injects(skaffold, profile):
    build, releases = releases_by_profile(skaffold)[profile]
    (release,) = releases
    assert (ROOT / release["chartPath"] / "Chart.yaml").is_file()
    # helm --wait would hold the post-install migration hook until the backend is healthy.
    assert release.get("wait") is not True
    args = []
    for f in release.get("valuesFiles", []):
        assert (ROOT / f).is_file(), f
        args += ["-f", str(ROOT / f)]
    # Fill the templates the way Skaffold does, with a pushed image's tag and digest.
    fake = {}
    for a in build["artifacts"]:
        v = skaffold_var(a["image"])
        fake[f"IMAGE_REPO_{v}"] = f"111122223333.dkr.ecr.us-west-2.amazonaws.com/{a['image']}"
        fake[f"IMAGE_TAG_{v}"] = "v1.0.0"
        fake[f"IMAGE_DIGEST_{v}"] = "sha256:" + "b" * 64
    for key, template in release["setValueTemplates"].items():
        value = re.sub(r"\{\{\s*\.(\w+)\s*\}\}", lambda m: fake[m.group(1)], template)
        args += ["--set", f"{key}={value}"]
    r = helm_template(*args, release=release["name"])
    images = {c["image"] for _, pod in r.pod_specs() for c in pod["containers"]}
    assert any("/rendermart-backend:v1.0.0" in i for i in images)
    assert any("/rendermart-frontend:v1.0.0" in i for i in images)
    if profile == "prod":
        assert all("@sha256:" in i for i in images if "rendermart-" in i)


# --- GitHub Actions ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workflow():
    return load_yaml(".github/workflows/ci.yml")


def steps_text(job):
    return "\n".join(str(s.get("run", "")) + " " + str(s.get("uses", "")) for s in job["steps"])


def test_every_action_is_pinned_to_a_version(workflow):
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                ref = step["uses"].split("@", 1)
                assert len(ref) == 2, step["uses"]
                assert re.fullmatch(r"v?\d+(\.\d+){1,2}|[0-9a-f]{40}", ref[1]), f"{name}: {step['uses']}"


def test_ci_runs_fmt_clippy_tests_with_postgres_frontend_and_helm(workflow):
    jobs = workflow["jobs"]
    rust = jobs["rust"]
    text = steps_text(rust)
    assert "cargo fmt" in text and "cargo clippy" in text and "cargo test" in text
    assert rust["services"]["postgres"]["image"].startswith("postgres:16")
    assert rust["env"]["TEST_DATABASE_URL"].startswith("postgres://")
    assert "npm --prefix frontend test" in steps_text(jobs["frontend"])
    assert "deploy/check-chart.sh" in steps_text(jobs["chart"])


def test_release_pushes_to_ecr_through_oidc_and_deploys_with_skaffold(workflow):
    on = workflow.get("on") or workflow.get(True)  # PyYAML reads the key `on` as True
    assert "main" in on["push"]["branches"] and on["push"]["tags"]
    rel = workflow["jobs"]["release"]
    assert set(rel["needs"]) == {"rust", "frontend", "chart"}
    assert "refs/heads/main" in rel["if"] and "refs/tags/v" in rel["if"]
    assert rel["permissions"]["id-token"] == "write"
    uses = {s["uses"].split("@")[0]: s for s in rel["steps"] if "uses" in s}
    assert "role-to-assume" in uses["aws-actions/configure-aws-credentials"]["with"]
    assert "aws-actions/amazon-ecr-login" in uses
    text = steps_text(rel)
    assert "skaffold build -p prod" in text and "skaffold deploy -p prod" in text
    assert "aws-access-key-id" not in (ROOT / ".github/workflows/ci.yml").read_text()


# --- AWS --------------------------------------------------------------------------------------

def test_backend_policy_allows_only_invoke_model_on_the_configured_models_and_the_image_prefix():
    policy = load_json("deploy/aws/iam-policy-backend.json")
    statements = policy["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements)
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert actions == {"bedrock:InvokeModel", "bedrock:ListFoundationModels", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    # Listing models has no resource-level permissions: it alone may name "*".
    (listing,) = [s for s in statements if as_list(s["Action"]) == ["bedrock:ListFoundationModels"]]
    assert listing["Resource"] == "*"
    statements = [s for s in statements if s is not listing]
    for s in statements:
        for resource in as_list(s["Resource"]):
            assert resource != "*" and not resource.endswith(":*"), resource
    (bedrock,) = [s for s in statements if as_list(s["Action"]) == ["bedrock:InvokeModel"]]
    models = {r.split("foundation-model/", 1)[1] for r in as_list(bedrock["Resource"])}
    assert models == MODELS
    assert all(r.startswith("arn:aws:bedrock:${AWS_REGION}::foundation-model/") for r in as_list(bedrock["Resource"]))
    (s3,) = [s for s in statements if s is not bedrock]
    assert as_list(s3["Resource"]) == ["arn:aws:s3:::${BUCKET}/${PREFIX}/*"]


def test_bucket_policy_denies_anything_but_tls_and_public_access_is_blocked():
    policy = load_json("deploy/aws/bucket-policy.json")
    deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"].get("Bool", {}).get("aws:SecureTransport") == "false" for s in deny)
    assert not [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    for s in deny:
        assert set(s["Resource"]) == {"arn:aws:s3:::${BUCKET}", "arn:aws:s3:::${BUCKET}/*"}
    block = load_json("deploy/aws/public-access-block.json")
    assert block == dict.fromkeys(["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], True)


def test_eksctl_config_enables_irsa_for_the_charts_service_account():
    cfg = load_yaml("deploy/aws/eksctl-cluster.yaml")
    assert cfg["apiVersion"] == "eksctl.io/v1alpha5" and cfg["kind"] == "ClusterConfig"
    assert cfg["iam"]["withOIDC"] is True
    values = load_yaml("helm/rendermart/values.yaml")
    prod = load_yaml("deploy/values/prod.yaml")
    sas = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in cfg["iam"]["serviceAccounts"]}
    backend = sas[("rendermart", values["serviceAccount"]["name"])]
    assert backend["roleOnly"] is True  # the chart owns the ServiceAccount
    assert backend["attachPolicyARNs"] == ["arn:aws:iam::${AWS_ACCOUNT_ID}:policy/rendermart-backend"]
    assert prod["serviceAccount"]["roleArn"].endswith(":role/" + backend["roleName"])
    assert ("kube-system", "aws-load-balancer-controller") in sas
    addons = {a["name"] for a in cfg["addons"]}
    assert {"vpc-cni", "aws-ebs-csi-driver"} <= addons


def test_ci_deploy_role_is_limited_to_main_and_tags_and_to_ecr_push():
    trust = load_json("deploy/aws/github-actions-trust-policy.json")
    (st,) = trust["Statement"]
    assert st["Action"] == "sts:AssumeRoleWithWebIdentity"
    subs = st["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
    assert all(s.startswith("repo:${GITHUB_REPOSITORY}:ref:refs/") for s in subs)
    policy = load_json("deploy/aws/github-actions-policy.json")
    for s in policy["Statement"]:
        if s["Resource"] == "*":
            assert as_list(s["Action"]) == ["ecr:GetAuthorizationToken"]


def test_runbook_covers_the_whole_path():
    text = (ROOT / "deploy/aws/RUNBOOK.md").read_text()
    for needle in ["eksctl create cluster", "eks/aws-load-balancer-controller", "aws s3api create-bucket",
                   "put-bucket-policy", "aws iam create-policy", "skaffold run -p prod", "aws ecr create-repository"]:
        assert needle in text, needle
    for rel in re.findall(r"deploy/aws/[\w.-]+\.(?:json|yaml)", text):
        assert (ROOT / rel).is_file(), rel
