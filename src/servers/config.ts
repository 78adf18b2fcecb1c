// A game server as the user configures it: one zod schema for validation, types and the API docs.
import { z } from "zod";
import { JsonRulesSchema } from "./json.ts";

export const SERVER_KINDS = ["source", "source-rcon", "minecraft", "json"] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];
export const DEFAULT_PORT: Record<ServerKind, number | undefined> = { source: 27015, "source-rcon": 27015, minecraft: 25565, json: undefined };

const Host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, "a host name or IP address");

export const ServerInputSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    /** source = A2S; source-rcon = A2S plus RCON `status`; minecraft = Server List Ping; json = an HTTP endpoint. */
    kind: z.enum(SERVER_KINDS),
    host: Host.optional(),
    /** Defaults: 27015 (Source), 25565 (Minecraft). */
    port: z.int().min(1).max(65535).optional(),
    /** RCON port when it differs from the game port. */
    rconPort: z.int().min(1).max(65535).optional(),
    /** Stored, never returned; on PUT, leave it out to keep the stored one. */
    rconPassword: z.string().min(1).max(256).optional(),
    /** json only: the endpoint and how to read it. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    rules: JsonRulesSchema.optional(),
    intervalMs: z.int().min(1000).max(3_600_000).default(5000),
    timeoutMs: z.int().min(200).max(30_000).default(2000),
    enabled: z.boolean().default(true),
    /** The `game` of this server's events (for mappings); default from the server (folder, "minecraft"). */
    game: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
  })
  .superRefine((s, ctx) => {
    const need = (field: keyof typeof s, why: string) => s[field] === undefined && ctx.addIssue({ code: "custom", path: [field], message: `required ${why}` });
    if (s.kind === "json") {
      need("url", "for a json server");
      need("rules", "for a json server");
    } else need("host", `for a ${s.kind} server`);
    if (s.kind === "source-rcon") need("rconPassword", "for a source-rcon server");
    if (s.kind !== "json" && (s.url || s.rules)) ctx.addIssue({ code: "custom", path: [s.url ? "url" : "rules"], message: "only for a json server" });
  });

export type ServerInput = z.input<typeof ServerInputSchema>;
export type ServerConfig = z.infer<typeof ServerInputSchema>;
export type ServerRecord = ServerConfig & { id: string; createdAt: string; updatedAt: string };

/** Where a server is, for messages and the API. */
export const addressOf = (s: ServerConfig) => (s.kind === "json" ? s.url! : `${s.host}:${s.port ?? DEFAULT_PORT[s.kind]}`);
