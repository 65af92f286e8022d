// loadConfig(): reads the stack through Pulumi's runtime config, keeps secrets secret,
// and throws before any resource is registered when the config is bad.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError, loadConfig } from "../../config";
import { buildCloud } from "../../components/cloud";
import { readStackFile, run, settleOutput } from "./harness";

function setStack(
    raw: Record<string, unknown>,
    secrets: Record<string, string>,
    plainSecrets: Record<string, string> = {},
) {
    const all: Record<string, string> = {
        ...Object.fromEntries(Object.entries(plainSecrets).map(([k, v]) => [`openstack-lab:${k}`, v])),
    };
    for (const [k, v] of Object.entries(raw)) {
        all[`openstack-lab:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    for (const [k, v] of Object.entries(secrets)) {
        all[`openstack-lab:${k}`] = v;
    }
    pulumi.runtime.setAllConfig(
        all,
        Object.keys(secrets).map((k) => `openstack-lab:${k}`),
    );
}

describe("loadConfig", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}));

    it("reads the dev stack, secrets stay secret, absent secrets are absent", async () => {
        setStack(readStackFile("Pulumi.dev.yaml"), {
            sshPrivateKey: "KEY",
            adminPassword: "admin-pass-1",
            dbPasswords: JSON.stringify({ nova: "nova-db-pass" }),
        });
        const cfg = loadConfig();
        expect(cfg.controller.name).to.equal("alice");
        expect(cfg.network.name).to.equal("charlie");
        expect(cfg.computes.map((n) => n.name)).to.deep.equal(["bob"]);
        expect(cfg.tenantNetwork).to.deep.equal({
            name: "private",
            cidr: "10.5.5.0/24",
            gateway: "10.5.5.1",
            dnsNameservers: ["8.8.8.8"],
        });
        expect(await pulumi.isSecret(cfg.secrets.sshPrivateKey)).to.equal(true);
        expect(await pulumi.isSecret(cfg.secrets.adminPassword!)).to.equal(true);
        expect(await pulumi.isSecret(cfg.secrets.dbPasswords.nova!)).to.equal(true);
        expect(await settleOutput(cfg.secrets.dbPasswords.nova!)).to.equal("nova-db-pass");
        expect(Object.keys(cfg.secrets.dbPasswords)).to.deep.equal(["nova"]);
        expect(cfg.secrets.adminToken).to.equal(undefined);
    });

    it("rejects a secret stored in plain text and an unknown password key", () => {
        const raw = readStackFile("Pulumi.dev.yaml");
        // adminPassword present but not marked secret in the stack:
        setStack(
            raw,
            { sshPrivateKey: "KEY", dbPasswords: JSON.stringify({ nvoa: "nova-db-pass" }) },
            { adminPassword: "plain" },
        );
        expect(() => loadConfig())
            .to.throw(ConfigError)
            .with.property(
                "message",
                "invalid stack configuration (2 problems):\n" +
                    "  - openstack-lab:adminPassword: must be set as a secret: pulumi config set --secret openstack-lab:adminPassword <value>\n" +
                    "  - openstack-lab:dbPasswords.nvoa: unknown service; use one of keystone, glance, nova, quantum, cinder, placement",
            );
    });

    it("stops the program before any resource is registered", async () => {
        const raw = readStackFile("Pulumi.dev.yaml");
        delete raw.nodes;
        setStack(raw, {});
        let error: unknown;
        const { resources } = await run(() => {
            try {
                return buildCloud(loadConfig());
            } catch (e) {
                error = e;
                return {};
            }
        });
        expect(resources).to.deep.equal([]);
        expect((error as Error).message).to.equal(
            "invalid stack configuration (2 problems):\n" +
                "  - openstack-lab:nodes: is required; give a list of { name, role: controller|network|compute, managementIp, dataIp, externalInterface } (see Pulumi.dev.yaml)\n" +
                "  - openstack-lab:sshPrivateKey: is required: set the private key that logs in to every node with: cat ~/.ssh/id_ed25519 | pulumi config set --secret openstack-lab:sshPrivateKey",
        );
    });
});
