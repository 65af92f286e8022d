// MysqlDatabase pure parts: check, diff, SQL plans (golden), escaping, URL.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    checkMysqlDatabase,
    diffMysqlDatabase,
    MYSQL_CLIENT_SCRIPT,
    mysqlDeleteScript,
    MysqlDatabase,
    mysqlConnectionUrl,
    mysqlDatabaseOutputs,
    mysqlIdent,
    mysqlString,
    parseMysqlRead,
    planMysqlDatabase,
    planMysqlDatabaseUpdate,
    urlEncodeStrict,
    type MysqlDatabaseInputs,
    type MysqlDatabaseOutputs,
} from "../../../providers/mysqlDatabase";
import { UNKNOWN } from "../../../providers/ssh";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const CONN = { host: "198.51.100.11", port: 22, user: "root", privateKey: KEY };
// The article's Listing 1, nova.
const NOVA: MysqlDatabaseInputs = {
    connection: CONN,
    database: "nova",
    user: "novadbadmin",
    password: "dieD9Mie",
    host: "198.51.100.11",
    urlScheme: "mysql",
};
const NOVA_OUT: MysqlDatabaseOutputs = { ...NOVA, connectionUrl: "mysql://novadbadmin:dieD9Mie@198.51.100.11/nova" };

describe("MysqlDatabase: check", () => {
    it("normalizes: urlScheme defaults to mysql, connection defaults filled, extra keys dropped", () => {
        const r = checkMysqlDatabase({
            connection: { host: "198.51.100.11", privateKey: KEY },
            database: "nova",
            user: "novadbadmin",
            password: "dieD9Mie",
            host: "198.51.100.11",
            extra: 1,
        });
        expect(r).to.deep.equal({ inputs: { ...NOVA }, failures: [] });
    });
    it("keeps mysql+pymysql (Zed)", () => {
        expect(checkMysqlDatabase({ ...NOVA, urlScheme: "mysql+pymysql" })).to.deep.equal({
            inputs: { ...NOVA, urlScheme: "mysql+pymysql" },
            failures: [],
        });
    });
    it("accepts unknowns in every field during preview", () => {
        const news = {
            connection: UNKNOWN,
            database: UNKNOWN,
            user: UNKNOWN,
            password: UNKNOWN,
            host: UNKNOWN,
            urlScheme: UNKNOWN,
        };
        expect(checkMysqlDatabase(news)).to.deep.equal({ inputs: news, failures: [] });
    });
    const bad: [string, Record<string, unknown>, { property: string; reason: string }[]][] = [
        [
            "database with a dash",
            { database: "no-va" },
            [{ property: "database", reason: "database must be 1-64 characters of [A-Za-z0-9_]" }],
        ],
        [
            "database too long",
            { database: "d".repeat(65) },
            [{ property: "database", reason: "database must be 1-64 characters of [A-Za-z0-9_]" }],
        ],
        [
            "database missing",
            { database: undefined },
            [{ property: "database", reason: "database must be 1-64 characters of [A-Za-z0-9_]" }],
        ],
        [
            "system database",
            { database: "MySQL" },
            [
                {
                    property: "database",
                    reason: "database must not be a system schema (mysql, information_schema, performance_schema, sys)",
                },
            ],
        ],
        [
            "user with a quote",
            { user: "nova'x" },
            [{ property: "user", reason: "user must be 1-16 characters of [A-Za-z0-9_] (MySQL 5.5 limit)" }],
        ],
        [
            "user longer than 16",
            { user: "u".repeat(17) },
            [{ property: "user", reason: "user must be 1-16 characters of [A-Za-z0-9_] (MySQL 5.5 limit)" }],
        ],
        [
            "root as user",
            { user: "root" },
            [
                {
                    property: "user",
                    reason: "user must not be a system account (root, mysql, mariadb.sys, debian-sys-maint)",
                },
            ],
        ],
        [
            "empty password",
            { password: "" },
            [{ property: "password", reason: "password must be a non-empty string of at most 128 characters" }],
        ],
        [
            "password with a newline (reason does not echo it)",
            { password: "sec\nret" },
            [{ property: "password", reason: "password must consist of printable ASCII characters" }],
        ],
        [
            "non-ASCII password",
            { password: "pässword" },
            [{ property: "password", reason: "password must consist of printable ASCII characters" }],
        ],
        [
            "host with a slash",
            { host: "alice/x" },
            [{ property: "host", reason: "host must be a host name or IP address (optionally :port)" }],
        ],
        [
            "unknown scheme",
            { urlScheme: "postgresql" },
            [{ property: "urlScheme", reason: "urlScheme must be one of mysql, mysql+pymysql, mysql+mysqldb" }],
        ],
        [
            "bad connection port",
            { connection: { ...CONN, port: 0 } },
            [{ property: "connection.port", reason: "port must be an integer between 1 and 65535" }],
        ],
    ];
    for (const [name, patch, failures] of bad) {
        it(`rejects ${name}`, () => expect(checkMysqlDatabase({ ...NOVA, ...patch }).failures).to.deep.equal(failures));
    }
    it("accepts host with port and IPv6 literal", () => {
        expect(checkMysqlDatabase({ ...NOVA, host: "alice:3306" }).failures).to.deep.equal([]);
        expect(checkMysqlDatabase({ ...NOVA, host: "[2001:db8::1]" }).failures).to.deep.equal([]);
    });
});

describe("MysqlDatabase: diff (field by field)", () => {
    const none = { changes: false, replaces: [], deleteBeforeReplace: false };
    const cases: [
        string,
        Partial<MysqlDatabaseInputs> | Record<string, unknown>,
        { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean },
    ][] = [
        ["nothing", {}, none],
        ["password → in place", { password: "new" }, { changes: true, replaces: [], deleteBeforeReplace: false }],
        ["host (URL) → in place", { host: "alice" }, { changes: true, replaces: [], deleteBeforeReplace: false }],
        [
            "urlScheme → in place",
            { urlScheme: "mysql+pymysql" },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection key → in place",
            { connection: { ...CONN, privateKey: KEY + "\n" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection port → in place",
            { connection: { ...CONN, port: 2222 } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection user → in place",
            { connection: { ...CONN, user: "admin" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "database rename, same user → replace, delete first (shared user)",
            { database: "nova2" },
            { changes: true, replaces: ["database"], deleteBeforeReplace: true },
        ],
        [
            "user rename, same database → replace, delete first (shared database)",
            { user: "novauser" },
            { changes: true, replaces: ["user"], deleteBeforeReplace: true },
        ],
        [
            "both renamed → replace, create first (they coexist)",
            { database: "nova2", user: "novauser" },
            { changes: true, replaces: ["database", "user"], deleteBeforeReplace: false },
        ],
        [
            "connection host → replace, delete first (same names)",
            { connection: { ...CONN, host: "198.51.100.12" } },
            { changes: true, replaces: ["connection"], deleteBeforeReplace: true },
        ],
        [
            "unknown password (preview) → in place",
            { password: UNKNOWN },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "unknown database (preview) → replace",
            { database: UNKNOWN },
            { changes: true, replaces: ["database"], deleteBeforeReplace: true },
        ],
        [
            "unknown connection (preview) → replace",
            { connection: UNKNOWN },
            { changes: true, replaces: ["connection"], deleteBeforeReplace: true },
        ],
    ];
    for (const [name, patch, want] of cases) {
        it(name, () => expect(diffMysqlDatabase({ ...NOVA_OUT }, { ...NOVA, ...patch })).to.deep.equal(want));
    }
});

describe("MysqlDatabase: SQL plans (golden, sent on stdin)", () => {
    it("client script carries no secret", () => {
        expect(MYSQL_CLIENT_SCRIPT).to.equal("set -euo pipefail\nmysql --batch --skip-column-names -u root");
    });
    it("delete script: ends the user's and the database's sessions first (names only), then reads the SQL on stdin", () => {
        expect(mysqlDeleteScript(NOVA)).to.equal(`set -euo pipefail
mysql --batch --skip-column-names -u root <<'SQL' | mysql -u root --force >/dev/null 2>&1 || true
SELECT CONCAT('KILL ', ID, ';') FROM information_schema.PROCESSLIST WHERE USER = 'novadbadmin' OR DB = 'nova';
SQL
mysql --batch --skip-column-names -u root`);
        expect(mysqlDeleteScript(NOVA)).to.not.contain(NOVA.password);
    });
    it("create (Listing 1, find-or-create)", () => {
        expect(planMysqlDatabase("create", NOVA)).to.equal(
            "CREATE DATABASE IF NOT EXISTS `nova`;\nGRANT ALL PRIVILEGES ON `nova`.* TO 'novadbadmin'@'%' IDENTIFIED BY 'dieD9Mie';\nFLUSH PRIVILEGES;\n",
        );
    });
    it("update (password change in place, never drops)", () => {
        expect(planMysqlDatabase("update", { ...NOVA, password: "n3w" })).to.equal(
            "GRANT ALL PRIVILEGES ON `nova`.* TO 'novadbadmin'@'%' IDENTIFIED BY 'n3w';\nFLUSH PRIVILEGES;\n",
        );
    });
    it("delete (MySQL 5.5 safe: GRANT USAGE then DROP USER)", () => {
        expect(planMysqlDatabase("delete", NOVA)).to.equal(
            "SET SESSION lock_wait_timeout = 60;\nDROP DATABASE IF EXISTS `nova`;\nGRANT USAGE ON *.* TO 'novadbadmin'@'%' IDENTIFIED BY 'dieD9Mie';\nDROP USER 'novadbadmin'@'%';\nFLUSH PRIVILEGES;\n",
        );
    });
    it("read", () => {
        expect(planMysqlDatabase("read", NOVA)).to.equal(
            "SELECT\n(SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'nova'),\n(SELECT COUNT(*) FROM mysql.user WHERE User = 'novadbadmin' AND Host = '%'),\n(SELECT COUNT(*) FROM mysql.db WHERE Db = 'nova' AND User = 'novadbadmin' AND Host = '%'),\n(SELECT COUNT(*) FROM mysql.user WHERE User = 'novadbadmin' AND Host = '%' AND Password = PASSWORD('dieD9Mie'));\n",
        );
    });
    it("escapes quotes and backslashes in passwords", () => {
        expect(planMysqlDatabase("update", { ...NOVA, password: 'it\'s \\ "x"' })).to.equal(
            "GRANT ALL PRIVILEGES ON `nova`.* TO 'novadbadmin'@'%' IDENTIFIED BY 'it''s \\\\ \"x\"';\nFLUSH PRIVILEGES;\n",
        );
    });
    it("update plan only when the password changes", () => {
        expect(planMysqlDatabaseUpdate(NOVA_OUT, { ...NOVA, host: "alice", urlScheme: "mysql+pymysql" })).to.equal(
            undefined,
        );
        expect(planMysqlDatabaseUpdate(NOVA_OUT, { ...NOVA, connection: { ...CONN, port: 2222 } })).to.equal(undefined);
        expect(planMysqlDatabaseUpdate(NOVA_OUT, { ...NOVA, password: "x2" })).to.equal(
            planMysqlDatabase("update", { ...NOVA, password: "x2" }),
        );
    });
});

describe("MysqlDatabase: escaping and URL", () => {
    const strings: [string, string][] = [
        ["plain", "'plain'"],
        ["it's", "'it''s'"],
        ["a\\b", "'a\\\\b'"],
        ["\\'", "'\\\\'''"],
        ["", "''"],
    ];
    for (const [s, want] of strings) {
        it(`mysqlString(${JSON.stringify(s)})`, () => expect(mysqlString(s)).to.equal(want));
    }
    it("mysqlIdent", () => {
        expect(mysqlIdent("nova")).to.equal("`nova`");
        expect(mysqlIdent("a`b")).to.equal("`a``b`");
    });
    it("urlEncodeStrict encodes all but unreserved characters", () => {
        expect(urlEncodeStrict("aZ9-._~")).to.equal("aZ9-._~");
        expect(urlEncodeStrict("p@ss:w/rd$%+ '")).to.equal("p%40ss%3Aw%2Frd%24%25%2B%20%27");
    });
    it("connection URLs: Folsom and Zed", () => {
        expect(mysqlConnectionUrl(NOVA)).to.equal("mysql://novadbadmin:dieD9Mie@198.51.100.11/nova");
        expect(
            mysqlConnectionUrl({
                ...NOVA,
                urlScheme: "mysql+pymysql",
                user: "keystone",
                database: "keystone",
                password: "a@b$c",
            }),
        ).to.equal("mysql+pymysql://keystone:a%40b%24c@198.51.100.11/keystone");
    });
    it("outputs", () => expect(mysqlDatabaseOutputs(NOVA)).to.deep.equal(NOVA_OUT));
    it("parseMysqlRead", () => {
        expect(parseMysqlRead("1\t1\t1\t1\n")).to.deep.equal({
            database: true,
            user: true,
            grant: true,
            password: true,
        });
        expect(parseMysqlRead("0\t1\t0\t0\n")).to.deep.equal({
            database: false,
            user: true,
            grant: false,
            password: false,
        });
        expect(() => parseMysqlRead("ERROR\n")).to.throw('unexpected read output: "ERROR\\n"');
    });
});

describe("MysqlDatabase: resource registration", () => {
    it("registers as pulumi-nodejs:dynamic/infra:MysqlDatabase with secret connection/password and the default scheme", async () => {
        const seen: { type: string; inputs: Record<string, unknown> }[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => (
                    seen.push({ type: a.type, inputs: a.inputs }),
                    { id: "nova", state: { ...a.inputs, connectionUrl: "mysql://x" } }
                ),
                call: () => ({}),
            },
            "oslab",
            "unit",
            false,
        );
        const db = new MysqlDatabase("nova-db", {
            connection: { host: "198.51.100.11", privateKey: KEY },
            database: "nova",
            user: "novadbadmin",
            password: "dieD9Mie",
            host: "198.51.100.11",
        });
        const url = await new Promise((r) => db.connectionUrl.apply(r));
        expect(url).to.equal("mysql://x");
        expect(seen.map((s) => s.type)).to.deep.equal(["pulumi-nodejs:dynamic/infra:MysqlDatabase"]);
        const ins = seen[0].inputs;
        const SIG = "4dabf18193072939515e22adb298388d";
        expect(Object.keys(ins).sort()).to.deep.equal([
            "__provider",
            "connection",
            "database",
            "host",
            "password",
            "urlScheme",
            "user",
        ]);
        expect((ins.password as Record<string, unknown>)[SIG]).to.equal("1b47061264138c4ac30d75fd1eb44270");
        expect((ins.connection as Record<string, unknown>)[SIG]).to.equal("1b47061264138c4ac30d75fd1eb44270");
        expect(ins.urlScheme).to.equal("mysql");
    });
});
