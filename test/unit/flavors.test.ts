// Flavors: the rendered scripts run for real with bash against fake `openstack` and `nova`
// CLIs that keep flavors in a folder (create when missing, nothing when equal, recreate
// when the size differs, delete on destroy); the component's exact children under mocks,
// with the admin password only on stdin.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_FLAVORS, FlavorSpec, NodeSpec } from "../../config";
import { Flavors } from "../../components/flavors";
import { FlavorCli, flavorDeleteScript, flavorScript } from "../../components/flavors/render";
import { Host } from "../../components/shared/host";
import { run, settleOutput, unwrap } from "./harness";

const ADMIN_PASSWORD = "ADMIN-PASSWORD-TEST";

const ENV = [
    ["OS_AUTH_URL", "http://198.51.100.11:5000/v3"],
    ["OS_USERNAME", "admin"],
] as const;

// Fake CLIs: one file per flavor in $FAKE/flavors/<name> holding "ID VCPUS RAM DISK"; every
// call is logged to $FAKE/calls with the password it saw.
const FAKE_OPENSTACK = `#!/bin/bash
d=$FAKE/flavors; mkdir -p "$d"; echo "openstack $* pw=$OS_PASSWORD" >> "$FAKE/calls"
[ -f "$FAKE/down" ] && { rm -f "$FAKE/down"; echo "503" >&2; exit 1; }
case "$1 $2" in
  "flavor show") [ -f "$d/$3" ] || exit 1; read -r id v r k < "$d/$3"
    printf '{"id": "%s", "name": "%s", "vcpus": %s, "ram": %s, "disk": %s}\\n' "$id" "$3" "$v" "$r" "$k" ;;
  "flavor create") shift 2; id=gen-$RANDOM
    while [ $# -gt 1 ]; do case $1 in --id) id=$2;; --vcpus) v=$2;; --ram) r=$2;; --disk) k=$2;; esac; shift 2; done
    [ -f "$d/$1" ] && exit 1; echo "$id $v $r $k" > "$d/$1" ;;
  "flavor delete") for f in "$d"/*; do read -r id _ < "$f"; [ "$id" = "$3" ] && rm "$f"; done ;;
esac
`;
const FAKE_NOVA = `#!/bin/bash
d=$FAKE/flavors; mkdir -p "$d"; echo "nova $* pw=$OS_PASSWORD" >> "$FAKE/calls"
case $1 in
  flavor-list) echo "+----+------+"; echo "| ID | Name | Memory_MB | Disk | Ephemeral | Swap | VCPUs | RXTX_Factor |"
    for f in "$d"/*; do [ -f "$f" ] || continue; read -r id v r k < "$f"; echo "| $id | $(basename "$f") | $r | $k | 0 |  | $v | 1.0 |"; done ;;
  flavor-create) [ -f "$d/$2" ] && exit 1; echo "$3 $6 $4 $5" > "$d/$2" ;;
  flavor-delete) for f in "$d"/*; do read -r id _ < "$f"; [ "$id" = "$2" ] && rm "$f"; done ;;
esac
`;

function sandbox() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-flavors-"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "openstack"), FAKE_OPENSTACK, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "bin", "nova"), FAKE_NOVA, { mode: 0o755 });
    const sh = (script: string) => {
        const r = spawnSync("bash", ["-c", `set -euo pipefail\n${script}`], {
            input: "s3cret\n",
            encoding: "utf8",
            env: { ...process.env, FAKE: dir, PATH: `${path.join(dir, "bin")}:${process.env.PATH}` },
        });
        return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
    };
    const flavors = () =>
        fs
            .readdirSync(path.join(dir, "flavors"))
            .sort()
            .map((n) => `${n}: ${fs.readFileSync(path.join(dir, "flavors", n), "utf8").trim()}`);
    const calls = () => fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    return { dir, sh, flavors, calls, reset: () => fs.rmSync(path.join(dir, "calls"), { force: true }) };
}

const tiny: FlavorSpec = { name: "m1.tiny", vcpus: 1, ram: 512, disk: 1 };

for (const cli of ["openstack", "novaclient"] as FlavorCli[]) {
    describe(`flavor scripts (${cli}, run with bash against a fake CLI)`, () => {
        const withId: FlavorSpec = { ...tiny, id: "1" };
        it("creates a missing flavor, prints its ID, and reads the password from stdin only", () => {
            const box = sandbox();
            const r = box.sh(flavorScript(cli, ENV, withId));
            expect(r.status, r.stderr).to.equal(0);
            expect(r.stdout).to.equal("1");
            expect(box.flavors()).to.deep.equal(["m1.tiny: 1 1 512 1"]);
            expect(box.calls().every((c) => c.endsWith(" pw=s3cret"))).to.equal(true);
            expect(flavorScript(cli, ENV, withId)).to.not.contain("s3cret");
        });
        it("changes nothing when the flavor has the configured size", () => {
            const box = sandbox();
            box.sh(flavorScript(cli, ENV, withId));
            box.reset();
            const r = box.sh(flavorScript(cli, ENV, withId));
            expect(r.stdout).to.equal("1");
            expect(box.calls().map((c) => c.split(" ")[1])).to.deep.equal([
                cli === "openstack" ? "flavor" : "flavor-list",
            ]);
        });
        it("recreates a flavor of that name with another size, under the same name and ID", () => {
            const box = sandbox();
            box.sh(flavorScript(cli, ENV, withId));
            const r = box.sh(flavorScript(cli, ENV, { ...withId, ram: 1024 }));
            expect(r.status, r.stderr).to.equal(0);
            expect(r.stdout).to.equal("1");
            expect(r.stderr).to.contain("recreating it as 1 1 1024 1");
            expect(box.flavors()).to.deep.equal(["m1.tiny: 1 1 1024 1"]);
        });
        it("deletes the flavor on destroy, and succeeds when it is gone already", () => {
            const box = sandbox();
            box.sh(flavorScript(cli, ENV, withId));
            expect(box.sh(flavorDeleteScript(cli, ENV, "m1.tiny")).status).to.equal(0);
            expect(box.flavors()).to.deep.equal([]);
            expect(box.sh(flavorDeleteScript(cli, ENV, "m1.tiny")).status).to.equal(0);
        });
    });
}

describe("flavor scripts (openstack): generated IDs and an API that is not up yet", () => {
    it("retries while the API refuses, then prints the generated ID", () => {
        const box = sandbox();
        fs.writeFileSync(path.join(box.dir, "down"), "");
        const r = box.sh(flavorScript("openstack", ENV, tiny));
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/^gen-\d+$/);
        expect(box.flavors()).to.have.length(1);
    });
});

describe("Flavors component (mocks)", () => {
    const node: NodeSpec = { name: "alice", role: "controller", managementIp: "198.51.100.11" };
    it("one step per flavor on the controller, after the compute API, password on stdin", async () => {
        let flavors: Flavors | undefined;
        const res = await run(
            () => {
                const host = new Host("alice", { node, ssh: { user: "root", port: 22, privateKey: "key" } });
                const ready = { node, connection: host.connection, ssh: host.ssh, ready: host.ready };
                flavors = new Flavors("nova-flavors", {
                    host: ready,
                    flavors: DEFAULT_FLAVORS,
                    cli: "openstack",
                    clientEnv: ENV,
                    adminPassword: pulumi.secret(ADMIN_PASSWORD),
                    apiReady: host.ready,
                });
            },
            {
                mockOutputs: (r) =>
                    r.type === "command:remote:Command" && r.name.startsWith("nova-flavors-")
                        ? { stdout: `id-of-${r.name}\n` }
                        : undefined,
            },
        );
        const mine = res.resources.filter((r) => r.name.startsWith("nova-flavors"));
        expect(mine.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal([
            "command:remote:Command nova-flavors-m1.large",
            "command:remote:Command nova-flavors-m1.medium",
            "command:remote:Command nova-flavors-m1.nano",
            "command:remote:Command nova-flavors-m1.small",
            "command:remote:Command nova-flavors-m1.tiny",
            "oslab:compute:Flavors nova-flavors",
        ]);
        for (const r of mine.filter((x) => x.type === "command:remote:Command")) {
            const i = unwrap(r.inputs);
            expect(i.stdin, r.name).to.equal(ADMIN_PASSWORD);
            expect(i.create, r.name).to.not.contain(ADMIN_PASSWORD);
            const flavor = DEFAULT_FLAVORS.find((f) => `nova-flavors-${f.name}` === r.name)!;
            expect(i.delete, r.name).to.contain(flavorDeleteScript("openstack", ENV, flavor.name));
            expect(i.create, r.name).to.contain(flavorScript("openstack", ENV, flavor));
        }
        expect(await settleOutput(flavors!.ids)).to.deep.equal({
            "m1.nano": "id-of-nova-flavors-m1.nano",
            "m1.tiny": "id-of-nova-flavors-m1.tiny",
            "m1.small": "id-of-nova-flavors-m1.small",
            "m1.medium": "id-of-nova-flavors-m1.medium",
            "m1.large": "id-of-nova-flavors-m1.large",
        });
    });
});
