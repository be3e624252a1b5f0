#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-install.sh: what a user installs is what the sources say.
#
#  1. mandoc -T lint over the man pages (any message fails)
#  2. coverage: every uapi socket option, ioctl and module parameter is in
#     bertha(7), every berthactl command in berthactl(8), every public
#     function of libbertha.h in libbertha(3)
#  3. make install DESTDIR=tmp (the module for the stock 6.1 kernel):
#     the exact file list, the module's vermagic, a program built with
#     pkg-config --cflags --libs bertha against the staged tree, and run
#  4. make uninstall DESTDIR=tmp leaves no file
#  5. dkms add/build of a copy of the module's sources (no git) against
#     the stock 6.1 headers, in throwaway dkms and source trees
#     (scripts/check-dkms.sh; make check-debug runs it for the 6.12 tree)
#  6. dpkg-buildpackage -us -uc -b on a clean copy of the checkout, the
#     packages' contents, and lintian (no errors)
#
# Run by `make check-install` and by `make check` before the guests. Exits
# non-zero on the first problem, saying what failed; the work directory
# build/check-install/ is kept on failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
work=$top/build/check-install
start=$SECONDS
checks=0

say() { echo "check-install: $*"; }
ok() { checks=$((checks + 1)); echo "ok $checks $* [$((SECONDS - start))s]"; }
dkms_pid=
fail() {
	echo "check-install: FAIL: $*" >&2
	if [ -n "$dkms_pid" ]; then
		kill "$dkms_pid" 2> /dev/null || true
		wait "$dkms_pid" 2> /dev/null || true
	fi
	echo "check-install: work directory kept: $work" >&2
	exit 1
}

version=$(sed -n 's/^VERSION := //p' Makefile)
stock_kver=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 2>/dev/null |
	     sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
[ -n "$version" ] || fail "no VERSION in the Makefile"
[ -n "$stock_kver" ] && [ -f "/lib/modules/$stock_kver/build/Makefile" ] ||
	fail "no stock kernel headers (linux-headers-amd64; run make deps)"
for tool in mandoc dkms dpkg-buildpackage lintian fakeroot pkg-config; do
	command -v $tool > /dev/null || fail "$tool missing (run make deps)"
done

rm -rf "$work"
mkdir -p "$work"
say "bertha $version, stock kernel $stock_kver, work directory $work"

# --- 1. mandoc -T lint -----------------------------------------------------
pages=(Documentation/bertha.7 Documentation/berthactl.8 Documentation/libbertha.3)
# Messages a page cannot avoid, as "page:regex" (none today).
lint_allowed=()
for page in "${pages[@]}"; do
	msgs=$(mandoc -T lint -W style "$page" 2>&1 || true)
	for allow in "${lint_allowed[@]}"; do
		[ "${allow%%:*}" = "$page" ] &&
			msgs=$(grep -Ev -- "${allow#*:}" <<< "$msgs" || true)
	done
	[ -z "$msgs" ] || fail "mandoc -T lint $page:"$'\n'"$msgs"
	ok "mandoc -T lint -W style $page"
done

# --- 2. coverage -----------------------------------------------------------
# A page's section as plain text: lines from the heading to the next one.
section() {
	mandoc -T utf8 "$1" | col -b | awk -v s="$2" '
		/^[A-Z][A-Z ]*$/ { on = ($0 == s); next }
		on'
}
# NAME must start a tag (a line indented 7 spaces) in section SEC of PAGE.
need_tag() {
	local page=$1 sec=$2 name=$3 what=$4 text

	# (grep -q on a pipe would fail the pipe under pipefail)
	text=$(section "$page" "$sec")
	grep -Eq "^ {7}$name([ (,]|$)" <<< "$text" ||
		fail "$what $name is not described in $page, section $sec"
}

sockopts=$(awk '/^enum bertha_sockopt \{/ { on = 1; next } on && /^\};/ { exit }
		on && match($0, /BERTHA_[A-Z_]+/) { print substr($0, RSTART, RLENGTH) }' \
		uapi/linux/bertha.h)
[ "$(wc -w <<< "$sockopts")" -ge 3 ] || fail "cannot read enum bertha_sockopt from uapi"
for o in $sockopts; do
	need_tag Documentation/bertha.7 "SOCKET OPTIONS" "$o" "socket option"
done
ok "bertha(7) SOCKET OPTIONS has every uapi option:" $sockopts

ioctls=$(grep -ho 'cmd [!=]= SIOC[A-Z]*' kmod/socket.c | awk '{ print $3 }' | sort -u)
[ -n "$ioctls" ] || fail "cannot read the ioctls of kmod/socket.c"
text=$(section Documentation/bertha.7 IOCTLS)
for i in $ioctls FIONREAD; do
	grep -qw "$i" <<< "$text" ||
		fail "ioctl $i is not described in bertha(7), section IOCTLS"
done
ok "bertha(7) IOCTLS has FIONREAD and every ioctl of kmod/socket.c:" $ioctls

params=$(grep -rhoE 'module_param(_named)?\([a-z_]+' kmod | sed 's/.*(//' | sort -u)
for p in $params; do
	need_tag Documentation/bertha.7 "MODULE PARAMETERS" "$p" "module parameter"
done
ok "bertha(7) MODULE PARAMETERS has every module parameter:" $params

for e in ECONNRESET EPIPE ENOTCONN EISCONN EMSGSIZE ETIMEDOUT ECONNREFUSED \
	 EPROTOTYPE EPROTONOSUPPORT; do
	need_tag Documentation/bertha.7 ERRORS "$e" "errno"
done
ok "bertha(7) ERRORS has the connection errnos"

make -s userspace > "$work/userspace.log" 2>&1 ||
	{ cat "$work/userspace.log"; fail "make userspace"; }
# The commands berthactl accepts: its own usage text ("  COMMAND ...") and
# the command table of berthactl.c, so neither can drift alone.
cmds=$( { build/bin/berthactl help | sed -nE 's/^  ([a-z][a-z-]*).*/\1/p'
	  sed -nE 's/^[[:space:]]*\{ "([a-z][a-z-]*)", cmd_.*/\1/p' userspace/berthactl.c
	} | sort -u)
[ "$(wc -w <<< "$cmds")" -ge 5 ] || fail "cannot read berthactl's commands"
synopsis=$(section Documentation/berthactl.8 SYNOPSIS | tr -s ' \n' ' ')
for c in $cmds; do
	grep -Eq "berthactl (\[-j\] )?$c( |$)" <<< "$synopsis" ||
		fail "berthactl command $c is not in berthactl(8), SYNOPSIS"
	need_tag Documentation/berthactl.8 COMMANDS "$c" "berthactl command"
done
ok "berthactl(8) SYNOPSIS and COMMANDS have every command:" $cmds

funcs=$(sed -nE 's/^[a-z].*[ *](bertha_[a-z_]+)\(.*/\1/p' userspace/libbertha.h | sort -u)
[ "$(wc -w <<< "$funcs")" -ge 10 ] || fail "cannot read libbertha.h's functions"
synopsis=$(section Documentation/libbertha.3 SYNOPSIS)
for f in $funcs; do
	grep -q "$f(" <<< "$synopsis" ||
		fail "libbertha function $f is not in libbertha(3), SYNOPSIS"
	need_tag Documentation/libbertha.3 DESCRIPTION "$f\(\)" "libbertha function"
done
ok "libbertha(3) SYNOPSIS and DESCRIPTION have every function of libbertha.h:" \
	"$(wc -w <<< "$funcs")"

# --- 2b. bash completion ------------------------------------------------
# complete WORDS...: what the completion offers for the last word
complete_words() {
	bash -c '. /usr/share/bash-completion/bash_completion
		. "$1"; shift
		COMP_WORDS=(berthactl "$@"); COMP_CWORD=$#
		COMP_LINE="berthactl $*"; COMP_POINT=${#COMP_LINE}
		_berthactl berthactl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		echo "${COMPREPLY[*]}"' _ dist/berthactl.bash-completion "$@"
}
offered=$(complete_words "" | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$offered" = "$(tr '\n' ' ' <<< "$cmds")" ] ||
	fail "completion of the command: '$offered', berthactl help: '$cmds'"
[ "$(complete_words impl "")" = "list add del disable enable help" ] ||
	fail "completion of impl: '$(complete_words impl "")'"
[ "$(complete_words -j -p policy set prefer-c)" = prefer-client ] ||
	fail "completion after options: '$(complete_words -j -p policy set prefer-c)'"
[ "$(complete_words impl add t n scope h)" = host ] ||
	fail "completion of a scope: '$(complete_words impl add t n scope h)'"
grep -qw lo <<< "$(complete_words offload add shard xdp dev l)" ||
	fail "completion of a device: '$(complete_words offload add shard xdp dev l)'"
ok "bash completion: the commands of berthactl help, their words, devices"

# --- 3. make install DESTDIR -----------------------------------------------
dest=$work/destdir
# The stock lane's bertha.ko is the same build (kernel tree, flags): share
# its objects with `make module`, so that `make check` builds it once.
make -s install DESTDIR="$dest" KVER="$stock_kver" KVER_OUT="$top/build/stock" \
	INSTALL_KDIR="/usr/src/linux-headers-$stock_kver" > "$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "make install DESTDIR=$dest KVER=$stock_kver"; }
cat > "$work/expected" <<EOF
/etc/bertha/daemon.conf
/etc/modules-load.d/bertha.conf
/lib/modules/$stock_kver/updates/bertha.ko
/lib/systemd/system/berthactl.service
/usr/include/bertha/libbertha.h
/usr/include/bertha/linux/bertha.h
/usr/lib/libbertha.a
/usr/lib/pkgconfig/bertha.pc
/usr/sbin/berthactl
/usr/share/bash-completion/completions/berthactl
/usr/share/bertha/bertha.yaml
/usr/share/man/man3/libbertha.3
/usr/share/man/man7/bertha.7
/usr/share/man/man8/berthactl.8
EOF
(cd "$dest" && find . -not -type d | sed 's/^\.//' | LC_ALL=C sort) > "$work/installed"
diff -u "$work/expected" "$work/installed" ||
	fail "make install put other files than expected (- expected, + installed)"
ok "make install DESTDIR KVER=$stock_kver: $(wc -l < "$work/installed") files, as expected"

vermagic=$(/sbin/modinfo -F vermagic "$dest/lib/modules/$stock_kver/updates/bertha.ko")
[ "${vermagic%% *}" = "$stock_kver" ] || fail "installed bertha.ko has vermagic $vermagic"
grep -Eq '^[^#]*[a-z]' "$dest/etc/modules-load.d/bertha.conf" &&
	fail "modules-load.d/bertha.conf loads bertha by default"
"$dest/usr/sbin/berthactl" help > /dev/null || fail "installed berthactl help"
ok "installed bertha.ko is for $stock_kver, modules-load entry is commented out, berthactl runs"

cat > "$work/prog.c" <<'EOF'
/* SPDX-License-Identifier: GPL-2.0 */
#include <stdio.h>
#include <string.h>
#include <libbertha.h>
#include <linux/bertha.h>

int main(void)
{
	struct sockaddr_bertha a;
	char blob[BERTHA_DAG_MAX_BYTES], text[BERTHA_ADDRSTRLEN], err[128];
	int n = bertha_dag_parse("select(identity, identity) |> reliable",
				 blob, sizeof(blob), err, sizeof(err));

	if (n <= 0 || bertha_addr_parse("[fd00::1]:7000", &a) ||
	    bertha_addr_format(&a, text, sizeof(text)) < 0)
		return 1;
	printf("%d %s\n", n > 0, text);
	return 0;
}
EOF
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig
pc_flags=$(pkg-config --cflags --libs bertha) || fail "pkg-config --cflags --libs bertha"
pc_version=$(pkg-config --modversion bertha)
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
[ "$pc_version" = "$version" ] || fail "bertha.pc says version $pc_version, not $version"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$work/prog" "$work/prog.c" $pc_flags ||
	fail "cc prog.c \$(pkg-config --cflags --libs bertha) against $dest"
[ "$("$work/prog")" = "1 [fd00::1]:7000" ] || fail "the program built against the installed tree"
ok "a program built with pkg-config --cflags --libs bertha ($pc_flags) runs"

# --- 4. make uninstall DESTDIR ---------------------------------------------
make -s uninstall DESTDIR="$dest" KVER="$stock_kver" > "$work/uninstall.log" 2>&1 ||
	{ cat "$work/uninstall.log"; fail "make uninstall DESTDIR=$dest"; }
left=$(cd "$dest" && find . -not -type d)
[ -z "$left" ] || fail "make uninstall left:"$'\n'"$left"
ok "make uninstall DESTDIR removes every file make install put"

# --- 5. dkms (in the background, while the packages build) ----------------
kept=$top/build/packages
rm -rf "$kept"
dkms_check() {
	BERTHA_DKMS_KEEP=$kept/modules "$top/scripts/check-dkms.sh" "/lib/modules/$stock_kver/build" "$stock_kver"
}
dkms_conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
[ "$dkms_conf_version" = "$version" ] || fail "dkms.conf PACKAGE_VERSION $dkms_conf_version, Makefile $version"
deb_version=$(dpkg-parsechangelog -S Version)
[ "$deb_version" = "$version" ] || fail "debian/changelog $deb_version, Makefile $version"
dkms_check > "$work/dkms.log" 2>&1 &
dkms_pid=$!

# --- 6. Debian packages ----------------------------------------------------
pkg=$work/pkg
mkdir -p "$pkg/src"
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	# a clean checkout: tracked files and new ones not ignored
	git ls-files -z -co --exclude-standard | tar -c --null -T - -f - | tar -x -C "$pkg/src"
else
	tar -c --exclude=./build -f - . | tar -x -C "$pkg/src"
fi
(cd "$pkg/src" && dpkg-buildpackage -us -uc -b) > "$pkg/build.log" 2>&1 ||
	{ tail -40 "$pkg/build.log"; fail "dpkg-buildpackage -us -uc -b (log: $pkg/build.log)"; }
debs=$(cd "$pkg" && ls ./*.deb | sed 's|^\./||' | grep -v dbgsym | tr '\n' ' ')
ok "dpkg-buildpackage -us -uc -b on a clean copy: $debs"

contents() { dpkg-deb -c "$pkg/$1"_"$version"_"$2".deb | awk '{ print $6 }'; }
ctl_files=$(contents berthactl amd64)
dev_files=$(contents libbertha-dev amd64)
dkms_files=$(contents bertha-dkms all)
for f in ./usr/sbin/berthactl ./lib/systemd/system/berthactl.service \
	 ./etc/modules-load.d/bertha.conf ./etc/bertha/daemon.conf \
	 ./usr/share/man/man8/berthactl.8.gz ./usr/share/man/man7/bertha.7.gz \
	 ./usr/share/bertha/bertha.yaml ./usr/share/bash-completion/completions/berthactl; do
	grep -qx -- "$f" <<< "$ctl_files" || fail "berthactl.deb lacks $f"
done
for f in ./usr/include/bertha/libbertha.h ./usr/include/bertha/linux/bertha.h \
	 ./usr/share/man/man3/libbertha.3.gz; do
	grep -qx -- "$f" <<< "$dev_files" || fail "libbertha-dev.deb lacks $f"
done
grep -Eq '^\./usr/lib/[^/]+/libbertha\.a$' <<< "$dev_files" ||
	fail "libbertha-dev.deb lacks the multiarch libbertha.a"
grep -Eq '^\./usr/lib/[^/]+/pkgconfig/bertha\.pc$' <<< "$dev_files" ||
	fail "libbertha-dev.deb lacks bertha.pc"
for f in dkms.conf Kbuild scripts/build-module.sh kmod/main.c uapi/linux/bertha.h; do
	grep -qx -- "./usr/src/bertha-$version/$f" <<< "$dkms_files" ||
		fail "bertha-dkms.deb lacks /usr/src/bertha-$version/$f"
done
ok "the packages hold the files of berthactl, libbertha-dev and bertha-dkms"

mkdir -p "$pkg/ctl"
dpkg-deb -e "$pkg/berthactl_${version}_amd64.deb" "$pkg/ctl"
# dh_installsystemd --no-enable --no-start: the unit is enabled again on
# upgrade only if the administrator had enabled it ("debian-installed").
grep -q "deb-systemd-helper debian-installed 'berthactl.service'" "$pkg/ctl/postinst" &&
	! grep -q 'deb-systemd-invoke' "$pkg/ctl/postinst" ||
	fail "berthactl's postinst enables or starts the service"
dpkg-deb -e "$pkg/bertha-dkms_${version}_all.deb" "$pkg/dkms-ctl"
grep -q 'dkms' "$pkg/dkms-ctl/postinst" || fail "bertha-dkms has no dkms postinst"
ok "berthactl.service is neither enabled nor started on install; bertha-dkms registers with dkms"

lintian --fail-on error --suppress-tags package-supports-alternative-init-but-no-init.d-script \
	"$pkg"/*.changes > "$pkg/lintian.log" 2>&1 ||
	{ cat "$pkg/lintian.log"; fail "lintian reports errors"; }
warnings=$(grep '^W:' "$pkg/lintian.log" || true)
ok "lintian: no errors, $(grep -c . <<< "$warnings" || true) warnings" \
	"$(tr '\n' ' ' <<< "$warnings")"

wait $dkms_pid || { cat "$work/dkms.log"; fail "dkms add/build against $stock_kver"; }
ok "dkms add/build bertha/$version from a copy of the sources for $stock_kver"

# --- 7. what the guest test of the installed packages needs ---------------
# (selftests/packages.sh): the packages, the bertha.ko dkms built (kept by
# check-dkms.sh) and the echo service built, unchanged, against nothing but
# libbertha-dev's contents
cp "$pkg"/*.deb "$kept/"
rm -f "$kept"/*dbgsym*
dpkg-deb -x "$pkg/libbertha-dev_${version}_amd64.deb" "$pkg/devroot"
pc_dir=$(dirname "$(cd "$pkg/devroot" && find . -name bertha.pc | head -1)")
export PKG_CONFIG_SYSROOT_DIR=$pkg/devroot PKG_CONFIG_PATH=$pkg/devroot/${pc_dir#./}
pc_flags=$(pkg-config --cflags --libs bertha) || fail "pkg-config bertha in libbertha-dev"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
# a copy, away from userspace/libbertha.h, which "libbertha.h" would find
mkdir -p "$pkg/demo"
cp userspace/bertha_demo.c "$pkg/demo/"
# shellcheck disable=SC2086
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$kept/bertha_demo" "$pkg/demo/bertha_demo.c" \
	$pc_flags || fail "bertha_demo.c against libbertha-dev's contents"
ok "kept for selftests/packages.sh in build/packages:" \
	"$(cd "$kept" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')"

rm -rf "$work"
say "$checks checks passed ($((SECONDS - start))s)"
