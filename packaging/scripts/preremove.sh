#!/bin/sh
# Stops and disables the service on removal (not on upgrade: deb passes "upgrade", rpm passes 1).
set -e
case "$1" in
	upgrade|1) exit 0 ;;
esac
if [ -d /run/systemd/system ]; then
	systemctl stop storeagent 2>/dev/null || true
	systemctl disable storeagent 2>/dev/null || true
fi
exit 0
