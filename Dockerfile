# amtrelayd and amtgwd in small Debian 12 images, built from this tree.
# One build stage compiles both daemons; a target per daemon picks one:
#
#   docker build --target relay -t amt-relay .
#   docker build --target gateway -t amt-gateway .
#   docker run --network host --cap-drop ALL --cap-add NET_RAW \
#       --cap-add SETUID --cap-add SETGID amt-relay -i eth0 -a 192.0.2.1
#   docker run --cap-drop ALL --cap-add NET_ADMIN --cap-add SETUID \
#       --cap-add SETGID --device /dev/net/tun amt-gateway -R 192.0.2.1
#
# (podman: the same commands; add --format docker to keep the
# HEALTHCHECK.)  Arguments after the image name are the daemon's options,
# or -f FILE for a mounted configuration file.  The daemon runs in the
# foreground, logs to stderr and switches to the user amt by itself (-u)
# once its sockets and tun are open.  See doc/docker.md.

ARG BASE=debian:12-slim

# Build dependencies only: this layer is reused until the list changes.
FROM ${BASE} AS build-deps
RUN apt-get update && apt-get install -y --no-install-recommends \
	gcc libc6-dev make autoconf automake libtool pkg-config \
	libevent-dev libsodium-dev libjansson-dev libc-ares-dev \
    && rm -rf /var/lib/apt/lists/*

FROM build-deps AS build
WORKDIR /src
COPY . .
RUN ./autogen.sh >/dev/null \
    && mkdir /obj && cd /obj \
    && /src/configure --prefix=/usr --sysconfdir=/etc \
	--localstatedir=/var --disable-dependency-tracking >/dev/null \
    && make -j"$(nproc)" relay/amtrelayd gateway/amtgwd tools/amtctl \
    && install -D -s -m 755 relay/amtrelayd /out/usr/sbin/amtrelayd \
    && install -D -s -m 755 gateway/amtgwd /out/usr/sbin/amtgwd \
    && install -D -s -m 755 tools/amtctl /out/usr/bin/amtctl

# What both daemons run with: the libraries and the user amt.
FROM ${BASE} AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends \
	libevent-2.1-7 libsodium23 libjansson4 libc-ares2 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin amt

# The relay needs CAP_NET_RAW (capture on the upstream interface) and
# CAP_SETUID/CAP_SETGID for -u; it keeps no capability after the switch.
FROM runtime AS relay
COPY --from=build /out/usr/sbin/amtrelayd /usr/sbin/amtrelayd
COPY --from=build /out/usr/bin/amtctl /usr/bin/amtctl
EXPOSE 2268/udp
HEALTHCHECK --interval=30s --timeout=5s \
	CMD ["/usr/bin/amtctl", "-S", "/run/amtrelayd.sock", "show", "stats"]
ENTRYPOINT ["/usr/sbin/amtrelayd", "-d", "-u", "amt"]

# The gateway needs CAP_NET_ADMIN and /dev/net/tun (it makes its tun)
# and CAP_SETUID/CAP_SETGID for -u; it keeps no capability after the
# switch unless told to (keep-net-admin).
FROM runtime AS gateway
COPY --from=build /out/usr/sbin/amtgwd /usr/sbin/amtgwd
COPY --from=build /out/usr/bin/amtctl /usr/bin/amtctl
HEALTHCHECK --interval=30s --timeout=5s \
	CMD ["/usr/bin/amtctl", "-S", "/run/amtgwd.sock", "show", "stats"]
ENTRYPOINT ["/usr/sbin/amtgwd", "-d", "-u", "amt"]
