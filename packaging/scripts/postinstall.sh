#!/bin/sh
# Installs the sample config only when no config exists: an edited config is never overwritten
# (on upgrade too). Reloads systemd and udev; on upgrade restarts a running agent (its database
# migrations back the DB up to /var/lib/storeagent/backups first).
# $DPKG_ROOT is set by dpkg --root (dpkg >= 1.18.5, see deb-maintainer scripts / dpkg(1)); empty otherwise.
set -e
root="${DPKG_ROOT:-}"
conf="$root/etc/storeagent/storeagent.yaml"
mkdir -p "$root/etc/storeagent" "$root/var/lib/storeagent"
fresh=""
if [ ! -e "$conf" ]; then
	cp "$root/usr/share/storeagent/storeagent.yaml.sample" "$conf"
	chmod 0640 "$conf"
	chown root:storeagent "$conf" 2>/dev/null || true
	fresh=1
fi
# The sample config's terminal reads its token from lane1.token: make it random, readable only by
# the agent, when it is missing (the package ships no usable token; an existing file is kept).
tok="$root/etc/storeagent/lane1.token"
if [ ! -e "$tok" ] && grep -q '^ *token_file: /etc/storeagent/lane1.token' "$conf"; then
	(umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$tok" && echo >>"$tok")
	chmod 0600 "$tok"
	chown storeagent:storeagent "$tok" 2>/dev/null || true
fi
chmod 0750 "$root/var/lib/storeagent"
chown storeagent:storeagent "$root/var/lib/storeagent" 2>/dev/null || true
if [ -z "$root" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	if systemctl is-active --quiet storeagent; then
		systemctl restart storeagent || true
	fi
fi
if [ -z "$root" ] && command -v udevadm >/dev/null 2>&1; then
	udevadm control --reload-rules 2>/dev/null || true
	udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc --subsystem-match=input 2>/dev/null || true
fi
if [ -n "$fresh" ]; then
	cat <<'NEXT'
storeagent is installed but not started. Next steps:
  1. Edit /etc/storeagent/storeagent.yaml: store_id, store, mqtt.broker, links.aisle_base and devices
     (storeagent devices lists the scanners and printers attached).
  2. Lane 1's POS token was made for you: sudo cat /etc/storeagent/lane1.token
     Give each further lane a token file named by its token_file, readable by the agent only:
       (umask 077; openssl rand -hex 16 > /etc/storeagent/lane2.token); chown storeagent /etc/storeagent/lane2.token
  3. Check the setup:  sudo -u storeagent storeagent check -config /etc/storeagent/storeagent.yaml
  4. Start it now and at every boot:  systemctl enable --now storeagent
Docs: /usr/share/doc/storeagent; logs: journalctl -u storeagent
NEXT
fi
exit 0
