// OvsBridge pure parts: check, diff, ovs-vsctl plans (golden), read parsing.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    checkOvsBridge,
    diffOvsBridge,
    OvsBridge,
    ovsBridgeOutputs,
    parseOvsBridgeRead,
    planOvsBridgeCreate,
    planOvsBridgeDelete,
    planOvsBridgeRead,
    planOvsBridgeUpdate,
    renderOvsCommand,
    type OvsBridgeInputs,
} from "../../../providers/ovsBridge";
import { UNKNOWN } from "../../../providers/ssh";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const CONN = { host: "198.51.100.13", port: 22, user: "root", privateKey: KEY };
// Charlie's external bridge (article: br-ext + eth2).
const EXT: OvsBridgeInputs = { connection: CONN, bridge: "br-ext", ports: ["eth2"] };
const INT: OvsBridgeInputs = { connection: CONN, bridge: "br-int", ports: [], datapathType: "netdev" };

describe("OvsBridge: check", () => {
    it("normalizes: ports default [], datapathType omitted when not given, connection defaults", () => {
        expect(
            checkOvsBridge({ connection: { host: "198.51.100.13", privateKey: KEY }, bridge: "br-int" }),
        ).to.deep.equal({
            inputs: { connection: CONN, bridge: "br-int", ports: [] },
            failures: [],
        });
    });
    it("keeps ports and datapathType", () => {
        expect(checkOvsBridge({ ...EXT, datapathType: "system" })).to.deep.equal({
            inputs: { ...EXT, datapathType: "system" },
            failures: [],
        });
    });
    it("accepts unknowns (whole fields and single ports) during preview", () => {
        const news = { connection: UNKNOWN, bridge: UNKNOWN, ports: UNKNOWN, datapathType: UNKNOWN };
        expect(checkOvsBridge(news)).to.deep.equal({ inputs: news, failures: [] });
        expect(checkOvsBridge({ ...EXT, ports: ["eth2", UNKNOWN] })).to.deep.equal({
            inputs: { ...EXT, ports: ["eth2", UNKNOWN] },
            failures: [],
        });
    });
    const NAME = "1-15 characters of [A-Za-z0-9_.-], starting with a letter or digit";
    const bad: [string, Record<string, unknown>, { property: string; reason: string }[]][] = [
        [
            "bridge longer than 15",
            { bridge: "br-0123456789abc" },
            [{ property: "bridge", reason: `bridge must be ${NAME}` }],
        ],
        ["bridge with a space", { bridge: "br ex" }, [{ property: "bridge", reason: `bridge must be ${NAME}` }]],
        ["bridge starting with a dash", { bridge: "-br" }, [{ property: "bridge", reason: `bridge must be ${NAME}` }]],
        [
            "bridge with shell characters",
            { bridge: "br;rm" },
            [{ property: "bridge", reason: `bridge must be ${NAME}` }],
        ],
        [
            "ports not a list",
            { ports: "eth2" },
            [{ property: "ports", reason: "ports must be a list of interface names" }],
        ],
        [
            "port too long",
            { ports: ["eth2", "a".repeat(16)] },
            [{ property: "ports[1]", reason: `port must be ${NAME}` }],
        ],
        [
            "port listed twice",
            { ports: ["eth2", "eth2"] },
            [{ property: "ports[1]", reason: "port eth2 is listed twice" }],
        ],
        [
            "port named like the bridge",
            { ports: ["br-ext"] },
            [{ property: "ports[0]", reason: "port br-ext is the bridge's own internal port" }],
        ],
        [
            "bad datapath",
            { datapathType: "dpdk" },
            [{ property: "datapathType", reason: "datapathType must be one of system, netdev" }],
        ],
        [
            "bad connection",
            { connection: { ...CONN, host: "" } },
            [{ property: "connection.host", reason: "host must be a host name or IP address" }],
        ],
    ];
    for (const [name, patch, failures] of bad) {
        it(`rejects ${name}`, () => expect(checkOvsBridge({ ...EXT, ...patch }).failures).to.deep.equal(failures));
    }
    it("accepts a 15-character name", () =>
        expect(checkOvsBridge({ ...EXT, bridge: "b".repeat(15) }).failures).to.deep.equal([]));
});

describe("OvsBridge: diff (field by field)", () => {
    const cases: [
        string,
        OvsBridgeInputs,
        Record<string, unknown>,
        { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean },
    ][] = [
        ["nothing", EXT, {}, { changes: false, replaces: [], deleteBeforeReplace: false }],
        [
            "ports reordered only",
            { ...EXT, ports: ["eth2", "eth3"] },
            { ports: ["eth3", "eth2"] },
            { changes: false, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "port added → in place",
            EXT,
            { ports: ["eth2", "eth3"] },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        ["port removed → in place", EXT, { ports: [] }, { changes: true, replaces: [], deleteBeforeReplace: false }],
        [
            "datapath set → in place",
            EXT,
            { datapathType: "netdev" },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "datapath changed → in place",
            INT,
            { datapathType: "system" },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "datapath unmanaged → in place",
            INT,
            { datapathType: undefined },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection key → in place",
            EXT,
            { connection: { ...CONN, privateKey: KEY + "\n" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "bridge renamed, shares eth2 → replace, delete first",
            EXT,
            { bridge: "br-ex" },
            { changes: true, replaces: ["bridge"], deleteBeforeReplace: true },
        ],
        [
            "bridge renamed, no shared port → replace, create first",
            EXT,
            { bridge: "br-ex", ports: ["eth3"] },
            { changes: true, replaces: ["bridge"], deleteBeforeReplace: false },
        ],
        [
            "bridge renamed, no ports → replace, create first",
            INT,
            { bridge: "br-int2" },
            { changes: true, replaces: ["bridge"], deleteBeforeReplace: false },
        ],
        [
            "connection host → replace, delete first (same name)",
            EXT,
            { connection: { ...CONN, host: "198.51.100.12" } },
            { changes: true, replaces: ["connection"], deleteBeforeReplace: true },
        ],
        [
            "unknown bridge (preview) → replace, delete first (ports shared)",
            EXT,
            { bridge: UNKNOWN },
            { changes: true, replaces: ["bridge"], deleteBeforeReplace: true },
        ],
        [
            "unknown port (preview) → in place",
            EXT,
            { ports: ["eth2", UNKNOWN] },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "unknown ports (preview) → in place",
            EXT,
            { ports: UNKNOWN },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "unknown datapath (preview) → in place",
            INT,
            { datapathType: UNKNOWN },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
    ];
    for (const [name, olds, patch, want] of cases) {
        it(name, () => expect(diffOvsBridge({ ...ovsBridgeOutputs(olds) }, { ...olds, ...patch })).to.deep.equal(want));
    }
});

describe("OvsBridge: ovs-vsctl plans (golden)", () => {
    it("create: br-int (article, Bob and Charlie)", () => {
        const argv = planOvsBridgeCreate({ connection: CONN, bridge: "br-int", ports: [] });
        expect(argv).to.deep.equal(["ovs-vsctl", "--timeout=30", "--may-exist", "add-br", "br-int"]);
        expect(renderOvsCommand(argv)).to.equal("ovs-vsctl --timeout=30 --may-exist add-br br-int");
    });
    it("create: br-ext with eth2 (article, Charlie)", () => {
        expect(renderOvsCommand(planOvsBridgeCreate(EXT))).to.equal(
            "ovs-vsctl --timeout=30 --may-exist add-br br-ext -- --may-exist add-port br-ext eth2",
        );
    });
    it("create: netdev datapath (userspace, no kernel module)", () => {
        expect(renderOvsCommand(planOvsBridgeCreate({ ...INT, ports: ["p1", "p2"] }))).to.equal(
            "ovs-vsctl --timeout=30 --may-exist add-br br-int -- set bridge br-int datapath_type=netdev -- --may-exist add-port br-int p1 -- --may-exist add-port br-int p2",
        );
    });
    it("update: add a port (re-asserts the bridge and managed ports)", () => {
        expect(
            renderOvsCommand(planOvsBridgeUpdate(ovsBridgeOutputs(EXT), { ...EXT, ports: ["eth2", "eth3"] }) ?? []),
        ).to.equal(
            "ovs-vsctl --timeout=30 --may-exist add-br br-ext -- --may-exist add-port br-ext eth2 -- --may-exist add-port br-ext eth3",
        );
    });
    it("update: remove a port", () => {
        expect(
            renderOvsCommand(planOvsBridgeUpdate(ovsBridgeOutputs({ ...EXT, ports: ["eth2", "eth3"] }), EXT) ?? []),
        ).to.equal(
            "ovs-vsctl --timeout=30 --if-exists del-port br-ext eth3 -- --may-exist add-br br-ext -- --may-exist add-port br-ext eth2",
        );
    });
    it("update: swap ports and change datapath in one transaction", () => {
        expect(
            planOvsBridgeUpdate(ovsBridgeOutputs({ ...EXT, datapathType: "system" }), {
                ...EXT,
                ports: ["eth3"],
                datapathType: "netdev",
            }),
        ).to.deep.equal([
            "ovs-vsctl",
            "--timeout=30",
            "--if-exists",
            "del-port",
            "br-ext",
            "eth2",
            "--",
            "--may-exist",
            "add-br",
            "br-ext",
            "--",
            "set",
            "bridge",
            "br-ext",
            "datapath_type=netdev",
            "--",
            "--may-exist",
            "add-port",
            "br-ext",
            "eth3",
        ]);
    });
    it("update: nothing to run when only the connection changes or ports are reordered", () => {
        expect(planOvsBridgeUpdate(ovsBridgeOutputs(EXT), { ...EXT, connection: { ...CONN, port: 2222 } })).to.equal(
            undefined,
        );
        expect(
            planOvsBridgeUpdate(ovsBridgeOutputs({ ...EXT, ports: ["a", "b"] }), { ...EXT, ports: ["b", "a"] }),
        ).to.equal(undefined);
    });
    it("update: datapath becomes unmanaged (no set clause)", () => {
        expect(
            renderOvsCommand(planOvsBridgeUpdate(ovsBridgeOutputs(INT), { ...INT, datapathType: undefined }) ?? []),
        ).to.equal("ovs-vsctl --timeout=30 --may-exist add-br br-int");
    });
    it("delete", () => {
        expect(renderOvsCommand(planOvsBridgeDelete(EXT))).to.equal("ovs-vsctl --timeout=30 --if-exists del-br br-ext");
    });
    it("read script", () => {
        expect(planOvsBridgeRead(EXT)).to.equal(
            [
                "set -euo pipefail",
                "rc=0",
                "ovs-vsctl --timeout=30 br-exists br-ext || rc=$?",
                'if [ "$rc" = 2 ]; then echo absent; exit 0; elif [ "$rc" != 0 ]; then exit "$rc"; fi',
                'echo "datapath=$(ovs-vsctl --timeout=30 get bridge br-ext datapath_type)"',
                "ovs-vsctl --timeout=30 list-ports br-ext | sed 's/^/port=/'",
            ].join("\n"),
        );
    });
    it("renderOvsCommand quotes anything unusual", () =>
        expect(renderOvsCommand(["a", "b c", "it's"])).to.equal("a 'b c' 'it'\\''s'"));
});

describe("OvsBridge: read parsing and outputs", () => {
    it("absent", () => expect(parseOvsBridgeRead("absent\n")).to.deep.equal({ exists: false }));
    it("default datapath and ports", () => {
        expect(parseOvsBridgeRead('datapath=""\nport=eth2\nport=phy-br-ext\n')).to.deep.equal({
            exists: true,
            datapathType: "system",
            ports: ["eth2", "phy-br-ext"],
        });
    });
    it("netdev, no ports", () =>
        expect(parseOvsBridgeRead("datapath=netdev\n")).to.deep.equal({
            exists: true,
            datapathType: "netdev",
            ports: [],
        }));
    it("garbage", () =>
        expect(() => parseOvsBridgeRead("datapath=netdev\nweird\n")).to.throw('unexpected read output line: "weird"'));
    it("outputs omit an unmanaged datapath", () => {
        expect(ovsBridgeOutputs(EXT)).to.deep.equal({ connection: CONN, bridge: "br-ext", ports: ["eth2"] });
        expect(ovsBridgeOutputs(INT)).to.deep.equal({
            connection: CONN,
            bridge: "br-int",
            ports: [],
            datapathType: "netdev",
        });
    });
});

describe("OvsBridge: resource registration", () => {
    it("registers as pulumi-nodejs:dynamic/network:OvsBridge with a secret connection and default ports", async () => {
        const seen: { type: string; inputs: Record<string, unknown> }[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => (seen.push({ type: a.type, inputs: a.inputs }), { id: "br-int", state: a.inputs }),
                call: () => ({}),
            },
            "oslab",
            "unit",
            false,
        );
        const br = new OvsBridge("bob-br-int", {
            connection: { host: "198.51.100.12", privateKey: KEY },
            bridge: "br-int",
        });
        expect(await new Promise((r) => br.ports.apply(r))).to.deep.equal([]);
        expect(seen.map((s) => s.type)).to.deep.equal(["pulumi-nodejs:dynamic/network:OvsBridge"]);
        expect(Object.keys(seen[0].inputs).sort()).to.deep.equal(["__provider", "bridge", "connection", "ports"]);
        expect((seen[0].inputs.connection as Record<string, unknown>)["4dabf18193072939515e22adb298388d"]).to.equal(
            "1b47061264138c4ac30d75fd1eb44270",
        );
    });
});
