// config.ts — the only reader of pulumi.Config in the program.
//
// `loadConfig()` reads every key of the `openstack-lab` namespace once, hands the plain
// values to the pure `validateConfig()` and throws one error listing EVERY problem (each
// naming its config key and the fix) before a single resource is registered. Secrets are
// never validated by value: only their presence is checked, and they stay Outputs.
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { uwsgiInis } from "./components/release/profile";
import { Release, RELEASE_PROFILES, RELEASES } from "./components/release/registry";
import { checkOverrides, MANAGED_FILES } from "./options/registry";

export const NAMESPACE = "openstack-lab";
// The release list comes from the registry (one line per release folder).
export { Release, RELEASES };
export const ROLES = ["controller", "network", "compute"] as const;
export type Role = (typeof ROLES)[number];

/** Services that own a MySQL database (names as in the article; on zed `quantum` is Neutron's). */
export const DB_SERVICES = ["keystone", "glance", "nova", "quantum", "cinder", "placement"] as const;
export type DbService = (typeof DB_SERVICES)[number];
/** Services that own a Keystone user in tenant/project `service`. */
export const SERVICE_USERS = ["nova", "glance", "quantum", "cinder", "placement"] as const;
export type ServiceUser = (typeof SERVICE_USERS)[number];

export interface NodeSpec {
    readonly name: string;
    readonly role: Role;
    readonly managementIp: string;
    /** Tunnel endpoint on the data network (network and compute nodes). */
    readonly dataIp?: string;
    /** Interface plugged into the external bridge (network node; article: eth2). */
    readonly externalInterface?: string;
}

export interface ExternalNetworkSpec {
    readonly cidr: string;
    readonly gateway: string;
    readonly allocationPool: { readonly start: string; readonly end: string };
}

export interface TenantNetworkSpec {
    readonly name: string;
    readonly cidr: string;
    readonly gateway: string;
    readonly dnsNameservers: readonly string[];
}

export interface ImageSpec {
    readonly name: string;
    readonly url: string;
    readonly diskFormat: string;
    readonly containerFormat: string;
    /** Glance image properties set on the image (`--property k=v`); see `imageProperties`. */
    readonly properties: Readonly<Record<string, string>>;
}

export interface CinderSpec {
    /** LVM volume group cinder-volume allocates from (article: cinder-volumes). */
    readonly volumeGroup: string;
    /** Block device to build the volume group from when it is missing; unset: fail clearly. */
    readonly device?: string;
    /** Run cinder-volume at all (false on hosts without device-mapper, e.g. the lab). */
    readonly volumeService: boolean;
}

/** A Nova flavor the program manages (config key `flavors`). */
export interface FlavorSpec {
    readonly name: string;
    readonly vcpus: number;
    /** MiB. */
    readonly ram: number;
    /** Root disk, GB (0: the image's size). */
    readonly disk: number;
    /** Flavor ID; unset: Nova generates one (Folsom's novaclient: the name). */
    readonly id?: string;
}

/**
 * Default `flavors`: Nova's classic m1.tiny … m1.large (the sizes Folsom's migrations
 * created, nova 2012.2 `nova/db/sqlalchemy/migrate_repo/versions/`), plus m1.nano for small
 * computes such as the lab's.
 */
export const DEFAULT_FLAVORS: readonly FlavorSpec[] = [
    { name: "m1.nano", vcpus: 1, ram: 128, disk: 1 },
    { name: "m1.tiny", vcpus: 1, ram: 512, disk: 1 },
    { name: "m1.small", vcpus: 1, ram: 2048, disk: 20 },
    { name: "m1.medium", vcpus: 2, ram: 4096, disk: 40 },
    { name: "m1.large", vcpus: 4, ram: 8192, disk: 80 },
];

/**
 * The optional demo project (config key `demo`), as Kolla's init-runonce makes one: a
 * project, a member user (password generated: `demoPassword`), ICMP and SSH in its default
 * security group, the tenant network usable from it, and the user's key pair when
 * `publicKey` is given. Unset: none.
 */
export interface DemoSpec {
    /** Keystone project (Folsom: tenant); default "demo". */
    readonly project: string;
    /** Keystone user with the member role in `project`; default "demo". */
    readonly user: string;
    /** OpenSSH public key imported as the user's key pair; unset: no key pair. */
    readonly publicKey?: string;
    /** Name of that key pair; default "demo-key". */
    readonly keyName: string;
}

/** Projects and users the program makes for itself: the demo project may not reuse them. */
export const RESERVED_PROJECTS: readonly string[] = ["admin", "service"];
export const RESERVED_USERS: readonly string[] = [
    "admin",
    "nova",
    "glance",
    "quantum",
    "neutron",
    "cinder",
    "placement",
];

/** Key types Nova imports (`ssh-keygen -t …`); Folsom's Nova reads keys with Ubuntu 12.04's OpenSSH 5.9. */
export const PUBLIC_KEY_TYPES: readonly string[] = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
];

/**
 * What is wrong with `key` as the demo user's public key (undefined: nothing): one OpenSSH
 * line `<type> <base64 blob> [comment]` whose blob names the same type (RFC 4253 §6.6: the
 * blob starts with the length-prefixed type string). Folsom's Nova fingerprints keys with
 * `ssh-keygen -l` of OpenSSH 5.9, which predates ed25519 (OpenSSH 6.5). Pure.
 */
export function publicKeyProblem(key: string, release: string): string | undefined {
    const example = 'give one line "<type> <base64> [comment]", e.g. the content of ~/.ssh/id_ed25519.pub';
    if (/PRIVATE KEY/.test(key)) {
        return "is a private key; give the public key (the .pub file next to it), and remove the private key from the stack config";
    }
    const m = /^([a-z0-9-]+)[ \t]+([A-Za-z0-9+/]+={0,3})([ \t][^\r\n]*)?$/.exec(key.trim());
    if (!m) {
        return `is not an OpenSSH public key: ${example}`;
    }
    const [, type, blob] = m;
    if (!/^(ssh|ecdsa|sk)-/.test(type)) {
        return `is not an OpenSSH public key: ${example}`;
    }
    if (!PUBLIC_KEY_TYPES.includes(type)) {
        return `key type "${type}" is not one Nova imports; use one of ${PUBLIC_KEY_TYPES.join(", ")}`;
    }
    const raw = Buffer.from(blob, "base64");
    const len = raw.length >= 4 ? raw.readUInt32BE(0) : -1;
    if (len !== type.length || raw.subarray(4, 4 + len).toString("latin1") !== type) {
        return `the key data is not a ${type} key (cut short or mixed up?): ${example}`;
    }
    if (release === "folsom" && type === "ssh-ed25519") {
        return "folsom's Nova reads keys with OpenSSH 5.9 (Ubuntu 12.04), which has no ssh-ed25519; use an RSA or ECDSA key (ssh-keygen -t rsa)";
    }
    return undefined;
}

/**
 * Names a generated secret answers to in `secretRotation` (the config keys that could set
 * it instead), plus `all`. Raising a counter gives that secret a new generated value.
 */
export const ROTATABLE_SECRETS: readonly string[] = [
    "all",
    "adminPassword",
    "adminToken",
    "rabbitPassword",
    "metadataSecret",
    "demoPassword",
    ...DB_SERVICES.map((s) => `dbPasswords.${s}`),
    ...SERVICE_USERS.map((s) => `servicePasswords.${s}`),
];

/** `overrides[fileId][section][key] = value` is merged over every rendered copy of that file. */
export type ConfigOverrides = Record<string, Record<string, Record<string, string | number | boolean>>>;

/** The plain (non-secret) part of the stack configuration, validated. */
export interface PlainConfig {
    readonly release: Release;
    readonly nodes: readonly NodeSpec[];
    readonly sshUser: string;
    readonly sshPort: number;
    readonly managementNetwork: string;
    readonly dataNetwork: string;
    readonly externalNetwork: ExternalNetworkSpec;
    readonly tenantNetwork: TenantNetworkSpec;
    readonly region: string;
    readonly image: ImageSpec;
    readonly rebootOnSysctlChange: boolean;
    /** Destroy removes what users made in the cloud instead of stopping (default false). */
    readonly purgeOnDestroy: boolean;
    readonly aptProxy?: string;
    readonly datapathType: "system" | "netdev";
    readonly virtType: "kvm" | "qemu";
    readonly cinder: CinderSpec;
    readonly swiftHost?: string;
    readonly overrides: ConfigOverrides;
    readonly flavors: readonly FlavorSpec[];
    /** The demo project (config key `demo`); unset: none. */
    readonly demo?: DemoSpec;
    /** Rotation counters of generated secrets: `{ all?: n, adminPassword?: n, "dbPasswords.nova"?: n, … }`. */
    readonly secretRotation: Readonly<Record<string, number>>;
    /** Override keys let through without the registry check: `<file>:<section>` or `<file>:<section>.<key>`. */
    readonly overridesUnchecked: readonly string[];
    /** uwsgi worker processes of every API run under uwsgi (zed, epoxy); unset: the packaged counts. */
    readonly apiWorkers?: number;
}

/** Secrets the user may set; each absent one is generated with @pulumi/random. */
export interface SecretConfig {
    readonly sshPrivateKey: pulumi.Output<string>;
    readonly adminPassword?: pulumi.Output<string>;
    readonly adminToken?: pulumi.Output<string>;
    readonly rabbitPassword?: pulumi.Output<string>;
    readonly metadataSecret?: pulumi.Output<string>;
    readonly dbPasswords: Partial<Record<DbService, pulumi.Output<string>>>;
    readonly servicePasswords: Partial<Record<ServiceUser, pulumi.Output<string>>>;
}

export interface StackConfig extends PlainConfig {
    readonly secrets: SecretConfig;
    readonly controller: NodeSpec;
    readonly network: NodeSpec;
    readonly computes: readonly NodeSpec[];
}

export interface ConfigProblem {
    /** The config key (with a path for nested values, e.g. `nodes[1].dataIp`). */
    readonly key: string;
    /** What is wrong and how to fix it. */
    readonly message: string;
}

/** Plain values as read from the stack, before validation. */
export type RawConfig = Record<string, unknown>;

/** Keys declared in Pulumi.yaml, with their secret flag (checked against Pulumi.yaml by a test). */
export const CONFIG_KEYS: Record<string, { secret: boolean; required: boolean }> = {
    release: { secret: false, required: false },
    nodes: { secret: false, required: true },
    sshUser: { secret: false, required: false },
    sshPort: { secret: false, required: false },
    sshPrivateKey: { secret: true, required: true },
    managementNetwork: { secret: false, required: true },
    dataNetwork: { secret: false, required: true },
    externalNetwork: { secret: false, required: true },
    tenantNetwork: { secret: false, required: true },
    region: { secret: false, required: false },
    image: { secret: false, required: true },
    rebootOnSysctlChange: { secret: false, required: false },
    purgeOnDestroy: { secret: false, required: false },
    aptProxy: { secret: false, required: false },
    datapathType: { secret: false, required: false },
    virtType: { secret: false, required: false },
    cinder: { secret: false, required: false },
    swiftHost: { secret: false, required: false },
    overrides: { secret: false, required: false },
    flavors: { secret: false, required: false },
    demo: { secret: false, required: false },
    secretRotation: { secret: false, required: false },
    overridesUnchecked: { secret: false, required: false },
    apiWorkers: { secret: false, required: false },
    adminPassword: { secret: true, required: false },
    adminToken: { secret: true, required: false },
    rabbitPassword: { secret: true, required: false },
    metadataSecret: { secret: true, required: false },
    dbPasswords: { secret: true, required: false },
    servicePasswords: { secret: true, required: false },
};

// ---------------------------------------------------------------------------------------
// Schema (shape and types) — zod; semantics (addresses, counts) — checks below.

const hostnameRe = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const demoNameRe = /^[A-Za-z0-9_.-]{1,64}$/;
const ifaceRe = /^[A-Za-z0-9_.:-]{1,15}$/;

const nodeSchema = z
    .object({
        name: z.string(),
        role: z.enum(ROLES),
        managementIp: z.string(),
        dataIp: z.string().optional(),
        externalInterface: z.string().optional(),
    })
    .strict();

const plainSchema = z.object({
    release: z.enum(RELEASES).default("folsom"),
    nodes: z.array(nodeSchema).min(1),
    sshUser: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/)
        .default("root"),
    sshPort: z.coerce.number().int().min(1).max(65535).default(22),
    managementNetwork: z.string(),
    dataNetwork: z.string(),
    externalNetwork: z
        .object({
            cidr: z.string(),
            gateway: z.string(),
            allocationPool: z.object({ start: z.string(), end: z.string() }).strict(),
        })
        .strict(),
    tenantNetwork: z
        .object({
            name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
            cidr: z.string(),
            gateway: z.string(),
            dnsNameservers: z.array(z.string()).default([]),
        })
        .strict(),
    region: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/)
        .default("RegionOne"),
    image: z
        .object({
            name: z.string().min(1),
            url: z.string().regex(/^(https?|file):\/\/\S+$/),
            diskFormat: z.enum(["qcow2", "raw", "vmdk", "vdi", "iso", "ami", "aki", "ari"]),
            containerFormat: z.enum(["bare", "ovf", "ami", "aki", "ari"]),
            properties: z
                .record(
                    z
                        .string()
                        .regex(
                            /^[A-Za-z0-9_:.-]{1,64}$/,
                            "property names are letters, digits and _ : . - (at most 64)",
                        ),
                    z
                        .string()
                        .regex(
                            /^[^\s'"\\]{1,255}$/,
                            "property values are 1-255 characters without spaces, quotes or backslashes",
                        ),
                )
                .default({}),
        })
        .strict(),
    rebootOnSysctlChange: z.coerce.boolean().default(false),
    purgeOnDestroy: z.boolean().default(false),
    aptProxy: z
        .string()
        .regex(/^https?:\/\/[^\s'"]+$/)
        .optional(),
    datapathType: z.enum(["system", "netdev"]).default("system"),
    virtType: z.enum(["kvm", "qemu"]).default("kvm"),
    cinder: z
        .object({
            volumeGroup: z
                .string()
                .regex(/^[A-Za-z0-9_.+-]+$/)
                .default("cinder-volumes"),
            device: z
                .string()
                .regex(/^\/dev\/[A-Za-z0-9_/.-]+$/)
                .optional(),
            volumeService: z.boolean().default(true),
        })
        .strict()
        .default({}),
    swiftHost: z.string().optional(),
    overrides: z.record(z.record(z.record(z.union([z.string(), z.number(), z.boolean()])))).default({}),
    flavors: z
        .array(
            z
                .object({
                    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "flavor names are 1-64 letters, digits, _ . -"),
                    vcpus: z.number().int().min(1).max(1024),
                    ram: z.number().int().min(64).max(16777216),
                    disk: z.number().int().min(0).max(1048576),
                    id: z
                        .string()
                        .regex(/^[A-Za-z0-9_.-]{1,64}$/, "flavor IDs are 1-64 letters, digits, _ . -")
                        .optional(),
                })
                .strict(),
        )
        .default(DEFAULT_FLAVORS as FlavorSpec[]),
    // `true` is the defaults, `false` (or unset) none.
    demo: z.preprocess(
        (v) => (v === true ? {} : v === false ? undefined : v),
        z
            .object({
                project: z.string().regex(demoNameRe, "project names are 1-64 letters, digits, _ . -").default("demo"),
                user: z.string().regex(demoNameRe, "user names are 1-64 letters, digits, _ . -").default("demo"),
                publicKey: z.string().optional(),
                keyName: z
                    .string()
                    .regex(demoNameRe, "key pair names are 1-64 letters, digits, _ . -")
                    .default("demo-key"),
            })
            .strict()
            .optional(),
    ),
    secretRotation: z.record(z.number().int().min(0).max(1000000)).default({}),
    overridesUnchecked: z
        .array(z.string().regex(/^[^:\s]+:[^.\s]+(\.\S+)?$/, "entries are <file>:<section> or <file>:<section>.<key>"))
        .default([]),
    apiWorkers: z.number().int().min(1).max(64).optional(),
});

/** How to fix a schema problem, per top-level key. */
const HINTS: Record<string, string> = {
    release: `set it to one of ${RELEASES.join(", ")}: pulumi config set openstack-lab:release folsom`,
    nodes: "give a list of { name, role: controller|network|compute, managementIp, dataIp, externalInterface } (see Pulumi.dev.yaml)",
    sshUser: "use a plain user name such as root: pulumi config set openstack-lab:sshUser root",
    sshPort: "use a TCP port between 1 and 65535: pulumi config set openstack-lab:sshPort 22",
    managementNetwork: "use a CIDR such as 192.168.122.0/24",
    dataNetwork: "use a CIDR such as 192.168.133.0/24",
    externalNetwork: "give { cidr, gateway, allocationPool: { start, end } }",
    tenantNetwork: "give { name, cidr, gateway, dnsNameservers: [..] }; the name may hold letters, digits, _ . -",
    region: "use letters, digits, _ . - such as RegionOne",
    image: "give { name, url (http://, https:// or file://), diskFormat (qcow2, raw, …), containerFormat (bare, ovf, …), properties? { hw_vif_model: e1000, … } }",
    rebootOnSysctlChange: "use true or false",
    purgeOnDestroy: "use true (lab stacks: destroy deletes what users made) or false (destroy stops and lists it)",
    aptProxy: "use an http(s) URL such as http://198.51.100.1:3142",
    datapathType: "use system (kernel openvswitch module) or netdev (userspace datapath)",
    virtType: "use kvm, or qemu where the host has no usable /dev/kvm",
    cinder: "give { volumeGroup, device (/dev/…), volumeService: true|false }",
    swiftHost: "use the IPv4 address of the Swift proxy host",
    secretRotation:
        "give { <secret>: <counter> } with a counter of 0 or more, e.g. { all: 1 } or { dbPasswords.nova: 2 }",
    flavors:
        "give a list of { name, vcpus, ram (MiB), disk (GB), id? }, e.g. [{ name: m1.tiny, vcpus: 1, ram: 512, disk: 1 }]",
    demo: 'give { project?, user?, publicKey?, keyName? } (or true: project and user demo), e.g. pulumi config set --path openstack-lab:demo.publicKey "$(cat ~/.ssh/id_ed25519.pub)"',
    overrides:
        "give { <file>: { <section>: { <key>: <value> } } }, e.g. { nova.conf: { DEFAULT: { cpu_allocation_ratio: 4 } } }",
    overridesUnchecked:
        'give a list of "<file>:<section>" or "<file>:<section>.<key>", e.g. ["nova.conf:libvirt.some_plugin_key"]',
    apiWorkers:
        "give the uwsgi worker processes of each API service, a whole number from 1 to 64 (e.g. 2 on a small controller): pulumi config set openstack-lab:apiWorkers 2",
};

function pathKey(path: (string | number)[]): string {
    let out = "";
    for (const p of path) {
        out += typeof p === "number" ? `[${p}]` : out ? `.${p}` : p;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Address helpers (ipaddr.js does the parsing and the CIDR math).

type Cidr = [ipaddr.IPv4, number];

export function isIpv4(s: unknown): s is string {
    return typeof s === "string" && ipaddr.IPv4.isValidFourPartDecimal(s);
}

export function parseCidr(s: unknown): Cidr | undefined {
    if (typeof s !== "string" || !/^\d+\.\d+\.\d+\.\d+\/\d{1,2}$/.test(s)) {
        return undefined;
    }
    try {
        const [addr, bits] = ipaddr.IPv4.parseCIDR(s);
        if (bits < 8 || bits > 30) {
            return undefined;
        }
        // A network address, not a host address with a prefix (192.168.122.5/24 is a typo).
        if (ipaddr.IPv4.networkAddressFromCIDR(s).toString() !== addr.toString()) {
            return undefined;
        }
        return [addr, bits];
    } catch {
        return undefined;
    }
}

export function inCidr(ip: string, cidr: Cidr): boolean {
    return ipaddr.IPv4.parse(ip).match(cidr);
}

function toInt(ip: string): number {
    return ipaddr.IPv4.parse(ip)
        .toByteArray()
        .reduce((acc, b) => acc * 256 + b, 0);
}

function cidrRange(c: Cidr): [number, number] {
    const size = 2 ** (32 - c[1]);
    const start = toInt(c[0].toString());
    return [start, start + size - 1];
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    const [a0, a1] = cidrRange(a);
    const [b0, b1] = cidrRange(b);
    return a0 <= b1 && b0 <= a1;
}

/** Usable host address: inside the CIDR and neither its network nor its broadcast address. */
function isHostOf(ip: string, c: Cidr): boolean {
    if (!inCidr(ip, c)) {
        return false;
    }
    const [lo, hi] = cidrRange(c);
    const n = toInt(ip);
    return n !== lo && n !== hi;
}

// ---------------------------------------------------------------------------------------

export interface ValidationResult {
    readonly config?: PlainConfig;
    readonly problems: readonly ConfigProblem[];
}

/**
 * Validate the plain config values. `presentSecrets` names the secret keys that are set
 * (their values are never looked at). Returns every problem found, not just the first.
 */
export function validateConfig(raw: RawConfig, presentSecrets: ReadonlySet<string>): ValidationResult {
    const problems: ConfigProblem[] = [];
    const add = (key: string, message: string) => problems.push({ key, message });

    for (const key of Object.keys(raw)) {
        if (!(key in CONFIG_KEYS)) {
            add(
                key,
                `unknown key; remove it with: pulumi config rm openstack-lab:${key} (known keys: ${Object.keys(CONFIG_KEYS).join(", ")})`,
            );
        } else if (CONFIG_KEYS[key].secret && raw[key] !== undefined) {
            add(key, `must be set as a secret: pulumi config set --secret openstack-lab:${key} <value>`);
        }
    }
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        if (spec.required && !spec.secret && raw[key] === undefined) {
            add(key, `is required; ${HINTS[key]}`);
        }
    }
    if (!presentSecrets.has("sshPrivateKey")) {
        add(
            "sshPrivateKey",
            "is required: set the private key that logs in to every node with: " +
                "cat ~/.ssh/id_ed25519 | pulumi config set --secret openstack-lab:sshPrivateKey",
        );
    }

    const parsed = plainSchema.safeParse(
        Object.fromEntries(Object.entries(raw).filter(([k]) => k in CONFIG_KEYS && !CONFIG_KEYS[k].secret)),
    );
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const key = pathKey(issue.path as (string | number)[]);
            const top = String(issue.path[0] ?? "");
            if (issue.code === "invalid_type" && issue.received === "undefined" && issue.path.length === 1) {
                continue;
            } // reported above
            add(key || top, `${issue.message.toLowerCase()}; ${HINTS[top] ?? "see Pulumi.yaml"}`);
        }
        return { problems };
    }
    const c = parsed.data;

    // --- networks
    const nets: Record<string, Cidr | undefined> = {};
    const cidrKeys = ["managementNetwork", "dataNetwork", "externalNetwork.cidr", "tenantNetwork.cidr"];
    const cidrValues = [c.managementNetwork, c.dataNetwork, c.externalNetwork.cidr, c.tenantNetwork.cidr];
    cidrKeys.forEach((key, i) => {
        nets[key] = parseCidr(cidrValues[i]);
        if (!nets[key]) {
            add(
                key,
                `"${cidrValues[i]}" is not an IPv4 network in CIDR form with a /8../30 prefix (e.g. 192.168.122.0/24; host bits must be zero)`,
            );
        }
    });
    const mgmt = nets.managementNetwork,
        data = nets.dataNetwork;
    const ext = nets["externalNetwork.cidr"],
        tenant = nets["tenantNetwork.cidr"];
    for (let i = 0; i < cidrKeys.length; i++) {
        for (let j = i + 1; j < cidrKeys.length; j++) {
            const a = nets[cidrKeys[i]],
                b = nets[cidrKeys[j]];
            if (a && b && cidrsOverlap(a, b)) {
                add(
                    cidrKeys[j],
                    `${cidrValues[j]} overlaps ${cidrKeys[i]} (${cidrValues[i]}); every network needs its own range`,
                );
            }
        }
    }

    const checkIp = (key: string, value: string, net: Cidr | undefined, netKey: string) => {
        if (!isIpv4(value)) {
            add(key, `"${value}" is not an IPv4 address (e.g. 192.168.122.111)`);
        } else if (net && !isHostOf(value, net)) {
            add(key, `${value} is not a host address of ${netKey} (${net[0].toString()}/${net[1]})`);
        }
    };

    // --- external network and pool
    const e = c.externalNetwork;
    checkIp("externalNetwork.gateway", e.gateway, ext, "externalNetwork.cidr");
    checkIp("externalNetwork.allocationPool.start", e.allocationPool.start, ext, "externalNetwork.cidr");
    checkIp("externalNetwork.allocationPool.end", e.allocationPool.end, ext, "externalNetwork.cidr");
    if (isIpv4(e.allocationPool.start) && isIpv4(e.allocationPool.end)) {
        const s = toInt(e.allocationPool.start),
            en = toInt(e.allocationPool.end);
        if (s > en) {
            add(
                "externalNetwork.allocationPool",
                `start ${e.allocationPool.start} is after end ${e.allocationPool.end}; swap them`,
            );
        } else if (isIpv4(e.gateway) && toInt(e.gateway) >= s && toInt(e.gateway) <= en) {
            add(
                "externalNetwork.allocationPool",
                `contains the gateway ${e.gateway}; start the pool after it (e.g. the article's .100)`,
            );
        }
    }

    // --- tenant network
    const t = c.tenantNetwork;
    checkIp("tenantNetwork.gateway", t.gateway, tenant, "tenantNetwork.cidr");
    t.dnsNameservers.forEach((d, i) => {
        if (!isIpv4(d)) {
            add(`tenantNetwork.dnsNameservers[${i}]`, `"${d}" is not an IPv4 address (e.g. 8.8.8.8)`);
        }
    });

    // --- nodes
    const names = new Map<string, number>();
    const addrs = new Map<string, string>();
    c.nodes.forEach((n, i) => {
        const k = `nodes[${i}]`;
        if (!hostnameRe.test(n.name)) {
            add(
                `${k}.name`,
                `"${n.name}" is not a valid host name (lower-case letters, digits and -, starting with a letter, at most 63 characters)`,
            );
        }
        if (names.has(n.name)) {
            add(
                `${k}.name`,
                `duplicate node name "${n.name}" (also nodes[${names.get(n.name)}]); node names must be unique`,
            );
        }
        names.set(n.name, i);
        const claim = (key: string, ip: string) => {
            if (!isIpv4(ip)) {
                return;
            }
            const prev = addrs.get(ip);
            if (prev) {
                add(key, `duplicate address ${ip} (also ${prev}); every node needs its own address`);
            } else {
                addrs.set(ip, key);
            }
        };
        checkIp(`${k}.managementIp`, n.managementIp, mgmt, "managementNetwork");
        claim(`${k}.managementIp`, n.managementIp);
        const needsData = n.role !== "controller";
        if (needsData && n.dataIp === undefined) {
            add(
                `${k}.dataIp`,
                `is required for a ${n.role} node: the GRE/VXLAN tunnel endpoint on dataNetwork (article: 192.168.133.112)`,
            );
        } else if (n.dataIp !== undefined) {
            checkIp(`${k}.dataIp`, n.dataIp, data, "dataNetwork");
            claim(`${k}.dataIp`, n.dataIp);
        }
        if (n.role === "network") {
            if (n.externalInterface === undefined) {
                add(
                    `${k}.externalInterface`,
                    "is required for the network node: the interface on the external network that joins the external bridge (article: eth2)",
                );
            } else if (!ifaceRe.test(n.externalInterface)) {
                add(
                    `${k}.externalInterface`,
                    `"${n.externalInterface}" is not an interface name (at most 15 characters: letters, digits, _ . : -)`,
                );
            }
        } else if (n.externalInterface !== undefined) {
            add(
                `${k}.externalInterface`,
                `only the network node has an external interface; remove it from this ${n.role} node`,
            );
        }
    });
    const count = (r: Role) => c.nodes.filter((n) => n.role === r).length;
    if (count("controller") !== 1) {
        add("nodes", `needs exactly one controller node, found ${count("controller")}`);
    }
    if (count("network") !== 1) {
        add("nodes", `needs exactly one network node, found ${count("network")}`);
    }
    if (count("compute") < 1) {
        add("nodes", "needs at least one compute node, found 0");
    }

    // --- flavors
    const flavorNames = new Map<string, number>();
    c.flavors.forEach((f, i) => {
        const seen = flavorNames.get(f.name);
        if (seen !== undefined) {
            add(
                `flavors[${i}].name`,
                `duplicate flavor name "${f.name}" (also flavors[${seen}]); give each flavor its own name`,
            );
        }
        flavorNames.set(f.name, i);
    });

    // --- demo project
    if (c.demo) {
        const d = c.demo;
        if (RESERVED_PROJECTS.includes(d.project)) {
            add(
                "demo.project",
                `"${d.project}" is a project the program makes for itself (${RESERVED_PROJECTS.join(", ")}); choose another name`,
            );
        }
        if (RESERVED_USERS.includes(d.user)) {
            add(
                "demo.user",
                `"${d.user}" is a user the program makes for itself (${RESERVED_USERS.join(", ")}); choose another name`,
            );
        }
        const keyProblem = d.publicKey === undefined ? undefined : publicKeyProblem(d.publicKey, c.release);
        if (keyProblem) {
            add("demo.publicKey", keyProblem);
        }
    }

    // --- secret rotation
    for (const name of Object.keys(c.secretRotation)) {
        if (name === "demoPassword" && !c.demo) {
            add(
                `secretRotation.${name}`,
                "there is no demo project to rotate it for (config key demo); remove the entry, or set demo",
            );
        } else if (!ROTATABLE_SECRETS.includes(name)) {
            add(`secretRotation.${name}`, `unknown secret; use one of ${ROTATABLE_SECRETS.join(", ")}`);
        } else if (name !== "all" && !name.includes(".") && presentSecrets.has(name)) {
            add(
                `secretRotation.${name}`,
                `${name} is set in the stack config, not generated: rotate it by setting a new value with pulumi config set --secret openstack-lab:${name} <value>`,
            );
        }
    }

    // --- overrides: every file, section and key must be one the release's services read
    // (options/registry.ts, data extracted from the upstream sources), unless let through.
    for (const p of checkOverrides(c.release, c.overrides, c.overridesUnchecked)) {
        add(`overrides.${p.path}`, p.message);
    }
    c.overridesUnchecked.forEach((entry, i) => {
        const file = entry.slice(0, entry.indexOf(":"));
        if (!(MANAGED_FILES[c.release] ?? []).some((f) => f.file === file)) {
            add(`overridesUnchecked[${i}]`, `the ${c.release} profile writes no file ${file}; remove the entry`);
        }
    });

    // --- odds and ends
    if (c.swiftHost !== undefined && !isIpv4(c.swiftHost)) {
        add("swiftHost", `"${c.swiftHost}" is not an IPv4 address; ${HINTS.swiftHost}`);
    }
    if (c.apiWorkers !== undefined && uwsgiInis(RELEASE_PROFILES[c.release]).length === 0) {
        add(
            "apiWorkers",
            `the ${c.release} profile runs no API under uwsgi (folsom: Ubuntu 12.04's services are single eventlet processes), so there is no worker count to set; remove it: pulumi config rm openstack-lab:apiWorkers`,
        );
    }
    if (c.release === "folsom" && c.datapathType === "netdev") {
        add(
            "datapathType",
            "netdev needs Open vSwitch ≥ 2.x; the folsom profile supports only system (remove the key)",
        );
    }
    if (problems.length) {
        return { problems };
    }
    return {
        config: {
            ...c,
            image: { ...c.image, properties: imageProperties(c.image.properties, c.datapathType) },
            demo: c.demo && {
                project: c.demo.project,
                user: c.demo.user,
                keyName: c.demo.keyName,
                ...(c.demo.publicKey === undefined ? {} : { publicKey: c.demo.publicKey.trim() }),
            },
        } as PlainConfig,
        problems,
    };
}

/** The guest NIC model images get on a netdev datapath (unless `image.properties` names one). */
export const NETDEV_VIF_MODEL = "e1000";

/**
 * The image's Glance properties: the configured ones, plus `hw_vif_model = e1000` when
 * Open vSwitch runs in userspace (`datapathType: netdev`). Open vSwitch 3.1's userspace
 * datapath forwards a virtio-net guest's checksum-offloaded TCP segments unfinished, so
 * the receiver drops every TCP packet (metadata, SSH); an emulated e1000 NIC sends
 * finished checksums. ICMP and DHCP work either way, which is why it hides.
 */
export function imageProperties(
    configured: Readonly<Record<string, string>>,
    datapathType: string,
): Record<string, string> {
    return datapathType === "netdev" && configured.hw_vif_model === undefined
        ? { ...configured, hw_vif_model: NETDEV_VIF_MODEL }
        : { ...configured };
}

/** Format problems as the one error message `loadConfig` throws. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => `  - openstack-lab:${p.key}: ${p.message}`);
    return `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

export class ConfigError extends Error {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

/** Read, validate and return the stack configuration. Throws ConfigError on bad input. */
export function loadConfig(): StackConfig {
    const cfg = new pulumi.Config(NAMESPACE);
    const raw: RawConfig = {};
    const present = new Set<string>();
    const mapProblems: ConfigProblem[] = [];
    const secretStrings: Record<string, pulumi.Output<string> | undefined> = {};
    const secretMaps: Record<string, Record<string, pulumi.Output<string>>> = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        if (spec.secret && (key === "dbPasswords" || key === "servicePasswords")) {
            // Only the key names are looked at; every value is wrapped as a secret at once.
            const text = pulumi.runtime.getConfig(`${NAMESPACE}:${key}`);
            if (text === undefined) {
                continue;
            }
            present.add(key);
            secretMaps[key] = {};
            let obj: unknown;
            try {
                obj = JSON.parse(text);
            } catch {
                obj = undefined;
            }
            const allowed: readonly string[] = key === "dbPasswords" ? DB_SERVICES : SERVICE_USERS;
            if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
                mapProblems.push({
                    key,
                    message: `must be an object of passwords keyed by ${allowed.join(", ")}: pulumi config set --secret --path '${NAMESPACE}:${key}.nova' <password>`,
                });
                continue;
            }
            for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
                if (!allowed.includes(k)) {
                    mapProblems.push({
                        key: `${key}.${k}`,
                        message: `unknown service; use one of ${allowed.join(", ")}`,
                    });
                } else if (typeof v !== "string" || v.length < 8) {
                    mapProblems.push({ key: `${key}.${k}`, message: "must be a string of at least 8 characters" });
                } else {
                    secretMaps[key][k] = pulumi.secret(v);
                }
            }
        } else if (spec.secret) {
            const v = cfg.getSecret(key);
            secretStrings[key] = v;
            if (v) {
                present.add(key);
            }
        } else {
            const v = readPlain(key);
            if (v !== undefined) {
                raw[key] = v;
            }
        }
    }
    // Secrets set in plain text are a problem in their own right (validateConfig reports it).
    for (const key of Object.keys(CONFIG_KEYS).filter((k) => CONFIG_KEYS[k].secret)) {
        if (present.has(key) && !isSecretInStack(key)) {
            raw[key] = "<plain>";
        }
    }
    const { config, problems } = validateConfig(raw, present);
    if (!config || mapProblems.length) {
        throw new ConfigError([...problems, ...mapProblems]);
    }

    return withDerived(config, {
        sshPrivateKey: secretStrings.sshPrivateKey!,
        adminPassword: secretStrings.adminPassword,
        adminToken: secretStrings.adminToken,
        rabbitPassword: secretStrings.rabbitPassword,
        metadataSecret: secretStrings.metadataSecret,
        dbPasswords: secretMaps.dbPasswords ?? {},
        servicePasswords: secretMaps.servicePasswords ?? {},
    });
}

/** A plain value: objects, lists, numbers and booleans arrive as JSON text, strings as-is. */
function readPlain(key: string): unknown {
    const text = pulumi.runtime.getConfig(`${NAMESPACE}:${key}`);
    if (text === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** Whether the stack stores `key` encrypted (`pulumi config set --secret`). */
function isSecretInStack(key: string): boolean {
    // runtime.isConfigSecret is not in the SDK's typings; without it, trust the stack.
    const rt = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return rt.isConfigSecret ? rt.isConfigSecret(`${NAMESPACE}:${key}`) : true;
}

/** Attach the role lookups every component uses. */
export function withDerived(plain: PlainConfig, secrets: SecretConfig): StackConfig {
    const byRole = (r: Role) => plain.nodes.filter((n) => n.role === r);
    return {
        ...plain,
        secrets,
        controller: byRole("controller")[0],
        network: byRole("network")[0],
        computes: byRole("compute"),
    };
}
