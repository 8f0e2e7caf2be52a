#!/usr/bin/env bash
# Verifies the deployment files offline: helm lint --strict, helm template with every values
# set, strict Kubernetes JSON-schema validation of every rendered manifest (kubeconform), and
# the pytest suite in deploy/tests (chart architecture, Dockerfiles, nginx config, Skaffold,
# GitHub Actions, AWS policies).
#
# Tools are pinned and installed once into $RENDERMART_TOOLS (default
# ~/.cache/rendermart-tools, i.e. /root/.cache/rendermart-tools here): helm and kubeconform from the Go module proxy, the
# Kubernetes JSON schemas (PyPI package kubernetes-validate) and pytest into a venv. Nothing
# but those installs touches the network; validation itself runs in a network namespace
# without any interface when `unshare` allows it.
#
# The GitHub Actions workflow is checked with actionlint (also from the Go module proxy), and
# the Lambda's SAM template (deploy/aws/lambda-template.yaml) with cfn-lint from PyPI, which
# ships the CloudFormation resource specs and runs the SAM transform locally.
#
# Usage: deploy/check-chart.sh            exits non-zero on the first failure
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.7.0
ACTIONLINT_VERSION=v1.7.12
KUBERNETES_VALIDATE_VERSION=1.37.0
PYTEST_VERSION=9.2.0
PYYAML_VERSION=6.0.3
CFN_LINT_VERSION=1.58.0
AWS_SAM_TRANSLATOR_VERSION=1.115.0
# Regions the Lambda template is linted for (resource availability differs by region).
CFN_REGIONS=(us-east-1 us-west-2 eu-west-1 eu-central-1)
# The Kubernetes version the manifests are validated against (EKS 1.33).
K8S_VERSION=1.33.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${RENDERMART_TOOLS:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/rendermart-tools}"
BIN="$TOOLS/bin"
VENV="$TOOLS/venv-kv$KUBERNETES_VALIDATE_VERSION"
SCHEMAS="$TOOLS/k8s-schemas-kv$KUBERNETES_VALIDATE_VERSION"
CHART="$ROOT/helm/rendermart"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/rendermart-chart.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT

start=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
run() { printf '+ %s\n' "$*" >&2; "$@"; }

# Runs a command with no network at all, when the kernel lets us make a namespace.
OFFLINE=()
if unshare -rn true 2>/dev/null; then OFFLINE=(unshare -rn); fi

step "tools (pinned, cached in $TOOLS)"
mkdir -p "$BIN"
# Go lives in /usr/local/go here; CI's environment may not have it on PATH.
command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
go_tool() { # name module version
  local name=$1 module=$2 version=$3 stamp="$BIN/.$1-$3"
  if [[ -x "$BIN/$name" && -f "$stamp" ]]; then
    echo "$name $version: cached"
    return
  fi
  command -v go >/dev/null || { echo "go is needed to install $name" >&2; exit 1; }
  run env GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "$module@$version"
  rm -f "$BIN/.$name-"*
  touch "$stamp"
}
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
HELM="$BIN/helm"
KUBECONFORM="$BIN/kubeconform"

if [[ ! -f "$VENV/.ok" ]]; then
  rm -rf "$VENV"
  run python3 -m venv "$VENV"
  run "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "pytest==$PYTEST_VERSION" "PyYAML==$PYYAML_VERSION"
  touch "$VENV/.ok"
else
  echo "venv (kubernetes-validate $KUBERNETES_VALIDATE_VERSION, pytest $PYTEST_VERSION): cached"
fi
# Added to the same venv; its own stamp, so an existing venv is not rebuilt.
CFN_STAMP="$VENV/.cfn-lint-$CFN_LINT_VERSION-sam-$AWS_SAM_TRANSLATOR_VERSION"
if [[ ! -f "$CFN_STAMP" ]]; then
  run "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "cfn-lint==$CFN_LINT_VERSION" "aws-sam-translator==$AWS_SAM_TRANSLATOR_VERSION"
  rm -f "$VENV"/.cfn-lint-*
  touch "$CFN_STAMP"
else
  echo "cfn-lint $CFN_LINT_VERSION (aws-sam-translator $AWS_SAM_TRANSLATOR_VERSION): cached"
fi

# kubernetes-validate ships the schemas with absolute "$id"s and "$ref": "/api/_definitions.json#…",
# which kubeconform would resolve over HTTPS. Rewrite the refs to the sibling file once, so
# kubeconform reads everything from disk.
KV="v$K8S_VERSION-local-strict"
if [[ ! -f "$SCHEMAS/$KV/.ok" ]]; then
  run "$VENV/bin/python" - "$SCHEMAS" "$KV" <<'PY'
import json, pathlib, sys
import kubernetes_validate
out, version_dir = pathlib.Path(sys.argv[1]), sys.argv[2]
src = pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / version_dir
if not src.is_dir():
    sys.exit(f"kubernetes-validate has no {version_dir} schemas")
dst = out / version_dir
dst.mkdir(parents=True, exist_ok=True)
n = 0
for f in src.glob("*.json"):
    doc = json.loads(f.read_text().replace('"/api/_definitions.json#', '"_definitions.json#'))
    doc.pop("$id", None)
    (dst / f.name).write_text(json.dumps(doc))
    n += 1
(dst / ".ok").write_text(str(n))
print(f"{n} schemas -> {dst}")
PY
else
  echo "schemas $KV: cached"
fi
SCHEMA_LOCATION="$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json"
kubeconform() {
  run "${OFFLINE[@]}" "$KUBECONFORM" -strict -summary -output text \
    -kubernetes-version "$K8S_VERSION" -schema-location "$SCHEMA_LOCATION" "$@"
}

step "kubeconform rejects a manifest with an unknown field (proves strict mode and schemas work)"
cat >"$OUT/known-bad.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: known-bad
spec:
  ports:
    - port: 80
      targetPortt: 8080
YAML
if kubeconform "$OUT/known-bad.yaml"; then
  echo "FAIL: kubeconform accepted a manifest with an unknown field" >&2
  exit 1
fi
echo "ok: rejected as expected"

# name -> values files (relative to the repository root; empty = chart defaults)
VALUE_SETS=(
  "default:"
  "external-db:helm/rendermart/ci/external-db-values.yaml"
  "external-db-url:helm/rendermart/ci/external-db-url-values.yaml"
  "nginx:helm/rendermart/ci/nginx-values.yaml"
  "prod:deploy/values/prod.yaml"
  "local:deploy/values/local.yaml"
)

for entry in "${VALUE_SETS[@]}"; do
  name=${entry%%:*}
  file=${entry#*:}
  args=()
  [[ -n "$file" ]] && args=(-f "$ROOT/$file")
  step "values: $name ${file:-(chart defaults)}"
  run "$HELM" lint --strict "$CHART" "${args[@]}"
  run "$HELM" template rendermart "$CHART" --namespace rendermart --kube-version "$K8S_VERSION" \
    "${args[@]}" >"$OUT/$name.yaml"
  kubeconform "$OUT/$name.yaml"
done

step "actionlint .github/workflows/ci.yml"
run "$BIN/actionlint" -shellcheck= -pyflakes= "$ROOT/.github/workflows/ci.yml"
echo "ok"

# cfn-lint exits non-zero on errors and on warnings. Offline like kubeconform: the specs ship
# in the package.
cfn_lint() {
  run "${OFFLINE[@]}" "$VENV/bin/cfn-lint" --regions "${CFN_REGIONS[@]}" -- "$@"
}
step "cfn-lint rejects a template with a misspelt property (proves the SAM transform and specs work)"
sed 's/^\( *\)MemorySize: !Ref MemorySize$/&\n\1Memorysize: 512/' \
  "$ROOT/deploy/aws/lambda-template.yaml" >"$OUT/known-bad-template.yaml"
grep -q 'Memorysize: 512' "$OUT/known-bad-template.yaml" ||
  { echo "FAIL: could not derive the known-bad template" >&2; exit 1; }
if cfn_lint "$OUT/known-bad-template.yaml"; then
  echo "FAIL: cfn-lint accepted a template with an unknown property" >&2
  exit 1
fi
echo "ok: rejected as expected"

step "cfn-lint deploy/aws/lambda-template.yaml (${CFN_REGIONS[*]})"
cfn_lint "$ROOT/deploy/aws/lambda-template.yaml"
echo "ok"

# test_nginx.py runs frontend/nginx.conf in a real nginx (Debian's nginx-light) on loopback.
step "nginx for the frontend config test"
if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then
  echo "nginx: installed"
else
  SUDO=()
  [[ $(id -u) -eq 0 ]] || SUDO=(sudo -n)
  run "${SUDO[@]}" apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
    { run "${SUDO[@]}" apt-get update -qq && run "${SUDO[@]}" apt-get install -y -qq nginx-light >/dev/null; }
fi

step "pytest deploy/tests"
cd "$ROOT"
PYTHONDONTWRITEBYTECODE=1 RENDERMART_HELM="$HELM" RENDERMART_K8S_VERSION="$K8S_VERSION" RENDERMART_REQUIRE_NGINX=1 \
  run "$VENV/bin/python" -m pytest -p no:cacheprovider deploy/tests

echo
echo "check-chart: all passed in $((SECONDS - start))s"
