#!/bin/sh
# Creates the storeagent system user (idempotent) before files are unpacked.
set -e
if ! getent group storeagent >/dev/null 2>&1; then
	groupadd --system storeagent 2>/dev/null || addgroup --system storeagent
fi
if ! getent passwd storeagent >/dev/null 2>&1; then
	useradd --system --gid storeagent --home-dir /var/lib/storeagent --no-create-home \
		--shell /usr/sbin/nologin --comment "storeagent store-edge agent" storeagent 2>/dev/null ||
		adduser --system --ingroup storeagent --home /var/lib/storeagent --no-create-home \
			--shell /usr/sbin/nologin storeagent
fi
for g in dialout lp input; do
	if getent group "$g" >/dev/null 2>&1; then
		usermod -a -G "$g" storeagent 2>/dev/null || adduser storeagent "$g" >/dev/null 2>&1 || true
	fi
done
exit 0
