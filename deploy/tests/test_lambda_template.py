"""The Lambda's SAM template (deploy/aws/lambda-template.yaml) says what issue 6 asks: the
router behind an HTTP API on /api/{proxy+}, production configuration with secrets from
Secrets Manager, the function in the database's VPC, and the backend's least privilege.
cfn-lint (run by deploy/check-chart.sh) checks the template against the CloudFormation specs;
these tests check its meaning. cfnlint.decode reads the short-form intrinsics (!Ref, !Sub)."""

import json
import re
import tomllib

import pytest
from cfnlint.decode import decode

from conftest import ROOT

TEMPLATE = ROOT / "deploy" / "aws" / "lambda-template.yaml"


def as_list(x):
    return x if isinstance(x, list) else [x]


def sub_text(value):
    """The template string of a !Sub (either form), or the plain string."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    return value


@pytest.fixture(scope="module")
def template():
    doc, matches = decode(str(TEMPLATE))
    assert not matches, [str(m) for m in matches]
    return doc


@pytest.fixture(scope="module")
def function(template):
    (fn,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    return fn["Properties"]


def test_the_function_is_the_bootstrap_binary_on_the_os_only_runtime(function):
    assert function["Runtime"] == "provided.al2023"
    assert function["Handler"] == "bootstrap"
    assert function["CodeUri"].endswith(".zip")
    # API Gateway HTTP APIs time out at 30 s: the function must give up first.
    assert function["Timeout"] < 30


def test_the_http_api_routes_everything_under_api_to_the_function_with_payload_2(template, function):
    (event,) = function["Events"].values()
    assert event["Type"] == "HttpApi"
    props = event["Properties"]
    assert props["Path"] == "/api/{proxy+}"
    assert props["Method"] == "ANY"
    assert props["PayloadFormatVersion"] == "2.0"
    api = template["Resources"][props["ApiId"]["Ref"]]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    # A named stage would prefix every path (/prod/api/graphql) and the router would miss it.
    assert api["Properties"]["StageName"] == "$default"


def test_the_fixtures_the_rust_tests_use_match_the_route(function):
    (event,) = function["Events"].values()
    fixtures = sorted((ROOT / "lambda" / "tests" / "fixtures").glob("*.json"))
    assert fixtures
    for path in fixtures:
        fixture = json.loads(path.read_text())
        assert fixture["version"] == "2.0", path.name
        assert fixture["routeKey"] == f'{event["Properties"]["Method"]} {event["Properties"]["Path"]}', path.name
        assert fixture["requestContext"]["stage"] == "$default", path.name


def test_production_configuration_comes_from_the_environment_and_secrets_from_secrets_manager(function):
    env = function["Environment"]["Variables"]
    assert env["RENDERMART_ENV"] == "production"
    for secret in ("DATABASE_URL", "RENDERMART_JWT_SECRET"):
        assert re.fullmatch(
            r"\{\{resolve:secretsmanager:\$\{BackendSecretId\}:SecretString:" + secret + r"\}\}",
            sub_text(env[secret]),
        ), env[secret]
    assert sub_text(env["RENDERMART_STORAGE"]) == "s3://${ImageBucket}/${ImagePrefix}"
    assert env["RENDERMART_DATA_DIR"].startswith("/tmp/")
    # Lambda reserves AWS_REGION and sets it itself; a template that sets it fails to deploy.
    assert "AWS_REGION" not in env


def test_the_function_runs_in_the_databases_vpc(template, function):
    vpc = function["VpcConfig"]
    assert vpc["SubnetIds"] == {"Ref": "SubnetIds"}
    assert vpc["SecurityGroupIds"] == {"Ref": "SecurityGroupIds"}
    params = template["Parameters"]
    assert params["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert params["SecurityGroupIds"]["Type"] == "List<AWS::EC2::SecurityGroup::Id>"


def test_the_policy_grants_what_the_backend_policy_grants_and_nothing_more(function):
    backend = json.loads((ROOT / "deploy" / "aws" / "iam-policy-backend.json").read_text())
    documents = [p for p in function["Policies"] if isinstance(p, dict)]
    managed = [p for p in function["Policies"] if isinstance(p, str)]
    assert managed == ["AWSLambdaVPCAccessExecutionRole"]
    statements = [s for d in documents for s in d["Statement"]]
    assert all(s["Effect"] == "Allow" for s in statements)

    def grants(statements, resource_text):
        return {(a, resource_text(r)) for s in statements for a in as_list(s["Action"]) for r in as_list(s["Resource"])}

    # The same (action, resource) pairs, with the placeholders each file uses.
    ours = grants(statements, lambda r: sub_text(r)
                  .replace("${AWS::Partition}", "aws")
                  .replace("${AWS::Region}", "${AWS_REGION}")
                  .replace("${ImageBucket}", "${BUCKET}")
                  .replace("${ImagePrefix}", "${PREFIX}"))
    theirs = grants(backend["Statement"], lambda r: r)
    assert ours == theirs


def test_the_backend_image_copies_every_workspace_member():
    members = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["members"]
    assert "lambda" in members
    dockerfile = (ROOT / "Dockerfile").read_text()
    for member in members:
        assert re.search(rf"^COPY {member} {member}$", dockerfile, re.M), member
    # The image is still the server alone.
    assert re.search(r"cargo build --release --locked --bin rendermart\b", dockerfile)
