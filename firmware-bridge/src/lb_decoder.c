/* The bridge's message decoder. Kept cheap per byte: at 2 Mbaud a byte arrives every 80
 * cycles of a 16 MHz AVR, so the CRC is updated as bytes arrive (no table, ~20 cycles). */
#include "lb_decoder.h"

enum { S_MAGIC0, S_MAGIC1, S_HEADER, S_PAYLOAD, S_CRC_HI, S_CRC_LO };

uint16_t lb_crc_step(uint16_t crc, uint8_t b) {
  crc = (uint16_t)((crc >> 8) | (crc << 8));
  crc ^= b;
  crc ^= (crc & 0xff) >> 4;
  crc ^= (uint16_t)(crc << 12);
  crc ^= (uint16_t)((crc & 0xff) << 5);
  return crc;
}

void lb_init(lb_decoder *d, uint8_t *buf, uint16_t cap) {
  d->buf = buf;
  d->cap = cap;
  d->state = S_MAGIC0;
  d->silence_ms = 2000;
}

/* After the 6 header bytes: how many payload bytes follow, or -1 for a header that is no message. */
static int32_t payload_len(lb_decoder *d) {
  if (d->hdr[0] != LB_VERSION) return -1;
  d->type = d->hdr[1];
  d->seq = d->hdr[2];
  d->count = (uint16_t)((d->hdr[3] << 8) | d->hdr[4]);
  d->bytes_per_led = (d->hdr[5] & 1) ? 4 : 3;
  switch (d->type) {
    case 'F': return (int32_t)d->count * d->bytes_per_led;
    case 'C': return 2;
    case 'Q': return 0;
    default: return -1;
  }
}

uint8_t lb_feed(lb_decoder *d, uint8_t b) {
  switch (d->state) {
    case S_MAGIC0:
      if (b == 'L') d->state = S_MAGIC1;
      return LB_NONE;
    case S_MAGIC1:
      d->state = b == 'B' ? S_HEADER : (b == 'L' ? S_MAGIC1 : S_MAGIC0);
      d->hdr_n = 0;
      d->crc = 0xffff;
      return LB_NONE;
    case S_HEADER: {
      d->hdr[d->hdr_n++] = b;
      d->crc = lb_crc_step(d->crc, b);
      if (d->hdr_n < 6) return LB_NONE;
      int32_t len = payload_len(d);
      if (len < 0) {
        d->state = S_MAGIC0;
        return LB_NONE;
      }
      if (len > d->cap) {
        d->state = S_MAGIC0;
        return LB_TOO_LONG;
      }
      d->len = (uint16_t)len;
      d->idx = 0;
      d->state = len ? S_PAYLOAD : S_CRC_HI;
      return LB_NONE;
    }
    case S_PAYLOAD:
      d->buf[d->idx++] = b;
      d->crc = lb_crc_step(d->crc, b);
      if (d->idx == d->len) d->state = S_CRC_HI;
      return LB_NONE;
    case S_CRC_HI:
      d->rx_crc = (uint16_t)(b << 8);
      d->state = S_CRC_LO;
      return LB_NONE;
    default: /* S_CRC_LO */
      d->state = S_MAGIC0;
      if ((d->rx_crc | b) != d->crc) return LB_CRC_ERROR;
      if (d->type == 'F') return LB_FRAME;
      if (d->type == 'C') {
        d->silence_ms = (uint16_t)((d->buf[0] << 8) | d->buf[1]);
        return LB_CONFIG;
      }
      return LB_QUERY;
  }
}
