/* ledbox bridge protocol v1: a byte-at-a-time decoder (PROTOCOL.md). Portable C: the firmware
 * and the host tests compile the same file. */
#ifndef LB_DECODER_H
#define LB_DECODER_H
#include <stdint.h>

#define LB_VERSION 1

enum lb_event {
  LB_NONE = 0,
  LB_FRAME,     /* a frame: count LEDs, bytes_per_led bytes each, in buf */
  LB_CONFIG,    /* silence_ms set */
  LB_QUERY,     /* the host asks the bridge to announce itself */
  LB_CRC_ERROR, /* a complete message whose CRC did not match */
  LB_TOO_LONG   /* a header announcing more bytes than the buffer holds */
};

typedef struct {
  uint8_t *buf;
  uint16_t cap;
  uint8_t state;
  uint8_t hdr[6]; /* version, type, seq, count hi, count lo, flags */
  uint8_t hdr_n;
  uint16_t idx, len, crc, rx_crc;
  /* the last message's fields */
  uint8_t type, seq, bytes_per_led;
  uint16_t count, silence_ms;
} lb_decoder;

void lb_init(lb_decoder *d, uint8_t *buf, uint16_t cap);
/* Feeds one received byte; returns an lb_event when a message completes. */
uint8_t lb_feed(lb_decoder *d, uint8_t b);
/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), one byte at a time, no table. */
uint16_t lb_crc_step(uint16_t crc, uint8_t b);

#endif
