"""The `dealbot` command. Subcommands import what they need when they run, so --help is quick."""

from __future__ import annotations

import argparse
import logging
import os
import sys

GREETING = "dealbot console — type help (or 帮助), quit to leave. A number clicks a button."


def main(argv: list[str] | None = None) -> int:
    # Every file dealbot makes (the SQLite database, its WAL, the log, exports, charts) is the
    # owner's alone: deals, customers and recorded chats are not for other accounts on the machine.
    os.umask(0o077)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.demo:
        os.environ["DEALBOT_DEMO"] = "true"  # bot/config.py: the demo's own database
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:  # the last line of defence: one sentence, never a traceback
        from bot.cli_errors import UNEXPECTED, explain

        log = logging.getLogger("dealbot")
        explained = explain(exc)
        if explained is None:
            if _logging_ready():
                log.exception("dealbot %s failed", args.command)
            explained = (_one_line(exc), UNEXPECTED)
        elif _logging_ready():
            log.warning("dealbot %s: %s", args.command, explained[0])
        print(f"dealbot {args.command}: {explained[0]}", file=sys.stderr)
        return explained[1]


def _reader_gone() -> int:
    """Whoever read our output stopped (`dealbot console | head`): stop quietly. stdout is pointed
    at /dev/null so the interpreter's last flush does not fail a second time."""
    from bot.cli_errors import CLOSED_PIPE

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return CLOSED_PIPE


def _logging_ready() -> bool:
    """Only once setup_logging ran does the log go to the file; before that (a bad setting) a
    logged traceback would land on stderr."""
    return bool(getattr(logging.getLogger(), "_dealbot_configured", False))


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dealbot", description="A sales-pipeline bot for chat teams.")
    parser.add_argument("--demo", action="store_true",
                        help="use the demo's database (made by `dealbot demo`), e.g. dealbot --demo console")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    class _Sub:  # each command's --help starts with what it does (its line in `dealbot --help`)
        @staticmethod
        def add_parser(name: str, *, help: str) -> argparse.ArgumentParser:  # noqa: A002 (argparse's word)
            return commands.add_parser(name, help=help, description=help)

    sub = _Sub()

    p = sub.add_parser("console", help="chat with dealbot in this terminal (embedded SQLite by default)")
    p.set_defaults(run=_console)

    p = sub.add_parser("run", help="connect to every configured chat platform and serve")
    p.set_defaults(run=_run)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.add_argument("revision", nargs="?", default="head", help="the revision to go to (default: head, the latest)")
    p.set_defaults(run=_migrate)

    p = sub.add_parser("import", help="import deals from a .csv or .xlsx file (format: README)")
    p.add_argument("file", help="the .csv or .xlsx file: deals, customers or leads, told by its header")
    p.add_argument("--dry-run", action="store_true", help="say what would be created, updated and left alone")
    p.add_argument("--update", action="store_true",
                   help="apply rows carrying a deal's uid (an export of this install) to that deal")
    p.add_argument("--encoding", default=None,
                   help="the CSV's encoding when it is not UTF-8 or GBK/GB18030 (e.g. cp1252)")
    p.set_defaults(run=_import)

    p = sub.add_parser("export", help="export deals (or customers) to a CSV file ('-' for stdout)")
    p.add_argument("file", help="where to write the CSV ('-' for stdout)")
    p.add_argument("--team", default=None)
    p.add_argument("--customers", action="store_true", help="the customers with their fields, not the deals")
    p.set_defaults(run=_export)

    p = sub.add_parser("export-customer",
                       help="one customer's deals and recorded conversations as JSON (a data-subject request)")
    p.add_argument("name", help="the customer's name or an alias")
    p.add_argument("file", help="where to write the JSON ('-' for stdout)")
    p.add_argument("--team", default=None, help="default: DEALBOT_TEAM")
    p.set_defaults(run=_export_customer)

    p = sub.add_parser("nextsteps", help="next steps from captured chat: export the dismissed (or kept) "
                                         "suggestions as labelled examples for review")
    p.add_argument("action", choices=["export"], help="export: write the suggestions to a file")
    p.add_argument("file", help="where to write the TSV ('-' for stdout)")
    p.add_argument("--status", choices=["dismissed", "kept", "all"], default="dismissed")
    p.add_argument("--team", default=None, help="one team's (default: every team's)")
    p.set_defaults(run=_nextsteps)

    p = sub.add_parser("outbox", help="reminders and digests waiting or failed; retry failed ones")
    p.add_argument("action", nargs="?", choices=["list", "retry"], default="list",
                   help="list (the default) the rows, or retry failed ones")
    p.add_argument("ids", nargs="*", type=int, help="rows to retry (retry: default every failed row)")
    p.add_argument("--status", default="failed,pending",
                   help="comma-separated: pending, failed, sent, skipped, or all (default failed,pending)")
    p.add_argument("--limit", type=_limit, default=50)
    p.set_defaults(run=_outbox)

    p = sub.add_parser("token", help="REST API tokens: create (printed once), list, revoke")
    p.add_argument("action", choices=["create", "list", "revoke"],
                   help="create a token (printed once), list them, or revoke one")
    p.add_argument("name", nargs="?", help="the token's name, e.g. crm-sync (its writes are audited under it)")
    p.add_argument("--role", choices=["rep", "manager", "admin"], default="rep")
    p.add_argument("--team", default=None, help="the team it belongs to (default: DEALBOT_TEAM)")
    p.add_argument("--read-only", action="store_true", help="GET only")
    p.set_defaults(run=_token)

    p = sub.add_parser("webhook", help="outbound webhooks: add (secret printed once), list, remove, resume, log")
    p.add_argument("action", choices=["add", "list", "remove", "resume", "log"],
                   help="add a URL, list them, remove or resume one, or show one's deliveries")
    p.add_argument("target", nargs="?", help="add: the URL; remove, resume, log: the webhook (W-1)")
    p.add_argument("--events", default="", help="add: comma-separated, e.g. deal.created,deal.moved (or *)")
    p.add_argument("--limit", type=_limit, default=50, help="log: how many deliveries")
    p.set_defaults(run=_webhook)

    p = sub.add_parser("team-settings", help="show or change a team's reminder settings and approval policy")
    p.add_argument("team", help="the team's name (`dealbot team-settings sales`)")
    p.add_argument("changes", nargs="*", metavar="KEY=VALUE",
                   help="working_days=mon-fri quiet_hours=21:00-08:00 end_of_day=18:00 weekly_digest=09:00 "
                        "escalation_days=2 catch_up_hours=24 task_lead_minutes=0 working_hours=09:00-18:00 "
                        "response_nudge_hours=4 capture_retention_days=365 mask_contacts=off "
                        "approvals='[{\"when\": \"discount\", \"over\": 10, \"approvers\": [\"manager\"]}]'|default")
    p.set_defaults(run=_team_settings)

    p = sub.add_parser("scorecard", help="a team's weekly scorecard (docs/design-notes.md, Figures)")
    p.add_argument("--team", default=None, help="default: DEALBOT_TEAM")
    p.add_argument("--week", default=None, help="2026-W10, 'this week', 'last week' (default)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--currency", default=None, help="the currency of the amounts (default: the team's, else DEALBOT_CURRENCY)")
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

    p = sub.add_parser("health", help="a team's health board: eight figures beside the four weeks before")
    p.add_argument("--team", default=None, help="default: DEALBOT_TEAM")
    p.add_argument("--week", default=None, help="2026-W10, 'this week', 'last week' (default)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=_health)

    p = sub.add_parser("backup", help="a consistent copy of the whole database, safe while dealbot runs "
                                       "(SQLite: the backup API; PostgreSQL: pg_dump)")
    p.add_argument("file", help="where to write it (replaced when complete)")
    p.set_defaults(run=_backup)

    p = sub.add_parser("restore", help="replace the database with a backup (refuses a non-empty one "
                                        "unless --force); stop dealbot first")
    p.add_argument("file", help="a file written by dealbot backup")
    p.add_argument("--force", action="store_true", help="replace a database that holds data")
    p.set_defaults(run=_restore)

    p = sub.add_parser("doctor", help="check settings, database, schema, platform tokens, font and clock; "
                                       "say what to fix")
    p.set_defaults(run=_doctor)

    p = sub.add_parser("demo", help="load six months of demo history into a database of its own "
                                     "(then: dealbot --demo console)")
    p.set_defaults(run=_demo)
    return parser


def _figures(run) -> int:
    """A team or period it cannot use raises FiguresError: main() says it in one sentence."""
    from bot.bootstrap import build

    settings = _settings()
    wired = build(settings, charts=True)
    try:
        return run(wired, settings)
    finally:
        wired.engine.dispose()


def _scorecard(args) -> int:
    from bot.analytics import scorecard

    return _figures(lambda w, s: scorecard(w, args.team or s.team, args.week, args.format, args.currency,
                                           args.chart, sys.stdout))


def _health(args) -> int:
    from bot.analytics import health

    return _figures(lambda w, s: health(w, args.team or s.team, args.week, args.format, sys.stdout))


def _funnel(args) -> int:
    from bot.analytics import funnel

    return _figures(lambda w, s: funnel(w, args.team or s.team, args.period, args.format, sys.stdout))


def _forecast(args) -> int:
    from bot.analytics import forecast

    return _figures(lambda w, s: forecast(w, args.team or s.team, args.period, args.format, args.currency,
                                          args.backtest, sys.stdout))


def _demo(args) -> int:
    """Into the demo's own database, made afresh (the user's deals stay where they are); into
    DEALBOT_DATABASE_URL when it is set, which must then have no deals yet."""
    from bot.analytics import demo, remove_demo_database

    settings = _settings()
    if settings.embedded:
        os.environ["DEALBOT_DEMO"] = "true"
        remove_demo_database(settings)
    return _figures(lambda w, s: demo(w, sys.stdout))


def _settings():
    from bot.config import Settings
    from bot.logs import setup_logging

    settings = Settings()  # a bad setting: bot.cli_errors names it in one line
    setup_logging(settings)
    return settings


def _console(args) -> int:
    from adapters.console import ConsoleAdapter
    from bot.bootstrap import build
    from bot.memory import freeze_startup_objects

    settings = _settings()
    wired = build(settings, extra_admins=frozenset({("console", settings.console_user)}), charts=True)
    adapter = ConsoleAdapter(wired.bot.handle, local_user=settings.console_user)
    freeze_startup_objects()
    if sys.stdin.isatty():
        import readline  # noqa: F401  (line editing for input())

        adapter.run_interactive(sys.stdin, sys.stdout, f"{GREETING}\ndata: {settings.database_label()}")
    else:
        adapter.run_lines(sys.stdin, sys.stdout)
    return 0


def _run(args) -> int:
    from bot.run import run

    return run(_settings())


def _migrate(args) -> int:
    from storage.db import make_engine
    from storage.migrate import (
        SchemaNotReady,
        current,
        known_revisions,
        newer_schema_message,
        upgrade,
    )

    settings = _settings()
    if not args.revision.strip():  # alembic fails on an empty one with an assertion
        from bot.cli_errors import CliError

        raise CliError("name a revision, or none for the newest: dealbot migrate [REVISION]")
    engine = make_engine(settings.database_url, hide_parameters=not settings.log_message_text)
    try:
        at = current(engine)
        if at is not None and at not in known_revisions():  # a newer dealbot migrated it: hands off
            raise SchemaNotReady(newer_schema_message(at))
        upgrade(engine, args.revision)  # on PostgreSQL under an advisory lock: one replica at a time
        print(f"database at revision {current(engine)}")
    finally:
        engine.dispose()
    return 0


def _backup(args) -> int:
    from bot.backup_cli import backup

    return backup(_settings(), args.file, sys.stdout)


def _restore(args) -> int:
    from bot.backup_cli import restore

    return restore(_settings(), args.file, args.force, sys.stdout)


def _doctor(args) -> int:
    from bot.config import Settings
    from bot.doctor import doctor

    return doctor(Settings, sys.stdout)


def _import(args) -> int:
    from bot.bootstrap import build
    from bot.transfer_cli import import_file

    return import_file(build(_settings()), args.file, encoding=args.encoding, update=args.update,
                       dry_run=args.dry_run)


def _export(args) -> int:
    from bot.bootstrap import build
    from bot.transfer_cli import export_file

    return export_file(build(_settings()), args.file, team=args.team, customers=args.customers)


def _nextsteps(args) -> int:
    from bot.bootstrap import build
    from bot.nextsteps_cli import export_examples

    return export_examples(build(_settings()), args.file, status=args.status, team=args.team)


def _export_customer(args) -> int:
    import json
    from pathlib import Path

    from bot.bootstrap import build
    from bot.cli_errors import CliError
    from core.services.privacy import export_customer

    settings = _settings()
    wired = build(settings)
    team_name = args.team or settings.team
    with wired.uow() as uow:
        team = uow.teams.by_name(team_name)
        data = export_customer(uow, team, args.name, wired.bot.clock.now()) if team else None
        if data is None:
            raise CliError(f"no customer {args.name!r} in team {team_name!r}")
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


def _token(args) -> int:
    from bot.bootstrap import build
    from bot.cli_errors import CliError
    from bot.token_cli import create, list_tokens, revoke

    if args.action != "list" and not args.name:
        raise CliError(f"dealbot token {args.action} needs a NAME, e.g. dealbot token {args.action} crm-sync")
    settings = _settings()
    wired = build(settings)
    if args.action == "create":
        return create(wired, args.name, args.role, args.team or settings.team, args.read_only, sys.stdout)
    if args.action == "revoke":
        return revoke(wired, args.name, sys.stdout)
    return list_tokens(wired, sys.stdout)


def _webhook(args) -> int:
    from bot import webhooks
    from bot.bootstrap import build
    from bot.cli_errors import CliError

    if args.action in ("add", "remove", "resume") and not args.target:
        what = "URL" if args.action == "add" else "W-n"
        raise CliError(f"dealbot webhook {args.action} needs a {what}")
    wired = build(_settings())
    if args.action == "add":
        return webhooks.add(wired, args.target, args.events, sys.stdout)
    if args.action == "remove":
        return webhooks.remove(wired, args.target, sys.stdout)
    if args.action == "resume":
        return webhooks.resume(wired, args.target, sys.stdout)
    if args.action == "log":
        return webhooks.show_log(wired, args.target, args.limit, sys.stdout)
    return webhooks.list_hooks(wired, sys.stdout)


def _limit(text: str) -> int:
    """How many rows to show: 1 to 100000."""
    digits = text.strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= 6 and 1 <= int(digits) <= 100_000:
        return int(digits)
    raise argparse.ArgumentTypeError(f"'{text[:24]}' is not a number from 1 to 100000")


def _team_settings(args) -> int:
    from bot.bootstrap import build
    from bot.outbox_cli import team_settings

    return team_settings(build(_settings()), args.team, args.changes, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
