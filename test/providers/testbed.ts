// Access to the real-service test bed whose state dir is $TB_STATE (settings in
// $TB_STATE/env): the Debian 12 bed started by testbed.sh on this machine (default
// /var/tmp/oslab-testbed), or the Debian 13 bed started by testbed-trixie.sh in netns
// tb13 (/var/tmp/oslab-testbed-trixie/tb). run.sh runs the same specs against each.
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import type { SshConnection } from "../../providers/ssh";

export const TB_STATE = process.env.TB_STATE ?? "/var/tmp/oslab-testbed";

/**
 * KEY=VALUE settings written by testbed.sh and its components (and testbed-trixie.sh).
 * Throws if the test bed is down, or if it lives in a network namespace
 * (TESTBED_NETNS) this process is not in: its 127.0.0.1 addresses are that namespace's.
 */
export function testbedEnv(): Record<string, string> {
    const f = path.join(TB_STATE, "env");
    if (!fs.existsSync(f)) {
        throw new Error(`test bed is not up (${f} missing): run 'bash test/providers/testbed.sh up' as root`);
    }
    const env: Record<string, string> = {};
    for (const line of fs.readFileSync(f, "utf8").split("\n")) {
        const i = line.indexOf("=");
        if (i > 0) {
            env[line.slice(0, i)] = line.slice(i + 1);
        }
    }
    if (env.TESTBED_NETNS && !inNetns(env.TESTBED_NETNS)) {
        throw new Error(
            `the test bed in ${TB_STATE} lives in network namespace ${env.TESTBED_NETNS}: run the tests in it (ip netns exec ${env.TESTBED_NETNS} ...; run.sh does)`,
        );
    }
    return env;
}

/** This process is in the named network namespace (same nsfs inode as /run/netns/NAME). */
function inNetns(name: string): boolean {
    try {
        const mine = fs.statSync("/proc/self/ns/net");
        const theirs = fs.statSync(path.join("/run/netns", name));
        return mine.ino === theirs.ino && mine.dev === theirs.dev;
    } catch {
        return false;
    }
}

/**
 * The file and arguments that run one of the test bed's own tools (mariadb, ovs-vsctl,
 * ip) where its services live: directly for the bed on this machine, behind the
 * TESTBED_EXEC prefix (nsenter into the bed's root) for the Debian 13 bed, so the
 * tests' own checks talk to the bed's sockets with the bed's clients.
 */
export function bedCommand(cmd: string, args: string[]): { file: string; args: string[] } {
    const prefix = (testbedEnv().TESTBED_EXEC ?? "").split(" ").filter((w) => w.length > 0);
    if (prefix.length === 0) {
        return { file: cmd, args };
    }
    return { file: prefix[0], args: [...prefix.slice(1), cmd, ...args] };
}

/** One line naming the test bed (OS, package versions, namespace) for the test report. */
export function testbedSummary(): string {
    const env = testbedEnv();
    const parts = [
        env.TESTBED_OS ?? "unknown OS",
        env.TESTBED_KEYSTONE_VERSION && `keystone ${env.TESTBED_KEYSTONE_VERSION}`,
        env.TESTBED_NEUTRON_VERSION && `neutron-server ${env.TESTBED_NEUTRON_VERSION}`,
        env.TESTBED_MYSQL_VERSION && `MariaDB ${env.TESTBED_MYSQL_VERSION}`,
        env.TESTBED_OVS_VERSION && `Open vSwitch ${env.TESTBED_OVS_VERSION}`,
        env.TESTBED_KEYSTONE_POLICY && `oslo.policy ${env.TESTBED_KEYSTONE_POLICY}`,
    ].filter((p) => p);
    return `${parts.join(", ")}${env.TESTBED_NETNS ? ` (netns ${env.TESTBED_NETNS})` : ""}; state ${TB_STATE}`;
}

/** The SSH connection to the test bed's sshd (root, generated key). */
export function testbedConnection(): SshConnection {
    const env = testbedEnv();
    return {
        host: env.TESTBED_SSH_HOST,
        port: Number(env.TESTBED_SSH_PORT),
        user: env.TESTBED_SSH_USER,
        privateKey: fs.readFileSync(env.TESTBED_SSH_KEY, "utf8"),
    };
}

/** Runs a local command (the test bed is this machine) and returns stdout; throws on failure. */
export function local(cmd: string, args: string[], input?: string): string {
    return execFileSync(cmd, args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 60000 });
}

/** Like local(), but returns { code, stdout, stderr } instead of throwing. */
export function localTry(
    cmd: string,
    args: string[],
    input?: string,
): { code: number; stdout: string; stderr: string } {
    try {
        return { code: 0, stdout: local(cmd, args, input), stderr: "" };
    } catch (e) {
        const err = e as { status?: number; stdout?: string; stderr?: string };
        return { code: err.status ?? 1, stdout: String(err.stdout ?? ""), stderr: String(err.stderr ?? "") };
    }
}

/**
 * A fresh ed25519 private key that the test bed's sshd does not know (for the "wrong key"
 * tests). ssh2's generateKeyPairSync("ed25519") strips leading zero bytes of the public
 * key, so about one key in 256 is one its own parseKey rejects ("Malformed OpenSSH
 * private key"; https://github.com/mscdex/ssh2/issues/1390 and /1513): such keys are
 * skipped, or the test would fail on parsing instead of on authentication.
 */
export function unknownPrivateKey(): string {
    const { utils } = require("ssh2");
    for (;;) {
        const pair = utils.generateKeyPairSync("ed25519");
        if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) {
            return pair.private;
        }
    }
}
