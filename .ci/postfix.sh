#!/usr/bin/env bash
# A private Postfix instance on 127.0.0.1 for the real-MTA delivery test (test/integration/postfix-*.test.ts).
# Installs Debian's postfix when missing (debconf "No configuration", no systemd needed), writes its own
# config directory, delivers every mail for example.test into one Maildir, and records where it listens
# in $NEWSDESK_POSTFIX_DIR/env (default /tmp/newsdesk-postfix/env). Idempotent: a running instance is reused.
set -euo pipefail

BASE=${NEWSDESK_POSTFIX_DIR:-/tmp/newsdesk-postfix}
ETC=$BASE/etc

if ! command -v postfix >/dev/null 2>&1; then
  echo "postfix.sh: installing postfix"
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends postfix >/dev/null 2>&1 || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postfix >/dev/null
  }
fi

if [ -f "$BASE/env" ] && grep -q '^POSTFIX_SETUP=2$' "$BASE/env" && postfix -c "$ETC" status >/dev/null 2>&1; then
  echo "postfix.sh: already running ($(cat "$BASE/env" | tr '\n' ' '))"
  exit 0
fi
# An instance from before the bounce setup: stop it and write the config anew.
postfix -c "$ETC" stop >/dev/null 2>&1 || true

PORT=${NEWSDESK_POSTFIX_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
# Where the bounce test's newsdesk listens for the DSNs this Postfix sends (it binds the port while it runs).
BOUNCE_PORT=${NEWSDESK_POSTFIX_BOUNCE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
mkdir -p "$ETC" "$BASE/queue" "$BASE/data" "$BASE/maildir" "$BASE/log"
chown postfix:postfix "$BASE/data" "$BASE/maildir"
printf '/.*/ inbox/\n' > "$ETC/vmailbox"
# Mail for bounce.example.test is accepted, then relayed to a server that refuses it (newsdesk's own listener, which
# takes bounce reports only): Postfix bounces it after accepting it, as a relay does, and the DSN it writes to the
# envelope sender (bounces.newsdesk.test) goes to that same listener.
cat > "$ETC/transport" <<EOF
bounce.example.test smtp:[127.0.0.1]:$BOUNCE_PORT
bounces.newsdesk.test smtp:[127.0.0.1]:$BOUNCE_PORT
EOF

# master.cf: the distribution's, with smtpd on our loopback port and no chroot anywhere (no copied /etc files needed).
awk -v port="$PORT" '
  /^smtp[ \t]+inet/ { print "127.0.0.1:" port "  inet  n       -       n       -       -       smtpd"; next }
  /^[a-z]/ && NF >= 8 { $5 = "n"; print; next }
  { print }
' /usr/share/postfix/master.cf.dist > "$ETC/master.cf"

cat > "$ETC/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $BASE/queue
data_directory = $BASE/data
mail_owner = postfix
myhostname = mta.newsdesk.test
mydomain = newsdesk.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = example.test
virtual_mailbox_base = $BASE/maildir
virtual_mailbox_maps = regexp:$ETC/vmailbox
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
virtual_mailbox_limit = 0
message_size_limit = 52428800
alias_maps =
alias_database =
smtputf8_enable = no
maillog_file = $BASE/log/postfix.log
maillog_file_prefixes = $BASE/log
smtpd_banner = \$myhostname ESMTP newsdesk-test
transport_maps = texthash:$ETC/transport
smtp_tls_security_level = none
EOF

postfix -c "$ETC" check
postfix -c "$ETC" start >/dev/null 2>&1 || script -qc "postfix -c $ETC start" /dev/null
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.2
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { echo "postfix.sh: postfix did not start; see $BASE/log/postfix.log" >&2; exit 1; }

printf 'POSTFIX_PORT=%s\nPOSTFIX_MAILDIR=%s\nPOSTFIX_CONFIG=%s\nPOSTFIX_BOUNCE_PORT=%s\nPOSTFIX_SETUP=2\n' "$PORT" "$BASE/maildir/inbox" "$ETC" "$BOUNCE_PORT" > "$BASE/env"
echo "postfix.sh: listening on 127.0.0.1:$PORT, Maildir $BASE/maildir/inbox"
