"""Static checks of the two Dockerfiles and .dockerignore (no Docker engine runs here):
multi-stage, dependency layers before sources, pinned base images, non-root final user,
and every COPY source present in the build context."""

import fnmatch
import pathlib
import re

import pytest

from conftest import ROOT

BACKEND = ROOT / "Dockerfile"
FRONTEND = ROOT / "frontend" / "Dockerfile"


def instructions(path):
    """[(INSTRUCTION, arguments)] with line continuations joined and comments dropped."""
    out, buf = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        op, _, rest = buf.partition(" ")
        out.append((op.upper(), rest.strip()))
        buf = ""
    return out


def arg_defaults(instrs):
    return dict(re.match(r"(\w+)=(\S+)", a).groups() for op, a in instrs if op == "ARG" and "=" in a)


def stages(path):
    """[(image, alias, [instructions])] with ${ARG}s resolved from their defaults."""
    instrs = instructions(path)
    args = arg_defaults(instrs)
    result = []
    for op, a in instrs:
        if op == "FROM":
            words = a.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append((image, alias, []))
        elif result:
            result[-1][2].append((op, a))
    return result


def index_of(instrs, pattern):
    for i, (op, a) in enumerate(instrs):
        if re.search(pattern, f"{op} {a}"):
            return i
    raise AssertionError(f"no instruction matches {pattern!r}")


def dockerignore_patterns():
    return [l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")]


def ignored(rel):
    for pat in dockerignore_patterns():
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.replace("**/", "")) or rel.startswith(pat + "/"):
            return True
    return False


@pytest.mark.parametrize("path", [BACKEND, FRONTEND], ids=["backend", "frontend"])
def test_images_are_multi_stage_with_pinned_bases(path):
    st = stages(path)
    assert len(st) >= 2, "multi-stage build expected"
    aliases = {alias for _, alias, _ in st}
    for image, alias, _ in st:
        if image in aliases:
            continue  # FROM an earlier stage
        name = image.split("@")[0].rsplit("/", 1)[-1]
        assert ":" in name or "@sha256:" in image, f"{image} is not pinned"
        assert not image.endswith(":latest"), image
        tag = name.split(":", 1)[1] if ":" in name else ""
        assert tag == "nonroot" or re.search(r"\d", tag) or "@sha256:" in image, f"{image}: tag without a version"


@pytest.mark.parametrize("path", [BACKEND, FRONTEND], ids=["backend", "frontend"])
def test_final_stage_runs_as_a_numeric_non_root_user(path):
    _, _, final = stages(path)[-1]
    users = [a for op, a in final if op == "USER"]
    assert users, "final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, users[-1]


def test_backend_caches_dependencies_before_copying_the_sources():
    st = stages(BACKEND)
    images = [img for img, _, _ in st]
    assert any(i.startswith("rust:") for i in images)
    assert st[-1][0].startswith("gcr.io/distroless/cc"), "minimal glibc runtime expected"
    (builder,) = [ins for _, alias, ins in st if alias == "builder"]
    cook = index_of(builder, r"cargo chef cook .*--release")
    copy_src = index_of(builder, r"^COPY api ")
    build = index_of(builder, r"cargo build --release --locked --bin rendermart")
    assert cook < copy_src < build
    final = st[-1][2]
    assert any(op == "COPY" and "--from=builder" in a and "rendermart" in a for op, a in final)
    assert any(op == "ENTRYPOINT" and "rendermart" in a for op, a in final)
    assert any(op == "EXPOSE" and a == "4000" for op, a in final)
    # Runtime and build images share the Debian release, so the binary's glibc matches.
    rust = next(i for i in images if i.startswith("rust:"))
    debian = {"bookworm": "debian12", "trixie": "debian13"}[rust.rsplit("-", 1)[-1]]
    assert debian in st[-1][0]


def test_frontend_installs_dependencies_before_the_sources_and_serves_with_unprivileged_nginx():
    st = stages(FRONTEND)
    build = st[0][2]
    lock = index_of(build, r"^COPY frontend/package.json frontend/package-lock.json")
    ci = index_of(build, r"npm ci")
    src = index_of(build, r"^COPY frontend/ ")
    run_build = index_of(build, r"npm run build")
    assert lock < ci < src < run_build
    image, _, final = st[-1]
    assert image.startswith("nginxinc/nginx-unprivileged:")
    assert ("COPY", "frontend/nginx.conf /etc/nginx/conf.d/default.conf") in final
    assert any(op == "COPY" and a.startswith("--from=build") and a.endswith("/usr/share/nginx/html") for op, a in final)
    assert ("EXPOSE", "8080") in final


@pytest.mark.parametrize("path", [BACKEND, FRONTEND], ids=["backend", "frontend"])
def test_every_copied_path_exists_and_is_in_the_build_context(path):
    for _, _, instrs in stages(path):
        for op, a in instrs:
            if op != "COPY" or "--from=" in a:
                continue
            words = [w for w in a.split() if not w.startswith("--")]
            for src in words[:-1]:
                rel = src.rstrip("/")
                assert (ROOT / rel).exists(), f"{path.name}: COPY {src} does not exist"
                assert not ignored(rel), f"{path.name}: COPY {src} is excluded by .dockerignore"


def test_dockerignore_keeps_build_outputs_and_secrets_out_of_the_context():
    assert ignored("target") and ignored(".git") and ignored("frontend/node_modules") and ignored("frontend/dist")
    assert ignored("api/target") and ignored(".env")
    for needed in ["Cargo.toml", "Cargo.lock", "api", "entity", "migration", "frontend", "frontend/package.json"]:
        assert not ignored(needed), needed


def test_chart_default_ports_and_users_match_the_images():
    import yaml

    values = yaml.safe_load((ROOT / "helm/rendermart/values.yaml").read_text())
    assert values["backend"]["containerPort"] == 4000
    assert values["frontend"]["containerPort"] == 8080
    fe_user = [a for op, a in stages(FRONTEND)[-1][2] if op == "USER"][-1].split(":")[0]
    be_user = [a for op, a in stages(BACKEND)[-1][2] if op == "USER"][-1].split(":")[0]
    fe_tpl = (ROOT / "helm/rendermart/templates/frontend-deployment.yaml").read_text()
    be_tpl = (ROOT / "helm/rendermart/templates/backend-deployment.yaml").read_text()
    assert f"runAsUser: {fe_user}" in fe_tpl
    assert f"runAsUser: {be_user}" in be_tpl
