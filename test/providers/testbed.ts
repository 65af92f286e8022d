// Access to the real-service test bed started by testbed.sh (settings in
// $TB_STATE/env, default /var/tmp/oslab-testbed/env).
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import type { SshConnection } from "../../providers/ssh";

export const TB_STATE = process.env.TB_STATE ?? "/var/tmp/oslab-testbed";

/** KEY=VALUE settings written by testbed.sh and its components. Throws if the test bed is down. */
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
    return env;
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
