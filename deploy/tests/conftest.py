"""Shared helpers: render the chart with the pinned helm that deploy/check-chart.sh installs."""

import os
import pathlib
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "rendermart"
K8S_VERSION = os.environ.get("RENDERMART_K8S_VERSION", "1.33.0")
HELM = os.environ.get("RENDERMART_HELM") or shutil.which("helm") or "/root/.cache/rendermart-tools/bin/helm"


class Rendered(list):
    """The documents of one `helm template`, with lookups by kind and name."""

    def kind(self, kind):
        return [d for d in self if d["kind"] == kind]

    def one(self, kind, name=None):
        found = [d for d in self.kind(kind) if name is None or d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {[d['metadata']['name'] for d in found]}"
        return found[0]

    def pod_specs(self):
        """(workload name, pod spec) for every Deployment, StatefulSet and Job."""
        for d in self:
            if d["kind"] in ("Deployment", "StatefulSet", "Job"):
                yield d["metadata"]["name"], d["spec"]["template"]["spec"]


def helm_template(*args, release="rendermart", check=True):
    cmd = [HELM, "template", release, str(CHART), "--namespace", "rendermart", "--kube-version", K8S_VERSION, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stderr}"
        return Rendered(d for d in yaml.safe_load_all(proc.stdout) if d)
    return proc


def values(path):
    return ["-f", str(ROOT / path)]


@pytest.fixture(scope="session")
def default():
    return helm_template()


@pytest.fixture(scope="session")
def external_db():
    return helm_template(*values("helm/rendermart/ci/external-db-values.yaml"))


@pytest.fixture(scope="session")
def external_db_url():
    return helm_template(*values("helm/rendermart/ci/external-db-url-values.yaml"))


@pytest.fixture(scope="session")
def nginx():
    return helm_template(*values("helm/rendermart/ci/nginx-values.yaml"))


@pytest.fixture(scope="session")
def prod():
    return helm_template(*values("deploy/values/prod.yaml"))
