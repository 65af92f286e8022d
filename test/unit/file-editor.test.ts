// The on-host file editor (components/shared/oslab-edit.py), run for real with python3
// against temporary files exactly as a remote step runs it (spec on fd 3 via stdin).
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fileApplyScript, fileRestoreScript, fileSpec, FileMode } from "../../components/shared/script";
import { requireTool } from "./tools";

let dir: string;
function apply(
    mode: FileMode,
    file: string,
    payload: Parameters<typeof fileSpec>[2],
    attrs: { mode?: string } = {},
): string {
    const target = { path: file, ...attrs };
    return execFileSync("bash", ["-c", fileApplyScript(mode, target)], {
        input: fileSpec(mode, target, payload),
        env: { ...process.env, OSLAB_STATE: path.join(dir, "state") },
    })
        .toString()
        .trim();
}
function restore(file: string): string {
    return execFileSync("bash", ["-c", fileRestoreScript({ path: file })], {
        env: { ...process.env, OSLAB_STATE: path.join(dir, "state") },
    })
        .toString()
        .trim();
}

const PACKAGED = [
    "[DEFAULT]",
    "# Example: bridge_mappings = physnet1:br-eth1",
    "verbose = False",
    "# rabbit_host = localhost",
    "",
    "[DATABASE]",
    "sql_connection = sqlite:////var/lib/quantum/ovs.sqlite",
    "",
    "[composite:osapi_volume]",
    "use = call:nova.api.openstack.urlmap:urlmap_factory",
    "/: osvolumeversions",
    "",
    "[filter:authtoken]",
    "auth_host = 127.0.0.1",
    "admin_password = %SERVICE_PASSWORD%",
    "",
].join("\n");

describe("on-host file editor", () => {
    before(() => requireTool("python3"));
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-edit-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("ini: sets keys in place, uncomments, adds sections, removes sections; idempotent; restore undoes it", () => {
        const f = path.join(dir, "api-paste.ini");
        fs.writeFileSync(f, PACKAGED, { mode: 0o644 });
        const payload = {
            set: {
                DEFAULT: { rabbit_host: "192.168.122.111", verbose: "true" },
                DATABASE: { sql_connection: "mysql://q:pw@192.168.122.111/quantum" },
                "filter:authtoken": { auth_host: "192.168.122.111", admin_password: "s3cret" },
                OVS: { local_ip: "192.168.133.112" },
            },
            removeSections: ["composite:osapi_volume"],
        };
        expect(apply("ini", f, payload, { mode: "0640" })).to.equal("changed");
        expect(fs.readFileSync(f, "utf8")).to.equal(
            [
                "[DEFAULT]",
                "# Example: bridge_mappings = physnet1:br-eth1",
                "verbose = true",
                "# rabbit_host = localhost",
                "rabbit_host = 192.168.122.111",
                "",
                "[DATABASE]",
                "sql_connection = mysql://q:pw@192.168.122.111/quantum",
                "",
                "[filter:authtoken]",
                "auth_host = 192.168.122.111",
                "admin_password = s3cret",
                "",
                "[OVS]",
                "local_ip = 192.168.133.112",
                "",
            ].join("\n"),
        );
        expect(fs.statSync(f).mode & 0o777).to.equal(0o640);
        expect(apply("ini", f, payload, { mode: "0640" })).to.equal("unchanged");
        expect(restore(f)).to.equal("changed");
        expect(fs.readFileSync(f, "utf8")).to.equal(PACKAGED);
        expect(restore(f)).to.equal("unchanged");
    });

    it("replace: creates a missing file with its mode; restore removes it", () => {
        const f = path.join(dir, "sub", "new.conf");
        expect(apply("replace", f, { content: "a = 1\n" }, { mode: "0600" })).to.equal("changed");
        expect(fs.readFileSync(f, "utf8")).to.equal("a = 1\n");
        expect(fs.statSync(f).mode & 0o777).to.equal(0o600);
        expect(apply("replace", f, { content: "a = 1\n" }, { mode: "0600" })).to.equal("unchanged");
        expect(apply("replace", f, { content: "a = 2\n" }, { mode: "0600" })).to.equal("changed");
        expect(restore(f)).to.equal("changed");
        expect(fs.existsSync(f)).to.equal(false);
    });

    it("block: appends one marked block, replaces it on change, keeps the rest", () => {
        const f = path.join(dir, "qemu.conf");
        fs.writeFileSync(f, '# packaged\nuser = "root"\n');
        apply("block", f, { block: "listen_tcp = 1" });
        apply("block", f, { block: "listen_tls = 0\nlisten_tcp = 1" });
        expect(fs.readFileSync(f, "utf8")).to.equal(
            '# packaged\nuser = "root"\n\n# BEGIN openstack-lab managed block\nlisten_tls = 0\nlisten_tcp = 1\n# END openstack-lab managed block\n',
        );
        expect(apply("block", f, { block: "listen_tls = 0\nlisten_tcp = 1" })).to.equal("unchanged");
        restore(f);
        expect(fs.readFileSync(f, "utf8")).to.equal('# packaged\nuser = "root"\n');
    });

    // Steps of one host run in parallel (neutron.conf and neutron-api-uwsgi.ini, say), and
    // each saves its original under the same new orig/etc/neutron: the directory can appear
    // between a step's check and its create. A lab run of the epoxy cloud failed this way
    // (FileExistsError). The race is made certain here: the check is told "missing" once
    // for a directory that exists, as when another step made it in between.
    for (const [name, source] of [
        ["oslab-edit.py", "components/shared/oslab-edit.py"],
        ["oslab-api.py", "components/shared/oslab-api.py"],
    ]) {
        it(`${name}: make_dirs accepts a directory another step made meanwhile, and still fails on a file`, () => {
            const probe = [
                "import os, sys",
                "ns = {'__name__': 'oslab_under_test'}",
                "exec(open(sys.argv[1]).read(), ns)",
                "real = os.path.isdir",
                "told = []",
                "def racing(p):",
                "    if p == sys.argv[2] and not told:",
                "        told.append(p)",
                "        return False",
                "    return real(p)",
                "os.path.isdir = racing",
                "ns['make_dirs'](sys.argv[2], 0o700)",
                "print('made' if told else 'no race')",
                "try:",
                "    ns['make_dirs'](sys.argv[3], 0o700)",
                "    print('accepted a file')",
                "except OSError:",
                "    print('refused a file')",
            ].join("\n");
            const made = path.join(dir, "orig", "etc", "neutron");
            fs.mkdirSync(made, { recursive: true });
            const file = path.join(dir, "plain");
            fs.writeFileSync(file, "");
            const out = execFileSync("python3", ["-c", probe, path.resolve(source), made, file]).toString();
            expect(out).to.equal("made\nrefused a file\n");
        });
    }

    it("the secret travels only on stdin: it is not in the command text", () => {
        const script = fileApplyScript("ini", { path: "/etc/nova/nova.conf" });
        expect(script).to.not.include("s3cret");
        expect(fileSpec("ini", { path: "/etc/nova/nova.conf" }, { set: { DEFAULT: { p: "s3cret" } } })).to.include(
            "s3cret",
        );
    });
});
