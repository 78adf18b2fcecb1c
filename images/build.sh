#!/bin/bash
# Builds the flashable ledbox image: pi-gen's arm64 branch (Raspberry Pi OS Lite, stages 0–2) with
# stage-ledbox on top, which installs the .deb that packaging/build-deb.sh makes. Writes
# <work>/deploy/<date>-ledbox-lite.img.xz and os_list_ledbox.json (a Raspberry Pi Imager manifest that
# declares cloud-init customisation, so Imager 2.x offers Wi-Fi, user and SSH settings for it).
#
#   sudo images/build.sh [--deb FILE] [--work DIR]
#
# Needs root, loop devices, binfmt_misc with qemu-user-static on a non-arm64 host, git, network
# (pi-gen and Raspberry Pi OS's packages), ~10 GB of disk and an hour or more. See images/README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=/var/tmp/ledbox-image
deb=""
# pi-gen's arm64 branch at the commit this stage was written against.
PI_GEN_REPO=https://github.com/RPi-Distro/pi-gen.git
PI_GEN_COMMIT=ca8aeed
while [[ $# -gt 0 ]]; do
  case $1 in
    --deb) deb=$(realpath "$2"); shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "usage: $0 [--deb FILE] [--work DIR]" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "images/build.sh: pi-gen needs root (loop devices, chroot)" >&2; exit 1; }

mkdir -p "$work"
[[ -n $deb ]] || deb=$(bash "$repo/packaging/build-deb.sh" --out "$work")
install -m 0644 "$deb" "$here/stage-ledbox/00-ledbox/files/ledbox.deb"

if [[ ! -d $work/pi-gen ]]; then
  git clone --branch arm64 "$PI_GEN_REPO" "$work/pi-gen"
fi
git -C "$work/pi-gen" fetch origin arm64
git -C "$work/pi-gen" checkout --detach "$PI_GEN_COMMIT"

# Only ledbox's stage becomes an image (stage2 would export plain Lite too).
touch "$work/pi-gen/stage2/SKIP_IMAGES"
{
  cat "$here/config"
  echo "STAGE_LIST=\"stage0 stage1 stage2 $here/stage-ledbox\""
  echo "WORK_DIR=$work/build"
  echo "DEPLOY_DIR=$work/deploy"
} > "$work/pi-gen/config"
(cd "$work/pi-gen" && ./build.sh -c config)

# What the image must hold: the package installed, the service enabled, the hostname.
rootfs=$work/build/stage-ledbox/rootfs
[[ -x $rootfs/usr/lib/ledbox/bin/bun && -L $rootfs/etc/systemd/system/multi-user.target.wants/ledbox.service ]] ||
  { echo "images/build.sh: ledbox is not installed and enabled in $rootfs" >&2; exit 1; }
[[ $(cat "$rootfs/etc/hostname") == ledbox ]] || { echo "images/build.sh: the hostname is not ledbox" >&2; exit 1; }

images=("$work"/deploy/*-ledbox-lite.img.xz)
img=${images[-1]}
# Raspberry Pi Imager 2.x customises a local image only through a manifest that names its format:
# Trixie images take cloud-init ("cloudinit-rpi").
python3 - "$img" > "$work/deploy/os_list_ledbox.json" <<'PY'
import hashlib, json, lzma, os, pathlib, sys
img = sys.argv[1]
def sha256(stream):
    h, n = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        h.update(chunk); n += len(chunk)
    return h.hexdigest(), n
with open(img, "rb") as f: download_sha, download_size = sha256(f)
with lzma.open(img) as f: extract_sha, extract_size = sha256(f)
json.dump({"os_list": [{
    "name": "ledbox", "description": "Raspberry Pi OS Lite (64-bit) with ledbox: open http://ledbox.local",
    "url": pathlib.Path(os.path.abspath(img)).as_uri(), "init_format": "cloudinit-rpi",
    "release_date": os.path.basename(img)[:10],
    "image_download_size": download_size, "image_download_sha256": download_sha,
    "extract_size": extract_size, "extract_sha256": extract_sha}]}, sys.stdout, indent=2)
PY
echo "images/build.sh: $img"
echo "images/build.sh: $work/deploy/os_list_ledbox.json (Imager: App Options → Content Repository → Use custom file)"
