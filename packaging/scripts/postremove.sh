#!/bin/sh
# Keeps the config and the data dir (sales!) on remove; only reloads systemd and udev.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload 2>/dev/null || true
fi
if command -v udevadm >/dev/null 2>&1; then
	udevadm control --reload-rules 2>/dev/null || true
fi
exit 0
