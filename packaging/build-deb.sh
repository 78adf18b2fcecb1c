#!/bin/bash
# Builds ledbox_<version>_arm64.deb with dpkg-deb: the app, its production node_modules and the
# Bun for arm64 that package-lock.json pins (npm ci checks it against the lock's integrity), the
# systemd units (ledbox, its update check, the ws281x root helper), the udev rules (the Pi 5's
# /dev/leds*, FTDI adapters' latency timer), the service user, the avahi service and /usr/bin/ledbox.
#
#   packaging/build-deb.sh [--out DIR]      (default: dist/)
#
# Needs npm and dpkg-deb; fetches nothing that npm ci would not (the npm cache serves it offline
# once filled). Runs on any architecture: it installs arm64's packages without running them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=$repo/dist
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--out DIR]" >&2; exit 2 ;;
  esac
done

version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
app=$root/usr/lib/ledbox/app

# The app: its source, the package files, and the production dependencies for linux/arm64.
mkdir -p "$app"
cp -r "$repo/src" "$app/"
install -D -m 0644 "$repo/scripts/build-ws281x.ts" "$app/scripts/build-ws281x.ts"
cp "$repo/package.json" "$repo/package-lock.json" "$app/"
(cd "$app" && npm ci --omit=dev --ignore-scripts --cpu=arm64 --os=linux --libc=glibc \
  --prefer-offline --no-audit --no-fund --loglevel=error >&2)

# Bun comes as bun's optional dependency for this platform; it moves out of node_modules, and what
# only development or other platforms use goes: the bun wrapper package, TypeScript (a peer of
# elysia, used for types only), serialport's prebuilt addons for other systems, and of
# rpi-ws281x-native all but rpi_ws281x's C sources (its Node addon does not load under Bun; the
# owner of a ws281x output builds the library from those sources with `ledbox build-ws281x`).
nm=$app/node_modules
mkdir -p "$root/usr/lib/ledbox/bin"
mv "$nm/@oven/bun-linux-aarch64/bin/bun" "$root/usr/lib/ledbox/bin/bun"
mkdir -p "$root/usr/share/doc/ledbox"
cp "$nm/@oven/bun-linux-aarch64/package.json" "$root/usr/share/doc/ledbox/bun-package.json"
rm -rf "$nm/@oven" "$nm/bun" "$nm/.bin" "$nm/typescript" "$nm/@typescript" "$nm/@types" "$nm/nan"
find "$nm/rpi-ws281x-native" -mindepth 1 -maxdepth 1 ! -name src ! -name LICENSE -exec rm -rf {} +
rm -f "$nm/rpi-ws281x-native/src/rpi-ws281x.cc"
find "$nm/@serialport/bindings-cpp/prebuilds" -mindepth 1 -maxdepth 1 ! -name linux-arm64 -exec rm -rf {} +
# A clean tree has no lockfile metadata of its own install to keep.
rm -f "$nm/.package-lock.json"

install -D -m 0755 "$here/ledbox" "$root/usr/bin/ledbox"
install -D -m 0644 "$repo/systemd/ledbox.service" "$root/usr/lib/systemd/system/ledbox.service"
install -D -m 0644 "$repo/systemd/ledbox-update-check.service" "$root/usr/lib/systemd/system/ledbox-update-check.service"
install -D -m 0644 "$repo/systemd/ledbox-ws281x.service" "$root/usr/lib/systemd/system/ledbox-ws281x.service"
install -D -m 0644 "$here/60-ledbox.rules" "$root/usr/lib/udev/rules.d/60-ledbox.rules"
install -D -m 0644 "$repo/firmware-bridge/99-ledbox-ftdi.rules" "$root/usr/lib/udev/rules.d/99-ledbox-ftdi.rules"
install -D -m 0644 "$here/sysusers.conf" "$root/usr/lib/sysusers.d/ledbox.conf"
install -D -m 0644 "$here/default" "$root/etc/default/ledbox"
mkdir -p "$root/etc/avahi/services"
sed "s/@VERSION@/$version/" "$here/avahi.service" > "$root/etc/avahi/services/ledbox.service"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/ledbox/README.md"
printf 'ledbox %s (MIT). Bun: MIT and others, see bun-package.json; node_modules: each package its own license.\n' "$version" \
  > "$root/usr/share/doc/ledbox/copyright"

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/debian/control" > "$root/DEBIAN/control"
cp "$here/debian/conffiles" "$root/DEBIAN/"
install -m 0755 "$here/debian/preinst" "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$root/DEBIAN/"
chmod -R u=rwX,go=rX "$root/usr/lib/ledbox/app"

mkdir -p "$out"
deb=$out/ledbox_${version}_arm64.deb
# zstd: apt and dpkg read it since Bookworm, and it packs in seconds where xz takes minutes.
# Files dated by the last commit, so the same tree builds the same package.
SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s) \
  dpkg-deb --root-owner-group -Zzstd -z6 --build "$root" "$deb" >/dev/null
echo "$deb"
