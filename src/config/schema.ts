// Every setting ledbox stores, as one zod schema: validation, defaults and the TS type.
import { z } from "zod";

export const RGB_ORDERS = ["RGB", "RBG", "GRB", "GBR", "BRG", "BGR"] as const;
export const RGBW_ORDERS = ["RGBW", "RBGW", "GRBW", "GBRW", "BRGW", "BGRW"] as const;
export const COLOR_ORDERS = [...RGB_ORDERS, ...RGBW_ORDERS] as const;
export type ColorOrder = (typeof COLOR_ORDERS)[number];

export const MAX_LEDS = 10_000;
const SEGMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const SegmentSchema = z.strictObject({
  name: z.string().regex(SEGMENT_NAME, "lowercase letters, digits, _ or -, at most 32"),
  start: z.int().min(0),
  length: z.int().min(1),
  reversed: z.boolean().default(false),
  mirrored: z.boolean().default(false),
});
export type Segment = z.infer<typeof SegmentSchema>;

export const OutputSchema = z.strictObject({
  driver: z.enum(["virtual"]),
  start: z.int().min(0).default(0),
  /** LEDs this output takes from `start`; omitted = to the end of the strip. */
  length: z.int().min(1).optional(),
});
export type OutputConfig = z.infer<typeof OutputSchema>;

export const PowerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  budgetMa: z.int().min(50).max(100_000).default(850),
  // 20 mA per channel at full = 60 mA per RGB LED at white: more cautious than WLED's 55 mA.
  channelMa: z.strictObject({
      r: z.number().min(0).max(100).default(20),
      g: z.number().min(0).max(100).default(20),
      b: z.number().min(0).max(100).default(20),
      w: z.number().min(0).max(100).default(20),
    })
    .prefault({}),
  idleMaPerLed: z.number().min(0).max(10).default(1),
  volts: z.number().min(1).max(48).default(5),
});

/** An MQTT topic level path without wildcards, leading/trailing or doubled slashes. */
const TOPIC = /^[^/#+\s]+(\/[^/#+\s]+)*$/;

export const MqttSchema = z.strictObject({
  enabled: z.boolean().default(false),
  url: z.string().max(512)
    .regex(/^(mqtts?|wss?):\/\/[^\s@/]+(\/\S*)?$/, "an mqtt://, mqtts://, ws:// or wss:// URL without user:password (use username and password)")
    .default("mqtt://localhost:1883"),
  username: z.string().max(256).default(""),
  /** Never returned by reads (see redactSettings). "" = none. */
  password: z.string().max(256).default(""),
  /** "" = ledbox-<deviceId>. */
  clientId: z.string().max(64).default(""),
  tls: z.strictObject({
      /** PEM of the CA that signed the broker's certificate; "" = the system's CAs. */
      ca: z.string().max(65_536).default(""),
      allowSelfSigned: z.boolean().default(false),
    })
    .prefault({}),
  /** "" = ledbox/<deviceId>. */
  baseTopic: z.union([z.literal(""), z.string().max(128).regex(TOPIC, "a topic without wildcards or empty levels")]).default(""),
  discoveryPrefix: z.string().max(64).regex(TOPIC, "a topic without wildcards or empty levels").default("homeassistant"),
  /** Set once on the first start; names the device in topics and Home Assistant ids. */
  deviceId: z.string().regex(/^[a-z0-9]{4,32}$/, "4–32 lowercase letters or digits").optional(),
});
export type MqttSettings = z.infer<typeof MqttSchema>;

export const SettingsSchema = z.strictObject({
    strip: z.strictObject({
        ledCount: z.int().min(1).max(MAX_LEDS).default(150),
        ledType: z.enum(["rgb", "rgbw"]).default("rgb"),
        colorOrder: z.enum(COLOR_ORDERS).default("GRB"),
        /** RGBW only: how the white channel is derived from an RGB colour. */
        whiteExtraction: z.enum(["none", "subtract", "add"]).default("subtract"),
      })
      .prefault({}),
    /** Named ranges of the strip; empty = one segment "main" over all of it. */
    segments: z.array(SegmentSchema).max(32).default([]),
    allowOverlappingSegments: z.boolean().default(false),
    render: z.strictObject({
        fps: z.int().min(1).max(240).default(60),
        maxEffectsPerSegment: z.int().min(1).max(32).default(8),
      })
      .prefault({}),
    light: z.strictObject({
        brightness: z.number().min(0).max(1).default(0.8),
        gamma: z.number().min(1).max(3).default(2.2),
        dithering: z.boolean().default(true),
        power: PowerSchema.prefault({}),
      })
      .prefault({}),
    safety: z.strictObject({
        /** WCAG 2.3.1: no more than three general flashes in any one second. */
        flashGuard: z.boolean().default(true),
        maxFlashesPerSecond: z.number().min(0.5).max(10).default(3),
      })
      .prefault({}),
    http: z.strictObject({
        port: z.int().min(1).max(65535).default(8080),
        /** Event ingest: "open" to anyone on the LAN, or "token" (a bearer API token). */
        ingest: z.enum(["open", "token"]).default("open"),
        /** Reads of state/health/live: "open" on the LAN, or "token". */
        reads: z.enum(["open", "token"]).default("open"),
      })
      .prefault({}),
    outputs: z.array(OutputSchema).min(1).max(8).default([{ driver: "virtual", start: 0 }]),
    mqtt: MqttSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    const n = s.strip.ledCount;
    const rgbw = s.strip.ledType === "rgbw";
    if (rgbw !== s.strip.colorOrder.endsWith("W")) {
      ctx.addIssue({
        code: "custom",
        path: ["strip", "colorOrder"],
        message: rgbw ? "an RGBW strip needs an order ending in W" : "an RGB strip needs a 3-letter order",
      });
    }
    const names = new Set<string>();
    s.segments.forEach((seg, i) => {
      if (names.has(seg.name)) ctx.addIssue({ code: "custom", path: ["segments", i, "name"], message: `duplicate segment name "${seg.name}"` });
      names.add(seg.name);
      if (seg.start + seg.length > n) {
        ctx.addIssue({ code: "custom", path: ["segments", i], message: `segment "${seg.name}" ends at LED ${seg.start + seg.length}, past the strip's ${n} LEDs` });
      }
    });
    if (!s.allowOverlappingSegments) {
      const sorted = [...s.segments].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1], cur = sorted[i];
        if (cur.start < prev.start + prev.length) {
          ctx.addIssue({ code: "custom", path: ["segments"], message: `segments "${prev.name}" and "${cur.name}" overlap (set allowOverlappingSegments to allow it)` });
        }
      }
    }
    s.outputs.forEach((o, i) => {
      const end = o.start + (o.length ?? n - o.start);
      if (o.start >= n || end > n) ctx.addIssue({ code: "custom", path: ["outputs", i], message: `output range ${o.start}..${end} is outside the strip's ${n} LEDs` });
    });
  });

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

/** Settings as reads show them: secrets left out (a PUT without them keeps the stored ones). */
export function redactSettings(s: Settings): Omit<Settings, "mqtt"> & { mqtt: Omit<MqttSettings, "password"> } {
  const { password, ...mqtt } = s.mqtt;
  return { ...s, mqtt };
}

export const defaultSettings = (): Settings => SettingsSchema.parse({});

/** The segments in force: the configured ones, or one "main" over the whole strip. */
export function effectiveSegments(s: Settings): Segment[] {
  if (s.segments.length > 0) return s.segments;
  return [{ name: "main", start: 0, length: s.strip.ledCount, reversed: false, mirrored: false }];
}
