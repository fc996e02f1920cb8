#!/usr/bin/env bash
# Rebuilds samples/*.mstrace from ../shared/fixtures with the current engine (run after a bundle format change, or a change of the default model: the samples show its traces).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run -s build
for name in seq20 mixed50; do
  f=../shared/fixtures/$name
  node bin/misertrace.js bundle import -i "$f/trace.psv" -m "$f/meta.psv" -g "$(cat "$f/gateway.txt")" -o "samples/$name.mstrace"
done
