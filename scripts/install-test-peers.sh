#!/usr/bin/env bash
# Installs the real peers the tests talk to (DESIGN.md "How it is tested"):
# Debian's nut-server (upsd + dummy-ups) and nut-client (upsc), and OpenSSH's
# sshd for the SSH shutdown driver, and mosquitto (+ mosquitto-clients) as the
# external MQTT broker, and PostgreSQL (the fleet store; the tests start their
# own server in a temp folder). Idempotent;
# a peer that cannot be installed fails the run rather than skipping tests.
set -euo pipefail

need=()
[ -x /lib/nut/upsd ] && [ -x /lib/nut/dummy-ups ] || need+=(nut-server)
command -v upsc >/dev/null 2>&1 || need+=(nut-client)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-peers: need root to apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-test-peers: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian's packaging may start the system services; the tests run their own.
systemctl stop nut-server nut-monitor nut-driver ssh mosquitto postgresql 2>/dev/null || true
# Debian's postgresql init script may start a cluster on 5432: the tests run their own on a free port.
for cluster in /etc/postgresql/*/main; do
  [ -d "$cluster" ] || continue
  pg_ctlcluster "$(basename "$(dirname "$cluster")")" main stop 2>/dev/null || true
done
# Debian's mosquitto init script may have started the system broker on 1883: the tests run their own.
if [ -f /run/mosquitto/mosquitto.pid ]; then kill "$(cat /run/mosquitto/mosquitto.pid)" 2>/dev/null || true; fi
# Installing openssh-server may start it through its init script: the tests start their own sshd.
if [ -f /run/sshd.pid ]; then kill "$(cat /run/sshd.pid)" 2>/dev/null || true; fi
