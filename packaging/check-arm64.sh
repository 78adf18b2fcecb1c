#!/bin/bash
# The package on arm64 Debian, without a Pi: an arm64 root file system (debootstrap, once per
# suite, then kept as a tarball), the .deb installed into it offline, and there, under qemu-user:
#   - the service user and its groups, the units enabled;
#   - systemd-analyze verify and systemd-analyze security --offline=yes on the shipped units,
#     udevadm verify on the shipped rules (udev 254 and later have it: Trixie, not Bookworm);
#   - the packaged Bun started as a Cortex-A53 (Pi 3, Zero 2 W; ARMv8.0 without LSE atomics):
#     `bun --version`, then ledbox itself through `ledbox run`, answering HTTP and sending READY=1
#     over its notify socket, and blacking out on SIGTERM; ledbox reset-password and setup-pi;
#   - an upgrade over itself keeping the previous tree, `ledbox rollback` to it, remove and purge.
#
#   sudo packaging/check-arm64.sh [--deb FILE] [--suite trixie|bookworm] [--cache DIR] [--bun VERSION]
#
# --bun VERSION also runs that Bun release (npm pack @oven/bun-linux-aarch64@VERSION) as a
# Cortex-A53, to vet a Bun upgrade before the lock moves to it.
# Needs root, debootstrap, qemu-user-static with binfmt_misc, python3, curl, and the Debian
# mirror this machine's apt uses for the first debootstrap of a suite; nothing after that.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
suite=trixie
cache=/var/tmp/ledbox-check
deb=""
extra_bun=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --deb) deb=$(realpath "$2"); shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --bun) extra_bun=$2; shift 2 ;;
    *) echo "usage: $0 [--deb FILE] [--suite trixie|bookworm] [--cache DIR] [--bun VERSION]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
fail() { echo "check-arm64: FAILED: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || fail "needs root (chroot, mounts)"
for c in debootstrap qemu-aarch64-static python3 curl; do command -v "$c" >/dev/null || fail "$c not found (apt-get install debootstrap qemu-user-static python3 curl)"; done
[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || fail "no binfmt_misc entry for qemu-aarch64 (apt-get install qemu-user-static binfmt-support; update-binfmts --enable qemu-aarch64)"

mkdir -p "$cache"
if [[ -z $deb ]]; then
  step "building the package"
  deb=$(bash "$here/build-deb.sh" --out "$cache")
fi

# The Debian mirror this machine's apt already uses, so no address is written here.
mirror() {
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    awk '$1 == "URIs:" || $1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break } }' |
    grep -v security | head -n 1 || true
}

tarball=$cache/rootfs-$suite-arm64.tar
if [[ ! -f $tarball ]]; then
  step "debootstrap $suite arm64 (once; kept as $tarball)"
  src=$(mirror)
  [[ -n $src ]] || fail "no Debian mirror found in /etc/apt"
  rm -rf "$cache/bootstrap-$suite"
  debootstrap --arch=arm64 --variant=minbase --include=systemd,udev,dbus "$suite" "$cache/bootstrap-$suite" "$src"
  tar -C "$cache/bootstrap-$suite" -cf "$tarball" .
  rm -rf "$cache/bootstrap-$suite"
fi

root=$(mktemp -d "$cache/root.XXXXXX")
receiver=""
cleanup() {
  [[ -n $receiver ]] && kill "$receiver" 2>/dev/null
  umount -l "$root/proc" "$root/dev" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
in_root() { chroot "$root" "$@"; }
a53() { chroot "$root" env QEMU_CPU=cortex-a53 "$@"; }

step "install $(basename "$deb") (offline)"
cp "$deb" "$root/tmp/ledbox.deb"
in_root dpkg -i /tmp/ledbox.deb
in_root getent passwd ledbox
groups=$(in_root id -nG ledbox)
for g in spi gpio dialout; do [[ " $groups " == *" $g "* ]] || fail "ledbox is not in $g ($groups)"; done
echo "ledbox's groups: $groups"
[[ $(in_root systemctl is-enabled ledbox.service) == enabled ]] || fail "ledbox.service is not enabled"

step "systemd-analyze verify"
in_root systemd-analyze verify /usr/lib/systemd/system/ledbox.service /usr/lib/systemd/system/ledbox-update-check.service /usr/lib/systemd/system/ledbox-ws281x.service
echo ok
step "systemd-analyze security --offline=yes"
security=$(in_root systemd-analyze security --offline=yes /usr/lib/systemd/system/ledbox.service 2>&1 || true)
echo "$security" | grep '✗'
exposure=$(echo "$security" | sed -n 's/.*Overall exposure level for ledbox.service: \([0-9.]*\).*/\1/p')
[[ -n $exposure ]] || fail "no exposure level in: $security"
echo "exposure: $exposure"

step "udevadm verify"
if in_root udevadm verify --help >/dev/null 2>&1; then
  in_root udevadm verify --resolve-names=never /usr/lib/udev/rules.d/60-ledbox.rules /usr/lib/udev/rules.d/99-ledbox-ftdi.rules
  udev_result="passes"
else
  udev_result="not run: this suite's udev has no verify (it came in systemd 254)"
fi
echo "udevadm verify: $udev_result"

step "Bun as a Cortex-A53"
bun_version=$(a53 /usr/lib/ledbox/bin/bun --version) || fail "the packaged Bun does not run on a Cortex-A53"
echo "bun $bun_version runs as a Cortex-A53"
if [[ -n $extra_bun ]]; then
  (cd "$cache" && npm pack "@oven/bun-linux-aarch64@$extra_bun" >/dev/null)
  mkdir -p "$root/tmp/bun-$extra_bun"
  tar -xzf "$cache/oven-bun-linux-aarch64-$extra_bun.tgz" -C "$root/tmp/bun-$extra_bun"
  if a53 "/tmp/bun-$extra_bun/package/bin/bun" --version; then extra_result="runs"; else extra_result="FAILS (exit $?)"; fi
  echo "bun $extra_bun as a Cortex-A53: $extra_result"
fi

step "ledbox run as a Cortex-A53, as the service user, with a notify socket"
port=18080
notify=/run/notify-check
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(s.recv(4096).decode().replace("\n", " | "), flush=True)
' "$root$notify" > "$cache/notify.log" &
receiver=$!
until grep -q bound "$cache/notify.log"; do sleep 0.2; done
chmod 666 "$root$notify"
in_root install -d -o ledbox -g ledbox -m 0750 /var/lib/ledbox
started=$SECONDS
chroot "$root" setpriv --reuid=ledbox --regid=ledbox --init-groups \
  env QEMU_CPU=cortex-a53 HOME=/var/lib/ledbox NOTIFY_SOCKET=$notify LEDBOX_PORT=$port LEDBOX_HOST=127.0.0.1 \
  /usr/bin/ledbox run > "$cache/ledbox.log" 2>&1 &
ledbox=$!
until curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null; do
  kill -0 "$ledbox" 2>/dev/null || { cat "$cache/ledbox.log"; fail "ledbox exited under qemu"; }
  ((SECONDS - started < 600)) || fail "ledbox did not answer within 10 minutes under qemu"
  sleep 1
done
startup=$((SECONDS - started))
until grep -q 'READY=1' "$cache/notify.log"; do sleep 0.2; done
grep -m1 'READY=1' "$cache/notify.log"
grep -q 'first-run setup code' "$cache/ledbox.log" || fail "no setup code in the log"
kill -TERM "$ledbox"
wait "$ledbox" || fail "ledbox did not exit cleanly on SIGTERM"
grep -q 'blacking out and stopping' "$cache/ledbox.log" || fail "no black-out on SIGTERM"
grep -q 'STOPPING=1' "$cache/notify.log" || fail "no STOPPING=1"
echo "ledbox answered HTTP ${startup} s after start under emulation, sent READY=1 and STOPPING=1"

step "ledbox reset-password and setup-pi (a fake /boot/firmware, a Zero 2 W)"
a53 ledbox reset-password
mkdir -p "$root/tmp/boot"
printf 'dtparam=audio=on\n[all]\n' > "$root/tmp/boot/config.txt"
printf 'console=tty1 root=PARTUUID=0-02 rootwait\n' > "$root/tmp/boot/cmdline.txt"
printf 'Raspberry Pi Zero 2 W Rev 1.0\0' > "$root/tmp/boot/model"
a53 env LEDBOX_BOOT=/tmp/boot ledbox setup-pi --model /tmp/boot/model
grep -q '^core_freq=250$' "$root/tmp/boot/config.txt" || fail "setup-pi did not set the Zero 2 W's core clock"
a53 env LEDBOX_BOOT=/tmp/boot ledbox setup-pi --undo
[[ $(cat "$root/tmp/boot/config.txt") == $'dtparam=audio=on\n[all]' ]] || fail "setup-pi --undo did not restore config.txt"

step "upgrade over itself, then rollback"
in_root dpkg -i /tmp/ledbox.deb
[[ -x $root/var/lib/ledbox-update/previous/bin/bun ]] || fail "the previous tree was not kept"
[[ -f $root/var/lib/ledbox-update/pending ]] || fail "no update check armed"
a53 ledbox rollback "check-arm64"
[[ -e $root/var/lib/ledbox-update/rolled-back ]] || fail "no rolled-back marker"
status=$(in_root ledbox status)
echo "$status"
[[ $status == *"(/var/lib/ledbox-update/previous)"* ]] || fail "ledbox does not run the kept tree after a rollback"

step "remove keeps the data; purge takes everything"
in_root dpkg -r ledbox
[[ -d $root/var/lib/ledbox && ! -e $root/usr/lib/ledbox ]] || fail "remove: data gone or files left"
in_root dpkg -P ledbox
[[ ! -e $root/var/lib/ledbox ]] || fail "purge left /var/lib/ledbox"
! in_root getent passwd ledbox >/dev/null || fail "purge left the ledbox user"
left=$(in_root find / -xdev -name '*ledbox*' ! -path '/tmp/*' ! -path '/proc/*' 2>/dev/null || true)
[[ -z $left ]] || fail "purge left: $left"

step "summary ($suite arm64)"
echo "systemd-analyze security exposure: $exposure"
echo "udevadm verify: $udev_result"
echo "Bun $bun_version as a Cortex-A53: runs; ledbox answered HTTP after ${startup} s (qemu-user emulation)"
[[ -n $extra_bun ]] && echo "Bun $extra_bun as a Cortex-A53: $extra_result"
echo "check-arm64: all passed"
