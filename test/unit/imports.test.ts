// The program's import graph: no import cycle (between any of its modules, counting
// type-only imports too), and no service folder reaches for the cloud context
// (components/cloud.ts composes the services; the services know only their own args).
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
            return tsFiles(p);
        }
        return e.name.endsWith(".ts") ? [p] : [];
    });
}

/** Relative imports (and re-exports) of a file, resolved to files of the program. */
function imports(file: string): { spec: string; target: string }[] {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, false);
    return info.importedFiles
        .map((f) => f.fileName)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => {
            const base = path.resolve(path.dirname(file), spec);
            const target = [`${base}.ts`, path.join(base, "index.ts")].find((c) => fs.existsSync(c));
            if (!target) {
                throw new Error(`${path.relative(ROOT, file)}: cannot resolve ${spec}`);
            }
            return { spec, target };
        });
}

const files = [
    ...tsFiles(path.join(ROOT, "components")),
    ...tsFiles(path.join(ROOT, "providers")),
    path.join(ROOT, "config.ts"),
    path.join(ROOT, "index.ts"),
];
const graph = new Map(files.map((f) => [f, imports(f)]));

/** Every cycle found by a depth-first walk, as a list of repo-relative paths. */
function cycles(): string[][] {
    const found: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
        state.set(f, "open");
        stack.push(f);
        for (const { target } of graph.get(f) ?? []) {
            if (state.get(target) === "open") {
                found.push([...stack.slice(stack.indexOf(target)), target].map((p) => path.relative(ROOT, p)));
            } else if (!state.has(target)) {
                visit(target);
            }
        }
        stack.pop();
        state.set(f, "done");
    };
    for (const f of files) {
        if (!state.has(f)) {
            visit(f);
        }
    }
    return found;
}

describe("import graph", () => {
    it("covers the program (components, providers, config.ts, index.ts)", () => {
        expect(files.length).to.be.greaterThan(40);
        expect(graph.get(path.join(ROOT, "index.ts"))?.map((i) => i.spec)).to.include("./components/cloud");
    });

    it("has no import cycle", () => {
        expect(cycles()).to.deep.equal([]);
    });

    it("no file under a service folder imports components/cloud.ts", () => {
        const cloud = path.join(ROOT, "components", "cloud.ts");
        const offenders = files
            .filter((f) => path.dirname(path.dirname(f)) === path.join(ROOT, "components"))
            .filter((f) => graph.get(f)?.some((i) => i.target === cloud))
            .map((f) => path.relative(ROOT, f));
        expect(offenders).to.deep.equal([]);
    });

    it("finds a cycle when there is one (the checker itself)", () => {
        const a = path.join(ROOT, "components", "cloud.ts");
        const b = path.join(ROOT, "components", "release", "index.ts");
        const saved = graph.get(b);
        graph.set(b, [...(saved ?? []), { spec: "../cloud", target: a }]);
        try {
            expect(cycles().some((c) => c.includes("components/cloud.ts"))).to.equal(true);
        } finally {
            graph.set(b, saved ?? []);
        }
    });
});
