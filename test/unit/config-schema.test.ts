// Pulumi.yaml's config block, config.ts's key list and the README's reference table
// must describe the same keys with the same secret flags.
import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CONFIG_KEYS } from "../../config";

const root = path.join(__dirname, "..", "..");
const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { type: string; secret?: boolean; default?: unknown; description: string }>;
};
const projectText = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");

function readmeTable(): Map<string, { type: string; secret: boolean; default: string }> {
    const text = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = text.split("## Configuration reference")[1].split("\n## ")[0];
    const rows = new Map<string, { type: string; secret: boolean; default: string }>();
    for (const line of section.split("\n")) {
        const cells = line
            .replace(/\\\|/g, "/")
            .split("|")
            .map((c) => c.trim());
        const key = /^`([A-Za-z]+)`$/.exec(cells[1] ?? "");
        if (key) {
            rows.set(key[1], { type: cells[2], secret: cells[3] === "yes", default: cells[4] });
        }
    }
    return rows;
}

describe("config contract", () => {
    it("Pulumi.yaml is project openstack-lab on nodejs/TypeScript", () => {
        expect(project.name).to.equal("openstack-lab");
        expect((project as unknown as { runtime: unknown }).runtime).to.deep.equal({
            name: "nodejs",
            options: { typescript: true },
        });
    });

    it("declares every scalar key with type, description and secret flag; describes every structured key", () => {
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            const decl = project.config[key];
            if (decl) {
                expect(decl.type, key).to.be.oneOf(["string", "integer", "boolean"]);
                expect(decl.description, key).to.be.a("string").and.have.length.greaterThan(10);
                expect(decl.secret === true, `${key} secret flag`).to.equal(spec.secret);
            } else {
                expect(projectText, `${key} described in the comment block`).to.match(new RegExp(`^#   ${key} `, "m"));
            }
        }
        expect(Object.keys(project.config).filter((k) => !(k in CONFIG_KEYS))).to.deep.equal([]);
    });

    it("the README table lists exactly the same keys with the same secret flags and defaults", () => {
        const rows = readmeTable();
        expect([...rows.keys()].sort()).to.deep.equal(Object.keys(CONFIG_KEYS).sort());
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            expect(rows.get(key)!.secret, key).to.equal(spec.secret);
            const decl = project.config[key];
            if (decl?.default !== undefined) {
                expect(rows.get(key)!.default, key).to.equal(`\`${decl.default}\``);
            }
            if (spec.required) {
                expect(rows.get(key)!.default, key).to.equal("— (required)");
            }
        }
    });
});
