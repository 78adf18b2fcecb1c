#!/bin/bash -e
# pi-gen, on the build host: the package images/build.sh put in files/ goes into the image.
install -m 0644 files/ledbox.deb "${ROOTFS_DIR}/tmp/ledbox.deb"
