"""The `dealbot` command. Subcommands import what they need when they run, so --help is quick."""

from __future__ import annotations

import argparse
import sys

GREETING = "dealbot console — type help (or 帮助), quit to leave. A number clicks a button."


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        import logging

        logging.getLogger("dealbot").exception("dealbot %s failed", args.command)
        print(f"dealbot {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dealbot", description="A sales-pipeline bot for chat teams.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("console", help="chat with dealbot in this terminal (embedded SQLite by default)")
    p.set_defaults(run=_console)

    p = sub.add_parser("run", help="connect to every configured chat platform and serve")
    p.set_defaults(run=_run)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(run=_migrate)

    p = sub.add_parser("import", help="import deals from a CSV file (DESIGN.md §7)")
    p.add_argument("file")
    p.set_defaults(run=_import)

    p = sub.add_parser("export", help="export deals to a CSV file ('-' for stdout)")
    p.add_argument("file")
    p.add_argument("--team", default=None)
    p.set_defaults(run=_export)

    p = sub.add_parser("export-customer",
                       help="one customer's deals and recorded conversations as JSON (a data-subject request)")
    p.add_argument("name", help="the customer's name or an alias")
    p.add_argument("file", help="where to write the JSON ('-' for stdout)")
    p.add_argument("--team", default=None, help="default: DEALBOT_TEAM")
    p.set_defaults(run=_export_customer)

    p = sub.add_parser("outbox", help="reminders and digests waiting or failed; retry failed ones")
    p.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    p.add_argument("ids", nargs="*", type=int, help="rows to retry (retry: default every failed row)")
    p.add_argument("--status", default="failed,pending",
                   help="comma-separated: pending, failed, sent, skipped, or all (default failed,pending)")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(run=_outbox)

    p = sub.add_parser("team-settings", help="show or change a team's reminder settings")
    p.add_argument("team")
    p.add_argument("changes", nargs="*", metavar="KEY=VALUE",
                   help="working_days=mon-fri quiet_hours=21:00-08:00 end_of_day=18:00 weekly_digest=09:00 "
                        "escalation_days=2 catch_up_hours=24 task_lead_minutes=0 working_hours=09:00-18:00 "
                        "response_nudge_hours=4 capture_retention_days=365 mask_contacts=off")
    p.set_defaults(run=_team_settings)

    p = sub.add_parser("scorecard", help="a team's weekly scorecard (DESIGN.md §5)")
    p.add_argument("--team", default=None, help="default: DEALBOT_TEAM")
    p.add_argument("--week", default=None, help="2026-W10, 'this week', 'last week' (default)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--currency", default=None, help="the currency of the amounts (default: DEALBOT_CURRENCY)")
    p.add_argument("--chart", default=None, metavar="PNG", help="also draw the chart into this file")
    p.set_defaults(run=_scorecard)

    p = sub.add_parser("funnel", help="how far a period's new deals got, stage by stage")
    p.add_argument("--team", default=None)
    p.add_argument("--period", default=None, help="'this quarter' (default), 2026-03, Q3, 'last month', 2026-W10")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=_funnel)

    p = sub.add_parser("forecast", help="expected wins of the open deals closing in a period")
    p.add_argument("--team", default=None)
    p.add_argument("--period", default=None, help="'this month' (default), 'next month', Q3, 2026-04")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--currency", default=None)
    p.add_argument("--backtest", action="store_true",
                   help="test the win-probability model on the closed history (Brier score vs stage defaults)")
    p.set_defaults(run=_forecast)

    p = sub.add_parser("demo", help="load six months of demo history into an empty database")
    p.set_defaults(run=_demo)
    return parser


def _figures(run) -> int:
    from bot.analytics import FiguresError, wire_analytics
    from bot.bootstrap import build

    settings = _settings()
    wired = wire_analytics(build(settings))
    try:
        return run(wired, settings)
    except FiguresError as err:
        print(f"dealbot: {err}", file=sys.stderr)
        return 2
    finally:
        wired.engine.dispose()


def _scorecard(args) -> int:
    from bot.analytics import scorecard

    return _figures(lambda w, s: scorecard(w, args.team or s.team, args.week, args.format, args.currency,
                                           args.chart, sys.stdout))


def _funnel(args) -> int:
    from bot.analytics import funnel

    return _figures(lambda w, s: funnel(w, args.team or s.team, args.period, args.format, sys.stdout))


def _forecast(args) -> int:
    from bot.analytics import forecast

    return _figures(lambda w, s: forecast(w, args.team or s.team, args.period, args.format, args.currency,
                                          args.backtest, sys.stdout))


def _demo(args) -> int:
    from bot.analytics import demo

    return _figures(lambda w, s: demo(w, sys.stdout))


def _settings():
    from bot.config import Settings
    from bot.logs import setup_logging

    settings = Settings()
    setup_logging(settings)
    return settings


def _console(args) -> int:
    from adapters.console import ConsoleAdapter
    from bot.analytics import wire_analytics
    from bot.bootstrap import build
    from bot.memory import freeze_startup_objects

    settings = _settings()
    wired = wire_analytics(build(settings, extra_admins=frozenset({("console", settings.console_user)})))
    adapter = ConsoleAdapter(wired.bot.handle, local_user=settings.console_user)
    freeze_startup_objects()
    if sys.stdin.isatty():
        import readline  # noqa: F401  (line editing for input())

        adapter.run_interactive(sys.stdin, sys.stdout, GREETING)
    else:
        adapter.run_lines(sys.stdin, sys.stdout)
    return 0


def _run(args) -> int:
    from bot.run import run

    return run(_settings())


def _migrate(args) -> int:
    from storage.db import make_engine
    from storage.migrate import current, upgrade

    settings = _settings()
    engine = make_engine(settings.database_url)
    upgrade(engine, args.revision)
    print(f"database at revision {current(engine)}")
    return 0


def _import(args) -> int:
    from pathlib import Path

    from bot.bootstrap import build
    from core.services.transfer import TransferError, import_deals

    settings = _settings()
    wired = build(settings)
    text = Path(args.file).read_text(encoding="utf-8-sig")
    with wired.uow() as uow:
        try:
            result = import_deals(uow, text, now=wired.bot.clock.now(), default_timezone=settings.timezone,
                                  default_language=settings.language, source=f"import:{Path(args.file).name}")
        except TransferError as err:
            for line in err.errors:
                print(line, file=sys.stderr)
            print(f"nothing imported: {len(err.errors)} error(s)", file=sys.stderr)
            return 1
        uow.commit()
    print(f"imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
    return 0


def _export(args) -> int:
    from pathlib import Path

    from bot.bootstrap import build
    from core.services.transfer import export_deals

    wired = build(_settings())
    with wired.uow() as uow:
        text = export_deals(uow, team_name=args.team)
    if args.file == "-":
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"exported {max(0, text.count(chr(10)) - 1)} deals to {args.file}")
    return 0


def _export_customer(args) -> int:
    import json
    from pathlib import Path

    from bot.bootstrap import build
    from core.services.privacy import export_customer

    settings = _settings()
    wired = build(settings)
    team_name = args.team or settings.team
    with wired.uow() as uow:
        team = uow.teams.by_name(team_name)
        data = export_customer(uow, team, args.name, wired.bot.clock.now()) if team else None
        if data is None:
            print(f"dealbot: no customer {args.name!r} in team {team_name!r}", file=sys.stderr)
            return 2
        uow.commit()  # the audit entry saying that an export was made
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"exported {len(data['interactions'])} interactions of {data['customer']['name']} to {args.file}")
    return 0


def _outbox(args) -> int:
    from bot.bootstrap import build
    from bot.outbox_cli import list_rows, retry_rows

    wired = build(_settings())
    if args.action == "retry":
        return retry_rows(wired, args.ids, sys.stdout)
    return list_rows(wired, args.status, args.limit, sys.stdout)


def _team_settings(args) -> int:
    from bot.bootstrap import build
    from bot.outbox_cli import team_settings

    return team_settings(build(_settings()), args.team, args.changes, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
