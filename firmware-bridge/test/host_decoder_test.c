/* Runs the firmware's decoder (compiled for the host) over the shared vectors in vectors.txt,
 * which ledbox's TypeScript encoder produced. Prints one line per failure; exit 1 if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/lb_decoder.h"

#define CAP 1536

static size_t unhex(const char *s, uint8_t *out) {
  if (strcmp(s, "-") == 0) return 0;
  size_t n = strlen(s) / 2;
  for (size_t i = 0; i < n; i++) sscanf(s + 2 * i, "%2hhx", &out[i]);
  return n;
}

static const char EVENTS[] = "-FCQELX"; /* by enum lb_event; X: a message cut short */

/* The byte source: the vector's stream, then only ticks (the host went quiet). */
static const uint8_t *src;
static size_t src_n, src_i;
int16_t lb_getc(void) { return src_i < src_n ? src[src_i++] : LB_GETC_TICK; }

int main(int argc, char **argv) {
  FILE *f = fopen(argc > 1 ? argv[1] : "vectors.txt", "r");
  if (!f) { perror("vectors"); return 2; }
  static char line[20000], name[64], ev[4], phex[8000], shex[8000];
  static uint8_t payload[4000], stream[4000], buf[CAP];
  int failures = 0, total = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned seq, count, flags;
    if (sscanf(line, "%63s %3s %u %u %u %7999s %7999s", name, ev, &seq, &count, &flags, phex, shex) != 7) continue;
    total++;
    size_t plen = unhex(phex, payload), slen = unhex(shex, stream);
    if (ev[0] == 'K') { /* the CRC check value */
      uint16_t crc = 0xffff;
      for (size_t i = 0; i < plen; i++) crc = lb_crc_step(crc, payload[i]);
      if (crc != ((stream[0] << 8) | stream[1])) { printf("FAIL %s: crc %04x\n", name, crc); failures++; }
      continue;
    }
    lb_decoder d;
    lb_init(&d, buf, CAP);
    src = stream;
    src_n = slen;
    src_i = 0;
    uint8_t last = LB_NONE, e;
    while ((e = lb_receive(&d)) != LB_TICK)
      if (e != LB_NONE) last = e;
    char got = EVENTS[last];
    if (got != ev[0]) { printf("FAIL %s: event %c, expected %c\n", name, got, ev[0]); failures++; continue; }
    if (d.seq != seq || d.count != count) { printf("FAIL %s: seq %u count %u\n", name, d.seq, d.count); failures++; continue; }
    if (got == 'F' && (d.bytes_per_led != ((flags & 1) ? 4 : 3) || memcmp(buf, payload, plen) != 0)) { printf("FAIL %s: payload\n", name); failures++; continue; }
    if (got == 'C' && d.silence_ms != ((payload[0] << 8) | payload[1])) { printf("FAIL %s: silence %u\n", name, d.silence_ms); failures++; continue; }
  }
  fclose(f);
  printf("%d vectors, %d failed\n", total, failures);
  return failures ? 1 : 0;
}
