// providers/ssh.ts against the test bed's real sshd: exec with stdin, one connection
// per operation, HTTP through the tunnel, error messages and redaction.
import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { withSsh, type SshConnection } from "../../providers/ssh";
import { countSshConnects } from "./harness";
import { testbedConnection, testbedEnv, unknownPrivateKey } from "./testbed";

async function failure(p: Promise<unknown>): Promise<Error> {
    return p.then(
        () => {
            throw new Error("expected a failure");
        },
        (e: Error) => e,
    );
}

describe("ssh executor (real sshd)", () => {
    let conn: SshConnection;
    let server: http.Server;
    let port: number;

    before(async () => {
        conn = testbedConnection();
        server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (d: Buffer) => chunks.push(d));
            req.on("end", () => {
                if (req.url === "/text") {
                    res.writeHead(200, { "Content-Type": "text/plain" });
                    res.end("plain text");
                    return;
                }
                res.writeHead(201, { "Content-Type": "application/json", "X-Reply": "yes" });
                res.end(
                    JSON.stringify({
                        method: req.method,
                        url: req.url,
                        xTest: req.headers["x-test"],
                        contentType: req.headers["content-type"] ?? null,
                        body: Buffer.concat(chunks).toString(),
                    }),
                );
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as AddressInfo).port;
    });
    after(() => server.close());

    it("exec: stdout, stderr and exit code; stdin reaches the script but not its argv; bash runs it", async () => {
        const r = await withSsh(conn, "Test exec", (s) =>
            s.exec(
                'echo "out:$BASH_VERSION" | cut -c1-8; echo err >&2; tr "\\0" " " </proc/$$/cmdline >&2; read -r line; echo "got:$line"; exit 7',
                { stdin: "s3cret-value\n" },
            ),
        );
        expect(r.code).to.equal(7);
        expect(r.stdout).to.equal("out:5.2.\ngot:s3cret-value\n");
        expect(r.stderr.startsWith("err\n/bin/bash -c ")).to.equal(true);
        expect(r.stderr).not.to.include("s3cret-value");
    });

    it("one SSH connection per operation, however many steps", async () => {
        const ssh = countSshConnects();
        try {
            const outs = await withSsh(conn, "Test steps", async (s) => {
                const a = await s.exec("echo a");
                const b = await s.run("step b", "echo b");
                const h = await s.http({ host: "127.0.0.1", port }, { method: "GET", path: "/x" });
                return [a.stdout, b.stdout, h.status];
            });
            expect(outs).to.deep.equal(["a\n", "b\n", 201]);
        } finally {
            ssh.restore();
        }
        expect(ssh.count()).to.equal(1);
    });

    it("http: JSON request and response through the tunnel", async () => {
        const r = await withSsh(conn, "Test http", (s) =>
            s.http(
                { host: "127.0.0.1", port },
                { method: "POST", path: "/v3/things?x=1", headers: { "X-Test": "t1" }, body: { a: [1, "b"] } },
            ),
        );
        expect(r.status).to.equal(201);
        expect(r.headers["x-reply"]).to.equal("yes");
        expect(r.body).to.deep.equal({
            method: "POST",
            url: "/v3/things?x=1",
            xTest: "t1",
            contentType: "application/json",
            body: '{"a":[1,"b"]}',
        });
        expect(JSON.parse(r.text)).to.deep.equal(r.body);
    });

    it("http: non-JSON body comes back as text", async () => {
        const r = await withSsh(conn, "Test http", (s) =>
            s.http({ host: "127.0.0.1", port }, { method: "GET", path: "/text" }),
        );
        expect([r.status, r.body, r.text]).to.deep.equal([200, "plain text", "plain text"]);
    });

    it("http: a closed target port is an error naming the request and the SSH host", async () => {
        const e = await failure(
            withSsh(conn, "Test http", (s) =>
                s.http({ host: "127.0.0.1", port: 1 }, { method: "GET", path: "/v3?token=abc" }),
            ),
        );
        expect(e.message).to.match(
            /^Test http: HTTP GET http:\/\/127\.0\.0\.1:1\/v3 on root@127\.0\.0\.1:2222 failed: tunnel to 127\.0\.0\.1:1 refused: \(SSH\) Channel open failure: /,
        );
    });

    it("run: a failing step names host, resource and step; secrets and SQL literals are redacted", async () => {
        const e = await failure(
            withSsh(conn, "MysqlDatabase x", (s) =>
                s.run("create user", "set -euo pipefail\nmysql -u root", {
                    stdin: "GRANT ALL ON `x`.* TO 'u'@'%' IDENTIFIED BY 'SeCrEt-123' garbage;\n",
                    secrets: ["SeCrEt-123"],
                }),
            ),
        );
        // The mysql client echoes the failing statement: the literal and the secret are redacted.
        expect(e.message).to.equal(
            "MysqlDatabase x: create user on root@127.0.0.1:2222 failed: exit 1: --------------\nGRANT ALL ON `x`.* TO 'u'@'%' IDENTIFIED BY '[secret]' garbage\n--------------\n\nERROR 1064 (42000) at line 1: You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'garbage' at line 1",
        );
        expect(e.message).not.to.include("SeCrEt-123");
        const e2 = await failure(
            withSsh(conn, "Thing y", (s) =>
                s.run("echo secret", 'echo "token=$(cat)" >&2; exit 3', { stdin: "tok-abcdef-123" }),
            ),
        );
        expect(e2.message).to.equal("Thing y: echo secret on root@127.0.0.1:2222 failed: exit 3: token=[secret]");
    });

    it("exec timeout kills the command and reports it", async () => {
        const t0 = Date.now();
        const e = await failure(withSsh(conn, "Test timeout", (s) => s.exec("sleep 20", { timeoutMs: 1000 })));
        expect(e.message).to.equal("Test timeout: exec on root@127.0.0.1:2222 failed: command timed out after 1 s");
        expect(Date.now() - t0).to.be.below(5000);
    });

    it("errors thrown by the operation get context", async () => {
        const e = await failure(
            withSsh(conn, "Test op", async () => {
                throw new Error("parse failed near 'IDENTIFIED BY 'x''");
            }),
        );
        expect(e.message).to.equal(
            "Test op: operation on root@127.0.0.1:2222 failed: parse failed near 'IDENTIFIED BY '[secret]''",
        );
    });

    it("wrong key: no retry, clear message without the key", async () => {
        const badKey = unknownPrivateKey();
        const ssh = countSshConnects();
        let e: Error;
        try {
            e = await failure(withSsh({ ...conn, privateKey: badKey }, "Test auth", async () => 1));
        } finally {
            ssh.restore();
        }
        expect(e.message).to.equal(
            "Test auth: connect (authentication) on root@127.0.0.1:2222 failed: All configured authentication methods failed: the SSH server rejected the private key for user root",
        );
        expect(ssh.count()).to.equal(1);
    });

    it("unparsable key: clear message without the key", async () => {
        const junk = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key-at-all\n-----END OPENSSH PRIVATE KEY-----\n";
        const e = await failure(withSsh({ ...conn, privateKey: junk }, "Test key", async () => 1));
        expect(e.message).to.match(
            /^Test key: connect \(authentication\) on root@127\.0\.0\.1:2222 failed: invalid private key \(Cannot parse privateKey: .*\): the SSH server rejected the private key for user root$/,
        );
        expect(e.message).not.to.include("not-a-key-at-all");
    });

    it("unreachable: bounded attempts with backoff, then one clear error", async () => {
        const t0 = Date.now();
        const e = await failure(withSsh({ ...conn, port: 2223, dialErrorLimit: 2 }, "Test dial", async () => 1));
        expect(e.message).to.equal(
            "Test dial: connect on root@127.0.0.1:2223 failed: unreachable after 2 attempt(s) in 1 s (attempt 1: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:2223; attempt 2: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:2223)",
        );
        expect(Date.now() - t0).to.be.within(450, 3000);
    });

    it("non-root SSH user works for exec (the connection's user is honoured)", async () => {
        const user = testbedEnv().TESTBED_SSH_UNPRIVILEGED_USER;
        const r = await withSsh({ ...conn, user }, "Test user", (s) => s.run("whoami", "id -un"));
        expect(r.stdout).to.equal(`${user}\n`);
    });
});
