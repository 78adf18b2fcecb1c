/* ledbox serial bridge for an ATmega328P at 16 MHz (Arduino Nano / Uno): receives frames over
 * the UART (PROTOCOL.md) and drives WS2812/SK6812 on PD6 (Arduino pin D6).
 *
 * Cycle budget. At 2 Mbaud a byte arrives every 80 cycles, and the UART holds only two unread
 * bytes (plus the one in its shift register): a receive path slower than the line overruns
 * within a few bytes and drops the rest. So the hot path, the payload loop in lb_receive(), is
 * one straight loop with lb_getc() below inlined into it (-flto), per byte:
 *    6  poll RXC0, read UDR0        (lds, sbrs, lds)
 *    2  store into the frame buffer (st Z+)
 *   25  CRC-16 step                 (avr-libc's _crc_xmodem_update; the CRC is checked as the
 *                                    last byte arrives, so the frame shows at once)
 *    8  loop, gap counter
 *   41  cycles, about half the line's 80: the rest is margin. The harness measures it with the
 *       wait for each byte excluded (RX ... cpb=44, the poll that finds the byte included).
 * Once per message the header's checks (~60 cycles) run ahead of the bytes behind them, which
 * the two-byte buffer absorbs. Waiting for a byte, the loop also watches a 1 ms timer flag.
 *
 * No interrupts: showing a frame needs exact timing, so nothing may interrupt it, and the UART is
 * not read meanwhile (bytes arriving then are lost) — which is why the host waits for 'K', sent
 * once the strip has latched, before its next message. */
#include <avr/io.h>
#include <string.h>
#include <util/delay.h>
#include "lb_decoder.h"

#ifndef BAUD
#define BAUD 2000000UL
#endif
#define MAX_BYTES 1536 /* 512 RGB or 384 RGBW LEDs; the rest of the 2 KiB is stack and state */
#define LED_BIT 6
#define LATCH_US 300

static uint8_t frame[MAX_BYTES];
static lb_decoder dec;

static void uart_init(void) {
  UCSR0A = _BV(U2X0);
  UBRR0 = (uint16_t)(F_CPU / (8 * BAUD) - 1);
  UCSR0B = _BV(RXEN0) | _BV(TXEN0);
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
}

/* The decoder's byte source; inlined into its loops (the budget above). */
__attribute__((always_inline)) inline int16_t lb_getc(void) {
  for (;;) {
    if (UCSR0A & _BV(RXC0)) return UDR0;
    if (TIFR0 & _BV(OCF0A)) {
      TIFR0 = _BV(OCF0A);
      return LB_GETC_TICK;
    }
  }
}

static void put(uint8_t b) {
  while (!(UCSR0A & _BV(UDRE0))) {}
  UDR0 = b;
}

static void reply(uint8_t kind, uint8_t seq) {
  put(kind);
  put(seq);
}

static void announce(void) {
  put('H');
  put(LB_VERSION);
  put(MAX_BYTES >> 8);
  put(MAX_BYTES & 0xff);
}

/* Clocks n bytes out MSB first, 20 cycles (1.25 µs) per bit: the line rises at T=0 and falls
 * at T=6 for a 0 (375 ns) or T=13 for a 1 (812 ns). The last bit of each byte is 4 cycles
 * longer (low), which WS2812 ignores. Then the line stays low ≥ 300 µs: the latch. */
static void show(const uint8_t *p, uint16_t n) {
  if (!n) return;
  uint8_t hi = PORTD | _BV(LED_BIT), lo = PORTD & ~_BV(LED_BIT);
  uint8_t byte = *p++, bit = 8, next;
  __asm__ volatile(
      "1:                 \n\t"
      "out  %[port], %[hi] \n\t" /* 1  T=0 rise */
      "mov  %[next], %[lo] \n\t" /* 1 */
      "sbrc %[byte], 7     \n\t" /* 1/2 */
      "mov  %[next], %[hi] \n\t" /* 1  (both paths: T=3) */
      "nop                 \n\t" /* 1 */
      "nop                 \n\t" /* 1 */
      "out  %[port], %[next] \n\t" /* 1  T=6: falls for a 0 */
      "lsl  %[byte]        \n\t" /* 1 */
      "nop \n\t nop \n\t nop \n\t nop \n\t nop \n\t" /* 5 */
      "out  %[port], %[lo] \n\t" /* 1  T=13: falls for a 1 */
      "dec  %[bit]         \n\t" /* 1 */
      "breq 2f             \n\t" /* 1 (2 taken) */
      "nop \n\t nop        \n\t" /* 2 */
      "rjmp 1b             \n\t" /* 2  → T=20 */
      "2:                  \n\t"
      "ld   %[byte], %a[ptr]+ \n\t" /* 2 */
      "ldi  %[bit], 8      \n\t" /* 1 */
      "sbiw %[n], 1        \n\t" /* 2 */
      "brne 1b             \n\t" /* 2  → T=24 */
      : [byte] "+r"(byte), [bit] "+d"(bit), [next] "=&r"(next), [n] "+w"(n), [ptr] "+e"(p)
      : [port] "I"(_SFR_IO_ADDR(PORTD)), [hi] "r"(hi), [lo] "r"(lo));
  _delay_us(LATCH_US);
}

int main(void) {
  DDRD |= _BV(LED_BIT);
  PORTD &= ~_BV(LED_BIT);
  uart_init();
  TCCR0A = _BV(WGM01); /* CTC: OCF0A every 1 ms (16 MHz / 64 / 250) */
  OCR0A = 249;
  TCCR0B = _BV(CS01) | _BV(CS00);
  lb_init(&dec, frame, MAX_BYTES);
  announce();

  uint16_t quiet_ms = 0, lit = 0; /* bytes of the frame on the strip, 0 when dark */
  for (;;) {
    switch (lb_receive(&dec)) {
      case LB_FRAME:
        lit = dec.count * dec.bytes_per_led;
        show(frame, lit);
        quiet_ms = 0;
        reply('K', dec.seq);
        break;
      case LB_CONFIG:
        quiet_ms = 0;
        reply('K', dec.seq);
        break;
      case LB_QUERY:
        announce();
        break;
      case LB_CRC_ERROR:
      case LB_TOO_LONG:
      case LB_CUT:
        reply('E', dec.seq);
        break;
      case LB_TICK:
        if (lit && ++quiet_ms >= dec.silence_ms) { /* the host went quiet: blank the strip */
          memset(frame, 0, lit);
          show(frame, lit);
          lit = 0;
        }
        break;
    }
  }
}
