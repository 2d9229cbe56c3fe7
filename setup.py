"""Siaga: streaming ingestion and alerting for public social-media posts in Indonesian elections."""

from setuptools import find_packages, setup

setup(
    name="siaga",
    version="0.1.0",
    description="Streaming ingestion and alerting for public social-media posts during Indonesian elections",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.11",
    packages=find_packages(include=["schemas", "connectors", "pipelines", "pipelines.*"]),
    package_data={
        "connectors": ["samples/*.jsonl", "samples/README.md"],
        # The default models ship with the package: a fresh install tags without any download.
        # The slang map the normalisers load (CC BY-NC-SA 4.0, see data/third_party/id-hatespeech-2019).
        "pipelines.tagging": ["models/*.ftz", "models/*.json", "models/README.md", "slang.tsv",
                              "abusive.txt"],
    },
    install_requires=[
        "apache-beam==2.77.*",
        # The crc32c extra checksums records in C: without it kafka-python does it in pure Python,
        # about 300 us per 3 KB record, which capped imports near 2,000 posts/s.
        "kafka-python[crc32c]==3.0.*",
        # The connectors' producer: librdkafka's produce costs ~2 us a record where kafka-python's
        # send costs ~35 us of Python, which kept imports under 10,000 posts/s.
        "confluent-kafka>=2.16,<3",
        # The client major must match the server major: 9.x clients fail against 8.x servers.
        "elasticsearch>=8.15,<9",
        # fasttext-numpy2, not fasttext or fasttext-wheel: those mis-predict or raise under numpy 2.
        "fasttext-numpy2==0.10.4",
        "pydantic>=2.7,<3",
        # Imported directly (PydanticSerializationError, from_json); pydantic pins its exact version.
        "pydantic-core",
        # The platform connectors' HTTP sessions (kept-alive connections) and the Kibana client.
        "requests>=2.31,<3",
        # The near-duplicate detector's MinHash signatures (Beam and fastText need numpy 2 too).
        "numpy>=2,<3",
        # Sastrawi's dictionary of 29,931 Indonesian roots: the claim matcher's stemmer accepts only
        # roots it lists ("dicoblos", "mencoblos" and "nyoblos" meet at "coblos").
        "pysastrawi>=1.2,<2",
        # Claim matching gathers a batch's candidates in two sparse matrix products in C: ~7 us a post
        # against ~16 us for the same walk over posting lists in Python (50,000 fact-checks loaded).
        "scipy>=1.11,<2",
        "pyyaml>=6,<7",
        # The embedded default: one local binary speaking the Kafka and Elasticsearch protocols.
        "noida-db==0.2.3",
        # /metrics for Prometheus: the official client, no other dependencies.
        "prometheus-client>=0.20,<1",
    ],
    extras_require={"test": [
        "pytest>=8,<10", "aiosmtpd>=1.4,<2",
        # tests/test_deploy.py: custom resources against the operators' CRD schemas (jsonschema),
        # core resources against the Kubernetes schemas bundled offline for each minor (1.36 at least).
        "jsonschema>=4.18,<5", "kubernetes-validate>=1.36,<2",
        # `make lint` (part of `make test`): pinned to a minor, because a new ruff or mypy release
        # adds checks and would fail CI on code nobody changed.
        "ruff==0.17.*", "mypy==2.4.*", "types-requests", "types-PyYAML",
    ],
        # The TF-IDF + logistic regression baseline `siaga model train/evaluate` measures the risk
        # model against (pipelines/tagging/baseline.py); never needed to tag.
        "eval": ["scikit-learn>=1.5,<2"],
    },
    entry_points={"console_scripts": ["siaga=pipelines.cli:main"]},
)
