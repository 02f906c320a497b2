"""Offline validation of the deployment: Compose file, nginx config shape, Kubernetes manifests.

No Docker engine or cluster runs here, so the files are checked by Debian's docker-compose
(`config -q`, which validates against the Compose schema and interpolates variables) and by
structural rules a reviewer would otherwise check by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT

K8S_DIR = PROJECT_ROOT / "deploy" / "k8s"
SECRET_ENV = {
    "POSTGRES_PASSWORD": "x",
    "SHOPBOT_RASA_TOKEN": "y",
    "SHOPBOT_SECRET_KEY": "z",
    "SHOPBOT_ACTION_SERVER_TOKEN": "w",
    "SHOPBOT_SESSION_SECRET": "v",
}


def compose_config() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_compose_file_validates_with_docker_compose() -> None:
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose (Debian package) is missing: .ci/run installs it"
    env = dict(os.environ, **SECRET_ENV)
    done = subprocess.run(
        [exe, "-f", "docker-compose.yml", "config", "-q"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_compose_refuses_to_start_without_secrets() -> None:
    exe = shutil.which("docker-compose")
    assert exe
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    done = subprocess.run(
        [exe, "-f", "docker-compose.yml", "config", "-q"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "POSTGRES_PASSWORD" in done.stderr or "SHOPBOT_" in done.stderr


def test_compose_topology() -> None:
    services = compose_config()["services"]
    for name in ("postgres", "redis", "rasa-1", "rasa-2", "actions", "web", "proxy", "llm"):
        assert name in services, name
    for name in ("postgres", "redis", "actions", "web"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert services["actions"]["deploy"]["replicas"] >= 2
    assert services["llm"]["profiles"] == ["llm"]
    volumes = compose_config()["volumes"]
    assert {"pgdata", "redisdata"} <= set(volumes)
    rasa_env = services["rasa-1"]["environment"]
    assert rasa_env["SHOPBOT_LOCK_STORE"] == "rasa_addons.lock_store.AtomicRedisLockStore"


def test_dockerfiles_are_multi_stage_and_non_root() -> None:
    for name in ("rasa.Dockerfile", "app.Dockerfile"):
        text = (PROJECT_ROOT / "deploy" / "docker" / name).read_text()
        assert text.count("\nFROM ") + text.startswith("FROM ") >= 2, f"{name}: one stage"
        user_lines = [ln for ln in text.splitlines() if ln.startswith("USER ")]
        assert user_lines and user_lines[-1] not in ("USER root", "USER 0"), name
    app = (PROJECT_ROOT / "deploy" / "docker" / "app.Dockerfile").read_text()
    assert "whl/cpu" in app, "the app image must install CPU-only torch"
    assert "rasa/rasa:3.6.21" in (PROJECT_ROOT / "deploy/docker/rasa.Dockerfile").read_text()


def test_proxy_upgrades_websockets_and_hashes_conversations() -> None:
    conf = (PROJECT_ROOT / "deploy" / "nginx" / "shopbot.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    assert "hash $conversation_key consistent" in conf
    assert "location /conversations/ { return 404; }" in conf


def k8s_documents() -> list[dict]:
    docs: list[dict] = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def test_k8s_manifests_parse_and_have_kinds() -> None:
    docs = k8s_documents()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for needed in [
        ("Deployment", "rasa"), ("Deployment", "actions"), ("Deployment", "web"),
        ("Deployment", "redis"), ("Service", "rasa"), ("Service", "actions"),
        ("Service", "web"), ("Service", "redis"), ("ConfigMap", "shopbot-config"),
        ("Job", "shopbot-migrate"), ("Ingress", "rasa"),
    ]:  # fmt: skip
        assert needed in kinds, needed
    for doc in docs:
        assert doc["apiVersion"] and doc["metadata"]["name"]
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "shopbot", doc["metadata"]["name"]


@pytest.mark.parametrize("name", ["rasa", "actions", "web", "redis"])
def test_k8s_deployments_have_probes_resources_and_cluster_secrets(name: str) -> None:
    deployment = next(
        d for d in k8s_documents() if d["kind"] == "Deployment" and d["metadata"]["name"] == name
    )
    spec = deployment["spec"]
    assert spec["selector"]["matchLabels"] == spec["template"]["metadata"]["labels"]
    if name in ("rasa", "actions", "web"):
        assert spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    for container in pod["containers"]:
        assert "readinessProbe" in container and "livenessProbe" in container
        assert container["resources"]["requests"] and container["resources"]["limits"]
        for env in container.get("env", []):
            # Anything secret-looking must come from a cluster Secret, never a literal.
            if any(w in env["name"] for w in ("TOKEN", "SECRET", "KEY", "DATABASE_URL")):
                assert "secretKeyRef" in env.get("valueFrom", {}), env["name"]


def test_k8s_services_select_existing_pods() -> None:
    docs = k8s_documents()
    labels = [
        d["spec"]["template"]["metadata"]["labels"] for d in docs if d["kind"] == "Deployment"
    ]
    for svc in (d for d in docs if d["kind"] == "Service"):
        assert svc["spec"]["selector"] in labels, svc["metadata"]["name"]


def test_rasa_side_components_are_importable_in_rasa_env() -> None:
    rasa_py = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    done = subprocess.run(
        [str(rasa_py), "-c", "import rasa_addons.lock_store, rasa_addons.socketio_channel"],
        cwd=PROJECT_ROOT, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def test_compose_and_k8s_pick_the_same_lock_store() -> None:
    config = next(d for d in k8s_documents() if d["kind"] == "ConfigMap")
    assert config["data"]["SHOPBOT_LOCK_STORE"] == "rasa_addons.lock_store.AtomicRedisLockStore"
    assert Path(PROJECT_ROOT / "endpoints.yml").read_text().count("${SHOPBOT_LOCK_STORE}") == 1


def test_dockerfiles_copy_only_files_that_exist() -> None:
    """A COPY of a missing path fails the image build; `docker build` is not run offline."""
    for dockerfile in sorted((PROJECT_ROOT / "deploy" / "docker").glob("*.Dockerfile")):
        for line in dockerfile.read_text().splitlines():
            parts = line.split()
            if not parts or parts[0] != "COPY" or any(p.startswith("--from") for p in parts):
                continue
            sources = [p for p in parts[1:-1] if not p.startswith("--")]
            for source in sources:
                assert (PROJECT_ROOT / source).exists(), f"{dockerfile.name}: COPY {source}"


# --- issue 14, finding 1: the action server is reachable only by Rasa, with a token ----------


def test_compose_action_server_publishes_no_port_and_needs_a_token() -> None:
    services = compose_config()["services"]
    actions = services["actions"]
    assert "ports" not in actions
    assert actions["command"][:3] == ["python", "-m", "actions.server"]
    assert actions["environment"]["SHOPBOT_ACTION_SERVER_TOKEN"].startswith(
        "${SHOPBOT_ACTION_SERVER_TOKEN:?"
    )
    for name in ("rasa-1", "rasa-2"):
        env = services[name]["environment"]
        assert env["SHOPBOT_ACTION_SERVER_TOKEN"].startswith("${SHOPBOT_ACTION_SERVER_TOKEN:?")
        assert "*" not in env["SHOPBOT_CORS_ORIGINS"]


def test_compose_refuses_to_start_without_the_action_token() -> None:
    exe = shutil.which("docker-compose")
    assert exe
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env.update({k: v for k, v in SECRET_ENV.items() if k != "SHOPBOT_ACTION_SERVER_TOKEN"})
    done = subprocess.run(
        [exe, "-f", "docker-compose.yml", "config", "-q"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "SHOPBOT_ACTION_SERVER_TOKEN" in done.stderr


def test_no_secret_or_wildcard_cors_on_a_command_line() -> None:
    """ps shows argv: Rasa gets its token from the environment (rasa_addons/rasa_server.py)."""
    texts = [(PROJECT_ROOT / "docker-compose.yml").read_text()]
    texts += [p.read_text() for p in sorted((PROJECT_ROOT / "deploy").rglob("*")) if p.is_file()]
    for text in texts:
        assert "--auth-token" not in text
        assert "--cors" not in text
        assert "-m rasa_sdk" not in text and '"rasa_sdk"' not in text
    rasa = (PROJECT_ROOT / "deploy" / "docker" / "rasa.Dockerfile").read_text()
    assert '"-m", "rasa_addons.rasa_server", "run"' in rasa


def test_endpoints_send_the_action_server_token() -> None:
    for name in ("endpoints.yml", "endpoints.embedded.yml"):
        endpoint = yaml.safe_load((PROJECT_ROOT / name).read_text())["action_endpoint"]
        assert endpoint["headers"] == {"Authorization": "Bearer ${SHOPBOT_ACTION_SERVER_TOKEN}"}


def test_k8s_only_rasa_pods_reach_the_action_server() -> None:
    policies = [
        d
        for d in k8s_documents()
        if d["kind"] == "NetworkPolicy"
        and d["spec"]["podSelector"] == {"matchLabels": {"app": "actions"}}
    ]
    assert len(policies) == 1
    spec = policies[0]["spec"]
    assert spec["policyTypes"] == ["Ingress"]
    assert spec["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": {"app": "rasa"}}}],
            "ports": [{"protocol": "TCP", "port": 5055}],
        }
    ]


@pytest.mark.parametrize("name", ["rasa", "actions"])
def test_k8s_action_token_comes_from_the_cluster_secret(name: str) -> None:
    deployment = next(
        d for d in k8s_documents() if d["kind"] == "Deployment" and d["metadata"]["name"] == name
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    ref = env["SHOPBOT_ACTION_SERVER_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "shopbot-secrets", "key": "action-server-token"}
    if name == "actions":
        assert container["command"][:3] == ["python", "-m", "actions.server"]


def test_every_rasa_replica_relays_socketio_emits_through_the_shared_redis() -> None:
    """Issue 18 item 6: the web app's staff actions go to one replica (compose: rasa-1), so
    each replica must publish and receive Socket.IO emits on the Redis its trackers use
    (tests/scale/test_handoff_replicas.py shows a reply is lost without it)."""
    services = compose_config()["services"]
    assert services["web"]["environment"]["SHOPBOT_RASA_URL"] == "http://rasa-1:5005"
    for name in ("rasa-1", "rasa-2"):
        env = services[name]["environment"]
        relay = env.get("SHOPBOT_SOCKETIO_REDIS_URL", "")
        assert relay.startswith(f"redis://{env['SHOPBOT_REDIS_HOST']}:{env['SHOPBOT_REDIS_PORT']}/")
    config = next(d for d in k8s_documents() if d["metadata"]["name"] == "shopbot-config")
    assert config["data"]["SHOPBOT_SOCKETIO_REDIS_URL"].startswith("redis://redis:")
