// MysqlDatabase against the test bed's real MariaDB over real SSH, driven through the
// serialization harness (the provider runs from its serialized closure).
import { expect } from "chai";
import * as crypto from "crypto";
import { execFileSync, spawn } from "child_process";
import { MysqlDatabase } from "../../providers/mysqlDatabase";
import type { SshConnection } from "../../providers/ssh";
import { countSshConnects, Driver, UNKNOWN, type Props, type Registration } from "./harness";
import { bedCommand, testbedConnection, testbedEnv, unknownPrivateKey } from "./testbed";

const sfx = crypto.randomBytes(3).toString("hex");
const DB1 = `tb_db_${sfx}`;
const DB2 = `tb_db2_${sfx}`;
const USER1 = `tbu_${sfx}`;
const USER2 = `tbv_${sfx}`;
const PW1 = `Pw1-${crypto.randomBytes(6).toString("hex")}`;
const PW2 = `Pw2-${crypto.randomBytes(6).toString("hex")}`;

/** SQL as MariaDB root on the bed's local socket, with the bed's client (testbed.ts: bedCommand). */
function rootSql(sql: string): string {
    const c = bedCommand("mariadb", ["-N", "-B"]);
    return execFileSync(c.file, c.args, { input: sql, encoding: "utf8" }).trim();
}
/** Can `user` log in over TCP with `pw` and query `db`? Password via MYSQL_PWD, not argv. */
function login(user: string, pw: string, db: string, sql = "SELECT 1"): { ok: boolean; out: string } {
    try {
        const c = bedCommand("mariadb", ["-h", "127.0.0.1", "-P", "3306", "-u", user, "-N", "-B", db]);
        const out = execFileSync(c.file, c.args, {
            input: sql,
            encoding: "utf8",
            env: { ...process.env, MYSQL_PWD: pw },
            stdio: ["pipe", "pipe", "pipe"],
        });
        return { ok: true, out: out.trim() };
    } catch (e) {
        return { ok: false, out: String((e as { stderr?: string }).stderr ?? "") };
    }
}
function dbExists(db: string): boolean {
    return rootSql(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='${db}'`) === "1";
}
function userExists(user: string): boolean {
    return rootSql(`SELECT COUNT(*) FROM mysql.user WHERE User='${user}' AND Host='%'`) === "1";
}

describe("MysqlDatabase (real MariaDB over SSH, serialized provider)", function () {
    let conn: SshConnection;
    let host: string;
    let driver: Driver;
    let reg: Registration;
    const inputs = (over: Props = {}): Props => ({
        connection: conn,
        database: DB1,
        user: USER1,
        password: PW1,
        host,
        ...over,
    });

    before(async () => {
        conn = testbedConnection();
        host = testbedEnv().TESTBED_MYSQL_HOST;
        ({ driver, reg } = await Driver.for(
            () => new MysqlDatabase(`db-${sfx}`, { connection: conn, database: DB1, user: USER1, password: PW1, host }),
            "MysqlDatabase",
        ));
    });

    after(() => {
        // Leave nothing behind even when a test failed half-way.
        for (const db of [DB1, DB2]) {
            rootSql(`DROP DATABASE IF EXISTS \`${db}\``);
        }
        for (const u of [USER1, USER2]) {
            if (userExists(u)) {
                rootSql(`DROP USER '${u}'@'%'`);
            }
        }
    });

    it("registers pulumi-nodejs:dynamic/infra:MysqlDatabase; connection and password secret in, secret outputs declared", () => {
        expect(reg.type).to.equal("pulumi-nodejs:dynamic/infra:MysqlDatabase");
        expect(reg.secretInputs.sort()).to.deep.equal(["connection", "password"]);
        expect(reg.additionalSecretOutputs).to.deep.equal(["connection", "password", "connectionUrl"]);
        expect(reg.inputs).to.deep.equal({
            connection: { ...conn },
            database: DB1,
            user: USER1,
            password: PW1,
            host,
            urlScheme: "mysql",
        });
    });

    it("create: database + user granted from '%' (Listing 1); id = database; secret URL output", async () => {
        expect(await driver.up(inputs())).to.equal("create");
        expect(driver.id).to.equal(DB1);
        expect(driver.outputs).to.deep.equal({
            ...inputs(),
            urlScheme: "mysql",
            connection: { ...conn },
            connectionUrl: `mysql://${USER1}:${PW1}@${host}/${DB1}`,
        });
        expect(
            login(USER1, PW1, DB1, "CREATE TABLE t (x INT); INSERT INTO t VALUES (42); SELECT x FROM t;"),
        ).to.deep.equal({ ok: true, out: "42" });
    });

    it("read (refresh) reports the live database and user unchanged", async () => {
        expect(await driver.refreshChanges()).to.deep.equal({ id: DB1, changed: [] });
    });

    it("no-op: same inputs → diff reports no changes, nothing runs", async () => {
        expect(await driver.upCounted(inputs())).to.deep.equal({ result: "same", ops: ["check", "diff"], connects: 0 });
    });

    it("update: password change in place — old stops working, new works, data kept", async () => {
        expect(await driver.up(inputs({ password: PW2 }))).to.equal("update");
        expect(driver.lastOps).to.deep.equal(["check", "diff", "update"]);
        expect(login(USER1, PW1, DB1).ok).to.equal(false);
        expect(login(USER1, PW2, DB1, "SELECT x FROM t")).to.deep.equal({ ok: true, out: "42" });
        expect(driver.outputs.connectionUrl).to.equal(`mysql://${USER1}:${PW2}@${host}/${DB1}`);
    });

    it("update: URL-only change (urlScheme) touches nothing remote", async () => {
        expect(await driver.upCounted(inputs({ password: PW2, urlScheme: "mysql+pymysql" }))).to.deep.equal({
            result: "update",
            ops: ["check", "diff", "update"],
            connects: 0,
        });
        expect(driver.outputs.connectionUrl).to.equal(`mysql+pymysql://${USER1}:${PW2}@${host}/${DB1}`);
    });

    it("refresh detects a password changed out of band; the next up restores it", async () => {
        rootSql(`SET PASSWORD FOR '${USER1}'@'%' = PASSWORD('tampered'); FLUSH PRIVILEGES;`);
        expect(await driver.refresh()).to.equal(DB1);
        expect(driver.outputs.password).to.equal("");
        expect(await driver.up(inputs({ password: PW2, urlScheme: "mysql+pymysql" }))).to.equal("update");
        expect(login(USER1, PW2, DB1, "SELECT x FROM t")).to.deep.equal({ ok: true, out: "42" });
    });

    it("refresh drops a resource whose user vanished; up re-creates the user and keeps the data", async () => {
        rootSql(`DROP USER '${USER1}'@'%'`);
        expect(await driver.refresh()).to.equal(undefined);
        expect(await driver.up(inputs({ password: PW2 }))).to.equal("create");
        expect(login(USER1, PW2, DB1, "SELECT x FROM t")).to.deep.equal({ ok: true, out: "42" });
    });

    it("replace: database rename with the same user deletes first (shared user)", async () => {
        expect(await driver.up(inputs({ password: PW2, database: DB2 }))).to.equal("replace");
        expect(driver.lastOps).to.deep.equal(["check", "diff", "delete", "create"]);
        expect(driver.id).to.equal(DB2);
        expect([dbExists(DB1), dbExists(DB2), userExists(USER1)]).to.deep.equal([false, true, true]);
        expect(login(USER1, PW2, DB2).ok).to.equal(true);
    });

    it("replace: both names change → create first, then delete the old pair", async () => {
        expect(await driver.up(inputs({ password: PW2, database: DB1, user: USER2 }))).to.equal("replace");
        expect(driver.lastOps).to.deep.equal(["check", "diff", "create", "delete"]);
        expect([dbExists(DB1), dbExists(DB2), userExists(USER1), userExists(USER2)]).to.deep.equal([
            true,
            false,
            false,
            true,
        ]);
        expect(login(USER2, PW2, DB1).ok).to.equal(true);
    });

    it("delete drops database and user even while a service session holds a lock; deleting again tolerates their absence", async () => {
        const id = driver.id;
        const state = driver.state;
        // a "service" in an open transaction: its metadata lock would block DROP DATABASE for ever
        const hc = bedCommand("mariadb", ["-h", "127.0.0.1", "-P", "3306", "-u", USER2, "-N", "-B", DB1]);
        const holder = spawn(hc.file, hc.args, {
            env: { ...process.env, MYSQL_PWD: PW2 },
            stdio: ["pipe", "pipe", "pipe"],
        });
        holder.stdin.end("BEGIN; SELECT COUNT(*) FROM t; SELECT SLEEP(120);\n");
        try {
            for (
                let i = 0;
                i < 50 &&
                rootSql(
                    `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '${USER2}' AND INFO LIKE 'SELECT SLEEP%'`,
                ) !== "1";
                i++
            ) {
                await new Promise((r) => setTimeout(r, 100));
            }
            const t0 = Date.now();
            await driver.delete();
            expect(Date.now() - t0).to.be.below(30000);
        } finally {
            if (holder.exitCode === null) {
                holder.kill();
            }
        }
        expect([dbExists(DB1), userExists(USER2)]).to.deep.equal([false, false]);
        await driver.delete(id, state);
    });

    it("passwords with quotes, backslashes and URL characters are escaped", async () => {
        const tricky = `it's \\ "q" $x %2F @:/ ;--`;
        const { driver: d } = await Driver.for(
            () =>
                new MysqlDatabase(`db2-${sfx}`, {
                    connection: conn,
                    database: DB2,
                    user: USER2,
                    password: tricky,
                    host,
                }),
            "MysqlDatabase",
        );
        expect(await d.up(inputs({ database: DB2, user: USER2, password: tricky }))).to.equal("create");
        expect(login(USER2, tricky, DB2).ok).to.equal(true);
        expect(d.outputs.connectionUrl).to.equal(
            `mysql://${USER2}:it%27s%20%5C%20%22q%22%20%24x%20%252F%20%40%3A%2F%20%3B--@${host}/${DB2}`,
        );
        expect(await d.refresh()).to.equal(DB2);
        expect(d.outputs.password).to.equal(tricky);
        await d.delete();
        expect([dbExists(DB2), userExists(USER2)]).to.deep.equal([false, false]);
    });

    it("preview: check and diff accept unknowns and open no SSH connection", async () => {
        const { driver: d } = await Driver.for(
            () =>
                new MysqlDatabase(`db3-${sfx}`, { connection: conn, database: DB1, user: USER1, password: PW1, host }),
            "MysqlDatabase",
        );
        const ssh = countSshConnects();
        try {
            const unknownNews = { connection: UNKNOWN, database: DB1, user: USER1, password: UNKNOWN, host: UNKNOWN };
            expect(await d.check(unknownNews, {})).to.deep.equal({ ...unknownNews, urlScheme: "mysql" });
            d.id = DB1;
            d.state = { ...inputs(), urlScheme: "mysql", connectionUrl: "x", __provider: d.providerText };
            expect(await d.diff({ ...inputs(), urlScheme: "mysql", password: UNKNOWN })).to.deep.equal({
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
        } finally {
            ssh.restore();
        }
        expect(ssh.count()).to.equal(0);
    });

    it("wrong SSH key: clear error naming host and step, no secret in the message", async () => {
        const badKey = unknownPrivateKey();
        const { driver: d } = await Driver.for(
            () =>
                new MysqlDatabase(`db4-${sfx}`, { connection: conn, database: DB1, user: USER1, password: PW1, host }),
            "MysqlDatabase",
        );
        const err = await d.up(inputs({ connection: { ...conn, privateKey: badKey } })).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.equal(
            `MysqlDatabase ${DB1}: connect (authentication) on root@${conn.host}:${conn.port} failed: All configured authentication methods failed: the SSH server rejected the private key for user root`,
        );
        expect(err?.message).not.to.include(PW1);
        expect(dbExists(DB1)).to.equal(false);
    });

    it("unreachable host: bounded retries, then a clear error", async function () {
        this.timeout(70000);
        const { driver: d } = await Driver.for(
            () =>
                new MysqlDatabase(`db5-${sfx}`, { connection: conn, database: DB1, user: USER1, password: PW1, host }),
            "MysqlDatabase",
        );
        const t0 = Date.now();
        const err = await d.up(inputs({ connection: { ...conn, port: 2223 } })).then(
            () => undefined,
            (e: Error) => e,
        );
        const elapsed = Date.now() - t0;
        expect(err?.message).to.match(
            new RegExp(
                `^MysqlDatabase ${DB1}: connect on root@127\\.0\\.0\\.1:2223 failed: unreachable after 5 attempt\\(s\\) in \\d+ s \\(attempt 1: ECONNREFUSED connect ECONNREFUSED 127\\.0\\.0\\.1:2223; .*attempt 5: ECONNREFUSED`,
            ),
        );
        expect(elapsed).to.be.within(7000, 20000);
    });

    it("a failing SQL step (SSH user is not root: mysql -u root is refused) names host, resource and step", async () => {
        const user = testbedEnv().TESTBED_SSH_UNPRIVILEGED_USER;
        const { driver: d } = await Driver.for(
            () =>
                new MysqlDatabase(`db6-${sfx}`, { connection: conn, database: DB1, user: USER1, password: PW1, host }),
            "MysqlDatabase",
        );
        const err = await d.up(inputs({ connection: { ...conn, user } })).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.equal(
            `MysqlDatabase ${DB1}: create database and grant user on ${user}@127.0.0.1:2222 failed: exit 1: ERROR 1698 (28000): Access denied for user 'root'@'localhost'`,
        );
        expect(err?.message).not.to.include(PW1);
        expect(dbExists(DB1)).to.equal(false);
    });
});
