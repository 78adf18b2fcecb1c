/* The bridge's message decoder: pulls a message byte by byte from lb_getc(), the CRC updated as
 * bytes arrive, so the frame can be shown as soon as its last byte is in. The payload loop is
 * the firmware's hot path (main.c has its cycle budget). */
#include "lb_decoder.h"

void lb_init(lb_decoder *d, uint8_t *buf, uint16_t cap) {
  d->buf = buf;
  d->cap = cap;
  d->silence_ms = 2000;
}

/* The next byte of a message under way, or -1 when none came for LB_GAP_TICKS ticks. */
static int16_t next(void) {
  uint8_t ticks = 0;
  int16_t c;
  while ((c = lb_getc()) == LB_GETC_TICK)
    if (++ticks == LB_GAP_TICKS) return -1;
  return c;
}

uint8_t lb_receive(lb_decoder *d) {
  int16_t c = lb_getc();
  if (c == LB_GETC_TICK) return LB_TICK;
  if (c != 'L') return LB_NONE;
  do c = next(); /* hunting for the magic: "LLB" is a magic after noise */
  while (c == 'L');
  if (c != 'B') return LB_NONE;

  uint8_t hdr[6]; /* version, type, seq, count hi, count lo, flags */
  uint16_t crc = 0xffff;
  for (uint8_t i = 0; i < sizeof hdr; i++) {
    if ((c = next()) < 0) return LB_NONE;
    hdr[i] = (uint8_t)c;
    crc = lb_crc_step(crc, hdr[i]);
  }
  if (hdr[0] != LB_VERSION) return LB_NONE;
  d->type = hdr[1];
  d->seq = hdr[2];
  d->count = (uint16_t)((hdr[3] << 8) | hdr[4]);
  d->bytes_per_led = (hdr[5] & 1) ? 4 : 3;
  uint32_t len;
  switch (d->type) {
    case 'F': len = (uint32_t)d->count * d->bytes_per_led; break;
    case 'C': len = 2; break;
    case 'Q': len = 0; break;
    default: return LB_NONE;
  }
  if (len > d->cap) return LB_TOO_LONG;

  for (uint8_t *p = d->buf, *end = p + len; p != end; p++) {
    if ((c = next()) < 0) return LB_CUT;
    *p = (uint8_t)c;
    crc = lb_crc_step(crc, (uint8_t)c);
  }
  uint16_t sent = 0;
  for (uint8_t i = 0; i < 2; i++) {
    if ((c = next()) < 0) return LB_CUT;
    sent = (uint16_t)((sent << 8) | c);
  }
  if (sent != crc) return LB_CRC_ERROR;
  switch (d->type) {
    case 'F': return LB_FRAME;
    case 'C':
      d->silence_ms = (uint16_t)((d->buf[0] << 8) | d->buf[1]);
      return LB_CONFIG;
    default: return LB_QUERY;
  }
}
