#!/usr/bin/env bash
# Takes a fresh Debian 12 machine (as root) to one that runs the whole test suite: Debian
# packages, Docker engine running, tracefs mounted, npm dependencies installed. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-machine: run as root (it installs packages, starts dockerd, mounts tracefs)" >&2
  exit 3
fi

# Kernel tracing, containers, the browser for UI tests, SVG rasterising, load generation, an SSH
# server the remote-capture tests start on a loopback port; the third-party servers of the demo
# app's accuracy runs (their binaries go into images: e2e/demo-app/third-party-images.ts); pkexec,
# polkitd and a system bus for the ftrace helper's polkit action (test/capture/polkit-helper.test.ts).
packages=(docker.io bpftrace chromium xvfb librsvg2-bin fonts-liberation fonts-dejavu-core wrk busybox-static iproute2 procps sudo python3 make g++ openssh-server nginx-light redis-server postgresql-15 pkexec polkitd dbus-daemon dbus-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-machine: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# tracefs is not mounted at boot on these machines.
if ! mountpoint -q /sys/kernel/tracing; then
  mount -t tracefs nodev /sys/kernel/tracing || echo "setup-machine: warning: could not mount tracefs" >&2
fi

# No systemd here: start dockerd ourselves when the daemon does not answer.
if ! docker info >/dev/null 2>&1; then
  echo "setup-machine: starting dockerd"
  (setsid dockerd >/tmp/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup-machine: dockerd did not start; see /tmp/dockerd.log" >&2; exit 3; }
fi

# The Electron binary cannot be downloaded here; its type definitions still install.
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
