/* Runs the bridge firmware in simavr (ATmega328P, 16 MHz) behind a pseudo-terminal, the way
 * a USB serial chip would put it behind /dev/ttyUSB0, in simulated time paced to wall time:
 *   - bytes written to the pty (by ledbox's serial driver, or a test) travel to the AVR at the
 *     line rate the host set on the pty (read with TCGETS2 on the master: 10 bit-times per byte,
 *     back to back) and land in a receive buffer as deep as the real one: two unread bytes.
 *     A byte that completes while two are unread is lost and DOR0 is set, as on the chip.
 *     (simavr's own UART model queues 64 bytes and asks the sender to pause when full: a
 *     firmware too slow for its baud rate would never lose a byte there. Its receive side is
 *     replaced here; its transmit side is kept.) A byte sent at a rate more than 2% off the
 *     AVR's, or while its receiver is off, arrives as noise: it is dropped and counted.
 *   - what the firmware transmits comes back out of the pty;
 *   - every edge on the LED pin (PD6) is recorded with its cycle count and decoded as WS2812 bits.
 * On stdout:
 *   PTY <path>
 *   LINE host=<baud> avr=<baud>        whenever either rate changes
 *   RX bytes=<n> lost=<n> noise=<n> from=<cycle> busy=<cycles> cpb=<cycles per byte>
 *     one burst of back-to-back bytes, printed once the firmware has read them all; lost:
 *     overruns; from: the first start bit; busy: cycles the firmware spent on the burst, i.e.
 *     from the first byte's arrival to the last read, less the time it spent polling an empty
 *     receiver; cpb: busy ÷ (bytes read − 1), the receive path's cost per byte (the line brings
 *     a byte every 10 bit-times: 80 cycles at 2 Mbaud)
 *   FRAME <n> <bytes> <hex> t0h=<min>-<max> t1h=<min>-<max> tlow_max=<ns> latch=<ns> lag=<cycles> at=<cycle> show=<ns> from=<cycle> rx_in_show=<n>
 *     t0h/t1h: high times of 0 and 1 bits; tlow_max: the longest low inside the frame;
 *     latch: low time after the frame until the firmware's next UART byte (its ack), or 1 ms
 *     when none follows; lag: cycles from the message's last byte arriving to the first LED
 *     edge; at: the cycle of the frame's first edge (16 cycles per µs); show: ns from the first
 *     edge to the last; from: the first start bit of the burst that brought the frame;
 *     rx_in_show: bytes that arrived from the first edge to 300 µs after the last (the show and
 *     the latch, when the firmware cannot read the UART).
 * The simulation starts when the pty is first opened, as an Arduino resets on open.
 * Usage: harness bridge.elf [seconds]   (exits after that much simulated time, default 30) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <asm/termbits.h> /* struct termios2: the line's rate as a plain number (BOTHER) */
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_interrupts.h"
#include "sim_regbit.h"
#include "avr_uart.h"
#include "avr_ioport.h"

#define HZ 16000000ULL
#define NS(c) ((unsigned long)((c) * 1000ULL / 16ULL))
#define LATCH_CYCLES (300 * 16)    /* the firmware's latch: it reads no UART until it has passed */
#define MAX_BITS (1536 * 8 + 64)

static avr_t *avr;
static avr_uart_t *uart;
static int master = -1;

/* The line from the host: bytes read from the pty, not yet arrived. */
static uint8_t wire[1 << 16];
static size_t wire_head, wire_tail;
static avr_cycle_count_t line_cycles; /* one byte on the line at the host's rate */
static unsigned host_baud, avr_baud;
static int line_busy;
static avr_cycle_count_t last_rx_cycle; /* when the latest byte arrived */

/* The AVR's receive buffer: two bytes, as UDR0's FIFO. */
static uint8_t fifo[2];
static int fifo_n, fifo_r;

/* The current burst of back-to-back bytes. */
static struct { int bytes, lost, noise, reads; avr_cycle_count_t from, first_arrival, last_read, idle, idle_since; } burst;

/* Edges of the current frame. */
static int level, showing;
static avr_cycle_count_t rise, last_edge;
static uint8_t bits[MAX_BITS];
static int nbits;
static unsigned long t0min = ~0UL, t0max, t1min = ~0UL, t1max, lowmax;
static avr_cycle_count_t frame_start, frame_end, frame_rx, frame_from;
static int rx_in_show;
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
  printf(" t0h=%lu-%lu t1h=%lu-%lu tlow_max=%lu latch=%lu lag=%llu at=%llu show=%lu from=%llu rx_in_show=%d\n", t0min == ~0UL ? 0 : t0min, t0max,
         t1min == ~0UL ? 0 : t1min, t1max, lowmax, NS(latch_end - frame_end), (unsigned long long)(frame_start - frame_rx),
         (unsigned long long)frame_start, NS(frame_end - frame_start), (unsigned long long)frame_from, rx_in_show);
  fflush(stdout);
  nbits = 0;
  t0min = t1min = ~0UL;
  t0max = t1max = lowmax = 0;
  showing = rx_in_show = 0;
}

static void pin_changed(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)param;
  avr_cycle_count_t now = avr->cycle;
  if (value && !level) {
    if (!showing) {
      showing = 1;
      frame_start = now;
      frame_rx = last_rx_cycle;
      frame_from = burst.from;
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
  if (showing) print_frame(avr->cycle); /* the ack ends the latch */
  uint8_t b = (uint8_t)value;
  if (write(master, &b, 1) < 0 && errno != EAGAIN) perror("pty write");
}

/* The rate the AVR's UART runs at, from UBRR0 and U2X0. */
static unsigned uart_baud(void) {
  unsigned ubrr = avr->data[uart->ubrrl.reg] | ((avr->data[uart->ubrrh.reg] & 0x0f) << 8);
  return (unsigned)(HZ / ((avr_regbit_get(avr, uart->u2x) ? 8 : 16) * (ubrr + 1)));
}

static int rates_match(void) {
  unsigned a = uart_baud(), diff = host_baud > a ? host_baud - a : a - host_baud;
  return diff * 50 <= a; /* within 2%: a UART's receiver samples each bit mid-way */
}

static void end_burst(void) {
  avr_cycle_count_t busy = burst.reads ? burst.last_read - burst.first_arrival - burst.idle : 0;
  printf("RX bytes=%d lost=%d noise=%d from=%llu busy=%llu cpb=%.1f\n", burst.bytes, burst.lost, burst.noise,
         (unsigned long long)burst.from, (unsigned long long)busy, burst.reads > 1 ? (double)busy / (burst.reads - 1) : 0.0);
  fflush(stdout);
  burst.bytes = 0;
}

/* The stop bit of the byte at the head of the wire has arrived. */
static avr_cycle_count_t byte_arrives(avr_t *a, avr_cycle_count_t when, void *param) {
  (void)param;
  uint8_t b = wire[wire_head++];
  if (!burst.bytes) burst.first_arrival = when;
  burst.bytes++;
  last_rx_cycle = when;
  if (showing && when - last_edge <= LATCH_CYCLES) rx_in_show++;
  if (burst.idle_since) {
    burst.idle += when - burst.idle_since;
    burst.idle_since = 0;
  }
  if (!avr_regbit_get(a, uart->rxen) || !rates_match()) {
    burst.noise++;
  } else if (fifo_n == 2) {
    burst.lost++;
    avr_regbit_set(a, uart->dor);
  } else {
    fifo[(fifo_r + fifo_n++) & 1] = b;
    avr_raise_interrupt(a, &uart->rxc); /* sets RXC0 (and runs the RX interrupt if enabled) */
  }
  if (wire_head < wire_tail) return when + line_cycles;
  line_busy = 0;
  if (!fifo_n) end_burst();
  return 0;
}

/* The firmware reads UDR0: the oldest byte; DOR0 is valid until this read. */
static uint8_t udr_read(avr_t *a, avr_io_addr_t addr, void *param) {
  (void)addr; (void)param;
  if (!fifo_n) return 0;
  uint8_t b = fifo[fifo_r];
  fifo_r ^= 1;
  fifo_n--;
  avr_regbit_clear(a, uart->dor);
  burst.reads++;
  burst.last_read = a->cycle;
  if (fifo_n) {
    avr_raise_interrupt(a, &uart->rxc); /* RXC0 stays up: an RX interrupt runs again */
  } else {
    avr_clear_interrupt(a, &uart->rxc);
    avr_regbit_clear(a, uart->rxc.raised); /* a sticky flag: clearing the interrupt leaves it up */
    if (!line_busy && burst.bytes) end_burst();
  }
  return b;
}

/* Reads of UCSR0A that find no byte: the firmware is waiting, not working. */
static avr_io_read_t ucsra_simavr;
static void *ucsra_simavr_param;
static uint8_t ucsra_read(avr_t *a, avr_io_addr_t addr, void *param) {
  (void)param;
  uint8_t v = ucsra_simavr(a, addr, ucsra_simavr_param);
  if (!fifo_n && burst.bytes && !burst.idle_since) burst.idle_since = a->cycle;
  return v;
}

/* Takes what the host wrote (as much as the wire holds: the rest waits in the pty); it starts
 * down the line now if the line is idle. */
static void take_host_bytes(void) {
  if (wire_head == wire_tail) wire_head = wire_tail = 0; /* (the last byte has arrived) */
  ssize_t n = read(master, wire + wire_tail, sizeof wire - wire_tail);
  if (n <= 0) return;
  wire_tail += (size_t)n;
  if (line_busy) return;
  line_busy = 1;
  if (!burst.bytes) {
    memset(&burst, 0, sizeof burst);
    burst.from = avr->cycle;
  }
  avr_cycle_timer_register(avr, line_cycles, byte_arrives, NULL);
}

/* The host's rate, as it set it on its end of the pty. */
static void check_line(void) {
  struct termios2 t;
  unsigned h = ioctl(master, TCGETS2, &t) == 0 ? t.c_ospeed : 0, a = uart_baud();
  if (h == host_baud && a == avr_baud) return;
  host_baud = h;
  avr_baud = a;
  line_cycles = h ? (HZ * 10 + h - 1) / h : 1; /* (no rate read: every byte is noise) */
  printf("LINE host=%u avr=%u\n", h, a);
  fflush(stdout);
}

static avr_uart_t *find_uart(void) {
  for (avr_io_t *io = avr->io_port; io; io = io->next)
    if (io->irq_ioctl_get == AVR_IOCTL_UART_GETIRQ('0')) return (avr_uart_t *)io;
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

  uart = find_uart();
  if (!uart) { fprintf(stderr, "no UART0 in simavr's atmega328p\n"); return 2; }
  uint32_t flags = 0; /* no console echo, no sleeping in polls: the loop below paces time */
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  /* The receive side is ours: take over the read handlers simavr registered for UDR0 and UCSR0A
   * (avr_register_io_read refuses to replace a handler, so the table entries are set here). */
  avr->io[AVR_DATA_TO_IO(uart->r_udr)].r.c = udr_read;
  ucsra_simavr = avr->io[AVR_DATA_TO_IO(uart->r_ucsra)].r.c;
  ucsra_simavr_param = avr->io[AVR_DATA_TO_IO(uart->r_ucsra)].r.param;
  avr->io[AVR_DATA_TO_IO(uart->r_ucsra)].r.c = ucsra_read;
  avr_irq_register_notify(uart->io.irq + UART_IRQ_OUTPUT, uart_out, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 6), pin_changed, NULL);

  master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (master < 0 || grantpt(master) || unlockpt(master)) { perror("posix_openpt"); return 2; }
  const char *name = ptsname(master);
  int slave = open(name, O_RDWR | O_NOCTTY);
  struct termios2 raw;
  if (slave < 0 || ioctl(slave, TCGETS2, &raw)) { perror(name); return 2; }
  raw.c_iflag = 0; /* raw until the host sets its own mode: no echo back into the AVR's output */
  raw.c_oflag = 0;
  raw.c_lflag = 0;
  raw.c_cflag = (raw.c_cflag & ~CSIZE) | CS8 | CREAD | CLOCAL;
  ioctl(slave, TCSETS2, &raw);
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
  double t0 = now_s();
  while (avr->cycle < end) {
    /* Simulated time follows wall time (1 ms at a time), so the host's timeouts and the
     * firmware's agree; a slower machine just runs behind. */
    avr_cycle_count_t due = (avr_cycle_count_t)((now_s() - t0) * HZ), stop = avr->cycle + HZ / 1000;
    if (due > end) due = end;
    if (stop > due) stop = due;
    while (avr->cycle < stop) {
      int state = avr_run(avr);
      if (state == cpu_Done || state == cpu_Crashed) { fprintf(stderr, "simulation stopped (%d)\n", state); return 1; }
    }
    check_line();
    take_host_bytes();
    /* a frame no ack follows (the silence blank): printed after 1 ms of low line */
    if (showing && !level && avr->cycle - last_edge > 1000 * 16) print_frame(avr->cycle);
    if (avr->cycle >= due) {
      struct pollfd pfd = {.fd = master, .events = POLLIN};
      if (poll(&pfd, 1, 1) > 0 && (pfd.revents & POLLHUP)) usleep(1000); /* no host: nothing to wait on */
    }
  }
  if (showing) print_frame(avr->cycle);
  return 0;
}
