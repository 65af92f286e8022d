// options/registry.ts — which (file, section, key) each OpenStack service reads, per release.
//
// The data beside this file (options/<release>/<service>.json) is extracted from the upstream
// sources at the release's tags by scripts/options/extract.py (each file names the repositories,
// tags and commits it came from). This module is pure: it reads only that committed data, never a
// golden file or a host. `checkOverrides` is what config.ts runs at program start; `checkRendered`
// checks a whole rendered file (the unit tests feed it the golden files).
import * as fs from "fs";
import * as path from "path";

export type OptionType = "str" | "int" | "bool" | "list" | "multistr" | "float" | "dict" | "port";

export interface OptionSpec {
    readonly type: OptionType;
    /** Python module that defines the option. */
    readonly module: string;
    /** Other modules that define an option of the same group and name. */
    readonly alsoIn?: readonly string[];
    readonly choices?: readonly (string | number)[];
    readonly min?: number;
    readonly max?: number;
    /** Older names oslo.config still accepts (with a warning). */
    readonly deprecated?: readonly { readonly group: string | null; readonly name: string | null }[];
}

export interface ServiceOptions {
    readonly release: string;
    readonly service: string;
    readonly sources: readonly { repository: string; tag: string; commit: string; paths: readonly string[] }[];
    /** Options defined but never seen registered (kept in DEFAULT). */
    readonly unregistered: readonly string[];
    readonly groups: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>>;
    /** Paste filter factory (`module:callable`) -> the keys it reads from its paste section. */
    readonly pasteFilters?: Readonly<Record<string, readonly string[]>>;
    /** Packaged sample paste files, by override file id. */
    readonly pasteSamples?: Readonly<
        Record<string, { path: string; sections: Readonly<Record<string, Readonly<Record<string, string>>>> }>
    >;
    /** Django settings the code reads (Horizon). */
    readonly settings?: readonly string[];
    /** Variables the packaged local_settings.py assigns and computes other settings from. */
    readonly localSettingsVariables?: readonly string[];
    /** Per managed file (Folsom), the option-defining modules its processes import; other files: all. */
    readonly fileModules?: Readonly<Record<string, readonly string[]>>;
    /** Per managed file, the oslo.config namespaces of its packaged config-generator file (zed, epoxy). */
    readonly files?: Readonly<Record<string, readonly string[]>>;
    /** Namespaces served by a library -> the Python packages whose options they are. */
    readonly libraryNamespaces?: Readonly<Record<string, readonly string[]>>;
    /** The service's own namespaces -> { group: keys } its entry point lists (null: not followable). */
    readonly namespaceOptions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>> | null>>;
    /** Groups that also take keystoneauth1's auth-plugin, session and adapter options. */
    readonly keystoneauthGroups?: readonly string[];
    readonly keystoneauth?: { readonly source: unknown; readonly options: Readonly<Record<string, OptionSpec>> };
}

/** How a managed file is read: oslo.config INI, a paste deploy INI, Django settings, or not by OpenStack. */
export type FileKind = "oslo" | "paste" | "django" | "unchecked";

export interface ManagedFile {
    /** Key of the stack config `overrides` (the component's file id). */
    readonly file: string;
    /** Name of the file under test/unit/golden/<release>/<host>/. */
    readonly golden: string;
    /** Service whose registry applies (options/<release>/<service>.json). */
    readonly service: string;
    /** Services whose registries are read too (e.g. the paste filter's own package). */
    readonly alsoReads?: readonly string[];
    readonly kind: FileKind;
    /** Why a file is not checked (kind "unchecked"). */
    readonly why?: string;
    /**
     * Sections whose name the profile chooses, read with the options of a registered group:
     * a cinder backend (`[lvm]`, named in enabled_backends) takes `backend_defaults`' options, a
     * glance store (`[fs]`) `glance_store`'s.
     */
    readonly sectionAliases?: Readonly<Record<string, string>>;
}

const MYSQL: ManagedFile = {
    file: "mysql.cnf",
    golden: "mysql.cnf",
    service: "mysql",
    kind: "unchecked",
    why: "MySQL/MariaDB server options, not an OpenStack service",
};

/** A paste deploy file of `service`; its auth filter's keys are read with keystone's registry too. */
const paste = (service: string, file: string, golden = file): ManagedFile => ({
    file,
    golden,
    service,
    alsoReads: ["keystone"],
    kind: "paste",
});

const FOLSOM_FILES: readonly ManagedFile[] = [
    { file: "keystone.conf", golden: "keystone.conf", service: "keystone", kind: "oslo" },
    { file: "nova.conf", golden: "nova.conf", service: "nova", kind: "oslo" },
    paste("nova", "nova-api-paste.ini"),
    { file: "glance-api.conf", golden: "glance-api.conf", service: "glance", kind: "oslo" },
    { file: "glance-registry.conf", golden: "glance-registry.conf", service: "glance", kind: "oslo" },
    { file: "cinder.conf", golden: "cinder.conf", service: "cinder", kind: "oslo" },
    paste("cinder", "cinder-api-paste.ini"),
    { file: "quantum.conf", golden: "quantum.conf", service: "quantum", kind: "oslo" },
    paste("quantum", "quantum/api-paste.ini", "quantum-api-paste.ini"),
    { file: "ovs_quantum_plugin.ini", golden: "ovs_quantum_plugin.ini", service: "quantum", kind: "oslo" },
    { file: "l3_agent.ini", golden: "l3_agent.ini", service: "quantum", kind: "oslo" },
    { file: "dhcp_agent.ini", golden: "dhcp_agent.ini", service: "quantum", kind: "oslo" },
    MYSQL,
];

const NEUTRON_FILES = [
    "neutron.conf",
    "ml2_conf.ini",
    "openvswitch_agent.ini",
    "l3_agent.ini",
    "dhcp_agent.ini",
    "metadata_agent.ini",
];
const modern = (): readonly ManagedFile[] => [
    { file: "keystone.conf", golden: "keystone.conf", service: "keystone", kind: "oslo" },
    { file: "nova.conf", golden: "nova.conf", service: "nova", kind: "oslo" },
    { file: "placement.conf", golden: "placement.conf", service: "placement", kind: "oslo" },
    {
        file: "glance-api.conf",
        golden: "glance-api.conf",
        service: "glance",
        kind: "oslo",
        // The profile's one store backend (enabled_backends = fs:file) and glance's reserved stores.
        sectionAliases: {
            fs: "glance_store",
            os_glance_staging_store: "glance_store",
            os_glance_tasks_store: "glance_store",
        },
    },
    {
        file: "cinder.conf",
        golden: "cinder.conf",
        service: "cinder",
        kind: "oslo",
        // The profile's one backend (enabled_backends = lvm).
        sectionAliases: { lvm: "backend_defaults" },
    },
    ...NEUTRON_FILES.map((f): ManagedFile => ({ file: f, golden: f, service: "neutron", kind: "oslo" })),
    {
        file: "neutron-api-uwsgi.ini",
        golden: "neutron-api-uwsgi.ini",
        service: "uwsgi",
        kind: "unchecked",
        why: "uWSGI's own options, not oslo.config",
    },
    MYSQL,
];
/** Every file the program writes that the user may override, per release (epoxy writes zed's files). */
export const MANAGED_FILES: Readonly<Record<string, readonly ManagedFile[]>> = {
    folsom: FOLSOM_FILES,
    zed: modern(),
    epoxy: modern(),
};

/** Golden files that hold keys but are not overridable (a managed block, not an INI merge). */
export const CHECKED_BLOCKS: Readonly<Record<string, readonly ManagedFile[]>> = {
    folsom: [{ file: "local_settings.py", golden: "horizon-local_settings.py", service: "horizon", kind: "django" }],
    zed: [{ file: "_90_openstack_lab.py", golden: "horizon-_90_openstack_lab.py", service: "horizon", kind: "django" }],
};

const cache = new Map<string, ServiceOptions | undefined>();

/** The registry of one service at one release, or undefined when none is committed. */
export function serviceOptions(release: string, service: string): ServiceOptions | undefined {
    const id = `${release}/${service}`;
    if (!cache.has(id)) {
        const p = path.join(__dirname, release, `${service}.json`);
        cache.set(id, fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, "utf8")) as ServiceOptions) : undefined);
    }
    return cache.get(id);
}

/** The registry a managed file needs: missing data is a broken install, not an unknown key. */
function registryOf(release: string, service: string): ServiceOptions {
    const reg = serviceOptions(release, service);
    if (!reg) {
        throw new Error(
            `option data missing: ${path.join(__dirname, release, `${service}.json`)} (scripts/options/extract.py)`,
        );
    }
    return reg;
}

export function managedFile(release: string, file: string): ManagedFile | undefined {
    return (MANAGED_FILES[release] ?? []).find((f) => f.file === file);
}

/** A paste section's sample keys and, for a filter whose factory reads its own keys, those keys. */
function pasteSection(
    release: string,
    mf: ManagedFile,
    section: string,
): { keys: readonly string[]; factory?: string } | undefined {
    const reg = registryOf(release, mf.service);
    const sample = reg?.pasteSamples?.[mf.file]?.sections[section];
    if (!sample) {
        return undefined;
    }
    const factory = sample["paste.filter_factory"];
    for (const s of [mf.service, ...(mf.alsoReads ?? [])]) {
        const keys = factory ? registryOf(release, s)?.pasteFilters?.[factory] : undefined;
        if (keys) {
            return { keys, factory };
        }
    }
    return { keys: Object.keys(sample), factory };
}

/** Known sections of a managed file. */
export function knownSections(release: string, mf: ManagedFile): readonly string[] {
    if (mf.kind === "paste") {
        return Object.keys(registryOf(release, mf.service)?.pasteSamples?.[mf.file]?.sections ?? {});
    }
    const candidates = new Set<string>(Object.keys(mf.sectionAliases ?? {}));
    for (const s of [mf.service, ...(mf.alsoReads ?? [])]) {
        const reg = registryOf(release, s);
        Object.keys(reg?.groups ?? {}).forEach((g) => candidates.add(g));
        (reg?.keystoneauthGroups ?? []).forEach((g) => candidates.add(g));
    }
    return [...candidates].filter((g) => knownKeys(release, mf, g) !== undefined);
}

/** Releases whose oslo.config looks groups up case-insensitively (all but Folsom's 2012 copy). */
const CASE_SENSITIVE_GROUPS = new Set(["folsom"]);

/** The registry's name of a section: oslo.config lower-cases every group but DEFAULT. */
export function groupName(release: string, section: string): string {
    return CASE_SENSITIVE_GROUPS.has(release) || section === "DEFAULT" ? section : section.toLowerCase();
}

/** Known keys of one section, with their specs where the registry has one. */
export function knownKeys(
    release: string,
    mf: ManagedFile,
    section: string,
): ReadonlyMap<string, OptionSpec | undefined> | undefined {
    if (mf.kind === "paste") {
        const p = pasteSection(release, mf, section);
        return p ? new Map(p.keys.map((k) => [k, undefined])) : undefined;
    }
    let found = false;
    const out = new Map<string, OptionSpec | undefined>();
    const group = groupName(release, mf.sectionAliases?.[section] ?? section);
    for (const s of [mf.service, ...(mf.alsoReads ?? [])]) {
        const reg = registryOf(release, s);
        const g = reg?.groups[group];
        const namespaces = reg?.files?.[mf.file];
        let unfollowed = false;
        const modules = reg.fileModules?.[mf.file];
        if (g && !namespaces) {
            for (const [k, spec] of Object.entries(g)) {
                if (!modules || [spec.module, ...(spec.alsoIn ?? [])].some((m) => modules.includes(m))) {
                    found = true;
                    out.set(k, spec);
                }
            }
        } else if (reg && namespaces) {
            // Only what the file's own config-generator namespaces list (as oslo-config-validator reads it).
            const own = (spec: OptionSpec) => spec.module === s || spec.module.startsWith(`${s}.`);
            for (const ns of namespaces) {
                const lib = reg.libraryNamespaces?.[ns];
                const listed = reg.namespaceOptions?.[ns];
                if (lib) {
                    for (const [k, spec] of Object.entries(g ?? {})) {
                        if (lib.some((p) => spec.module === p || spec.module.startsWith(`${p}.`))) {
                            found = true;
                            out.set(k, spec);
                        }
                    }
                } else if (listed) {
                    if (listed[group]) {
                        found = true;
                        listed[group].forEach((k) => out.set(k, g?.[k]));
                    }
                } else {
                    // An entry point the extractor cannot follow (nova.conf's imports every nova.conf
                    // module): all of the service's own options, and its keystoneauth groups.
                    unfollowed = true;
                    for (const [k, spec] of Object.entries(g ?? {})) {
                        if (own(spec)) {
                            found = true;
                            out.set(k, spec);
                        }
                    }
                }
            }
        }
        if (reg?.keystoneauth && reg.keystoneauthGroups?.includes(group) && (found || unfollowed || !namespaces)) {
            found = true;
            for (const [k, spec] of Object.entries(reg.keystoneauth.options)) {
                if (!out.has(k)) {
                    out.set(k, spec);
                }
            }
        }
    }
    return found ? out : undefined;
}

/** Damerau-free Levenshtein distance (small strings only). */
export function editDistance(a: string, b: string): number {
    const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diag = prev[0];
        prev[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const up = prev[j];
            prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
            diag = up;
        }
    }
    return prev[b.length];
}

/** The closest known name, if it is close enough to be a likely typo. */
export function closest(name: string, known: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestD = Infinity;
    const lower = name.toLowerCase();
    for (const k of known) {
        const d = editDistance(lower, k.toLowerCase());
        if (d < bestD || (d === bestD && best !== undefined && k < best)) {
            best = k;
            bestD = d;
        }
    }
    return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

const didYouMean = (s: string | undefined) => (s ? ` (did you mean ${s}?)` : "");

export type OverrideValue = string | number | boolean | null;

/** Why `value` does not fit `spec`, or undefined when it does. */
export function typeProblem(spec: OptionSpec, value: OverrideValue): string | undefined {
    if (value === null) {
        return undefined; // null removes the key
    }
    const s = String(value).trim();
    let num: number | undefined;
    switch (spec.type) {
        case "bool":
            if (typeof value === "boolean" || /^(true|false|yes|no|on|off|1|0)$/i.test(s)) {
                return undefined;
            }
            return `expects a boolean (true or false), got ${JSON.stringify(value)}`;
        case "int":
        case "port":
            if (typeof value === "boolean" || !/^[-+]?\d+$/.test(s)) {
                return `expects an integer, got ${JSON.stringify(value)}`;
            }
            num = Number(s);
            if (spec.type === "port" && (num < 0 || num > 65535)) {
                return `expects a TCP/UDP port (0-65535), got ${s}`;
            }
            break;
        case "float":
            if (typeof value === "boolean" || s === "" || !Number.isFinite(Number(s))) {
                return `expects a number, got ${JSON.stringify(value)}`;
            }
            num = Number(s);
            break;
        default:
            break;
    }
    if (num !== undefined && spec.min !== undefined && num < spec.min) {
        return `expects at least ${spec.min}, got ${num}`;
    }
    if (num !== undefined && spec.max !== undefined && num > spec.max) {
        return `expects at most ${spec.max}, got ${num}`;
    }
    if (spec.choices && spec.type === "str" && !spec.choices.map(String).includes(s)) {
        return `expects one of ${spec.choices.join(", ")}, got ${JSON.stringify(value)}`;
    }
    return undefined;
}

export interface OptionProblem {
    /** Path below the config key `overrides`: `<file>.<section>.<key>` (or shorter). */
    readonly path: string;
    readonly message: string;
}

/** The escape-hatch entry that lets this (file, section, key) through: `<file>:<section>.<key>`. */
export function uncheckedEntry(file: string, section: string, key?: string): string {
    return key === undefined ? `${file}:${section}` : `${file}:${section}.${key}`;
}

/** `[group] name` of the option that `section.key` is a deprecated name of, in this file. */
export function currentName(release: string, mf: ManagedFile, section: string, key: string): string | undefined {
    const group = groupName(release, section);
    for (const g of knownSections(release, mf)) {
        for (const [name, spec] of knownKeys(release, mf, g) ?? new Map<string, OptionSpec | undefined>()) {
            for (const d of spec?.deprecated ?? []) {
                const dg = groupName(release, d.group ?? g);
                if ((d.name ?? name) === key && dg === group) {
                    return `[${g}] ${name}`;
                }
            }
        }
    }
    return undefined;
}

/**
 * Check user overrides `{ <file>: { <section>: { <key>: value } } }` against the release's
 * registries. `unchecked` lists entries let through on purpose: `<file>:<section>.<key>` for one
 * key, `<file>:<section>` for a whole section (e.g. a plugin's own section).
 */
export function checkOverrides(
    release: string,
    overrides: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, OverrideValue>>>>>>,
    unchecked: readonly string[] = [],
): OptionProblem[] {
    const problems: OptionProblem[] = [];
    const allow = new Set(unchecked);
    const files = MANAGED_FILES[release] ?? [];
    for (const [file, sections] of Object.entries(overrides)) {
        const mf = managedFile(release, file);
        if (!mf) {
            problems.push({
                path: file,
                message:
                    `the ${release} profile writes no file ${file}${didYouMean(
                        closest(
                            file,
                            files.map((f) => f.file),
                        ),
                    )}; ` + `files that take overrides: ${files.map((f) => f.file).join(", ")}`,
            });
            continue;
        }
        if (mf.kind === "unchecked") {
            continue;
        }
        for (const [section, keys] of Object.entries(sections)) {
            if (allow.has(uncheckedEntry(file, section))) {
                continue;
            }
            const known = knownKeys(release, mf, section);
            if (!known) {
                problems.push({
                    path: `${file}.${section}`,
                    message:
                        `${release} ${mf.service} reads no section [${section}] in ${file}` +
                        `${didYouMean(closest(section, knownSections(release, mf)))}; fix the name, or if a plugin ` +
                        `reads it, list "${uncheckedEntry(file, section)}" in overridesUnchecked`,
                });
                continue;
            }
            for (const [key, value] of Object.entries(keys)) {
                if (allow.has(uncheckedEntry(file, section, key))) {
                    continue;
                }
                const p = `${file}.${section}.${key}`;
                const renamed = known.has(key) ? undefined : currentName(release, mf, section, key);
                if (renamed) {
                    problems.push({
                        path: p,
                        message:
                            `${key} in [${section}] is the deprecated name of ${renamed} (${release} ${mf.service}); ` +
                            `set that instead (where both are set, the current name wins)`,
                    });
                    continue;
                }
                if (!known.has(key)) {
                    problems.push({
                        path: p,
                        message:
                            `${release} ${mf.service} reads no option ${key} in [${section}] of ${file}` +
                            `${didYouMean(closest(key, known.keys()))}; fix the name, or if a plugin reads it, ` +
                            `list "${uncheckedEntry(file, section, key)}" in overridesUnchecked`,
                    });
                    continue;
                }
                const spec = known.get(key);
                const why = spec ? typeProblem(spec, value) : undefined;
                if (why) {
                    problems.push({
                        path: p,
                        message: `${key} is a ${spec!.type} option of ${release} ${mf.service}: ${why}`,
                    });
                }
            }
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------
// Rendered files (the unit tests feed the golden files here).

export interface RenderedKey {
    readonly section: string;
    readonly key: string;
    readonly value: string;
}

/** Keys of an INI text (`# …` comments and blank lines skipped; keys before a section are in ""). */
export function parseIniKeys(text: string): RenderedKey[] {
    const out: RenderedKey[] = [];
    let section = "";
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (!line || line.startsWith("#") || line.startsWith(";")) {
            continue;
        }
        const sec = /^\[([^\]]+)\]$/.exec(line);
        if (sec) {
            section = sec[1];
            continue;
        }
        const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
        if (!kv) {
            throw new Error(`not an INI line: ${JSON.stringify(raw)}`);
        }
        out.push({ section, key: kv[1], value: kv[2] });
    }
    return out;
}

/** Top-level assignments of a Python settings block (`NAME = value`; indented or closing lines continue it). */
export function parseSettingsKeys(text: string): RenderedKey[] {
    const out: RenderedKey[] = [];
    for (const raw of text.split("\n")) {
        if (!raw.trim() || raw.trim().startsWith("#") || /^[\s)\]}]/.test(raw)) {
            continue;
        }
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
        if (!m) {
            throw new Error(`not a settings assignment: ${JSON.stringify(raw)}`);
        }
        out.push({ section: "", key: m[1], value: m[2] });
    }
    return out;
}

export interface KeyVerdict extends RenderedKey {
    readonly known: boolean;
    /** Where the name is defined (module, paste factory or "settings"). */
    readonly where?: string;
    readonly suggestion?: string;
}

/** Every key of a rendered file with whether the file's service reads it. */
export function checkRendered(release: string, mf: ManagedFile, text: string): KeyVerdict[] {
    const keys = mf.kind === "django" ? parseSettingsKeys(text) : parseIniKeys(text);
    return keys.map((k) => {
        if (mf.kind === "django") {
            const reg = registryOf(release, mf.service);
            const names = [...(reg?.settings ?? []), ...(reg?.localSettingsVariables ?? [])];
            return names.includes(k.key)
                ? { ...k, known: true, where: "settings" }
                : { ...k, known: false, suggestion: closest(k.key, names) };
        }
        const known = knownKeys(release, mf, k.section);
        if (!known) {
            return { ...k, known: false, suggestion: closest(k.section, knownSections(release, mf)) };
        }
        if (!known.has(k.key)) {
            return { ...k, known: false, suggestion: closest(k.key, known.keys()) };
        }
        const spec = known.get(k.key);
        const where = spec ? spec.module : pasteSection(release, mf, k.section)?.factory;
        return { ...k, known: true, where };
    });
}
