/* Runs the bridge firmware in simavr (ATmega328P, 16 MHz) behind a pseudo-terminal, the way
 * a USB serial chip would put it behind /dev/ttyUSB0:
 *   - bytes written to the pty (by ledbox's serial driver, or a test) go into the simulated
 *     UART; what the firmware transmits comes back out of the pty;
 *   - every edge on the LED pin (PD6) is recorded with its cycle count, decoded as WS2812
 *     bits, and each latched frame is printed with its timing, on stdout:
 *       PTY <path>
 *       FRAME <n> <bytes> <hex> t0h=<min>-<max> t1h=<min>-<max> tlow_max=<ns> latch=<ns> lag=<cycles> at=<cycle> show=<ns>
 *     t0h/t1h: high times of 0 and 1 bits; tlow_max: the longest low inside the frame;
 *     latch: low time after the frame until the firmware's next UART byte (its ack), or 1 ms
 *     when none follows;
 *     lag: cycles from the message's last byte entering the UART to the first LED edge (it stays
 *     small for any frame size only if the firmware decodes as fast as bytes arrive);
 *     at: the cycle of the frame's first edge (simulated time, 16 cycles per µs);
 *     show: ns from the first edge to the last.
 * The simulation starts when the pty is first opened, as an Arduino resets on open.
 * Usage: harness bridge.elf [seconds]   (exits after that much simulated time, default 30) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <termios.h>
#include <pty.h>
#include <poll.h>
#include "sim_avr.h"
#include "sim_elf.h"
#include "avr_uart.h"
#include "avr_ioport.h"

#define HZ 16000000ULL
#define NS(c) ((unsigned long)((c) * 1000ULL / 16ULL))
#define LATCH_CYCLES (50 * 16) /* 50 µs low ends a frame (the oldest parts' reset time) */
#define MAX_BITS (1536 * 8 + 64)

static avr_t *avr;
static int master = -1;
static int xon = 1;
static uint8_t inq[65536];
static size_t inq_head, inq_tail;
static avr_cycle_count_t last_rx_cycle; /* when the latest byte entered the UART */

/* edges of the current frame */
static int level;
static avr_cycle_count_t rise, last_edge;
static uint8_t bits[MAX_BITS];
static int nbits;
static unsigned long t0min = ~0UL, t0max, t1min = ~0UL, t1max, lowmax;
static avr_cycle_count_t frame_start, frame_end, frame_rx;
static int pending_frame; /* decoded, waiting for the latch measurement */
static int frames;

static void print_frame(avr_cycle_count_t latch_end) {
  int nbytes = nbits / 8;
  printf("FRAME %d %d ", ++frames, nbytes);
  for (int i = 0; i < nbytes; i++) {
    int v = 0;
    for (int b = 0; b < 8; b++) v = (v << 1) | bits[i * 8 + b];
    printf("%02x", v);
  }
  if (nbytes == 0) printf("-");
  printf(" t0h=%lu-%lu t1h=%lu-%lu tlow_max=%lu latch=%lu lag=%llu at=%llu show=%lu\n", t0min == ~0UL ? 0 : t0min, t0max,
         t1min == ~0UL ? 0 : t1min, t1max, lowmax, NS(latch_end - frame_end), (unsigned long long)(frame_start - frame_rx),
         (unsigned long long)frame_start, NS(frame_end - frame_start));
  fflush(stdout);
  nbits = 0;
  t0min = t1min = ~0UL;
  t0max = t1max = lowmax = 0;
  pending_frame = 0;
}

static void pin_changed(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)param;
  avr_cycle_count_t now = avr->cycle;
  if (value && !level) {
    if (nbits == 0) {
      frame_start = now;
      frame_rx = last_rx_cycle;
    } else {
      unsigned long low = NS(now - last_edge);
      if (low > lowmax) lowmax = low;
    }
    rise = now;
  } else if (!value && level) {
    unsigned long high = NS(now - rise);
    int bit = high > 625; /* between the longest 0 (550 ns) and the shortest 1 (650 ns) */
    if (nbits < MAX_BITS) bits[nbits++] = (uint8_t)bit;
    if (bit) { if (high < t1min) t1min = high; if (high > t1max) t1max = high; }
    else { if (high < t0min) t0min = high; if (high > t0max) t0max = high; }
    frame_end = now;
  }
  level = value != 0;
  last_edge = now;
}

static void uart_out(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)param;
  if (pending_frame) print_frame(avr->cycle);
  uint8_t b = (uint8_t)value;
  if (write(master, &b, 1) < 0 && errno != EAGAIN) perror("pty write");
}

static void uart_xon(struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; xon = 1; }
static void uart_xoff(struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; xon = 0; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s bridge.elf [seconds]\n", argv[0]); return 2; }
  double seconds = argc > 2 ? atof(argv[2]) : 30;
  elf_firmware_t fw = {0};
  if (elf_read_firmware(argv[1], &fw)) { fprintf(stderr, "cannot read %s\n", argv[1]); return 2; }
  avr = avr_make_mcu_by_name("atmega328p");
  if (!avr) return 2;
  avr_init(avr);
  avr->frequency = HZ;
  avr_load_firmware(avr, &fw);
  avr->log = 0;

  uint32_t flags = 0;
  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~AVR_UART_FLAG_STDIO;
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 6), pin_changed, NULL);
  avr_irq_t *uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);

  int slave;
  char name[256];
  struct termios raw;
  if (openpty(&master, &slave, name, NULL, NULL)) { perror("openpty"); return 2; }
  tcgetattr(slave, &raw);
  cfmakeraw(&raw);
  tcsetattr(slave, TCSANOW, &raw);
  fcntl(master, F_SETFL, O_NONBLOCK);
  close(slave);
  printf("PTY %s\n", name);
  fflush(stdout);
  /* An Arduino resets when its port is opened: the simulation starts when the host opens the
   * pty (the master stops reporting a hang-up once a slave is open). */
  for (;;) {
    struct pollfd pfd = {.fd = master, .events = POLLIN};
    poll(&pfd, 1, 0);
    if (!(pfd.revents & POLLHUP)) break;
    usleep(1000);
  }

  avr_cycle_count_t end = (avr_cycle_count_t)(seconds * HZ);
  while (avr->cycle < end) {
    for (int i = 0; i < 200; i++) {
      int state = avr_run(avr);
      if (state == cpu_Done || state == cpu_Crashed) { fprintf(stderr, "simulation stopped (%d)\n", state); return 1; }
    }
    if (inq_head == inq_tail) {
      ssize_t n = read(master, inq, sizeof inq);
      if (n > 0) { inq_head = 0; inq_tail = (size_t)n; }
    }
    while (xon && inq_head < inq_tail) {
      avr_raise_irq(uart_in, inq[inq_head++]);
      last_rx_cycle = avr->cycle;
    }
    if (nbits && !level && avr->cycle - last_edge > LATCH_CYCLES) pending_frame = 1;
    /* a frame no ack follows (the silence blank): printed after 1 ms of low line */
    if (pending_frame && avr->cycle - last_edge > 1000 * 16) print_frame(avr->cycle);
  }
  if (pending_frame) print_frame(avr->cycle);
  return 0;
}
