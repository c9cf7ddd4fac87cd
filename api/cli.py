"""The `koppel` command: serve, demo, migrate, create-staff, worker, eval."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from sqlmodel import Session


def _serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from api.config import get_settings
    from api.logs import logging_config

    # X-Forwarded-For is applied by the app itself, from FORWARDED_ALLOW_IPS only (api.main);
    # uvicorn's own handling would trust loopback by default
    uvicorn.run("api.app:app", host=host, port=port, workers=workers, proxy_headers=False,
                log_config=logging_config(get_settings().log_level), access_log=False)


def cmd_migrate(args: argparse.Namespace) -> int:
    from api.config import get_settings
    from api.migrate import upgrade

    url = get_settings().sqlalchemy_url
    print(f"Migrating {_redact(url)} to {args.revision} …", flush=True)
    upgrade(url, args.revision)
    print("Schema is up to date.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from api.config import get_settings
    from api.db import engine_for
    from api.migrate import upgrade
    from api.security import configure_password_hashing
    from api.services.demo import load_demo

    settings = get_settings()
    if settings.environment == "production":
        print("error: koppel demo refuses ENVIRONMENT=production: it loads demo organisations "
              "and a staff login whose password is published in the repository",
              file=sys.stderr)
        return 2
    configure_password_hashing(settings)
    url = settings.sqlalchemy_url
    print(f"[1/3] Migrating {_redact(url)} …", flush=True)
    upgrade(url)
    print("[2/3] Loading the demo data set (once; later runs keep what is there) …", flush=True)
    engine = engine_for(settings)
    with Session(engine) as session:
        summary = load_demo(session, progress=lambda msg: print("      " + msg, flush=True))
        session.commit()
    print("      " + summary.describe())
    if summary.loaded:
        from api.services.demo_activity import simulate

        print("      Simulating a history of leads and a cluster run …", flush=True)
        simulate(engine, settings, progress=lambda msg: print("      " + msg, flush=True))
    _demo_mail(engine, settings)
    engine.dispose()
    base = f"http://{args.host}:{args.port}"
    print(f"\nPortal (in a browser): {base}/")
    print("Demo logins (e-mail / password, and where each logs in):")
    for role, (email, password) in summary.logins.items():
        where = "/dashboard/login" if role == "staff" else "/login"
        print(f"  {role:<9} {email} / {password}   {base}{where}")
    print(f"Staff dashboard: {base}/dashboard", flush=True)
    if args.no_serve:
        return 0
    print(f"\n[3/3] Serving on http://{args.host}:{args.port}  (API docs: /docs)", flush=True)
    _serve(args.host, args.port)
    return 0


def _demo_mail(engine, settings) -> None:  # noqa: ANN001
    """Send the e-mails the demo's lead history queued: without SMTP_HOST, as .eml files."""
    import httpx

    from api.services.delivery import Transports, deliver_due
    from api.services.mail import Mailer

    mailer = Mailer(settings)
    with httpx.Client() as client:
        report = deliver_due(engine, Transports(client, mailer), batch=10_000, channel="email")
    if report.attempted:
        print(f"      {report.delivered} e-mail(s) written to {mailer.target}"
              + (f" ({report.retried} to retry)" if report.retried else ""), flush=True)


def cmd_create_staff(args: argparse.Namespace) -> int:
    from api.config import get_settings
    from api.db import engine_for
    from api.errors import Conflict, InvalidInput
    from api.security import configure_password_hashing
    from api.services.auth import create_staff

    password = args.password or getpass.getpass("Password (min. 12 characters): ")
    if len(password) < 12:
        print("error: the password must have at least 12 characters", file=sys.stderr)
        return 2
    settings = get_settings()
    configure_password_hashing(settings)
    engine = engine_for(settings)
    with Session(engine) as session:
        try:
            user = create_staff(session, args.email, password, full_name=args.full_name,
                                admin=args.admin)
        except (Conflict, InvalidInput) as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 1
        session.commit()
        print(f"Created {user.role} account {user.email}")
    engine.dispose()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Expire overdue leads, queue the daily digest and weekly reminder, deliver due webhooks and
    e-mails, and execute queued cluster runs, once or until SIGTERM/SIGINT; database and network
    errors are logged and retried with back-off."""
    from api.config import get_settings
    from api.db import engine_for
    from api.logs import configure_logging
    from api.worker import Worker

    settings = get_settings()
    configure_logging(settings.log_level)
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host)
    engine = engine_for(settings)
    worker = Worker(engine, settings, interval=args.interval, batch=args.batch)
    worker.install_signal_handlers()
    logging.getLogger("koppel.worker").info(
        "worker started", extra={"database": _redact(settings.sqlalchemy_url),
                                 "mode": "once" if args.once else f"every {args.interval:g} s"})
    try:
        return worker.run(once=args.once)
    finally:
        engine.dispose()


def _parse_weights(text: str):  # noqa: ANN202
    from matching import Weights

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError("--weights takes four numbers: competence,locality,supervision,capacity")
    values = [float(p) for p in parts]
    total = sum(values)
    if total <= 0 or abs(total - 1.0) > 1e-6:
        raise ValueError(f"--weights must sum to 1, got {total:g}")
    c, loc, sup = (v / total for v in values[:3])
    return Weights(c, loc, sup, max(0.0, 1.0 - (c + loc + sup)), version="cli")


def cmd_eval(args: argparse.Namespace) -> int:
    """Match quality on the evaluation set; exit 1 when below the floors (top-1, violations)."""
    import json

    from api.migrate import ROOT
    from matching import MatchingEngine, Weights
    from matching.evaluation import (
        FLOORS,
        ablation,
        evaluate,
        format_ablation,
        format_table,
        load_scenarios,
    )

    path = args.scenarios or ROOT / "tests" / "eval" / "scenarios.json"
    try:
        weights = _parse_weights(args.weights) if args.weights else Weights()
        with open(path, encoding="utf-8") as fh:
            scenarios = load_scenarios(json.load(fh))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = evaluate(scenarios, lambda caps: MatchingEngine(weights=weights).fit(caps), k=args.k)
    failures = report.failures()
    ablated = ablation(scenarios, weights, k=args.k)
    if args.json:
        print(json.dumps({"weights": dict(zip(("competence", "locality", "supervision",
                                                "capacity"), weights.as_tuple(), strict=True)),
                          **report.as_dict(),
                          "ablation": [{"variant": v, "failing": n} for v, n in ablated]},
                         indent=2))
    else:
        w = ", ".join(f"{v:.3f}" for v in weights.as_tuple())
        print(f"Evaluation set {path}: {len(scenarios)} scenarios, weights "
              f"(competence, locality, supervision, capacity) = ({w})\n")
        print(format_table(report))
        print("\nAblation (a scenario fails on a wrong top-1, a violation or a missing reason):")
        print(format_ablation(ablated, len(scenarios)))
        verdict = "FAIL: " + "; ".join(failures) if failures else "OK"
        print(f"\nFloors: top-1 >= {FLOORS['top1']}, violations = {FLOORS['violations']:g}, "
              f"every group's top-1 >= {FLOORS['group_top1']:g} -> {verdict}")
    return 1 if failures else 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koppel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the API on DATABASE_URL")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="migrate, load the demo data once and serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="load and exit")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("migrate", help="apply Alembic migrations")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-staff", help="create a department staff account")
    p.add_argument("email")
    p.add_argument("--password", help="read from a prompt when omitted")
    p.add_argument("--full-name", default="")
    p.add_argument("--admin", action="store_true")
    p.set_defaults(func=cmd_create_staff)

    p = sub.add_parser("worker", help="expire overdue leads, deliver webhooks and e-mail")
    p.add_argument("--once", action="store_true", help="one pass, then exit")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between passes")
    p.add_argument("--batch", type=int, default=100, help="most messages per --once pass")
    p.add_argument("--metrics-port", type=int, default=0,
                   help="serve the worker's Prometheus metrics on this port (0: off)")
    p.add_argument("--metrics-host", default="127.0.0.1")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("eval", help="match quality on the evaluation set (exit 1 below floors)")
    p.add_argument("--weights", help="competence,locality,supervision,capacity (sum 1); "
                   "default: the DESIGN defaults")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--scenarios", help="scenario file (default: tests/eval/scenarios.json)")
    p.add_argument("--k", type=int, default=5, help="ranking depth for NDCG")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
