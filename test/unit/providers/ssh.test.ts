// Pure parts of providers/ssh.ts: redaction, quoting, exec command, dial policy,
// connection check and diff, and the provider dialect (same, fieldAt, diffFields,
// SshProvider choosing the connection per operation).
import { expect } from "chai";
import { MYSQL_DATABASE_PROVIDER, type MysqlDatabaseOutputs } from "../../../providers/mysqlDatabase";
import {
    checkSshConnection,
    diffFields,
    diffSshConnection,
    dialPolicy,
    execCommand,
    fieldAt,
    redact,
    same,
    shellQuote,
    sshError,
    UNKNOWN,
    type OnHost,
} from "../../../providers/ssh";

const KEY =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n";

describe("ssh: redact", () => {
    const cases: [string, string, string[], string][] = [
        ["explicit secret, every occurrence", "pw=hunter22 again hunter22", ["hunter22"], "pw=[secret] again [secret]"],
        ["longest secret first", "abcdef and abc", ["abc", "abcdef"], "[secret] and [secret]"],
        ["empty/undefined secrets ignored", "nothing here", ["", undefined as unknown as string], "nothing here"],
        [
            "multi-line secret: each long line",
            "line: verylongline1 ok",
            ["verylongline1\nverylongline2"],
            "line: [secret] ok",
        ],
        ["PEM block", `key ${KEY}end`, [], "key [secret]\nend"],
        [
            "IDENTIFIED BY literal with escapes",
            "near 'IDENTIFIED BY 'it''s\\'x' garbage'",
            [],
            "near 'IDENTIFIED BY '[secret]' garbage'",
        ],
        [
            "PASSWORD() literal",
            "SET PASSWORD FOR 'u'@'%' = PASSWORD('p4ss')",
            [],
            "SET PASSWORD FOR 'u'@'%' = PASSWORD('[secret]')",
        ],
        [
            "URL credentials",
            "connection = mysql+pymysql://nova:dieD9Mie@198.51.100.11/nova",
            [],
            "connection = mysql+pymysql://nova:[secret]@198.51.100.11/nova",
        ],
        [
            "JSON password and token fields",
            '{"auth":{"password":"x\\"y","token":"t0k","id":"keep"}}',
            [],
            '{"auth":{"password":"[secret]","token":"[secret]","id":"keep"}}',
        ],
        ["auth token header", "X-Auth-Token: gAAAAAB", [], "X-Auth-Token: [secret]"],
    ];
    for (const [name, input, secrets, want] of cases) {
        it(name, () => expect(redact(input, secrets)).to.equal(want));
    }
});

describe("ssh: sshError", () => {
    it("names what, step and target and redacts", () => {
        const e = sshError(
            "root@198.51.100.11:22",
            "MysqlDatabase nova",
            "create",
            "ERROR 1064 near 'IDENTIFIED BY 's3' x' sekrit9",
            ["sekrit9"],
        );
        expect(e.message).to.equal(
            "MysqlDatabase nova: create on root@198.51.100.11:22 failed: ERROR 1064 near 'IDENTIFIED BY '[secret]' x' [secret]",
        );
        expect([e.name, e.host, e.what, e.step]).to.deep.equal([
            "SshError",
            "root@198.51.100.11:22",
            "MysqlDatabase nova",
            "create",
        ]);
    });
});

describe("ssh: quoting and exec command", () => {
    it("shellQuote", () => {
        expect(shellQuote("plain")).to.equal("'plain'");
        expect(shellQuote("it's")).to.equal("'it'\\''s'");
        expect(shellQuote("")).to.equal("''");
    });
    it("execCommand runs the script with bash -c (stdin stays free for secrets)", () => {
        expect(execCommand("set -e\necho 'hi'")).to.equal("exec /bin/bash -c 'set -e\necho '\\''hi'\\'''");
    });
});

describe("ssh: dialPolicy", () => {
    it("defaults: 5 attempts, 15 s per attempt, 60 s overall, exponential backoff", () => {
        expect(dialPolicy({ host: "h", privateKey: KEY })).to.deep.equal({
            attempts: 5,
            perDialMs: 15000,
            overallMs: 60000,
            backoffMs: [500, 1000, 2000, 4000],
        });
    });
    it("honours dialErrorLimit / perDialTimeout within bounds", () => {
        expect(dialPolicy({ host: "h", privateKey: KEY, dialErrorLimit: 2, perDialTimeout: 3 })).to.deep.equal({
            attempts: 2,
            perDialMs: 3000,
            overallMs: 60000,
            backoffMs: [500],
        });
        expect(dialPolicy({ host: "h", privateKey: KEY, dialErrorLimit: 0, perDialTimeout: 999 })).to.deep.equal({
            attempts: 1,
            perDialMs: 120000,
            overallMs: 60000,
            backoffMs: [],
        });
        expect(dialPolicy({ host: "h", privateKey: KEY, dialErrorLimit: 50 }).backoffMs).to.deep.equal([
            500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000,
            8000,
        ]);
    });
});

describe("ssh: checkSshConnection", () => {
    const ok = { host: "198.51.100.11", privateKey: KEY };
    it("fills defaults (port 22, user root)", () => {
        expect(checkSshConnection(ok)).to.deep.equal({
            value: { host: "198.51.100.11", port: 22, user: "root", privateKey: KEY },
            failures: [],
        });
    });
    it("keeps explicit values and dial settings", () => {
        const c = { host: "alice", port: 2222, user: "admin", privateKey: KEY, dialErrorLimit: 3, perDialTimeout: 5 };
        expect(checkSshConnection(c)).to.deep.equal({ value: c, failures: [] });
    });
    it("passes unknowns (preview), whole or per field", () => {
        expect(checkSshConnection(UNKNOWN)).to.deep.equal({ value: UNKNOWN, failures: [] });
        expect(checkSshConnection({ host: UNKNOWN, port: UNKNOWN, user: UNKNOWN, privateKey: UNKNOWN })).to.deep.equal({
            value: { host: UNKNOWN, port: UNKNOWN, user: UNKNOWN, privateKey: UNKNOWN },
            failures: [],
        });
    });
    const bad: [string, unknown, { property: string; reason: string }[]][] = [
        [
            "not an object",
            "alice",
            [{ property: "connection", reason: "connection must be an object { host, port?, user?, privateKey }" }],
        ],
        [
            "bad host",
            { ...ok, host: "a b" },
            [{ property: "connection.host", reason: "host must be a host name or IP address" }],
        ],
        [
            "bad port",
            { ...ok, port: 70000 },
            [{ property: "connection.port", reason: "port must be an integer between 1 and 65535" }],
        ],
        [
            "bad user",
            { ...ok, user: "r;m" },
            [{ property: "connection.user", reason: "user must be a POSIX user name" }],
        ],
        [
            "not a private key (reason does not echo it)",
            { ...ok, privateKey: "ssh-ed25519 AAAA public" },
            [
                {
                    property: "connection.privateKey",
                    reason: "privateKey must be a PEM/OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)",
                },
            ],
        ],
        [
            "bad dialErrorLimit",
            { ...ok, dialErrorLimit: -1 },
            [{ property: "connection.dialErrorLimit", reason: "dialErrorLimit must be a positive number" }],
        ],
    ];
    for (const [name, v, failures] of bad) {
        it(`rejects: ${name}`, () => expect(checkSshConnection(v).failures).to.deep.equal(failures));
    }
});

describe("ssh: diffSshConnection", () => {
    const o = { host: "alice", port: 22, user: "root", privateKey: KEY };
    const cases: [string, unknown, { hostChanged: boolean; otherChanged: boolean }][] = [
        ["same", { ...o }, { hostChanged: false, otherChanged: false }],
        ["host", { ...o, host: "bob" }, { hostChanged: true, otherChanged: false }],
        ["port", { ...o, port: 2222 }, { hostChanged: false, otherChanged: true }],
        ["user", { ...o, user: "admin" }, { hostChanged: false, otherChanged: true }],
        ["key", { ...o, privateKey: KEY + "x" }, { hostChanged: false, otherChanged: true }],
        ["dial setting", { ...o, dialErrorLimit: 3 }, { hostChanged: false, otherChanged: true }],
        ["unknown host", { ...o, host: UNKNOWN }, { hostChanged: true, otherChanged: false }],
        ["unknown key", { ...o, privateKey: UNKNOWN }, { hostChanged: false, otherChanged: true }],
        ["whole connection unknown", UNKNOWN, { hostChanged: true, otherChanged: true }],
    ];
    for (const [name, n, want] of cases) {
        it(name, () => expect(diffSshConnection(o, n)).to.deep.equal(want));
    }
});

describe("ssh: same, fieldAt, diffFields (the diff every provider uses)", () => {
    const cases: [string, unknown, unknown, boolean][] = [
        ["equal strings", "a", "a", true],
        ["1 and '1'", 1, "1", false],
        [
            "objects ignore key order and undefined members",
            { a: 1, b: [1, 2] },
            { b: [1, 2], a: 1, c: undefined },
            true,
        ],
        ["array order matters", [1, 2], [2, 1], false],
        ["null is not undefined", null, undefined, false],
        ["an unknown is never equal, even to itself", UNKNOWN, UNKNOWN, false],
        ["an unknown inside an object", { a: { b: UNKNOWN } }, { a: { b: UNKNOWN } }, false],
        ["an unknown inside an array", ["x"], [UNKNOWN], false],
    ];
    for (const [name, a, b, want] of cases) {
        it(`same: ${name}`, () => expect(same(a, b)).to.equal(want));
    }
    it("fieldAt: dotted lookup; through an unknown it is unknown; missing is undefined", () => {
        expect(fieldAt({ a: { b: "x" } }, "a.b")).to.equal("x");
        expect(fieldAt({ a: UNKNOWN }, "a.b")).to.equal(UNKNOWN);
        expect(fieldAt({ a: "s" }, "a.b")).to.equal(undefined);
    });
    const conn = { host: "alice", port: 22, user: "root", privateKey: KEY };
    const olds = { connection: conn, name: "n", url: "u" };
    const fields = { replace: ["name"], update: ["url"] };
    const diffs: [string, Record<string, unknown>, { replaces: string[]; changed: string[] }][] = [
        ["nothing", {}, { replaces: [], changed: [] }],
        [
            "host: replace",
            { connection: { ...conn, host: "bob" } },
            { replaces: ["connection"], changed: ["connection"] },
        ],
        ["port: update", { connection: { ...conn, port: 2222 } }, { replaces: [], changed: ["connection"] }],
        [
            "host and name: connection first",
            { connection: { ...conn, host: "bob" }, name: "m" },
            { replaces: ["connection", "name"], changed: ["connection", "name"] },
        ],
        ["update field", { url: "v" }, { replaces: [], changed: ["url"] }],
        ["unknown update field", { url: UNKNOWN }, { replaces: [], changed: ["url"] }],
    ];
    for (const [name, patch, want] of diffs) {
        it(`diffFields: ${name}`, () => expect(diffFields(olds, { ...olds, ...patch }, fields)).to.deep.equal(want));
    }
});

describe("ssh: SshProvider (the shape every provider has)", () => {
    const conn = { host: "198.51.100.11", port: 22, user: "root", privateKey: KEY };
    const OUTS: MysqlDatabaseOutputs = {
        connection: conn,
        database: "nova",
        user: "novadbadmin",
        password: "dieD9Mie",
        host: "198.51.100.11",
        urlScheme: "mysql",
        connectionUrl: "mysql://novadbadmin:dieD9Mie@198.51.100.11/nova",
    };
    const refusing =
        (calls: string[]): OnHost =>
        async () => {
            calls.push("ssh");
            throw new Error("no connection expected");
        };
    it("an update that only changes how the host is reached opens no connection", async () => {
        const calls: string[] = [];
        const r = await MYSQL_DATABASE_PROVIDER.ops.update(refusing(calls), "nova", OUTS, {
            ...OUTS,
            connection: { ...conn, port: 2222 },
        });
        expect(calls).to.deep.equal([]);
        expect(r.outs?.connection).to.deep.equal({ ...conn, port: 2222 });
    });
    it("read without stored connection says import is not supported", async () => {
        let msg = "";
        try {
            await MYSQL_DATABASE_PROVIDER.read("nova", undefined);
        } catch (e) {
            msg = (e as Error).message;
        }
        expect(msg).to.equal("resource nova: read needs the stored connection (import is not supported)");
    });
    it("check and diff go through the provider's pure functions", async () => {
        const p = MYSQL_DATABASE_PROVIDER;
        const c = await p.check(OUTS, { ...OUTS, urlScheme: undefined } as never);
        expect(c.failures).to.deep.equal([]);
        expect((c.inputs as unknown as Record<string, unknown>).urlScheme).to.equal("mysql");
        expect(await p.diff("nova", OUTS, { ...OUTS, connection: { ...conn, host: "198.51.100.12" } })).to.deep.equal({
            changes: true,
            replaces: ["connection"],
            deleteBeforeReplace: true,
        });
    });
});
