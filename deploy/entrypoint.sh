#!/bin/sh
# The container's entry point. With no arguments: `dealbot run`. With a dealbot subcommand
# (migrate, doctor, backup FILE, restore FILE, console, outbox …): that. With a program that is
# not dealbot's (sh, python): that program, so `docker run -it IMAGE sh` works.
#
# DEALBOT_MIGRATE_ON_START=true: `dealbot run` migrates the database before it starts (under
# PostgreSQL's migration lock, so replicas starting together migrate once). compose.yaml instead
# runs `dealbot migrate` as a one-shot service before the replicas start.
set -eu

if [ "$#" -eq 0 ]; then
    set -- run
fi

case "$1" in
    -*) exec dealbot "$@" ;;
esac

if [ "$1" != "dealbot" ] && command -v "$1" >/dev/null 2>&1 && ! dealbot "$1" --help >/dev/null 2>&1; then
    exec "$@"
fi
if [ "$1" = "dealbot" ]; then
    shift
fi
exec dealbot "$@"
