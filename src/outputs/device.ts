// A device node written with whole frames through node:fs (the write runs in Bun's thread
// pool, so a blocking spidev transfer never stalls the loop). A regular file or a FIFO in
// its place takes the same bytes: a file keeps the latest frame, a FIFO streams them — how
// tests and `ledbox` users capture exactly what the hardware would get.
import { existsSync, statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** "<device> does not exist<fix>", or null when it does. */
export const missingDevice = (device: string, fix = ""): string | null => (existsSync(device) ? null : `${device} does not exist${fix}`);

export class Device {
  private fh: FileHandle | null = null;
  /** True for a real device node (ioctls apply), false for a file or FIFO. */
  isCharDevice = false;
  private seekable = false;

  constructor(readonly path: string, private readonly pwriteAtZero: boolean) {}

  async open(): Promise<number> {
    if (!existsSync(this.path)) throw new Error(`${this.path} does not exist`);
    const st = statSync(this.path);
    this.isCharDevice = st.isCharacterDevice();
    this.fh = await open(this.path, "r+").catch((err: NodeJS.ErrnoException) => {
      throw new Error(err.code === "EACCES" ? `no permission to open ${this.path} (add the user to its group; see README)` : `cannot open ${this.path}: ${err.message}`);
    });
    if (!this.isCharDevice && st.isFile()) this.seekable = true;
    return this.fh.fd;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.fh) throw new Error(`${this.path} is not open`);
    const pos = this.seekable || (this.isCharDevice && this.pwriteAtZero) ? 0 : null;
    const { bytesWritten } = await this.fh.write(bytes, 0, bytes.length, pos);
    if (bytesWritten !== bytes.length) throw new Error(`${this.path}: short write (${bytesWritten} of ${bytes.length} bytes)`);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => {});
  }
}
