// Generated secrets and their rotation: a counter in `secretRotation` becomes the keepers
// of exactly the RandomPasswords it names (so only those get new values); no counter, no
// keepers (stacks that never rotated keep their values); secrets set in the config are
// never generated. Config validation names unknown and non-generated rotation keys.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { SecretsComponent, rotationOf } from "../../components/shared/secrets";
import { SecretConfig, validateConfig } from "../../config";
import { readStackFile, run, unwrap } from "./harness";

const GIVEN: SecretConfig = {
    sshPrivateKey: pulumi.secret("key"),
    dbPasswords: {},
    servicePasswords: {},
};

async function keepers(rotation: Record<string, number>, given: SecretConfig = GIVEN) {
    const res = await run(() => {
        new SecretsComponent("secrets", given, rotation);
    });
    return Object.fromEntries(
        res.resources
            .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
            .map((r) => [r.name, unwrap(r.inputs).keepers ?? null]),
    );
}

const ALL_NAMES = [
    "secrets-admin-password",
    "secrets-admin-token",
    "secrets-rabbit-password",
    "secrets-metadata-secret",
    "secrets-db-keystone",
    "secrets-db-glance",
    "secrets-db-nova",
    "secrets-db-quantum",
    "secrets-db-cinder",
    "secrets-db-placement",
    "secrets-user-nova",
    "secrets-user-glance",
    "secrets-user-quantum",
    "secrets-user-cinder",
    "secrets-user-placement",
];

describe("generated secrets and rotation", () => {
    it("no rotation: fifteen generated secrets, none with keepers", async () => {
        const k = await keepers({});
        expect(Object.keys(k)).to.deep.equal(ALL_NAMES);
        expect(Object.values(k).every((v) => v === null)).to.equal(true);
    });

    it("one counter rotates exactly that secret", async () => {
        const k = await keepers({ "dbPasswords.nova": 1 });
        expect(Object.entries(k).filter(([, v]) => v !== null)).to.deep.equal([["secrets-db-nova", { rotation: "1" }]]);
    });

    it("all: every generated secret, each counter added to it", async () => {
        const k = await keepers({ all: 2, rabbitPassword: 1 });
        expect(k["secrets-rabbit-password"]).to.deep.equal({ rotation: "3" });
        expect(k["secrets-admin-password"]).to.deep.equal({ rotation: "2" });
        expect(Object.values(k).every((v) => v !== null)).to.equal(true);
    });

    it("a secret set in the config is not generated, so not rotated", async () => {
        const k = await keepers({ all: 1 }, { ...GIVEN, adminPassword: pulumi.secret("given-admin-password") });
        expect(Object.keys(k)).to.not.include("secrets-admin-password");
        expect(Object.keys(k)).to.have.length(14);
    });

    it("rotationOf adds the secret's own counter to all", () => {
        expect([
            rotationOf({}, "adminToken"),
            rotationOf({ all: 1 }, "adminToken"),
            rotationOf({ all: 1, adminToken: 4 }, "adminToken"),
        ]).to.deep.equal([0, 1, 5]);
    });

    it("config: unknown rotation keys and keys of secrets set in the config are rejected with the fix", () => {
        const raw = {
            ...readStackFile("Pulumi.dev.yaml"),
            secretRotation: { all: 1, adminPasword: 1, adminPassword: 1 },
        };
        const { problems } = validateConfig(raw, new Set(["sshPrivateKey", "adminPassword"]));
        expect(problems.map((p) => p.key)).to.deep.equal([
            "secretRotation.adminPasword",
            "secretRotation.adminPassword",
        ]);
        expect(problems[0].message).to.match(/^unknown secret; use one of all, adminPassword, adminToken, /);
        expect(problems[1].message).to.equal(
            "adminPassword is set in the stack config, not generated: rotate it by setting a new value with pulumi config set --secret openstack-lab:adminPassword <value>",
        );
        expect(
            validateConfig({ ...raw, secretRotation: { all: -1 } }, new Set(["sshPrivateKey"])).problems.map(
                (p) => p.key,
            ),
        ).to.deep.equal(["secretRotation.all"]);
    });
});
