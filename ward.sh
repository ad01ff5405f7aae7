#!/usr/bin/env bash
# ward.sh - the two commands of the README.
#   ./ward.sh demo   end-to-end demo on 127.0.0.1 (installs what it needs)
#   ./ward.sh test   every test (installs what it needs)
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  demo) exec bash scripts/demo.sh ;;
  test) exec bash scripts/test.sh ;;
  *) echo "usage: ./ward.sh demo | test" >&2; exit 2 ;;
esac
