"""``siaga pipeline run``: the post pipeline as a service, locally or on Flink / Dataflow."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, stop_on_signals, subcommands, warn_if_public_erasure_key
from schemas.config import Settings
from schemas.errors import SiagaError, UsageError

RUNNERS = ("local", "flink", "dataflow", "portable")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga pipeline`` and its subcommand."""
    parser = add_command(
        commands, "pipeline", summary="the post pipeline as a service (local, Flink, Dataflow)",
        description="""
            The post pipeline: raw posts from Kafka are validated, tagged and indexed in
            Elasticsearch, and tagged posts go on to the alerting job.""",
        examples=["siaga pipeline run --workers 2 --metrics-port 9464",
                  "siaga pipeline run --runner flink --flink-master=flink:8081 --kafka-expansion-service=kafka-io:8097"],
    )
    actions = subcommands(parser, "pipeline_command")
    run_parser = add_command(
        actions, "run", handler=run,
        summary="run the post pipeline; other --options go to Beam (e.g. --flink_master, --project)",
        description="""
            Locally: micro-batch workers in one consumer group, restarted when they die, until
            Ctrl-C or SIGTERM. On Flink, Dataflow or a portable runner: submit the streaming
            graph; options this command does not know are passed to Beam (write them as
            --name=value). Siaga's own options (--config, -v, --log-format) never go to Beam.""",
        examples=["siaga pipeline run", "siaga pipeline run --workers 4 --until-idle",
                  "siaga pipeline run --runner dataflow --project=my-project --region=asia-southeast2"],
    )
    run_parser.add_argument("--runner", choices=RUNNERS, default="local", help="where it runs (default: local)")
    run_parser.add_argument("--workers", type=int, default=1, metavar="N",
                            help="local: worker processes sharing the consumer group (default 1)")
    run_parser.add_argument("--worker-index", type=int, default=0, metavar="I",
                            help="local: this worker's slot; a restart in the same slot takes its partitions back at once")
    run_parser.add_argument("--until-idle", action="store_true", help="local: stop once the raw topic is drained")
    run_parser.add_argument("--metrics-port", type=int, metavar="PORT",
                            help="local: serve Prometheus /metrics here (0: any free port)")
    run_parser.add_argument("--kafka-expansion-service", metavar="HOST:PORT",
                            help="flink/dataflow/portable: a Kafka IO expansion service")
    run_parser.set_defaults(passes_unknown_options=True)


def run(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga pipeline run``."""
    if args.runner != "local":
        return _submit(settings, args)
    if args.extra:
        msg = f"unknown options for the local runner: {' '.join(args.extra)}"
        raise UsageError(msg)
    warn_if_public_erasure_key(settings)
    with stop_on_signals() as stop:
        if args.workers > 1:
            from pipelines.ops.workers import run_workers

            return run_workers(args.config, args.workers, until_idle=args.until_idle, metrics_port=args.metrics_port,
                               verbose=args.verbose, log_format=args.log_format, stop=stop)
        from pipelines.ops.workers import run_worker

        done = run_worker(settings, stop, until_idle=args.until_idle, metrics_port=args.metrics_port,
                          worker_index=args.worker_index)
    print(f"pipeline worker stopped after {done} records")
    return EXIT_OK


def _submit(settings: Settings, args: argparse.Namespace) -> int:
    from pipelines.post.streaming import beam_flags, run_streaming

    try:
        beam_flags(args.extra)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    warn_if_public_erasure_key(settings)
    try:
        result = run_streaming(settings, args.runner, args.extra, args.kafka_expansion_service)
    except RuntimeError as exc:
        if "expansion-service" not in str(exc) and "jar" not in str(exc):
            raise
        msg = (f"cannot build Beam's Kafka IO (ReadFromKafka): it needs a Java expansion service. Give one with "
               f"--kafka-expansion-service host:port, or run where Maven Central is reachable. ({exc})")
        raise SiagaError(msg) from None
    print(f"submitted the streaming post pipeline to {args.runner}: {result}")
    return EXIT_OK
