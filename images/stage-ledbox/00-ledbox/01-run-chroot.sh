#!/bin/bash -e
# pi-gen, inside the image: the same package `apt install ./ledbox_*.deb` installs on a running
# Pi OS. Its postinst creates the ledbox user and enables ledbox.service (nothing is started in
# a chroot); avahi-daemon (in Pi OS Lite) publishes the page as ledbox.local from the first boot.
apt-get install -y --no-install-recommends /tmp/ledbox.deb avahi-daemon
rm -f /tmp/ledbox.deb
systemctl is-enabled ledbox.service
# Boot configuration stays the owner's choice: `sudo ledbox setup-pi` (the page says when an output needs it).
