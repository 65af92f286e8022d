// OvsBridge against the test bed's real Open vSwitch (userspace, netdev datapath)
// over real SSH, driven through the serialization harness.
import { expect } from "chai";
import * as crypto from "crypto";
import { execFileSync } from "child_process";
import { OvsBridge } from "../../providers/ovsBridge";
import type { SshConnection } from "../../providers/ssh";
import { countSshConnects, Driver, UNKNOWN, type Props, type Registration } from "./harness";
import { bedCommand, testbedConnection, testbedEnv, unknownPrivateKey } from "./testbed";

const sfx = crypto.randomBytes(3).toString("hex");
const BR1 = `tbr-${sfx}`;
const BR2 = `tbr2-${sfx}`;
// Real devices (veth pairs) as ports, like the article's eth2.
const PA = `tbv${sfx}a`;
const PB = `tbv${sfx}b`;
const PEERS = [`tbv${sfx}x`, `tbv${sfx}y`];
const UNMANAGED = `tbu${sfx}`;

/** The bed's ovs-vsctl on the bed's database (testbed.ts: bedCommand). */
function vsctl(...args: string[]): string {
    const c = bedCommand("ovs-vsctl", ["--timeout=10", ...args]);
    return execFileSync(c.file, c.args, {
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"],
    }).trim();
}
/** `ip` in the bed's network namespace (the veths the bridges take as ports). */
function ip(...args: string[]): void {
    const c = bedCommand("ip", args);
    execFileSync(c.file, c.args, { stdio: ["ignore", "pipe", "pipe"] });
}
function ports(br: string): string[] {
    return vsctl("list-ports", br)
        .split("\n")
        .filter((l) => l.length > 0)
        .sort();
}
function exists(br: string): boolean {
    try {
        vsctl("br-exists", br);
        return true;
    } catch {
        return false;
    }
}
function datapath(br: string): string {
    return vsctl("get", "bridge", br, "datapath_type");
}

describe("OvsBridge (real Open vSwitch over SSH, serialized provider)", function () {
    let conn: SshConnection;
    let driver: Driver;
    let reg: Registration;
    const inputs = (over: Props = {}): Props => ({
        connection: conn,
        bridge: BR1,
        ports: [PA],
        datapathType: "netdev",
        ...over,
    });
    const factory = (name: string) => () =>
        new OvsBridge(name, { connection: conn, bridge: BR1, ports: [PA], datapathType: "netdev" });

    before(async () => {
        conn = testbedConnection();
        ip("link", "add", PA, "type", "veth", "peer", "name", PEERS[0]);
        ip("link", "add", PB, "type", "veth", "peer", "name", PEERS[1]);
        ({ driver, reg } = await Driver.for(factory(`br-${sfx}`), "OvsBridge"));
    });

    after(() => {
        for (const br of [BR1, BR2]) {
            vsctl("--if-exists", "del-br", br);
        }
        for (const l of [PA, PB]) {
            ip("link", "del", l);
        }
    });

    it("registers pulumi-nodejs:dynamic/network:OvsBridge with a secret connection", () => {
        expect(reg.type).to.equal("pulumi-nodejs:dynamic/network:OvsBridge");
        expect(reg.secretInputs).to.deep.equal(["connection"]);
        expect(reg.additionalSecretOutputs).to.deep.equal(["connection"]);
        expect(reg.inputs).to.deep.equal({ connection: { ...conn }, bridge: BR1, ports: [PA], datapathType: "netdev" });
    });

    it("create: bridge with netdev datapath and a port; id = bridge name", async () => {
        expect(await driver.up(inputs())).to.equal("create");
        expect(driver.id).to.equal(BR1);
        expect(driver.outputs).to.deep.equal({
            connection: { ...conn },
            bridge: BR1,
            ports: [PA],
            datapathType: "netdev",
        });
        expect([exists(BR1), datapath(BR1), ports(BR1)]).to.deep.equal([true, "netdev", [PA]]);
    });

    it("read (refresh) reports the live bridge unchanged", async () => {
        expect(await driver.refreshChanges()).to.deep.equal({ id: BR1, changed: [] });
    });

    it("no-op: same inputs → no changes, no SSH", async () => {
        expect(await driver.upCounted(inputs())).to.deep.equal({ result: "same", ops: ["check", "diff"], connects: 0 });
    });

    it("update: add a port in place", async () => {
        expect(await driver.up(inputs({ ports: [PA, PB] }))).to.equal("update");
        expect(ports(BR1)).to.deep.equal([PA, PB].sort());
    });

    it("update: remove a port in place; ports added by others (agents) stay", async () => {
        vsctl("add-port", BR1, UNMANAGED, "--", "set", "interface", UNMANAGED, "type=internal");
        expect(await driver.up(inputs({ ports: [PB] }))).to.equal("update");
        expect(ports(BR1)).to.deep.equal([PB, UNMANAGED].sort());
        expect(await driver.refresh()).to.equal(BR1);
        expect(driver.outputs.ports).to.deep.equal([PB]);
    });

    it("refresh sees a managed port removed out of band; up re-attaches it", async () => {
        vsctl("del-port", BR1, PB);
        expect(await driver.refresh()).to.equal(BR1);
        expect(driver.outputs.ports).to.deep.equal([]);
        expect(await driver.up(inputs({ ports: [PB] }))).to.equal("update");
        expect(ports(BR1)).to.deep.equal([PB, UNMANAGED].sort());
    });

    it("update: datapath type change in place (netdev → system → netdev), refresh reports it", async () => {
        expect(await driver.up(inputs({ ports: [PB], datapathType: "system" }))).to.equal("update");
        expect(datapath(BR1)).to.equal("system");
        vsctl("set", "bridge", BR1, "datapath_type=netdev");
        expect(await driver.refresh()).to.equal(BR1);
        expect(driver.outputs.datapathType).to.equal("netdev");
        expect(await driver.up(inputs({ ports: [PB], datapathType: "system" }))).to.equal("update");
        expect(datapath(BR1)).to.equal("system");
        expect(await driver.up(inputs({ ports: [PB] }))).to.equal("update");
        expect(datapath(BR1)).to.equal("netdev");
    });

    it("replace: rename with a shared port deletes the old bridge first", async () => {
        expect(await driver.up(inputs({ bridge: BR2, ports: [PB] }))).to.equal("replace");
        expect(driver.lastOps).to.deep.equal(["check", "diff", "delete", "create"]);
        expect(driver.id).to.equal(BR2);
        expect([exists(BR1), exists(BR2), ports(BR2), datapath(BR2)]).to.deep.equal([false, true, [PB], "netdev"]);
    });

    it("replace: rename without shared ports creates the new bridge first", async () => {
        expect(await driver.up(inputs({ bridge: BR1, ports: [PA] }))).to.equal("replace");
        expect(driver.lastOps).to.deep.equal(["check", "diff", "create", "delete"]);
        expect([exists(BR1), exists(BR2), ports(BR1)]).to.deep.equal([true, false, [PA]]);
    });

    it("refresh of a bridge deleted out of band returns no id; up re-creates it", async () => {
        vsctl("del-br", BR1);
        expect(await driver.refresh()).to.equal(undefined);
        expect(await driver.up(inputs())).to.equal("create");
        expect([exists(BR1), ports(BR1)]).to.deep.equal([true, [PA]]);
    });

    it("delete removes the bridge; deleting again tolerates its absence", async () => {
        const id = driver.id;
        const state = driver.state;
        await driver.delete();
        expect(exists(BR1)).to.equal(false);
        await driver.delete(id, state);
    });

    it("preview: check and diff accept unknowns and open no SSH connection", async () => {
        const { driver: d } = await Driver.for(factory(`br3-${sfx}`), "OvsBridge");
        const ssh = countSshConnects();
        try {
            const news = { connection: conn, bridge: BR1, ports: [PA, UNKNOWN], datapathType: UNKNOWN };
            expect(await d.check(news, {})).to.deep.equal({ ...news, connection: { ...conn } });
            d.id = BR1;
            d.state = { ...inputs(), __provider: d.providerText };
            expect(await d.diff(news)).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
            expect(await d.diff({ ...news, bridge: UNKNOWN })).to.deep.equal({
                changes: true,
                replaces: ["bridge"],
                deleteBeforeReplace: true,
            });
        } finally {
            ssh.restore();
        }
        expect(ssh.count()).to.equal(0);
    });

    it("check rejects a bad bridge name before anything connects", async () => {
        const { driver: d } = await Driver.for(factory(`br4-${sfx}`), "OvsBridge");
        expect(await d.checkFailures({ ...inputs(), bridge: "br-way-too-long-name" })).to.deep.equal([
            {
                property: "bridge",
                reason: "bridge must be 1-15 characters of [A-Za-z0-9_.-], starting with a letter or digit",
            },
        ]);
    });

    it("wrong SSH key: clear error naming host and step, no key in the message", async () => {
        const badKey = unknownPrivateKey();
        const { driver: d } = await Driver.for(factory(`br5-${sfx}`), "OvsBridge");
        const err = await d.up(inputs({ connection: { ...conn, privateKey: badKey } })).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.equal(
            `OvsBridge ${BR1}: connect (authentication) on root@127.0.0.1:2222 failed: All configured authentication methods failed: the SSH server rejected the private key for user root`,
        );
        expect(err?.message).not.to.include("PRIVATE KEY");
        expect(exists(BR1)).to.equal(false);
    });

    it("unreachable host: bounded retries (dialErrorLimit 3), then a clear error", async () => {
        const { driver: d } = await Driver.for(factory(`br6-${sfx}`), "OvsBridge");
        const t0 = Date.now();
        const err = await d.up(inputs({ connection: { ...conn, port: 2223, dialErrorLimit: 3 } })).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.match(
            new RegExp(
                `^OvsBridge ${BR1}: connect on root@127\\.0\\.0\\.1:2223 failed: unreachable after 3 attempt\\(s\\) in \\d+ s \\(attempt 1: ECONNREFUSED .*; attempt 3: ECONNREFUSED connect ECONNREFUSED 127\\.0\\.0\\.1:2223\\)$`,
            ),
        );
        expect(Date.now() - t0).to.be.within(1400, 10000);
    });

    it("a failing ovs-vsctl step (SSH user is not root) names host, resource and step", async () => {
        const user = testbedEnv().TESTBED_SSH_UNPRIVILEGED_USER;
        const { driver: d } = await Driver.for(factory(`br7-${sfx}`), "OvsBridge");
        const err = await d.up(inputs({ connection: { ...conn, user } })).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.match(
            new RegExp(
                `^OvsBridge ${BR1}: add bridge and ports on ${user}@127\\.0\\.0\\.1:2222 failed: exit 1: ovs-vsctl: unix:/var/run/openvswitch/db\\.sock: database connection failed \\(Permission denied\\)$`,
            ),
        );
        expect(exists(BR1)).to.equal(false);
    });
});
