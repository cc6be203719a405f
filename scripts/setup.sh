#!/usr/bin/env bash
# Sets up everything the program and its tests need on a fresh machine, idempotently:
# Debian packages (CJK font, Leaflet, Chromium), the virtual environment with the project,
# and a running PostgreSQL for the tests. Quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_system_deps.sh

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> 安装依赖（pip install -e '.[test]'）"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# PostgreSQL: the tests run every integration test on it too
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "==> 启动 PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
