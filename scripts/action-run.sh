#!/usr/bin/env bash
# The steps of action.yml, runnable on any machine:
#
#   scripts/action-run.sh install   # pip install kubelint from this checkout
#   INPUT_PATHS=k8s scripts/action-run.sh check
#   KUBELINT_EXIT_CODE=1 scripts/action-run.sh finish
#
# `check` reads the action's inputs from INPUT_* variables (defaults as in action.yml),
# writes the SARIF file, prints the report (annotations under GitHub Actions), and
# records exit-code and sarif-file in $GITHUB_OUTPUT when it is set.  It never fails
# itself, so the SARIF upload can run; `finish` fails with kubelint's exit code.
# KUBELINT (default: kubelint) is the command to run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "${1:-}" in
install)
    python -m pip install --quiet --disable-pip-version-check "$here"
    kubelint --version
    ;;
check)
    set -f  # paths and args are split on whitespace, never globbed
    paths=(${INPUT_PATHS:-.})
    extra=(${INPUT_ARGS:-})
    set +f
    command=(${KUBELINT:-kubelint} check --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-warning}")
    sarif="${INPUT_SARIF_FILE-kubelint.sarif}"
    if [ -n "$sarif" ]; then command+=(--report "sarif=$sarif"); fi
    if [ -n "${INPUT_CONFIG:-}" ]; then command+=(--config "$INPUT_CONFIG"); fi
    if [ -n "${INPUT_BASELINE:-}" ]; then command+=(--baseline "$INPUT_BASELINE"); fi
    command+=("${extra[@]}" -- "${paths[@]}")
    echo "+ ${command[*]}" >&2
    code=0
    "${command[@]}" || code=$?
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        { echo "exit-code=$code"; echo "sarif-file=$sarif"; } >>"$GITHUB_OUTPUT"
    fi
    echo "kubelint exit code: $code" >&2
    ;;
finish)
    code="${KUBELINT_EXIT_CODE:-2}"
    if [ "$code" != 0 ]; then
        echo "kubelint failed with exit code $code (see the report above)" >&2
    fi
    exit "$code"
    ;;
*)
    echo "usage: $0 install|check|finish" >&2
    exit 2
    ;;
esac
