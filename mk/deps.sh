#!/bin/sh
# Check the build's dependencies; install the missing Debian packages when
# run as root, otherwise name the exact command to run and fail.
#
# usage: deps.sh [--check-only] ITEM...   where ITEM is pkgconfig-module=deb-package
#        or cmd:program=deb-package
set -u
missing=
for spec in "$@"; do
	what=${spec%%=*}
	deb=${spec#*=}
	case $what in
	cmd:*)	command -v "${what#cmd:}" >/dev/null 2>&1 || missing="$missing $deb" ;;
	*)	pkg-config --exists "$what" 2>/dev/null || missing="$missing $deb" ;;
	esac
done
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config $missing"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing missing packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends $missing >&2 ||
	    { apt-get update >&2 && apt-get install -y --no-install-recommends $missing >&2; } ||
	    { echo "apt-get install$missing failed" >&2; exit 1; }
	exit 0
fi
echo "missing build dependencies; run: sudo apt-get install$missing" >&2
exit 1
