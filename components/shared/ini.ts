// Typed, deterministic INI documents with oslo.config conventions.
//
// A document is plain data: sections in insertion order (DEFAULT always first), keys in
// insertion order. Booleans render as `true`/`false`, lists comma-joined, `undefined` and
// `null` drop the key. `mergeIni` lays user overrides over a rendered document.

export type IniScalar = string | number | boolean;
export type IniValue = IniScalar | readonly IniScalar[] | undefined | null;
export type IniSection = Readonly<Record<string, IniValue>>;
export type IniDoc = Readonly<Record<string, IniSection>>;

/** Render one value the way oslo.config (and the Folsom-era parsers) read it. */
export function iniValue(v: IniScalar | readonly IniScalar[]): string {
    if (Array.isArray(v)) {
        return v.map((x) => iniValue(x as IniScalar)).join(",");
    }
    if (typeof v === "boolean") {
        return v ? "true" : "false";
    }
    const s = String(v);
    if (/[\r\n]/.test(s)) {
        throw new Error(`INI values cannot contain line breaks: ${JSON.stringify(s.slice(0, 40))}`);
    }
    return s;
}

/** Section names in render order: DEFAULT first, then insertion order. */
export function sectionOrder(doc: IniDoc): string[] {
    const names = Object.keys(doc);
    return [...names.filter((n) => n === "DEFAULT"), ...names.filter((n) => n !== "DEFAULT")];
}

/** Drop undefined/null keys and sections left empty. */
export function compactIni(doc: IniDoc): Record<string, Record<string, IniScalar | readonly IniScalar[]>> {
    const out: Record<string, Record<string, IniScalar | readonly IniScalar[]>> = {};
    for (const name of sectionOrder(doc)) {
        const entries = Object.entries(doc[name]).filter(([, v]) => v !== undefined && v !== null) as [
            string,
            IniScalar | readonly IniScalar[],
        ][];
        if (entries.length) {
            out[name] = Object.fromEntries(entries);
        }
    }
    return out;
}

/** Render a document as INI text. `header` lines become `# ` comments at the top. */
export function renderIni(doc: IniDoc, header: readonly string[] = []): string {
    const lines: string[] = header.map((h) => (h ? `# ${h}` : "#"));
    const compact = compactIni(doc);
    for (const name of Object.keys(compact)) {
        if (lines.length) {
            lines.push("");
        }
        lines.push(`[${name}]`);
        for (const [k, v] of Object.entries(compact[name])) {
            lines.push(`${k} = ${iniValue(v)}`);
        }
    }
    return lines.join("\n") + "\n";
}

/**
 * Lay `overrides` over `base`: keys are replaced or added, `null` removes a key, new
 * sections are appended. Neither input is modified.
 */
export function mergeIni(base: IniDoc, overrides?: IniDoc): IniDoc {
    if (!overrides) {
        return base;
    }
    const out: Record<string, Record<string, IniValue>> = {};
    for (const name of Object.keys(base)) {
        out[name] = { ...base[name] };
    }
    for (const [name, section] of Object.entries(overrides)) {
        out[name] = { ...(out[name] ?? {}), ...section };
    }
    return out;
}
