"""The rendered chart has the seed's architecture (DESIGN.md): Ingress routes, replicas,
PostgreSQL StatefulSet, health probes, migrations, non-root pods, pinned images."""

import base64

import pytest

from conftest import CHART, helm_template, values

TEMPLATE_FILES = [
    "ingress.yaml",
    "backend-deployment.yaml",
    "backend-service.yaml",
    "frontend-deployment.yaml",
    "frontend-service.yaml",
    "postgres-statefulset.yaml",
    "postgres-service.yaml",
    "configmap.yaml",
    "secret.yaml",
    "serviceaccount.yaml",
    "backend-hpa.yaml",
    "backend-pdb.yaml",
    "networkpolicy.yaml",
    "migration-job.yaml",
    "NOTES.txt",
    "_helpers.tpl",
]


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def backend(r):
    return r.one("Deployment", "rendermart-backend")


def backend_container(r):
    (c,) = [c for c in backend(r)["spec"]["template"]["spec"]["containers"] if c["name"] == "backend"]
    return c


def ingress_routes(r):
    ing = r.one("Ingress")
    (rule,) = ing["spec"]["rules"]
    return {p["path"]: (p["pathType"], p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"])
            for p in rule["http"]["paths"]}


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_the_chart_has_the_template_files_design_names(name):
    assert (CHART / "templates" / name).is_file()
    assert (CHART / "values.schema.json").is_file()


@pytest.mark.parametrize("fixture", ["default", "external_db", "nginx", "prod"])
def test_ingress_routes_api_to_the_backend_on_4000_and_the_rest_to_the_frontend_on_80(fixture, request):
    r = request.getfixturevalue(fixture)
    routes = ingress_routes(r)
    assert routes == {
        "/api/": ("Prefix", "backend-service", 4000),
        "/": ("Prefix", "frontend-service", 80),
    }
    # The named Services exist and expose those ports towards the right pods.
    be = r.one("Service", "backend-service")
    fe = r.one("Service", "frontend-service")
    assert [p["port"] for p in be["spec"]["ports"]] == [4000]
    assert [p["port"] for p in fe["spec"]["ports"]] == [80]
    assert be["spec"]["selector"]["app.kubernetes.io/component"] == "backend"
    assert fe["spec"]["selector"]["app.kubernetes.io/component"] == "frontend"
    # targetPort "http" names a container port of the selected pods.
    be_ports = {p["name"]: p["containerPort"] for p in backend_container(r)["ports"]}
    assert be_ports["http"] == 4000
    fe_pod = r.one("Deployment", "rendermart-frontend")["spec"]["template"]["spec"]
    assert {p["name"] for p in fe_pod["containers"][0]["ports"]} == {"http"}


def test_default_ingress_is_an_internet_facing_alb_that_keeps_websockets_open(default):
    ing = default.one("Ingress")
    a = ing["metadata"]["annotations"]
    assert ing["spec"]["ingressClassName"] == "alb"
    assert a["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert a["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert a["alb.ingress.kubernetes.io/healthcheck-path"] == "/api/healthz"
    assert a["alb.ingress.kubernetes.io/load-balancer-attributes"] == "idle_timeout.timeout_seconds=3600"
    assert "alb.ingress.kubernetes.io/certificate-arn" not in a
    assert not any(k.startswith("nginx.ingress") for k in a)


def test_an_acm_certificate_turns_on_https_with_a_redirect():
    arn = "arn:aws:acm:us-west-2:111122223333:certificate/0b1c2d3e"
    a = helm_template("--set", f"ingress.certificateArn={arn}").one("Ingress")["metadata"]["annotations"]
    assert a["alb.ingress.kubernetes.io/certificate-arn"] == arn
    assert a["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTP": 80}, {"HTTPS": 443}]'
    assert a["alb.ingress.kubernetes.io/ssl-redirect"] == "443"


def test_nginx_values_switch_the_ingress_class_and_keep_websockets_open(nginx):
    ing = nginx.one("Ingress")
    a = ing["metadata"]["annotations"]
    assert ing["spec"]["ingressClassName"] == "nginx"
    assert a["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert a["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    assert not any(k.startswith("alb.ingress") for k in a)
    assert ing["spec"]["tls"][0]["secretName"] == "rendermart-tls"
    assert ing["spec"]["rules"][0]["host"] == "rendermart.example.com"


def test_backend_runs_two_replicas_on_port_4000_with_hpa_and_pdb(default):
    d = backend(default)
    assert d["spec"]["replicas"] == 2
    c = backend_container(default)
    assert c["args"] == ["serve", "--host", "0.0.0.0", "--port", "4000", "--metrics-port", "9464"]
    assert c["resources"]["requests"] and c["resources"]["limits"]
    hpa = default.one("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == d["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] == 2
    pdb = default.one("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] == d["spec"]["selector"]["matchLabels"]


def test_backend_probes_use_the_real_health_paths(default):
    c = backend_container(default)
    assert c["readinessProbe"]["httpGet"] == {"path": "/api/readyz", "port": "http"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/api/healthz", "port": "http"}


def test_backend_env_is_complete_and_secrets_only_come_from_secret_key_refs(default):
    env = env_of(backend_container(default))
    for name in ["DATABASE_URL", "RENDERMART_ENV", "RENDERMART_JWT_SECRET", "RENDERMART_STORAGE", "AWS_REGION"]:
        assert name in env, name
    for secret in ["DATABASE_URL", "RENDERMART_JWT_SECRET"]:
        assert set(env[secret]) == {"name", "valueFrom"}
        assert "secretKeyRef" in env[secret]["valueFrom"]
    # Optional ones only when set.
    for optional in ["RENDERMART_S3_ENDPOINT_URL", "RENDERMART_BEDROCK_ENDPOINT_URL", "RENDERMART_WORKERS"]:
        assert optional not in env
    cm = default.one("ConfigMap")["data"]
    assert cm["RENDERMART_ENV"] == "production"
    assert cm["RENDERMART_STORAGE"].startswith("s3://")
    assert env["RENDERMART_ENV"]["valueFrom"]["configMapKeyRef"]["key"] == "RENDERMART_ENV"
    assert "DATABASE_URL" not in cm and "RENDERMART_JWT_SECRET" not in cm


def test_optional_backend_env_appears_when_configured():
    r = helm_template(
        "--set", "config.s3EndpointUrl=http://minio:9000",
        "--set", "config.bedrockEndpointUrl=http://bedrock-fake:8080",
        "--set", "backend.workers=4",
    )
    env = env_of(backend_container(r))
    cm = r.one("ConfigMap")["data"]
    assert cm["RENDERMART_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert cm["RENDERMART_BEDROCK_ENDPOINT_URL"] == "http://bedrock-fake:8080"
    assert cm["RENDERMART_WORKERS"] == "4"
    assert {"RENDERMART_S3_ENDPOINT_URL", "RENDERMART_BEDROCK_ENDPOINT_URL", "RENDERMART_WORKERS"} <= set(env)


@pytest.mark.parametrize("fixture", ["default", "external_db", "external_db_url", "nginx", "prod"])
def test_no_plain_env_value_carries_a_secret(fixture, request):
    for name, pod in request.getfixturevalue(fixture).pod_specs():
        for c in pod["containers"] + pod.get("initContainers", []):
            for e in c.get("env", []):
                if any(w in e["name"] for w in ("PASSWORD", "SECRET", "DATABASE_URL", "TOKEN")):
                    assert "secretKeyRef" in e.get("valueFrom", {}), f"{name}/{c['name']}: {e['name']}"


def test_postgres_statefulset_has_a_pinned_image_and_a_10gi_gp2_claim(default):
    sts = default.one("StatefulSet")
    (c,) = sts["spec"]["template"]["spec"]["containers"]
    repo, tag = c["image"].rsplit(":", 1)
    assert repo == "postgres" and tag[0].isdigit()
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert claim["spec"]["storageClassName"] == "gp2"
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert {"name": "data", "mountPath": "/var/lib/postgresql/data"} in c["volumeMounts"]
    assert env_of(c)["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "POSTGRES_PASSWORD"
    svc = default.one("Service", sts["spec"]["serviceName"])
    assert svc["spec"]["ports"][0]["port"] == 5432


def test_the_generated_database_url_points_at_the_bundled_postgres_service(default):
    secret = default.one("Secret")
    url = base64.b64decode(secret["data"]["DATABASE_URL"]).decode()
    pw = base64.b64decode(secret["data"]["POSTGRES_PASSWORD"]).decode()
    svc = default.one("StatefulSet")["spec"]["serviceName"]
    assert url == f"postgres://rendermart:{pw}@{svc}:5432/rendermart"
    assert len(base64.b64decode(secret["data"]["RENDERMART_JWT_SECRET"])) >= 32
    ref = env_of(backend_container(default))["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": secret["metadata"]["name"], "key": "DATABASE_URL"}


def test_external_database_renders_no_statefulset_and_reads_database_url_from_a_secret(external_db):
    assert external_db.kind("StatefulSet") == []
    assert not [s for s in external_db.kind("Service") if "postgres" in s["metadata"]["name"]]
    ref = env_of(backend_container(external_db))["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "rendermart-rds", "key": "DATABASE_URL"}
    # The chart's own Secret then only carries the JWT secret.
    assert set(external_db.one("Secret")["data"]) == {"RENDERMART_JWT_SECRET"}


def test_external_database_url_value_is_stored_in_the_charts_secret(external_db_url):
    assert external_db_url.kind("StatefulSet") == []
    secret = external_db_url.one("Secret")
    assert base64.b64decode(secret["data"]["DATABASE_URL"]).decode().startswith("postgres://rendermart:change-me@")
    ref = env_of(backend_container(external_db_url))["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": secret["metadata"]["name"], "key": "DATABASE_URL"}


def test_external_database_without_a_url_is_refused():
    proc = helm_template("--set", "postgres.enabled=false", check=False)
    assert proc.returncode != 0
    assert "externalDatabase.url" in proc.stderr


def test_an_existing_secret_replaces_the_charts_secret():
    r = helm_template("--set", "secrets.existingSecret=my-secrets")
    assert r.kind("Secret") == []
    env = env_of(backend_container(r))
    assert env["RENDERMART_JWT_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "my-secrets"
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "my-secrets"


@pytest.mark.parametrize("fixture", ["default", "external_db"])
def test_migrations_run_as_a_helm_hook_job(fixture, request):
    job = request.getfixturevalue(fixture).one("Job")
    a = job["metadata"]["annotations"]
    assert set(a["helm.sh/hook"].split(",")) == {"post-install", "pre-upgrade"}
    assert "before-hook-creation" in a["helm.sh/hook-delete-policy"]
    (c,) = job["spec"]["template"]["spec"]["containers"]
    assert c["args"] == ["migrate"]
    assert c["image"] == backend_container(request.getfixturevalue(fixture))["image"]
    assert "secretKeyRef" in env_of(c)["DATABASE_URL"]["valueFrom"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("fixture", ["default", "external_db", "nginx", "prod"])
def test_every_pod_runs_non_root_read_only_without_capabilities(fixture, request):
    for name, pod in request.getfixturevalue(fixture).pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] > 0, name
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True, (name, c["name"])
            assert sc["readOnlyRootFilesystem"] is True, (name, c["name"])
            assert sc["allowPrivilegeEscalation"] is False, (name, c["name"])
            assert sc["capabilities"]["drop"] == ["ALL"], (name, c["name"])
            assert c["resources"]["limits"] and c["resources"]["requests"], (name, c["name"])


@pytest.mark.parametrize("fixture", ["default", "external_db", "external_db_url", "nginx", "prod"])
def test_every_image_has_a_pinned_tag(fixture, request):
    for name, pod in request.getfixturevalue(fixture).pod_specs():
        for c in pod["containers"] + pod.get("initContainers", []):
            ref = c["image"].split("@")[0]
            assert ":" in ref.rsplit("/", 1)[-1], f"{name}: {c['image']} has no tag"
            assert not ref.endswith(":latest"), f"{name}: {c['image']}"


def test_a_latest_tag_is_refused():
    for key in ["backend.image.tag", "frontend.image.tag", "postgres.image.tag"]:
        proc = helm_template("--set", f"{key}=latest", check=False)
        assert proc.returncode != 0, key


def test_skaffold_style_tag_with_digest_renders():
    digest = "sha256:" + "a" * 64
    r = helm_template("--set", "backend.image.repository=111122223333.dkr.ecr.us-west-2.amazonaws.com/rendermart-backend",
                      "--set", f"backend.image.tag=v1.2.3@{digest}")
    assert backend_container(r)["image"] == f"111122223333.dkr.ecr.us-west-2.amazonaws.com/rendermart-backend:v1.2.3@{digest}"


def test_service_account_is_annotated_for_irsa_and_used_by_the_backend(prod, default):
    sa = prod.one("ServiceAccount")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == "arn:aws:iam::111122223333:role/rendermart-backend"
    assert backend(prod)["spec"]["template"]["spec"]["serviceAccountName"] == sa["metadata"]["name"] == "rendermart"
    assert prod.one("Job")["spec"]["template"]["spec"]["serviceAccountName"] == "rendermart"
    # Without a role there is nothing to annotate (NOTES.txt warns instead).
    assert "annotations" not in default.one("ServiceAccount")["metadata"]


def test_network_policies_let_only_the_backend_reach_postgres(default, external_db):
    pols = {p["metadata"]["name"]: p for p in default.kind("NetworkPolicy")}
    pg = pols["rendermart-postgresql"]
    assert pg["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "postgresql"
    (rule,) = pg["spec"]["ingress"]
    (peer,) = rule["from"]
    comps = [e for e in peer["podSelector"]["matchExpressions"] if e["key"] == "app.kubernetes.io/component"]
    assert set(comps[0]["values"]) == {"backend", "worker", "migrate"}
    assert rule["ports"] == [{"port": 5432, "protocol": "TCP"}]
    be = pols["rendermart-backend"]
    assert {"port": 4000, "protocol": "TCP"} in be["spec"]["ingress"][0]["ports"]
    assert "rendermart-postgresql" not in {p["metadata"]["name"] for p in external_db.kind("NetworkPolicy")}


def test_dedicated_workers_are_optional():
    r = helm_template("--set", "worker.enabled=true")
    w = r.one("Deployment", "rendermart-worker")
    (c,) = w["spec"]["template"]["spec"]["containers"]
    assert c["args"] == ["worker"]
    assert "secretKeyRef" in env_of(c)["DATABASE_URL"]["valueFrom"]


def test_values_schema_rejects_nonsense():
    for bad in ["ingress.className=traefik", "config.storage=ftp://x", "backend.replicas=0"]:
        proc = helm_template("--set", bad, check=False)
        assert proc.returncode != 0, bad


def test_local_values_render_a_single_replica_without_aws():
    r = helm_template(*values("deploy/values/local.yaml"))
    assert backend(r)["spec"]["replicas"] == 1
    assert r.kind("HorizontalPodAutoscaler") == []
    assert r.one("Ingress")["spec"]["ingressClassName"] == "nginx"
    (claim,) = r.one("StatefulSet")["spec"]["volumeClaimTemplates"]
    assert "storageClassName" not in claim["spec"]


def _container_port_numbers(r, service):
    """The container ports a Service's targetPorts name, on the pods it selects."""
    selector = service["spec"]["selector"]
    numbers = set()
    for d in r.kind("Deployment") + r.kind("StatefulSet"):
        labels = d["spec"]["template"]["metadata"]["labels"]
        if not all(labels.get(k) == v for k, v in selector.items()):
            continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            by_name = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
            for p in service["spec"]["ports"]:
                target = p.get("targetPort", p["port"])
                numbers.add(by_name.get(target, target))
    return numbers


@pytest.mark.parametrize("fixture", ["default", "external_db", "nginx", "prod"])
def test_no_ingress_path_reaches_the_metrics_port(fixture, request):
    r = request.getfixturevalue(fixture)
    container = backend_container(r)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    metrics_port = ports["metrics"]
    args = container["args"]
    assert args[args.index("--metrics-port") + 1] == str(metrics_port)
    assert metrics_port != ports["http"]
    services = {s["metadata"]["name"]: s for s in r.kind("Service")}
    for path, (_, service, port) in ingress_routes(r).items():
        targets = _container_port_numbers(r, services[service])
        assert metrics_port not in targets, f"Ingress path {path} reaches metrics through {service}"
    # No Service at all exposes it: Prometheus scrapes the pods, as the annotations say.
    for service in services.values():
        assert metrics_port not in _container_port_numbers(r, service), service["metadata"]["name"]
    annotations = backend(r)["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(metrics_port)
    assert annotations["prometheus.io/path"] == "/api/metrics"


def test_only_cluster_pods_may_scrape_the_metrics_port(default):
    policy = default.one("NetworkPolicy", "rendermart-backend")
    metrics_port = {p["name"]: p["containerPort"] for p in backend_container(default)["ports"]}["metrics"]
    rules = [rule for rule in policy["spec"]["ingress"] if any(p["port"] == metrics_port for p in rule["ports"])]
    assert len(rules) == 1
    # Pods (any namespace) only, so not the load balancer's VPC addresses.
    assert rules[0]["from"] == [{"namespaceSelector": {}}]
    narrowed = helm_template("--set-json", 'networkPolicy.metricsFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}}}]')
    (rule,) = [rule for rule in narrowed.one("NetworkPolicy", "rendermart-backend")["spec"]["ingress"] if "from" in rule]
    assert rule["from"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}
