/* ledbox bridge protocol v1: the message decoder (PROTOCOL.md). Portable C: the firmware and the
 * host tests compile the same file, each with its own byte source, lb_getc(). */
#ifndef LB_DECODER_H
#define LB_DECODER_H
#include <stdint.h>

#define LB_VERSION 1
/* A message whose next byte is this many 1 ms ticks late is cut short: bytes were lost, or the
 * host stopped mid-message. */
#define LB_GAP_TICKS 20

enum lb_event {
  LB_NONE = 0,  /* bytes that began no message (noise, a header that is no message) */
  LB_FRAME,     /* a frame: count LEDs, bytes_per_led bytes each, in buf */
  LB_CONFIG,    /* silence_ms set */
  LB_QUERY,     /* the host asks the bridge to announce itself */
  LB_CRC_ERROR, /* a complete message whose CRC did not match */
  LB_TOO_LONG,  /* a header announcing more bytes than the buffer holds */
  LB_CUT,       /* a message whose bytes stopped after its header */
  LB_TICK       /* a 1 ms tick passed with no message under way */
};

typedef struct {
  uint8_t *buf;
  uint16_t cap;
  /* the last message's fields */
  uint8_t type, seq, bytes_per_led;
  uint16_t count, silence_ms;
} lb_decoder;

/* The byte source, provided by the program: the next received byte (0–255), or LB_GETC_TICK
 * when the 1 ms tick comes first. The decoder calls it for every byte: keep it cheap. */
#define LB_GETC_TICK (-1)
int16_t lb_getc(void);

void lb_init(lb_decoder *d, uint8_t *buf, uint16_t cap);
/* Reads bytes until a message is complete or fails, a byte begins no message, or a tick passes
 * while no message is under way; returns what happened (enum lb_event). */
uint8_t lb_receive(lb_decoder *d);

#ifdef __AVR__
#include <util/crc16.h>
#endif

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection), one byte at a time, no table. */
static inline uint16_t lb_crc_step(uint16_t crc, uint8_t b) {
#ifdef __AVR__
  return _crc_xmodem_update(crc, b); /* the same step (XMODEM differs only in its init) in 24 hand-scheduled cycles */
#else
  crc = (uint16_t)((crc >> 8) | (crc << 8));
  crc ^= b;
  crc ^= (crc & 0xff) >> 4;
  crc ^= (uint16_t)(crc << 12);
  crc ^= (uint16_t)((crc & 0xff) << 5);
  return crc;
#endif
}

#endif
