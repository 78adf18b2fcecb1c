// WS2812/SK6812 line timing shared by every driver that clocks the LEDs itself.

/** One bit at 800 kHz. */
export const BIT_US = 1.25;
/** Newer WS2812B parts need > 280 µs low to latch; drivers budget 300 µs. */
export const LATCH_US = 300;

/** Frames per second one data line can show: 8 bits per byte at 800 kHz, plus the latch. */
export const ws2812WireLimitFps = (ledBytes: number): number => 1e6 / (ledBytes * 8 * BIT_US + LATCH_US);
