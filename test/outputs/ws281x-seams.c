// Two seams for testing rpi_ws281x off a Pi, linked into a test build of the library with
// -Wl,--wrap=fopen,--wrap=mbox_open (only calls between the library's own objects are
// redirected; everything else is the code the Pi runs):
//  - fopen of /proc/... opens <root>/proc/... once a test has set a root, so rpi_hw_detect
//    reads the revision code the test wrote (/proc/cpuinfo's text on 32-bit, the device tree's
//    big-endian cell on 64-bit);
//  - mbox_open, the first hardware step of ws2811_init after it has checked the board and the
//    pins, fails: a test reaches that check and never touches the mailbox, DMA or GPIO, even
//    when it runs on a Pi.
#include <stdio.h>
#include <string.h>

FILE *__real_fopen(const char *path, const char *mode);

static char root[4096];

void ledbox_fake_root(const char *dir)
{
    snprintf(root, sizeof root, "%s", dir);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
    char moved[8192];

    if (root[0] && strncmp(path, "/proc/", 6) == 0)
    {
        snprintf(moved, sizeof moved, "%s%s", root, path);
        return __real_fopen(moved, mode);
    }
    return __real_fopen(path, mode);
}

int __wrap_mbox_open(void)
{
    return -1;
}
