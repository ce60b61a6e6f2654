#!/bin/sh
# Generate the build system (configure, Makefile.in) from the sources.
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
