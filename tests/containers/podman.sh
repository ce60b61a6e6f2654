# Podman for the container scenarios (sourced after tests/net/lib.sh;
# names start with ctr_).  Podman runs as root with a configuration of
# its own, never /etc's: CONTAINERS_CONF and CONTAINERS_STORAGE_CONF
# point at files written into the scenario's temp dir.
#
#   ctr_init          podman usable here (else SKIP with the reason), lock
#   ctr_base          the Debian 12 base image, from the cache or made now
#   ctr_build T TAG   an image of the Dockerfile's target T, from the tree
#   ctr_run NAME ...  podman run -d, the container removed at cleanup
#   ctr_cleanup       remove what this run made, keep the cached layers
#
# The image store lives in $AMT_CTR_CACHE (/var/cache/amt-test/containers
# by default), outside the source tree, so that the base image and the
# layers that install Debian packages survive between runs.  A flock on
# that directory serialises scenarios that share it.

CTR_CACHE=${AMT_CTR_CACHE:-/var/cache/amt-test/containers}
CTR_RUNDIR=/run/amt-test/containers
# Bump when the way the base image is made changes: stale caches are
# rebuilt (so are caches older than AMT_CTR_BASE_DAYS days).
CTR_BASE_RECIPE=1
CTR_BASE_DAYS=${AMT_CTR_BASE_DAYS:-30}
CTR_SUITE=bookworm
CTR_DOCKERFILE=$top_srcdir/Dockerfile
CTR_NAMES=
CTR_IMAGES=

ctr_log() { echo "# $(date +%T) $*"; }

# Every podman without the lock's descriptor: conmon, which outlives the
# podman that starts it, must not hold the lock.
podman() { command podman "$@" 8>&-; }

# ctr_hard_limit NAME: the hard limit of /proc/self/limits' row NAME.
ctr_hard_limit()
{
	awk -v n="$1" 'index($0, n) == 1 {
		sub(n, ""); print $2; exit }' /proc/self/limits
}

# Podman's default rlimits are above what root may set here: the hard
# limits of this shell (processes at most kernel.pid_max).
ctr_ulimits()
{
	nofile=$(ctr_hard_limit "Max open files")
	nproc=$(ctr_hard_limit "Max processes")
	pidmax=$(cat /proc/sys/kernel/pid_max)
	case $nproc in unlimited|'') nproc=$pidmax ;; esac
	[ "$nproc" -gt "$pidmax" ] && nproc=$pidmax
	echo "\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\""
}

# runc, not crun (crun fails on a cgroup v1 host with a hybrid cgroup2
# mount); cgroupfs and a file for events (no systemd needed).
ctr_conf()
{
	CONTAINERS_CONF=$LIB_TMP/containers.conf
	CONTAINERS_STORAGE_CONF=$LIB_TMP/storage.conf
	export CONTAINERS_CONF CONTAINERS_STORAGE_CONF
	cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = [ $(ctr_ulimits) ]
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$LIB_TMP/podman-events.log"
tmp_dir = "$CTR_RUNDIR/libpod"
[network]
network_backend = "netavark"
EOF
	cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$CTR_CACHE/storage"
runroot = "$CTR_RUNDIR/storage"
EOF
}

ctr_init()
{
	check_dep podman runc debootstrap flock apt-get
	mkdir -p "$CTR_CACHE" "$CTR_RUNDIR" || FAIL "mkdir $CTR_CACHE"
	ctr_conf
	LIB_DUMP_HOOK=ctr_save_logs
	exec 8>"$CTR_CACHE/lock"
	flock -w 1800 8 || FAIL "$CTR_CACHE/lock held for 30 minutes"
	podman info >"$LIB_TMP/podman-info.log" 2>&1 ||
		SKIP "podman cannot run here: $(grep -m1 -i error \
		    "$LIB_TMP/podman-info.log")"
	ctr_stale
	ctr_log "podman $(podman version -f '{{.Client.Version}}'), runtime" \
	    "$(podman info -f '{{.Host.OCIRuntime.Name}}'), store $CTR_CACHE"
}

# With the lock held, containers and test images of the store are left
# over from a run that was killed: remove them.
ctr_stale()
{
	for c in $(podman ps -a -q --filter name=^amt-test-); do
		podman rm -f "$c" >/dev/null 2>&1
	done
	for i in $(podman images -q --filter reference='localhost/amt-test/*'); do
		podman rmi -f "$i" >/dev/null 2>&1
	done
}

# The name FROM uses (the default of the Dockerfile's ARG BASE).
ctr_base_name()
{
	sed -n 's/^ARG BASE=//p' "$CTR_DOCKERFILE" | head -n 1
}

# The archive apt uses here for the suite (apt-get indextargets).
ctr_mirror()
{
	apt-get indextargets --format '$(REPO_URI) $(CODENAME)' \
	    'Identifier: Packages' 2>/dev/null |
	    awk -v s="$CTR_SUITE" '$2 == s { sub("/$", "", $1); print $1; exit }'
}

# ctr_image_get IMAGE FORMAT: a field of the image, empty if none.
ctr_image_get() { podman image inspect -f "$2" "$1" 2>/dev/null; }

# ctr_base: $CTR_BASE is the base image: the cached one when its key
# (recipe, suite, mirror, architecture, name) matches and it is younger
# than CTR_BASE_DAYS, else made now with debootstrap and podman import.
ctr_base()
{
	CTR_BASE=$(ctr_base_name)
	[ -n "$CTR_BASE" ] || FAIL "no ARG BASE= in $CTR_DOCKERFILE"
	mirror=$(ctr_mirror)
	[ -n "$mirror" ] || SKIP "apt has no $CTR_SUITE archive configured"
	key="recipe=$CTR_BASE_RECIPE suite=$CTR_SUITE mirror=$mirror"
	key="$key arch=$(dpkg --print-architecture) name=$CTR_BASE"
	have=$(ctr_image_get "$CTR_BASE" '{{index .Labels "amt.base.key"}}')
	made=$(ctr_image_get "$CTR_BASE" '{{.Created.Unix}}')
	age=$(( ($(date +%s) - ${made:-0}) / 86400 ))
	if [ "$have" = "$key" ] && [ "$age" -lt "$CTR_BASE_DAYS" ]; then
		ctr_log "base image $CTR_BASE: cached ($age days old)"
		return 0
	fi
	ctr_log "base image $CTR_BASE: making it (${have:+stale, }$key)"
	ctr_base_make "$mirror" "$key"
}

# ctr_base_make MIRROR KEY: debootstrap a minbase rootfs, trim it as the
# Debian "slim" images are trimmed, import and tag it.
ctr_base_make()
{
	root=$LIB_TMP/rootfs
	t0=$(date +%s)
	debootstrap --variant=minbase "$CTR_SUITE" "$root" "$1" \
	    >"$LIB_TMP/debootstrap.log" 2>&1 ||
		FAIL "debootstrap $CTR_SUITE $1: $(tail -n 3 \
		    "$LIB_TMP/debootstrap.log")"
	cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
	echo 'APT::Keep-Downloaded-Packages "false";' \
	    >"$root/etc/apt/apt.conf.d/slim"
	find "$root/usr/share/doc" -mindepth 1 ! -name copyright \
	    ! -type d -delete
	rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* \
	    "$root"/usr/share/locale/* "$root"/var/lib/apt/lists/* \
	    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
	tar -C "$root" -c . | podman import --change "LABEL amt.base.key=$2" \
	    - localhost/debian:12 >"$LIB_TMP/import.log" 2>&1 ||
		FAIL "podman import: $(tail -n 3 "$LIB_TMP/import.log")"
	podman tag localhost/debian:12 "$CTR_BASE" || FAIL "podman tag"
	rm -rf "$root"
	ctr_log "base image made in $(( $(date +%s) - t0 )) s"
}

# ctr_build TARGET TAG: podman build of one target of the Dockerfile,
# from the working tree (.dockerignore keeps build directories out).
# --format docker keeps HEALTHCHECK (the OCI format has none).
ctr_build()
{
	t0=$(date +%s)
	podman build --pull=never --network=host --format docker \
	    --target "$1" -t "$2" -f "$CTR_DOCKERFILE" "$top_srcdir" \
	    >"$LIB_TMP/build-$1.log" 2>&1 ||
		FAIL "podman build --target $1: $(tail -n 15 \
		    "$LIB_TMP/build-$1.log")"
	ctr_log "built $2 (target $1) in $(( $(date +%s) - t0 )) s"
}

# ctr_test_image TARGET: built from the tree now, removed at cleanup.
ctr_test_image()
{
	CTR_IMAGE=localhost/amt-test/$1:$$
	CTR_IMAGES="$CTR_IMAGES $CTR_IMAGE"
	ctr_build "$1" "$CTR_IMAGE"
}

# ctr_size_mb IMAGE: its size in MB (10^6 bytes).
ctr_size_mb()
{
	echo $(( $(ctr_image_get "$1" '{{.Size}}') / 1000000 ))
}

# ctr_run NAME ARGS...: podman run -d --name NAME ARGS; podman's own
# output in $LIB_TMP/run-NAME.log.
ctr_run()
{
	_n=$1; shift
	CTR_NAMES="$CTR_NAMES $_n"
	podman run -d --name "$_n" "$@" >"$LIB_TMP/run-$_n.log" 2>&1 ||
		FAIL "podman run $_n: $(tail -n 5 "$LIB_TMP/run-$_n.log")"
}

# ctr_pid NAME: the host pid of the container's first process.
ctr_pid() { podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null; }
ctr_running() { [ "$(podman inspect -f '{{.State.Running}}' "$1")" = true ]; }

# ctr_logs NAME: keep what the container wrote (its stderr) in the
# temp dir, where lib's FAIL shows it.
ctr_logs() { podman logs "$1" >"$LIB_TMP/$1.log" 2>&1; }
ctr_log_has() { ctr_logs "$1"; grep -q "$2" "$LIB_TMP/$1.log"; }
ctr_save_logs() { for n in $CTR_NAMES; do ctr_logs "$n"; done; }

# Remove our containers and images, then every layer no tag holds (this
# run's tree layers, layers of a replaced base); the base image and the
# tagged package layers stay for the next run.
ctr_cleanup()
{
	ctr_save_logs
	for n in $CTR_NAMES; do
		podman rm -f -t 5 "$n" >/dev/null 2>&1
	done
	for i in $CTR_IMAGES; do
		podman rmi -f "$i" >/dev/null 2>&1
	done
	podman image prune -f >/dev/null 2>&1
	CTR_NAMES= CTR_IMAGES=
}
