#!/bin/sh
# make install into a DESTDIR puts each file where it belongs with its
# mode, and nothing else: the programs, the units (system and user, with
# the installed paths filled in), the sysusers.d file, the example
# configuration and README under share/doc/aggd, and whichever man pages,
# completions and example hooks the tree has.  Nothing goes into /etc.
# make uninstall then leaves no file behind.

. "$(dirname "$0")/lib.sh"

D=$T/dest
make -s install DESTDIR="$D" BUILD="$BUILD" PREFIX=/usr/local \
    SYSTEMDDIR=/lib/systemd/system SYSTEMDUSERDIR=/usr/lib/systemd/user \
    SYSUSERSDIR=/usr/lib/sysusers.d >"$T/install.out" 2>&1 ||
    fail "make install: $(tail -n 5 "$T/install.out")"

# want PATH MODE: one line per file, sorted later.
: >"$T/want"
want() {
	echo "$1 $2" >>"$T/want"
}
want /usr/local/bin/aggd 755
want /usr/local/bin/aggctl 755
want /lib/systemd/system/aggd.service 644
want /lib/systemd/system/aggd.socket 644
want /usr/lib/systemd/user/aggd.service 644
want /usr/lib/systemd/user/aggd.socket 644
want /usr/lib/sysusers.d/aggd.conf 644
want /usr/local/share/doc/aggd/aggd.conf 644
want /usr/local/share/doc/aggd/README.md 644
for s in 1 5 8; do
	for m in man/*."$s"; do
		[ -f "$m" ] && want "/usr/local/share/man/man$s/${m##*/}" 644
	done
done
[ -f completion/aggctl.bash ] &&
    want /usr/local/share/bash-completion/completions/aggctl 644
[ -f completion/_aggctl ] &&
    want /usr/local/share/zsh/vendor-completions/_aggctl 644
for h in examples/hooks/*; do
	[ -f "$h" ] || continue
	if [ -x "$h" ]; then m=755; else m=644; fi
	want "/usr/local/share/doc/aggd/examples/hooks/${h##*/}" "$m"
done
sort -o "$T/want" "$T/want"
(cd "$D" && find . -type f -printf '/%P %m\n' | sort) >"$T/got"
diff -u "$T/want" "$T/got" >"$T/diff" ||
    fail "installed files differ from the expected list: $(cat "$T/diff")"
ok "every file installed with its mode, and nothing else ($(wc -l <"$T/got") files)"

# Contents: binaries and documents as they are; units filled in.
cmp -s "$BUILD/aggd" "$D/usr/local/bin/aggd" || fail "aggd differs"
cmp -s README.md "$D/usr/local/share/doc/aggd/README.md" || fail "README differs"
cmp -s config/aggd.conf "$D/usr/local/share/doc/aggd/aggd.conf" ||
    fail "the example configuration differs"
cmp -s systemd/aggd.sysusers "$D/usr/lib/sysusers.d/aggd.conf" ||
    fail "the sysusers.d file differs"
grep -l '@[A-Z]*@' "$D/lib/systemd/system/"* "$D/usr/lib/systemd/user/"* \
    >"$T/left" && fail "placeholders left in $(cat "$T/left")"
grep -qx 'ExecStart=/usr/local/bin/aggd -c /etc/aggd/aggd.conf' \
    "$D/lib/systemd/system/aggd.service" || fail "system ExecStart: $(grep ExecStart "$D/lib/systemd/system/aggd.service")"
grep -qx 'ExecStart=/usr/local/bin/aggd' \
    "$D/usr/lib/systemd/user/aggd.service" || fail "user ExecStart"
ok "contents as in the tree, units with the installed paths"

# uninstall: no file left, and our own directories gone.
make -s uninstall DESTDIR="$D" BUILD="$BUILD" PREFIX=/usr/local \
    SYSTEMDDIR=/lib/systemd/system SYSTEMDUSERDIR=/usr/lib/systemd/user \
    SYSUSERSDIR=/usr/lib/sysusers.d >"$T/uninstall.out" 2>&1 ||
    fail "make uninstall: $(tail -n 5 "$T/uninstall.out")"
left=$(cd "$D" && find . -type f)
assert_eq "$left" "" "make uninstall leaves no file"
[ ! -d "$D/usr/local/share/doc/aggd" ] || fail "share/doc/aggd is left"
ok "share/doc/aggd removed"

# The default unit directories come from pkg-config when systemd has one.
if pkg-config --exists systemd 2>/dev/null; then
	u=$(pkg-config --variable=systemdsystemunitdir systemd)
	make -s install DESTDIR="$T/dest2" BUILD="$BUILD" >/dev/null 2>&1 ||
	    fail "make install with default directories"
	[ -f "$T/dest2$u/aggd.service" ] ||
	    fail "aggd.service not in pkg-config's $u"
	ok "system units go to pkg-config's $u"
else
	echo "ok - # SKIP no pkg-config file for systemd"
fi
