# Helpers of the amtgwd operations scenarios (tests/net/ops-gw-*.sh),
# sourced after lib.sh and e2e.sh.  Names start with ops_.

# ops_syslog_start: a syslog socket ($OPS_LOGSOCK) whose datagrams go,
# one per line, to $E2E_TMP/syslog.txt (a Python listener, ended by
# e2e_cleanup).
ops_syslog_start()
{
	OPS_LOGSOCK=$E2E_TMP/devlog.sock
	OPS_SYSLOG=$E2E_TMP/syslog.txt
	: >"$OPS_SYSLOG"
	"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
f = open(sys.argv[2], "ab", 0)
while True:
    f.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$OPS_LOGSOCK" "$OPS_SYSLOG" &
	echo $! >>"$E2E_TMP/pids"
	echo $! >>"$E2E_TMP/e2e.pids"
	e2e_wait 20 test -S "$OPS_LOGSOCK" || FAIL "syslog socket"
}

# ops_devns NS CMD...: CMD in network namespace NS and in a private
# mount namespace whose /dev holds null, zero, random, urandom, net/tun
# and a /dev/log that is our syslog socket (the host has no syslog
# daemon; nothing outside the namespace changes).
ops_devns()
{
	_ns=$1; shift
	ip netns exec "$_ns" unshare -m --propagation private sh -c '
	    set -e
	    d=$1; sock=$2; shift 2
	    mkdir -p "$d/olddev"
	    mount --bind /dev "$d/olddev"
	    mount -t tmpfs -o mode=755 none /dev
	    mkdir /dev/net
	    for n in null zero random urandom net/tun; do
		: >"/dev/$n"
		mount --bind "$d/olddev/$n" "/dev/$n"
	    done
	    : >/dev/log
	    mount --bind "$sock" /dev/log
	    umount -l "$d/olddev"
	    exec "$@"' ops-devns "$E2E_TMP" "$OPS_LOGSOCK" "$@"
}

# ops_pid FILE: the pid in a pid file (empty if none).
ops_pid() { head -n 1 "$1" 2>/dev/null | tr -cd 0-9; }

# ops_fd_targets PID: "fd -> target" of every open descriptor.
ops_fd_targets()
{
	for f in /proc/"$1"/fd/*; do
		echo "${f##*/} -> $(readlink "$f")"
	done
}

# ops_status_field PID NAME: a line of /proc/PID/status, value only.
ops_status_field()
{
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

# ops_gw_stat SOCK KEY: a counter of "show stats".
ops_gw_stat() { e2e_json "$1" "show stats" "j[\"$2\"]"; }

# ops_metrics_check URL OUT: scrape /metrics into OUT and parse it with a
# strict parser of the Prometheus text format 0.0.4 (HELP and TYPE once,
# before the samples of their metric, names and labels well formed,
# values numeric, no metric split in two, counters end in _total).
ops_metrics_check()
{
	curl -fsS --max-time 5 "$1" >"$2" || return 1
	"$PY" - "$2" <<'PYEOF'
import re, sys
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$"
                    % (NAME, LABEL, LABEL))
text = open(sys.argv[1]).read()
if not text.endswith("\n"):
    sys.exit("no final newline")
help_, type_, done, cur = {}, {}, set(), None
for n, line in enumerate(text.split("\n")[:-1], 1):
    m = re.match(r"^# (HELP|TYPE) (%s) (.*)$" % NAME, line)
    if m:
        kind, name, rest = m.groups()
        d = help_ if kind == "HELP" else type_
        if name in d or name in done:
            sys.exit("line %d: second %s for %s" % (n, kind, name))
        if kind == "TYPE" and rest not in ("counter", "gauge"):
            sys.exit("line %d: type %s" % (n, rest))
        d[name] = rest
        if cur != name:
            if cur is not None:
                done.add(cur)
            cur = name
        continue
    if line.startswith("#") or line == "":
        sys.exit("line %d: stray %r" % (n, line))
    m = SAMPLE.match(line)
    if not m:
        sys.exit("line %d: bad sample %r" % (n, line))
    name = m.group(1)
    if name != cur or name not in type_:
        sys.exit("line %d: %s outside its block" % (n, name))
    float(m.group(3))
    if type_[name] == "counter" and not name.endswith("_total"):
        sys.exit("line %d: counter %s without _total" % (n, name))
PYEOF
}

# ops_metric FILE NAME: the sum of the samples of NAME in a scrape.
ops_metric()
{
	awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF }
	    END { printf "%d\n", s }' "$1"
}

# ops_json_ge SOCK "REQUEST" PYEXPR MIN: the value is a number >= MIN.
ops_json_ge() { [ "$(e2e_json "$1" "$2" "$3")" -ge "$4" ] 2>/dev/null; }
